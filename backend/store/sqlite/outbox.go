package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
)

const outboxColumns = `id, customer_id, shop_id, channel, purpose, dedupe_key, cause, title, body, data, due_at, attempts, status,
	lease_owner, lease_until, last_error, created_at, updated_at, sent_at, read_at, opened_at`

func scanMessage(row scanner) (*notify.Message, error) {
	var (
		m                     notify.Message
		data                  string
		due, created, updated int64
		lease, sent, rd, op   sql.NullInt64
	)
	err := row.Scan(&m.ID, &m.CustomerID, &m.ShopID, &m.Channel, &m.Purpose, &m.DedupeKey, &m.Cause, &m.Title, &m.Body, &data,
		&due, &m.Attempts, &m.Status, &m.LeaseOwner, &lease, &m.LastError, &created, &updated, &sent, &rd, &op)
	if err != nil {
		return nil, err
	}
	if data != "" && data != "{}" {
		if err := json.Unmarshal([]byte(data), &m.Data); err != nil {
			return nil, err
		}
	}
	m.DueAt, m.CreatedAt, m.UpdatedAt = fromMS(due), fromMS(created), fromMS(updated)
	m.LeaseUntil, m.SentAt, m.ReadAt, m.OpenedAt = fromNullMS(lease), fromNullMS(sent), fromNullMS(rd), fromNullMS(op)
	return &m, nil
}

// EnqueueMessage implements notify.Store.
func (db *DB) EnqueueMessage(ctx context.Context, m *notify.Message) (bool, error) {
	n, err := db.enqueue(ctx, db.write, m)
	return n == 1, err
}

// EnqueueMessages implements notify.Store in one transaction, with the
// insert prepared once: parsing it per message cost more than inserting.
func (db *DB) EnqueueMessages(ctx context.Context, msgs []*notify.Message) (int, error) {
	created := 0
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, insertMessageSQL)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, m := range msgs {
			n, err := db.enqueue(ctx, stmtExecer{st}, m)
			if err != nil {
				return err
			}
			created += int(n)
		}
		return nil
	})
	return created, err
}

// CountSent implements notify.Store.
func (db *DB) CountSent(ctx context.Context, customerID string, purpose core.Purpose, since time.Time) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT count(*) FROM outbox WHERE customer_id = ? AND purpose = ? AND status = 'sent'
		AND channel != 'inbox' AND sent_at >= ?`, customerID, purpose, ms(since)).Scan(&n)
	return n, mapErr(err)
}

// CountMessages implements notify.Store.
func (db *DB) CountMessages(ctx context.Context, status string) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT count(*) FROM outbox WHERE status = ?`, status).Scan(&n)
	return n, mapErr(err)
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// stmtExecer runs a prepared statement where an execer is expected; the
// query text it is given is the statement's own.
type stmtExecer struct{ st *sql.Stmt }

func (s stmtExecer) ExecContext(ctx context.Context, _ string, args ...any) (sql.Result, error) {
	return s.st.ExecContext(ctx, args...)
}

const insertMessageSQL = `INSERT INTO outbox (` + outboxColumns + `) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
	ON CONFLICT (dedupe_key) DO NOTHING`

func (db *DB) enqueue(ctx context.Context, x execer, m *notify.Message) (int64, error) {
	data := "{}"
	if len(m.Data) > 0 {
		b, err := json.Marshal(m.Data)
		if err != nil {
			return 0, core.Internal(err)
		}
		data = string(b)
	}
	res, err := x.ExecContext(ctx, insertMessageSQL,
		m.ID, m.CustomerID, m.ShopID, m.Channel, m.Purpose, m.DedupeKey, m.Cause, m.Title, m.Body, data, ms(m.DueAt), m.Attempts,
		m.Status, m.LeaseOwner, nullMS(m.LeaseUntil), m.LastError, ms(m.CreatedAt), ms(m.UpdatedAt), nullMS(m.SentAt), nullMS(m.ReadAt), nullMS(m.OpenedAt))
	if err != nil {
		return 0, mapErr(err)
	}
	return res.RowsAffected()
}

const claimSQL = `UPDATE outbox SET status = 'sending', lease_owner = ?, lease_until = ?, due_at = ?,
		attempts = attempts + 1, updated_at = ?
	WHERE rowid IN (SELECT rowid FROM outbox WHERE status IN ('pending', 'sending') AND due_at <= ? ORDER BY due_at LIMIT ?)
	RETURNING id, customer_id, shop_id, channel, purpose, dedupe_key, cause, title, body, data, attempts, last_error, created_at`

// scanClaimed reads a row of claimSQL; what the claim itself set is filled
// in by the caller, not read back.
func scanClaimed(row scanner) (*notify.Message, error) {
	var (
		m       notify.Message
		data    string
		created int64
	)
	err := row.Scan(&m.ID, &m.CustomerID, &m.ShopID, &m.Channel, &m.Purpose, &m.DedupeKey, &m.Cause, &m.Title, &m.Body, &data,
		&m.Attempts, &m.LastError, &created)
	if err != nil {
		return nil, err
	}
	if data != "" && data != "{}" {
		if err := json.Unmarshal([]byte(data), &m.Data); err != nil {
			return nil, err
		}
	}
	m.CreatedAt = fromMS(created)
	return &m, nil
}

