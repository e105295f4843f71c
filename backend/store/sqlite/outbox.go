package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
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
func (db *DB) CountSent(ctx context.Context, customerID, purpose string, since time.Time) (int, error) {
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
	WHERE id IN (SELECT id FROM outbox WHERE status IN ('pending', 'sending') AND due_at <= ? ORDER BY due_at LIMIT ?)
	RETURNING ` + outboxColumns

const finishSQL = `UPDATE outbox SET status = ?, due_at = COALESCE(?, due_at), last_error = ?,
		lease_owner = '', lease_until = NULL, updated_at = ?, sent_at = COALESCE(?, sent_at)
	WHERE id = ? AND status = 'sending' AND lease_owner = ?`

// ClaimMessages implements notify.Store: one UPDATE … RETURNING on the
// single writer connection, so the whole batch is claimed atomically.
func (db *DB) ClaimMessages(ctx context.Context, owner string, now, leaseUntil time.Time, n int) ([]*notify.Message, error) {
	// Pending messages wait for due_at, sending ones for their lease end,
	// which a claim writes to due_at too: one partial index, read in order
	// and only as far as n rows, serves both.
	st, err := db.writeStmt(ctx, claimSQL)
	if err != nil {
		return nil, mapErr(err)
	}
	rows, err := st.QueryContext(ctx, owner, ms(leaseUntil), ms(leaseUntil), ms(now), ms(now), n)
	return collect(rows, err, scanMessage)
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

// FinishMessages implements notify.Store: one BEGIN IMMEDIATE transaction,
// so a batch of outcomes costs one fsync.
func (db *DB) FinishMessages(ctx context.Context, owner string, fs []notify.Finish) ([]string, error) {
	var lost []string
	// Prepared before the transaction: the writer pool has one connection,
	// which the transaction holds.
	prepared, err := db.writeStmt(ctx, finishSQL)
	if err != nil {
		return nil, mapErr(err)
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		st := tx.StmtContext(ctx, prepared)
		defer st.Close()
		for _, f := range fs {
			o := f.Outcome
			var sent, due sql.NullInt64
			if o.Status == notify.StatusSent {
				sent = sql.NullInt64{Int64: ms(o.At), Valid: true}
			}
			if o.Status == notify.StatusPending {
				due = sql.NullInt64{Int64: ms(o.RetryAt), Valid: true}
			}
			res, err := st.ExecContext(ctx, o.Status, due, o.Error, ms(o.At), sent, f.ID, owner)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				lost = append(lost, f.ID)
			}
		}
		return nil
	})
	return lost, err
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

// CustomerMessages implements notify.Store.
func (db *DB) CustomerMessages(ctx context.Context, customerID string, limit int) ([]*notify.Message, error) {
	return db.messages(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE customer_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`, customerID, limit)
}

// ShopMessages implements notify.Store.
func (db *DB) ShopMessages(ctx context.Context, shopID, channel string, limit int) ([]*notify.Message, error) {
	return db.messages(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE shop_id = ? AND channel = ?
		ORDER BY created_at DESC, id DESC LIMIT ?`, shopID, channel, limit)
}

// Inbox implements notify.Store.
func (db *DB) Inbox(ctx context.Context, customerID string, limit int) ([]*notify.Message, error) {
	return db.messages(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE customer_id = ? AND channel = 'inbox' AND status = 'sent'
		ORDER BY created_at DESC, id DESC LIMIT ?`, customerID, limit)
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
