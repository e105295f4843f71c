package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/vista-optical/vista/backend/booking"
)

const waitColumns = `id, shop_id, service_id, day, customer_id, created_at, offered_at, offer_start, offer_staff`

func scanWait(row scanner) (*booking.WaitEntry, error) {
	var e booking.WaitEntry
	var created int64
	var offered, start sql.NullInt64
	if err := row.Scan(&e.ID, &e.ShopID, &e.ServiceID, &e.Day, &e.CustomerID, &created, &offered, &start, &e.OfferStaff); err != nil {
		return nil, err
	}
	e.CreatedAt, e.OfferedAt, e.OfferStart = fromMS(created), fromNullMS(offered), fromNullMS(start)
	return &e, nil
}

// JoinWaitlist implements booking.Store.
func (db *DB) JoinWaitlist(ctx context.Context, e *booking.WaitEntry) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO waitlist (`+waitColumns+`) VALUES (?,?,?,?,?,?,?,?,?)`,
		e.ID, e.ShopID, e.ServiceID, e.Day, e.CustomerID, ms(e.CreatedAt), nullMS(e.OfferedAt), nullMS(e.OfferStart), e.OfferStaff)
	return mapErr(err)
}

// WaitEntry implements booking.Store.
func (db *DB) WaitEntry(ctx context.Context, id string) (*booking.WaitEntry, error) {
	e, err := scanWait(db.queryRow(ctx, `SELECT `+waitColumns+` FROM waitlist WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("waitlist entry")
	}
	return e, mapErr(err)
}

// CustomerWaitlist implements booking.Store.
func (db *DB) CustomerWaitlist(ctx context.Context, customerID string) ([]*booking.WaitEntry, error) {
	rows, err := db.query(ctx, `SELECT `+waitColumns+` FROM waitlist WHERE customer_id = ? ORDER BY day, id`, customerID)
	return collect(rows, err, scanWait)
}

// LeaveWaitlist implements booking.Store.
func (db *DB) LeaveWaitlist(ctx context.Context, customerID, id string) error {
	return db.updateOne(ctx, "waitlist entry", `DELETE FROM waitlist WHERE id = ? AND customer_id = ?`, id, customerID)
}
