package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/visit"
)

const visitCols = `id, shop_id, kiosk_id, started_at, last_at, customer_id, linked_at, via`

func scanVisit(s scanner) (*visit.Visit, error) {
	var v visit.Visit
	var started, last int64
	var linked sql.NullInt64
	if err := s.Scan(&v.ID, &v.ShopID, &v.KioskID, &started, &last, &v.CustomerID, &linked, &v.Via); err != nil {
		return nil, err
	}
	v.StartedAt, v.LastAt, v.LinkedAt = fromMS(started), fromMS(last), fromNullMS(linked)
	return &v, nil
}

// CreateVisit implements visit.Store.
func (db *DB) CreateVisit(ctx context.Context, v *visit.Visit) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO visits (`+visitCols+`) VALUES (?,?,?,?,?,?,?,?)`, v.ID, v.ShopID, v.KioskID,
		ms(v.StartedAt), ms(v.LastAt), v.CustomerID, nullMS(v.LinkedAt), v.Via)
	return mapErr(err)
}

// Visit implements visit.Store.
func (db *DB) Visit(ctx context.Context, id string) (*visit.Visit, error) {
	v, err := scanVisit(db.queryRow(ctx, `SELECT `+visitCols+` FROM visits WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return nil, notFound("visit")
	}
	return v, mapErr(err)
}

// OpenVisit implements visit.Store.
func (db *DB) OpenVisit(ctx context.Context, kioskID string, since time.Time) (*visit.Visit, error) {
	v, err := scanVisit(db.queryRow(ctx, `SELECT `+visitCols+` FROM visits WHERE kiosk_id = ? AND customer_id = '' AND last_at >= ?
		AND ended_at IS NULL ORDER BY last_at DESC, id DESC LIMIT 1`, kioskID, ms(since)))
	if err == sql.ErrNoRows {
		return nil, notFound("open visit")
	}
	return v, mapErr(err)
}

// EndVisit implements visit.Store.
func (db *DB) EndVisit(ctx context.Context, kioskID string, at time.Time) error {
	return db.withTx(ctx, func(tx *sql.Tx) error {
		var id string
		err := tx.QueryRowContext(ctx, `SELECT id FROM visits WHERE kiosk_id = ? AND customer_id = '' AND ended_at IS NULL
			ORDER BY last_at DESC, id DESC LIMIT 1`, kioskID).Scan(&id)
		if err == sql.ErrNoRows {
			return nil
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE visits SET ended_at = ? WHERE id = ?`, ms(at), id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE visit_codes SET expires_at = min(expires_at, ?) WHERE visit_id = ? AND claimed_at IS NULL`, ms(at), id)
		return err
	})
}

// TouchVisit implements visit.Store.
func (db *DB) TouchVisit(ctx context.Context, id string, at time.Time) error {
	return db.updateOne(ctx, "visit", `UPDATE visits SET last_at = max(last_at, ?) WHERE id = ?`, ms(at), id)
}

// LinkVisit implements visit.Store with one conditional UPDATE.
func (db *DB) LinkVisit(ctx context.Context, id, customerID, via string, at time.Time) error {
	n, err := db.affected(ctx, `UPDATE visits SET customer_id = ?, linked_at = ?, via = ?, last_at = max(last_at, ?) WHERE id = ? AND customer_id = ''`,
		customerID, ms(at), via, ms(at), id)
	if err != nil || n == 1 {
		return err
	}
	if _, err := db.Visit(ctx, id); err != nil {
		return err
	}
	return core.Errorf(core.ECONFLICT, "this visit is already linked")
}

// AddVisitEvents implements visit.Store.
func (db *DB) AddVisitEvents(ctx context.Context, es []visit.Event) error {
	return db.withTx(ctx, func(tx *sql.Tx) error {
		for _, e := range es {
			if _, err := tx.ExecContext(ctx, `INSERT INTO visit_events (visit_id, kind, item_id, at) VALUES (?,?,?,?)`,
				e.VisitID, e.Kind, e.ItemID, ms(e.At)); err != nil {
				return err
			}
		}
		return nil
	})
}