const finishSQL = `UPDATE outbox SET status = ?, due_at = COALESCE(?, due_at), last_error = ?,
		lease_owner = '', lease_until = NULL, updated_at = ?, sent_at = COALESCE(?, sent_at), attempts = attempts - ?
	WHERE id = ? AND status = 'sending' AND lease_owner = ?`

// ClaimMessages implements notify.Store: one UPDATE … RETURNING on the
// single writer connection, so the whole batch is claimed atomically.
func (db *DB) ClaimMessages(ctx context.Context, owner string, now, leaseUntil time.Time, n int) ([]*notify.Message, error) {
	_, claimed, err := db.FinishAndClaim(ctx, owner, nil, now, leaseUntil, n)
	return claimed, err
}

// FinishMessage implements notify.Store.
func (db *DB) FinishMessage(ctx context.Context, id, owner string, o notify.Outcome) error {
	lost, err := db.FinishMessages(ctx, owner, []notify.Finish{{ID: id, Outcome: o}})
	if err != nil || len(lost) == 0 {
		return err
	}
	if _, err := db.Message(ctx, id); err != nil {
		return err
	}
	return core.Errorf(core.ECONFLICT, "the lease on message %s was lost", id)
}

// FinishMessages implements notify.Store.
func (db *DB) FinishMessages(ctx context.Context, owner string, fs []notify.Finish) ([]string, error) {
	lost, _, err := db.FinishAndClaim(ctx, owner, fs, time.Time{}, time.Time{}, 0)
	return lost, err
}

// FinishAndClaim implements notify.Store in one BEGIN IMMEDIATE
// transaction: a dispatch cycle's outcomes and its next claim share one
// commit, so one fsync. The claim is one UPDATE … RETURNING, atomic like
// every statement on the single writer connection.
func (db *DB) FinishAndClaim(ctx context.Context, owner string, fs []notify.Finish, now, leaseUntil time.Time, n int) ([]string, []*notify.Message, error) {
	if len(fs) == 0 && n <= 0 {
		return nil, nil, nil
	}
	// Prepared before the transaction: the writer pool has one connection,
	// which the transaction holds.
	finish, err := db.writeStmt(ctx, finishSQL)
	if err != nil {
		return nil, nil, mapErr(err)
	}
	sent, err := db.writeStmt(ctx, sentSQL)
	if err != nil {
		return nil, nil, mapErr(err)
	}
	claim, err := db.writeStmt(ctx, claimSQL)
	if err != nil {
		return nil, nil, mapErr(err)
	}
	var (
		lost    []string
		claimed []*notify.Message
	)
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		if lost, err = finishAll(ctx, tx.StmtContext(ctx, finish), tx.StmtContext(ctx, sent), owner, fs); err != nil {
			return err
		}
		if n <= 0 {
			return nil
		}
		// Pending messages wait for due_at, sending ones for their lease
		// end, which a claim writes to due_at too: one partial index, read
		// in order and only as far as n rows, serves both.
		st := tx.StmtContext(ctx, claim)
		defer st.Close()
		rows, err := st.QueryContext(ctx, owner, ms(leaseUntil), ms(leaseUntil), ms(now), ms(now), n)
		if claimed, err = collect(rows, err, scanClaimed); err != nil {
			return err
		}
		lease := fromMS(ms(leaseUntil))
		for _, m := range claimed {
			m.Status, m.LeaseOwner, m.LeaseUntil, m.DueAt, m.UpdatedAt = notify.StatusSending, owner, &lease, lease, fromMS(ms(now))
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return lost, claimed, nil
}

// sentSQL records one "sent" for many messages in one statement: the
// common outcome, and per row cheaper than one statement each.
const sentSQL = `UPDATE outbox SET status = 'sent', last_error = '', lease_owner = '', lease_until = NULL, updated_at = ?1, sent_at = ?1
	WHERE id IN (SELECT value FROM json_each(?2)) AND status = 'sending' AND lease_owner = ?3
	RETURNING id`

// finishAll records fs with the two prepared statements, successes sharing
// one statement per distinct time, and returns the ids whose lease was lost.
func finishAll(ctx context.Context, finish, sent *sql.Stmt, owner string, fs []notify.Finish) ([]string, error) {
	defer finish.Close()
	defer sent.Close()
	var lost []string
	bySentAt := map[int64][]string{}
	for _, f := range fs {
		o := f.Outcome
		if o.Status == notify.StatusSent && o.Error == "" {
			at := ms(o.At)
			bySentAt[at] = append(bySentAt[at], f.ID)
			continue
		}
		var due sql.NullInt64
		if o.Status == notify.StatusPending {
			due = sql.NullInt64{Int64: ms(o.RetryAt), Valid: true}
		}
		var sentAt sql.NullInt64
		if o.Status == notify.StatusSent {
			sentAt = sql.NullInt64{Int64: ms(o.At), Valid: true}
		}
		giveBack := 0
		if o.Deferred {
			giveBack = 1
		}
		res, err := finish.ExecContext(ctx, o.Status, due, o.Error, ms(o.At), sentAt, giveBack, f.ID, owner)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			lost = append(lost, f.ID)
		}
	}
	for at, ids := range bySentAt {
		list, err := json.Marshal(ids)
		if err != nil {
			return nil, err
		}
		rows, err := sent.QueryContext(ctx, at, string(list), owner)
		done, err := collect(rows, err, func(r scanner) (string, error) {
			var id string
			return id, r.Scan(&id)
		})
		if err != nil {
			return nil, err
		}
		if len(done) < len(ids) {
			lost = append(lost, missing(ids, done)...)
		}
	}
	return lost, nil
}

