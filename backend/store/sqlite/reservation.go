package sqlite

import (
	"context"

	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
)

// CreateReservation implements catalog.ReservationStore.
func (db *DB) CreateReservation(ctx context.Context, r *catalog.Reservation) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO reservations (id, customer_id, shop_id, supply_id, kind, status, note, created_at)
		VALUES (?,?,?,?,?,?,?,?)`, r.ID, r.CustomerID, r.ShopID, r.SupplyID, r.Kind, r.Status, r.Note, ms(r.CreatedAt))
	return mapErr(err)
}

// ShopReservations implements catalog.ReservationStore.
func (db *DB) ShopReservations(ctx context.Context, shopID string, p core.Page) ([]*catalog.Reservation, error) {
	tail, args := page("created_at", p)
	return db.reservations(ctx, `SELECT id, customer_id, shop_id, supply_id, kind, status, note, created_at FROM reservations
		WHERE shop_id = ?`+tail, append([]any{shopID}, args...)...)
}

// CustomerReservations implements catalog.ReservationStore.
func (db *DB) CustomerReservations(ctx context.Context, customerID string) ([]*catalog.Reservation, error) {
	return db.reservations(ctx, `SELECT id, customer_id, shop_id, supply_id, kind, status, note, created_at FROM reservations
		WHERE customer_id = ? ORDER BY created_at DESC, id DESC`, customerID)
}

// DeleteCustomerReservations implements catalog.ReservationStore.
func (db *DB) DeleteCustomerReservations(ctx context.Context, customerID string) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM reservations WHERE customer_id = ?`, customerID)
	return mapErr(err)
}

func (db *DB) reservations(ctx context.Context, q string, args ...any) ([]*catalog.Reservation, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []*catalog.Reservation{}
	for rows.Next() {
		var r catalog.Reservation
		var created int64
		if err := rows.Scan(&r.ID, &r.CustomerID, &r.ShopID, &r.SupplyID, &r.Kind, &r.Status, &r.Note, &created); err != nil {
			return nil, mapErr(err)
		}
		r.CreatedAt = fromMS(created)
		out = append(out, &r)
	}
	return out, mapErr(rows.Err())
}
