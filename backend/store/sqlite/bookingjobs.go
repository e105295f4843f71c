package sqlite

import (
	"context"
	"time"

	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/lens"
)

// CancelExpiredHolds implements booking.Store.
func (db *DB) CancelExpiredHolds(ctx context.Context, before time.Time) (int, error) {
	return db.affected(ctx, `UPDATE bookings SET status = 'cancelled', held_until = NULL WHERE status = 'held' AND held_until < ?`, ms(before))
}

// DueBookingReminders implements booking.Store.
func (db *DB) DueBookingReminders(ctx context.Context, now time.Time, limit int) ([]*booking.Booking, error) {
	rows, err := db.query(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE remind_at IS NOT NULL AND remind_at <= ? AND status = 'booked'
		ORDER BY remind_at, id LIMIT ?`, ms(now), limit)
	return collect(rows, err, scanBooking)
}

// AdvanceBookingReminders implements booking.Store with the reminder
// advance the lens reminders use.
func (db *DB) AdvanceBookingReminders(ctx context.Context, rs []booking.Reminder) (int, error) {
	as := make([]lens.Advance, len(rs))
	for i, r := range rs {
		as[i] = lens.Advance{ID: r.Booking.ID, Prev: r.Prev, Next: r.Next}
	}
	return db.advanceReminders(ctx, "bookings", "remind_at", as)
}

// PurgeClaims implements booking.Store.
func (db *DB) PurgeClaims(ctx context.Context, before time.Time) (int, error) {
	return db.affected(ctx, `DELETE FROM booking_claims WHERE until_at < ?`, ms(before))
}

// ForgetGuests implements booking.Store: the guest keeps a name of
// nothing, so a later read still has a guest (not an account) booking.
func (db *DB) ForgetGuests(ctx context.Context, before time.Time) (int, error) {
	return db.affected(ctx, `UPDATE bookings SET guest = json_object('name', '', 'locale', json_extract(guest, '$.locale'),
		'consent_at', json_extract(guest, '$.consent_at'), 'consent_version', json_extract(guest, '$.consent_version'))
		WHERE guest IS NOT NULL AND end_at < ? AND (json_extract(guest, '$.name') != '' OR json_extract(guest, '$.phone') IS NOT NULL
		OR json_extract(guest, '$.email') IS NOT NULL)`, ms(before))
}
