package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
)

// testBookingReminders: due bookings come in order of their reminder;
// advancing is conditional on the reminder still being the one read.
func testBookingReminders(t *testing.T, e Engine) {
	ctx := context.Background()
	start := base.Add(30 * time.Hour).Truncate(time.Hour)
	r1, r2 := start.Add(-24*time.Hour), start.Add(-2*time.Hour)
	b, h := newBooking("opt-1", "cust-1", start, 30)
	b.RemindAt = &r1
	_, _, err := e.CreateBooking(ctx, b, h, nil)
	must(t, err)
	if due, _ := e.DueBookingReminders(ctx, r1.Add(-time.Minute), 10); len(due) != 0 {
		t.Fatalf("due early: %+v", due)
	}
	due, err := e.DueBookingReminders(ctx, r1, 10)
	must(t, err)
	if len(due) != 1 || !due[0].RemindAt.Equal(r1) {
		t.Fatalf("due = %+v", due)
	}
	rs := []booking.Reminder{{Booking: due[0], Prev: r1, Next: &r2}}
	if n, err := e.AdvanceBookingReminders(ctx, rs); err != nil || n != 1 {
		t.Fatalf("advance = %d, %v", n, err)
	}
	if n, _ := e.AdvanceBookingReminders(ctx, rs); n != 0 {
		t.Fatal("a second advance from the same reminder moved it again")
	}
	if due, _ := e.DueBookingReminders(ctx, r1.Add(time.Hour), 10); len(due) != 0 {
		t.Fatalf("due after advance: %+v", due)
	}
	if n, _ := e.AdvanceBookingReminders(ctx, []booking.Reminder{{Booking: b, Prev: r2}}); n != 1 {
		t.Fatal("advance to none")
	}
	if due, _ := e.DueBookingReminders(ctx, start, 10); len(due) != 0 {
		t.Fatalf("due with none left: %+v", due)
	}
	// A cancelled booking is never due.
	c, ch := newBooking("opt-1", "cust-1", start.Add(time.Hour), 30)
	c.RemindAt = &r1
	_, _, err = e.CreateBooking(ctx, c, ch, nil)
	must(t, err)
	_, _, err = e.CancelBooking(ctx, c.ID, base, nil, nil)
	must(t, err)
	if due, _ := e.DueBookingReminders(ctx, start, 10); len(due) != 0 {
		t.Fatalf("cancelled booking due: %+v", due)
	}
}

// testBookingRetention: claims that ended are purged; a guest's contact
// details are forgotten once their appointment is old enough, and the
// booking stays.
func testBookingRetention(t *testing.T, e Engine) {
	ctx := context.Background()
	old, oh := newBooking("opt-1", "", base.Add(time.Hour), 30)
	old.Guest = &booking.Guest{Name: "Paolo Verdi", Phone: "+393331234567", Email: "paolo@example.com", Locale: "it", ConsentAt: base, ConsentVersion: "v1"}
	recent, rh := newBooking("opt-1", "", base.Add(240*time.Hour), 30)
	recent.Guest = &booking.Guest{Name: "Anna Neri", Email: "anna@example.com", Locale: "en", ConsentAt: base, ConsentVersion: "v1"}
	for _, x := range []struct {
		b *booking.Booking
		h booking.Hold
	}{{old, oh}, {recent, rh}} {
		_, _, err := e.CreateBooking(ctx, x.b, x.h, nil)
		must(t, err)
	}
	n, err := e.ForgetGuests(ctx, base.Add(48*time.Hour))
	must(t, err)
	if n != 1 {
		t.Fatalf("ForgetGuests changed %d, want 1", n)
	}
	got, err := e.Booking(ctx, old.ID)
	must(t, err)
	if got.Guest == nil || got.Guest.Name != "" || got.Guest.Phone != "" || got.Guest.Email != "" || got.Status != booking.StatusBooked {
		t.Fatalf("forgotten guest booking = %+v %+v", got, got.Guest)
	}
	if kept, _ := e.Booking(ctx, recent.ID); kept.Guest == nil || kept.Guest.Email != "anna@example.com" {
		t.Fatalf("a recent guest was forgotten: %+v", kept.Guest)
	}
	if n, _ := e.ForgetGuests(ctx, base.Add(48*time.Hour)); n != 0 {
		t.Fatalf("a second pass changed %d", n)
	}
	purged, err := e.PurgeClaims(ctx, base.Add(2*time.Hour))
	must(t, err)
	if purged != len(oh.Keys) {
		t.Fatalf("PurgeClaims removed %d, want the %d of the past booking", purged, len(oh.Keys))
	}
	// The recent booking still holds its slot.
	clash, ch := newBooking("opt-1", "", recent.Start, 30)
	if _, _, err := e.CreateBooking(ctx, clash, ch, nil); !errors.Is(err, booking.ErrTaken) {
		t.Fatalf("after the purge the recent slot was given again: %v", err)
	}
}