// VisitEvents implements visit.Store.
func (db *DB) VisitEvents(ctx context.Context, visitID string) ([]visit.Event, error) {
	rows, err := db.query(ctx, `SELECT visit_id, kind, item_id, at FROM visit_events WHERE visit_id = ? ORDER BY at, id`, visitID)
	return collect(rows, err, func(s scanner) (visit.Event, error) {
		var e visit.Event
		var at int64
		err := s.Scan(&e.VisitID, &e.Kind, &e.ItemID, &at)
		e.At = fromMS(at)
		return e, err
	})
}

// CustomerVisits implements visit.Store.
func (db *DB) CustomerVisits(ctx context.Context, customerID string) ([]*visit.Visit, error) {
	if customerID == "" {
		return []*visit.Visit{}, nil
	}
	rows, err := db.query(ctx, `SELECT `+visitCols+` FROM visits WHERE customer_id = ? ORDER BY started_at DESC, id DESC`, customerID)
	return collect(rows, err, scanVisit)
}

// ShopCheckins implements visit.Store.
func (db *DB) ShopCheckins(ctx context.Context, shopID string, from, to time.Time) ([]*visit.Visit, error) {
	rows, err := db.query(ctx, `SELECT `+visitCols+` FROM visits WHERE shop_id = ? AND customer_id <> '' AND last_at >= ? AND started_at < ?
		ORDER BY linked_at DESC, id DESC LIMIT 500`, shopID, ms(from), ms(to))
	return collect(rows, err, scanVisit)
}

// DeleteCustomerVisits implements visit.Store; events and codes go with
// their visit (ON DELETE CASCADE).
func (db *DB) DeleteCustomerVisits(ctx context.Context, customerID string) error {
	if customerID == "" {
		return nil
	}
	return db.withTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{`DELETE FROM visits WHERE customer_id = ?`, `DELETE FROM visit_preferences WHERE customer_id = ?`,
			`UPDATE visit_codes SET resolved_by = '' WHERE resolved_by = ?`} {
			if _, err := tx.ExecContext(ctx, q, customerID); err != nil {
				return err
			}
		}
		return nil
	})
}

// Greets implements visit.Store.
func (db *DB) Greets(ctx context.Context, customerID string) (bool, error) {
	var greet bool
	err := db.queryRow(ctx, `SELECT greet FROM visit_preferences WHERE customer_id = ?`, customerID).Scan(&greet)
	if err == sql.ErrNoRows {
		return false, nil
	}
	return greet, mapErr(err)
}

// SetGreets implements visit.Store.
func (db *DB) SetGreets(ctx context.Context, customerID string, greet bool, at time.Time) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO visit_preferences (customer_id, greet, updated_at) VALUES (?,?,?)
		ON CONFLICT (customer_id) DO UPDATE SET greet = excluded.greet, updated_at = excluded.updated_at`, customerID, greet, ms(at))
	return mapErr(err)
}

// Code implements visit.Store.
func (db *DB) Code(ctx context.Context, id string) (*visit.Code, error) { return db.code(ctx, id) }

// PurgeAnonymousVisits implements visit.Store.
func (db *DB) PurgeAnonymousVisits(ctx context.Context, before time.Time) (int, error) {
	return db.affected(ctx, `DELETE FROM visits WHERE customer_id = '' AND last_at < ?`, ms(before))
}

const codeCols = `id, visit_id, kiosk_id, shop_id, created_at, expires_at, resolved_by, claimed_by, claimed_at`

func scanCode(s scanner) (*visit.Code, error) {
	var c visit.Code
	var created, expires int64
	var claimed sql.NullInt64
	if err := s.Scan(&c.ID, &c.VisitID, &c.KioskID, &c.ShopID, &created, &expires, &c.ResolvedBy, &c.ClaimedBy, &claimed); err != nil {
		return nil, err
	}
	c.CreatedAt, c.ExpiresAt, c.ClaimedAt = fromMS(created), fromMS(expires), fromNullMS(claimed)
	return &c, nil
}

// CreateCode implements visit.Store.
func (db *DB) CreateCode(ctx context.Context, c *visit.Code) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO visit_codes (id, visit_id, kiosk_id, shop_id, created_at, expires_at) VALUES (?,?,?,?,?,?)`,
		c.ID, c.VisitID, c.KioskID, c.ShopID, ms(c.CreatedAt), ms(c.ExpiresAt))
	return mapErr(err)
}

