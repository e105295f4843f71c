package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
)

func jsonDoc(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", core.Internal(err)
	}
	return string(b), nil
}

const bookingColumns = `id, shop_id, service_id, variant, staff_id, customer_id, family_member_id, guest, day, start_at, end_at,
	hold_start, hold_end, status, held_until, source, utm, made_by, note, idem_scope, idem_key, idem_hash, visit_id, remind_at, created_at, updated_at`

func scanBooking(row scanner) (*booking.Booking, error) {
	var b booking.Booking
	var customer, guest, scope, key sql.NullString
	var utm string
	var start, end, hs, he, created, updated int64
	var remind, held sql.NullInt64
	if err := row.Scan(&b.ID, &b.ShopID, &b.ServiceID, &b.Variant, &b.StaffID, &customer, &b.FamilyMemberID, &guest, &b.Day,
		&start, &end, &hs, &he, &b.Status, &held, &b.Source, &utm, &b.By, &b.Note, &scope, &key, &b.IdemHash, &b.VisitID, &remind,
		&created, &updated); err != nil {
		return nil, err
	}
	b.HeldUntil = fromNullMS(held)
	b.CustomerID, b.IdemScope, b.IdemKey = customer.String, scope.String, key.String
	if guest.Valid {
		b.Guest = &booking.Guest{}
		if err := json.Unmarshal([]byte(guest.String), b.Guest); err != nil {
			return nil, core.Internal(err)
		}
	}
	if utm != "{}" {
		if err := json.Unmarshal([]byte(utm), &b.UTM); err != nil {
			return nil, core.Internal(err)
		}
	}
	b.Start, b.End, b.HoldStart, b.HoldEnd = fromMS(start), fromMS(end), fromMS(hs), fromMS(he)
	b.RemindAt, b.CreatedAt, b.UpdatedAt = fromNullMS(remind), fromMS(created), fromMS(updated)
	return &b, nil
}

func bookingArgs(b *booking.Booking) ([]any, error) {
	var guest sql.NullString
	if b.Guest != nil {
		g, err := jsonDoc(b.Guest)
		if err != nil {
			return nil, err
		}
		guest = sql.NullString{String: g, Valid: true}
	}
	utm := "{}"
	if len(b.UTM) > 0 {
		u, err := jsonDoc(b.UTM)
		if err != nil {
			return nil, err
		}
		utm = u
	}
	scope := b.IdemScope
	if b.IdemKey == "" {
		scope = "" // a scope means nothing without its key
	}
	return []any{b.ID, b.ShopID, b.ServiceID, b.Variant, b.StaffID, nullString(b.CustomerID), b.FamilyMemberID, guest, b.Day,
		ms(b.Start), ms(b.End), ms(b.HoldStart), ms(b.HoldEnd), b.Status, nullMS(b.HeldUntil), b.Source, utm, b.By, b.Note,
		nullString(scope), nullString(b.IdemKey), b.IdemHash, b.VisitID, nullMS(b.RemindAt), ms(b.CreatedAt), ms(b.UpdatedAt)}, nil
}

// hold writes the claims of h for booking id in tx: first it frees those
// of its keys whose time is over (an unconfirmed hold's, a past
// booking's), then writes every key at once (one statement; a key held
// by another booking fails it, which is booking.ErrTaken), then a seat of
// each group, after freeing the group's seats whose booking has ended.
func hold(ctx context.Context, tx *sql.Tx, id string, h booking.Hold, now time.Time) error {
	if len(h.Keys) > 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM booking_claims WHERE key IN (SELECT value FROM json_each(?)) AND until_at <= ?`,
			jsonList(h.Keys), ms(now)); err != nil {
			return err
		}
		q := `INSERT INTO booking_claims (key, booking_id, until_at) VALUES ` + strings.TrimSuffix(strings.Repeat("(?,?,?),", len(h.Keys)), ",")
		args := make([]any, 0, 3*len(h.Keys))
		for _, k := range h.Keys {
			args = append(args, k, id, ms(h.Until))
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			if core.IsCode(mapErr(err), core.ECONFLICT) {
				return booking.ErrTaken
			}
			return err
		}
	}
	for _, g := range h.Seats {
		lo, hi := g.Group+"#", g.Group+"$"
		if _, err := tx.ExecContext(ctx, `DELETE FROM booking_claims WHERE key >= ? AND key < ? AND until_at <= ?`, lo, hi, ms(now)); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT key FROM booking_claims WHERE key >= ? AND key < ?`, lo, hi)
		if err != nil {
			return err
		}
		held := map[string]bool{}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return err
			}
			held[k] = true
		}
		rows.Close()
		seat := ""
		for n := 0; n < g.Max && seat == ""; n++ {
			if k := fmt.Sprintf("%s#%d", g.Group, n); !held[k] {
				seat = k
			}
		}
		if seat == "" {
			return g.Full
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO booking_claims (key, booking_id, until_at) VALUES (?,?,?)`, seat, id, ms(g.Until)); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) enqueueAll(ctx context.Context, tx *sql.Tx, msgs []*notify.Message) error {
	for _, m := range msgs {
		if _, err := db.enqueue(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}

// CreateBooking implements booking.Store in one transaction: the
// idempotency key looked up, the booking, its claims and its messages.
func (db *DB) CreateBooking(ctx context.Context, b *booking.Booking, h booking.Hold, msgs []*notify.Message) (*booking.Booking, bool, error) {
	args, err := bookingArgs(b)
	if err != nil {
		return nil, false, err
	}
	var got *booking.Booking
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		if b.IdemKey != "" {
			old, err := scanBooking(tx.QueryRowContext(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE idem_scope = ? AND idem_key = ?`, b.IdemScope, b.IdemKey))
			if err == nil {
				got = old
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO bookings (`+bookingColumns+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, args...); err != nil {
			return err
		}
		if err := hold(ctx, tx, b.ID, h, b.CreatedAt); err != nil {
			return err
		}
		return db.enqueueAll(ctx, tx, msgs)
	})
	if err != nil {
		return nil, false, err
	}
	if got != nil {
		return got, false, nil
	}
	return b, true, nil
}

// Booking implements booking.Store.
func (db *DB) Booking(ctx context.Context, id string) (*booking.Booking, error) {
	b, err := scanBooking(db.queryRow(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("booking")
	}
	return b, mapErr(err)
}

// BookingByKey implements booking.Store.
func (db *DB) BookingByKey(ctx context.Context, scope, key string) (*booking.Booking, error) {
	b, err := scanBooking(db.queryRow(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE idem_scope = ? AND idem_key = ?`, scope, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("booking")
	}
	return b, mapErr(err)
}