// testBookingHolds: a held slot is taken until its hold ends, then free;
// a hold confirmed in time keeps its slot to the end of the appointment,
// and one confirmed too late is refused; expired holds are cancelled.
func testBookingHolds(t *testing.T, e Engine) {
	ctx := context.Background()
	start := base.Add(72 * time.Hour).Truncate(time.Hour)
	held := func(customer string, at time.Time, s time.Time) (*booking.Booking, booking.Hold) {
		b, h := newBooking("opt-1", customer, s, 30)
		until := at.Add(booking.HoldTTL)
		b.Status, b.HeldUntil, b.CreatedAt, b.UpdatedAt = booking.StatusHeld, &until, at, at
		h.Until = until
		return b, h
	}
	a, ah := held("cust-a", base, start)
	_, _, err := e.CreateBooking(ctx, a, ah, nil)
	must(t, err)
	if got, _ := e.Booking(ctx, a.ID); got.Status != booking.StatusHeld || got.HeldUntil == nil || !got.HeldUntil.Equal(*a.HeldUntil) {
		t.Fatalf("held booking = %+v", got)
	}
	during, dh := newBooking("opt-1", "cust-b", start, 30)
	during.CreatedAt = base.Add(5 * time.Minute)
	if _, _, err := e.CreateBooking(ctx, during, dh, nil); !errors.Is(err, booking.ErrTaken) {
		t.Fatalf("a booking during the hold: %v, want ErrTaken", err)
	}
	// After the hold ended, someone else holds the slot; the first hold's
	// confirmation is refused, the second's succeeds.
	b, bh := held("cust-b", base.Add(11*time.Minute), start)
	_, _, err = e.CreateBooking(ctx, b, bh, nil)
	must(t, err)
	late := base.Add(12 * time.Minute)
	confirmed := func(x *booking.Booking) (*booking.Booking, booking.Hold) {
		c := *x
		c.Status, c.HeldUntil = booking.StatusBooked, nil
		_, h := newBooking("opt-1", c.CustomerID, c.Start, 30)
		return &c, h
	}
	ca, cah := confirmed(a)
	_, err = e.ConfirmBooking(ctx, ca, cah, late, nil)
	wantCode(t, err, core.ECONFLICT)
	cb, cbh := confirmed(b)
	got, err := e.ConfirmBooking(ctx, cb, cbh, late, []*notify.Message{bookingMsg("confirm-held-b")})
	must(t, err)
	if got.Status != booking.StatusBooked || got.HeldUntil != nil {
		t.Fatalf("confirmed = %+v", got)
	}
	_, err = e.ConfirmBooking(ctx, cb, cbh, late, nil)
	wantCode(t, err, core.ECONFLICT) // not held any more
	// Confirmed, the slot stays taken past the hold's end.
	after, ah2 := newBooking("opt-1", "cust-c", start, 30)
	after.CreatedAt = base.Add(30 * time.Minute)
	if _, _, err := e.CreateBooking(ctx, after, ah2, nil); !errors.Is(err, booking.ErrTaken) {
		t.Fatalf("a booking after the confirmed hold's end: %v, want ErrTaken", err)
	}
	n, err := e.CancelExpiredHolds(ctx, base.Add(time.Hour))
	must(t, err)
	if n != 1 {
		t.Fatalf("CancelExpiredHolds = %d, want 1 (the first hold)", n)
	}
	if got, _ := e.Booking(ctx, a.ID); got.Status != booking.StatusCancelled {
		t.Fatalf("expired hold = %+v", got)
	}
}