func (db *DB) code(ctx context.Context, id string) (*visit.Code, error) {
	c, err := scanCode(db.queryRow(ctx, `SELECT `+codeCols+` FROM visit_codes WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return nil, notFound("visit code")
	}
	return c, mapErr(err)
}

// ResolveCode implements visit.Store.
func (db *DB) ResolveCode(ctx context.Context, id, customerID string, now time.Time) (*visit.Code, error) {
	n, err := db.affected(ctx, `UPDATE visit_codes SET resolved_by = ? WHERE id = ? AND claimed_at IS NULL AND expires_at > ?
		AND resolved_by IN ('', ?)`, customerID, id, ms(now), customerID)
	if err != nil {
		return nil, err
	}
	c, err := db.code(ctx, id)
	if err == nil && n == 0 {
		return nil, errCodeGone
	}
	return c, err
}

// errCodeGone is what everyone but the code's first resolver is told.
var errCodeGone = core.Errorf(core.EGONE, "this code was already used or has expired: scan the screen's next one")

// ClaimCode implements visit.Store: one conditional UPDATE decides who
// wins.
func (db *DB) ClaimCode(ctx context.Context, id, customerID string, now time.Time) (*visit.Code, error) {
	n, err := db.affected(ctx, `UPDATE visit_codes SET claimed_by = ?, claimed_at = ? WHERE id = ? AND resolved_by = ? AND claimed_at IS NULL
		AND expires_at > ?`, customerID, ms(now), id, customerID, ms(now))
	if err != nil {
		return nil, err
	}
	c, err := db.code(ctx, id)
	switch {
	case err != nil:
		return nil, err
	case n == 1:
		return c, nil
	case c.ClaimedAt != nil || !c.ExpiresAt.After(now) || c.ResolvedBy != "" && c.ResolvedBy != customerID:
		return nil, errCodeGone
	}
	return nil, core.Errorf(core.ECONFLICT, "resolve the code before claiming it")
}

// claims group concurrent claims into one transaction (one commit, one
// fsync, for all that are waiting): with SQLite's one writer, a claim
// otherwise waits for a commit per claim ahead of it.
type claims struct {
	mu      sync.Mutex
	pending []*claimReq
	running bool
}

type claimReq struct {
	id, kioskID, customerID, via, newID string
	now                                 time.Time
	l                                   visit.ClaimLimits
	// outcome: "" claimed, core.ETOOMANY refused, "miss" not claimable.
	outcome string
	visitID string
	done    chan error
}

// ClaimVisit implements visit.Store. Claims waiting at the same moment
// share one transaction; within it each is decided in turn, its limits
// counted from the claims before it (those of the same batch included),
// so the limits stay exact and no two claims of one code both win.
func (db *DB) ClaimVisit(ctx context.Context, id, customerID, via, newID string, now time.Time, l visit.ClaimLimits) (*visit.Code, *visit.Visit, error) {
	// The code's kiosk is read first, on the read pool, so that the
	// writer's share of a claim is four short statements.
	pre, err := db.code(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	r := &claimReq{id: id, kioskID: pre.KioskID, customerID: customerID, via: via, newID: newID, now: now, l: l, done: make(chan error, 1)}
	b := &db.claims
	b.mu.Lock()
	b.pending = append(b.pending, r)
	if !b.running {
		b.running = true
		go db.runClaims()
	}
	b.mu.Unlock()
	select {
	case err := <-r.done:
		if err != nil {
			return nil, nil, err
		}
	case <-ctx.Done():
		return nil, nil, mapErr(ctx.Err())
	}
	c, err := db.code(ctx, id)
	switch {
	case err != nil:
		return nil, nil, err
	case r.outcome == core.ETOOMANY:
		return nil, nil, core.Errorf(core.ETOOMANY, "too many visits linked in the last minute: try again shortly")
	case r.outcome != "" && (c.ClaimedAt != nil || !c.ExpiresAt.After(now) || c.ResolvedBy != "" && c.ResolvedBy != customerID):
		return nil, nil, errCodeGone
	case r.outcome != "":
		return nil, nil, core.Errorf(core.ECONFLICT, "resolve the code before claiming it")
	}
	v, err := db.Visit(ctx, r.visitID)
	return c, v, err
}

// runClaims commits the waiting claims, a batch at a time, until none
// wait.
func (db *DB) runClaims() {
	b := &db.claims
	for {
		b.mu.Lock()
		batch := b.pending
		b.pending = nil
		if len(batch) == 0 {
			b.running = false
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := db.withTx(ctx, func(tx *sql.Tx) error {
			st, err := prepareClaim(ctx, tx)
			if err != nil {
				return err
			}
			defer st.close()
			for _, r := range batch {
				if err := st.claimOne(ctx, r); err != nil {
					return err
				}
			}
			return nil
		})
		cancel()
		for _, r := range batch {
			r.done <- err
		}
	}
}

// claimStmts are a batch's statements, prepared once for all its claims.
type claimStmts struct {
	count, claim, link, create, event *sql.Stmt
}

func prepareClaim(ctx context.Context, tx *sql.Tx) (*claimStmts, error) {
	st := &claimStmts{}
	for _, p := range []struct {
		dst *(*sql.Stmt)
		q   string
	}{
		{&st.count, `SELECT
			(SELECT count(*) FROM visit_codes WHERE claimed_by = ?1 AND claimed_at IS NOT NULL AND claimed_at > ?2),
			(SELECT count(*) FROM visit_codes WHERE kiosk_id = ?3 AND claimed_at IS NOT NULL AND claimed_at > ?2)`},
		{&st.claim, `UPDATE visit_codes SET claimed_by = ?, claimed_at = ? WHERE id = ? AND resolved_by = ? AND claimed_at IS NULL
			AND expires_at > ? RETURNING visit_id, shop_id`},
		{&st.link, `UPDATE visits SET customer_id = ?, linked_at = ?, via = ?, last_at = max(last_at, ?) WHERE id = ? AND customer_id = ''`},
		{&st.create, `INSERT INTO visits (` + visitCols + `) VALUES (?,?,?,?,?,?,?,?)`},
		{&st.event, `INSERT INTO visit_events (visit_id, kind, item_id, at) VALUES (?, 'qr_scanned', '', ?)`},
	} {
		s, err := tx.PrepareContext(ctx, p.q)
		if err != nil {
			st.close()
			return nil, err
		}
		*p.dst = s
	}
	return st, nil
}

func (st *claimStmts) close() {
	for _, s := range []*sql.Stmt{st.count, st.claim, st.link, st.create, st.event} {
		if s != nil {
			s.Close()
		}
	}
}

// claimOne decides one claim inside the batch's transaction.
func (st *claimStmts) claimOne(ctx context.Context, r *claimReq) error {
	since := ms(r.now.Add(-r.l.Window))
	var mine, kiosk int
	if err := st.count.QueryRowContext(ctx, r.customerID, since, r.kioskID).Scan(&mine, &kiosk); err != nil {
		return err
	}
	if mine >= r.l.PerCustomer || kiosk >= r.l.PerKiosk {
		r.outcome = core.ETOOMANY
		return nil
	}
	var shopID string
	err := st.claim.QueryRowContext(ctx, r.customerID, ms(r.now), r.id, r.customerID, ms(r.now)).Scan(&r.visitID, &shopID)
	if err == sql.ErrNoRows {
		r.outcome = "miss"
		return nil
	} else if err != nil {
		return err
	}
	res, err := st.link.ExecContext(ctx, r.customerID, ms(r.now), r.via, ms(r.now), r.visitID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		r.visitID = r.newID
		if _, err := st.create.ExecContext(ctx, r.newID, shopID, r.kioskID, ms(r.now), ms(r.now), r.customerID, ms(r.now), r.via); err != nil {
			return err
		}
	}
	_, err = st.event.ExecContext(ctx, r.visitID, ms(r.now))
	return err
}