// MoveBooking implements booking.Store.
func (db *DB) MoveBooking(ctx context.Context, b *booking.Booking, h booking.Hold, msgs []*notify.Message) error {
	return db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE bookings SET staff_id = ?, day = ?, start_at = ?, end_at = ?, hold_start = ?, hold_end = ?,
			remind_at = ?, updated_at = ? WHERE id = ? AND status = 'booked'`,
			b.StaffID, b.Day, ms(b.Start), ms(b.End), ms(b.HoldStart), ms(b.HoldEnd), nullMS(b.RemindAt), ms(b.UpdatedAt), b.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return core.Errorf(core.ECONFLICT, "this appointment is no longer booked")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM booking_claims WHERE booking_id = ?`, b.ID); err != nil {
			return err
		}
		if err := hold(ctx, tx, b.ID, h, b.UpdatedAt); err != nil {
			return err
		}
		return db.enqueueAll(ctx, tx, msgs)
	})
}

// CancelBooking implements booking.Store.
func (db *DB) CancelBooking(ctx context.Context, id string, at time.Time, msgs []*notify.Message, offer func(*booking.WaitEntry) []*notify.Message) (*booking.Booking, *booking.WaitEntry, error) {
	var got *booking.Booking
	var offered *booking.WaitEntry
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		b, err := scanBooking(tx.QueryRowContext(ctx, `UPDATE bookings SET status = 'cancelled', held_until = NULL, remind_at = NULL, updated_at = ?
			WHERE id = ? AND status IN ('booked', 'held') RETURNING `+bookingColumns, ms(at), id))
		if errors.Is(err, sql.ErrNoRows) {
			return core.Errorf(core.ECONFLICT, "this appointment is no longer booked")
		}
		if err != nil {
			return err
		}
		got = b
		if _, err := tx.ExecContext(ctx, `DELETE FROM booking_claims WHERE booking_id = ?`, id); err != nil {
			return err
		}
		if err := db.enqueueAll(ctx, tx, msgs); err != nil {
			return err
		}
		e, err := scanWait(tx.QueryRowContext(ctx, `SELECT `+waitColumns+` FROM waitlist WHERE shop_id = ? AND service_id = ? AND day = ?
			AND offered_at IS NULL ORDER BY created_at, id LIMIT 1`, b.ShopID, b.ServiceID, b.Day))
		if errors.Is(err, sql.ErrNoRows) || offer == nil {
			return nil
		}
		if err != nil {
			return err
		}
		om := offer(e)
		if len(om) == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE waitlist SET offered_at = ?, offer_start = ?, offer_staff = ? WHERE id = ?`,
			ms(at), ms(b.Start), b.StaffID, e.ID); err != nil {
			return err
		}
		e.OfferedAt, e.OfferStart, e.OfferStaff = &at, &b.Start, b.StaffID
		offered = e
		return db.enqueueAll(ctx, tx, om)
	})
	return got, offered, err
}

// ConfirmBooking implements booking.Store.
func (db *DB) ConfirmBooking(ctx context.Context, b *booking.Booking, h booking.Hold, now time.Time, msgs []*notify.Message) (*booking.Booking, error) {
	var got *booking.Booking
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		c, err := scanBooking(tx.QueryRowContext(ctx, `UPDATE bookings SET status = 'booked', held_until = NULL, remind_at = ?, updated_at = ?
			WHERE id = ? AND status = 'held' AND held_until > ? RETURNING `+bookingColumns, nullMS(b.RemindAt), ms(now), b.ID, ms(now)))
		if errors.Is(err, sql.ErrNoRows) {
			return core.Errorf(core.ECONFLICT, "this slot is no longer held for you: book again")
		}
		if err != nil {
			return err
		}
		got = c
		if _, err := tx.ExecContext(ctx, `UPDATE booking_claims SET until_at = ? WHERE booking_id = ? AND key IN (SELECT value FROM json_each(?))`,
			ms(h.Until), b.ID, jsonList(h.Keys)); err != nil {
			return err
		}
		for _, g := range h.Seats {
			if _, err := tx.ExecContext(ctx, `UPDATE booking_claims SET until_at = ? WHERE booking_id = ? AND key >= ? AND key < ?`,
				ms(g.Until), b.ID, g.Group+"#", g.Group+"$"); err != nil {
				return err
			}
		}
		return db.enqueueAll(ctx, tx, msgs)
	})
	return got, err
}

// MarkBooking implements booking.Store.
func (db *DB) MarkBooking(ctx context.Context, id, status, visitID string, at time.Time) (*booking.Booking, error) {
	var got *booking.Booking
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		b, err := scanBooking(tx.QueryRowContext(ctx, `UPDATE bookings SET status = ?, visit_id = ?, remind_at = NULL, updated_at = ?
			WHERE id = ? AND status = 'booked' RETURNING `+bookingColumns, status, visitID, ms(at), id))
		if errors.Is(err, sql.ErrNoRows) {
			return core.Errorf(core.ECONFLICT, "this appointment is no longer booked")
		}
		if err != nil {
			return err
		}
		got = b
		lo := "u:" + b.Person() + "#"
		_, err = tx.ExecContext(ctx, `DELETE FROM booking_claims WHERE booking_id = ? AND key >= ? AND key < ?`, id, lo, "u:"+b.Person()+"$")
		return err
	})
	return got, err
}

// ShopBookings implements booking.Store. No hold is longer than a day,
// so the index range on hold_start starts a day before from.
func (db *DB) ShopBookings(ctx context.Context, shopID string, from, to time.Time) ([]*booking.Booking, error) {
	rows, err := db.query(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE shop_id = ? AND hold_start >= ? AND hold_start < ? AND hold_end > ?
		ORDER BY start_at, id`, shopID, ms(from.Add(-24*time.Hour)), ms(to), ms(from))
	return collect(rows, err, scanBooking)
}