// missing returns the ids that are not in done.
func missing(ids, done []string) []string {
	got := make(map[string]bool, len(done))
	for _, id := range done {
		got[id] = true
	}
	var out []string
	for _, id := range ids {
		if !got[id] {
			out = append(out, id)
		}
	}
	return out
}

// Message implements notify.Store.
func (db *DB) Message(ctx context.Context, id string) (*notify.Message, error) {
	m, err := scanMessage(db.write.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return nil, notFound("message")
	}
	return m, mapErr(err)
}

// MessagesByStatus implements notify.Store.
func (db *DB) MessagesByStatus(ctx context.Context, status string, limit int) ([]*notify.Message, error) {
	return db.messages(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE status = ? ORDER BY updated_at DESC, id DESC LIMIT ?`, status, limit)
}

// ShopMessagesByStatus implements notify.Store.
func (db *DB) ShopMessagesByStatus(ctx context.Context, shopIDs []string, status string, p core.Page) ([]*notify.Message, error) {
	if len(shopIDs) == 0 {
		return []*notify.Message{}, nil
	}
	args := []any{status}
	for _, s := range shopIDs {
		args = append(args, s)
	}
	tail, more := page("updated_at", p)
	return db.messages(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE status = ? AND shop_id IN (?`+strings.Repeat(",?", len(shopIDs)-1)+`)`+tail,
		append(args, more...)...)
}

// RetryMessage implements notify.Store.
func (db *DB) RetryMessage(ctx context.Context, id string, now time.Time) (*notify.Message, error) {
	m, err := scanMessage(db.write.QueryRowContext(ctx, `UPDATE outbox SET status = 'pending', attempts = 0, due_at = ?1, last_error = '',
		lease_owner = '', lease_until = NULL, updated_at = ?1 WHERE id = ?2 AND status = 'dead' RETURNING `+outboxColumns, ms(now), id))
	if err != sql.ErrNoRows {
		return m, mapErr(err)
	}
	if _, err := db.Message(ctx, id); err != nil {
		return nil, err
	}
	return nil, core.Errorf(core.ECONFLICT, "message %s is not dead", id)
}

// CustomerMessages implements notify.Store.
func (db *DB) CustomerMessages(ctx context.Context, customerID string, p core.Page) ([]*notify.Message, error) {
	tail, args := page("created_at", p)
	return db.messages(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE customer_id = ?`+tail, append([]any{customerID}, args...)...)
}

// ShopMessages implements notify.Store.
func (db *DB) ShopMessages(ctx context.Context, shopID string, channel core.Channel, p core.Page) ([]*notify.Message, error) {
	tail, args := page("created_at", p)
	return db.messages(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE shop_id = ? AND channel = ? AND status = 'sent'`+tail,
		append([]any{shopID, channel}, args...)...)
}

// Inbox implements notify.Store.
func (db *DB) Inbox(ctx context.Context, customerID string, p core.Page) ([]*notify.Message, error) {
	tail, args := page("created_at", p)
	return db.messages(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE customer_id = ? AND channel = 'inbox' AND status = 'sent'`+tail,
		append([]any{customerID}, args...)...)
}

// MarkMessage implements notify.Store.
func (db *DB) MarkMessage(ctx context.Context, customerID, id, field string, at time.Time) error {
	col := map[string]string{"read": "read_at", "opened": "opened_at"}[field]
	if col == "" {
		return core.Errorf(core.EINVALID, "unknown mark %q", field)
	}
	res, err := db.write.ExecContext(ctx, `UPDATE outbox SET `+col+` = COALESCE(`+col+`, ?) WHERE id = ? AND customer_id = ?`, ms(at), id, customerID)
	if err != nil {
		return mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("message")
	}
	return nil
}

// DeleteCustomerMessages implements notify.Store.
func (db *DB) DeleteCustomerMessages(ctx context.Context, customerID string) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM outbox WHERE customer_id = ?`, customerID)
	return mapErr(err)
}

func (db *DB) messages(ctx context.Context, q string, args ...any) ([]*notify.Message, error) {
	rows, err := db.query(ctx, q, args...)
	return collect(rows, err, scanMessage)
}