// ShopHolds implements booking.Store from the index alone (migration
// 00021 covers the columns): no table rows, no JSON.
func (db *DB) ShopHolds(ctx context.Context, shopID string, from, to time.Time) ([]*booking.Booking, error) {
	rows, err := db.query(ctx, `SELECT hold_start, hold_end, status, staff_id, service_id, day, held_until FROM bookings
		WHERE shop_id = ? AND hold_start >= ? AND hold_start < ? AND hold_end > ? AND status != 'cancelled'`,
		shopID, ms(from.Add(-24*time.Hour)), ms(to), ms(from))
	return collect(rows, err, func(row scanner) (*booking.Booking, error) {
		var b booking.Booking
		var hs, he int64
		var held sql.NullInt64
		if err := row.Scan(&hs, &he, &b.Status, &b.StaffID, &b.ServiceID, &b.Day, &held); err != nil {
			return nil, err
		}
		b.HoldStart, b.HoldEnd, b.HeldUntil = fromMS(hs), fromMS(he), fromNullMS(held)
		return &b, nil
	})
}

// StaffBookings implements booking.Store.
func (db *DB) StaffBookings(ctx context.Context, staffID string, from, to time.Time) ([]*booking.Booking, error) {
	rows, err := db.query(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE staff_id = ? AND start_at >= ? AND start_at < ?
		AND status != 'cancelled' ORDER BY start_at, id`, staffID, ms(from), ms(to))
	return collect(rows, err, scanBooking)
}

// CustomerBookings implements booking.Store.
func (db *DB) CustomerBookings(ctx context.Context, customerID string, p core.Page) ([]*booking.Booking, error) {
	tail, args := page("start_at", p)
	rows, err := db.query(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE customer_id = ?`+tail, append([]any{customerID}, args...)...)
	return collect(rows, err, scanBooking)
}

// CountNoShows implements booking.Store.
func (db *DB) CountNoShows(ctx context.Context, customerID string) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT count(*) FROM bookings WHERE customer_id = ? AND status = 'no_show'`, customerID).Scan(&n)
	return n, mapErr(err)
}

// DeleteCustomerBookings implements booking.Store.
func (db *DB) DeleteCustomerBookings(ctx context.Context, customerID string) error {
	return db.withTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM booking_claims WHERE booking_id IN (SELECT id FROM bookings WHERE customer_id = ?)`,
			`DELETE FROM bookings WHERE customer_id = ?`,
			`DELETE FROM waitlist WHERE customer_id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, customerID); err != nil {
				return err
			}
		}
		return nil
	})
}
