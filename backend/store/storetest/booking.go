package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
)

// newBooking is a booked appointment of staff at start for minutes, with
// the claims the agenda would make: one key per staff member and unit.
func newBooking(staff, customer string, start time.Time, minutes int) (*booking.Booking, booking.Hold) {
	b := &booking.Booking{ID: "bk-" + core.NewID(), ShopID: "shop-a", ServiceID: "svc-1", StaffID: staff, CustomerID: customer,
		Day: start.Format(time.DateOnly), Start: start, End: start.Add(time.Duration(minutes) * time.Minute),
		Status: booking.StatusBooked, Source: "app", By: booking.ByCustomer, CreatedAt: base, UpdatedAt: base}
	b.HoldStart, b.HoldEnd = b.Start, b.End
	h := booking.Hold{Until: b.HoldEnd}
	for u := b.Start; u.Before(b.End); u = u.Add(booking.Unit) {
		h.Keys = append(h.Keys, fmt.Sprintf("s:%s:%d", staff, u.Unix()/300))
	}
	return b, h
}

func bookingMsg(key string) *notify.Message {
	return &notify.Message{ID: core.NewID(), CustomerID: "cust-1", Channel: notify.ChannelInbox, Purpose: notify.PurposeService,
		DedupeKey: key, Cause: "booking", Title: "t", Body: "b", DueAt: base, Status: notify.StatusPending, CreatedAt: base, UpdatedAt: base}
}

// testBookingClaims: a booking's claims are all or nothing; a key held by
// another booking refuses the whole write (booking, claims, messages);
// cancelling frees them; moving replaces them, and a move onto a held
// key changes nothing.
func testBookingClaims(t *testing.T, e Engine) {
	ctx := context.Background()
	ten := base.Add(48 * time.Hour).Truncate(time.Hour)
	b1, h1 := newBooking("opt-1", "cust-1", ten, 30)
	b1.UTM = map[string]string{"utm_source": "ig"}
	b1.Guest = nil
	got, created, err := e.CreateBooking(ctx, b1, h1, []*notify.Message{bookingMsg("confirm-1")})
	must(t, err)
	if !created || got.ID != b1.ID {
		t.Fatalf("CreateBooking = %+v, %v", got, created)
	}
	stored, err := e.Booking(ctx, b1.ID)
	must(t, err)
	if !reflect.DeepEqual(stored, b1) {
		t.Fatalf("Booking = %+v, want %+v", stored, b1)
	}
	// A 15-minute appointment at 10:15 overlaps the 30-minute one at 10:00.
	b2, h2 := newBooking("opt-1", "cust-2", ten.Add(15*time.Minute), 15)
	_, _, err = e.CreateBooking(ctx, b2, h2, []*notify.Message{bookingMsg("confirm-2")})
	if !errors.Is(err, booking.ErrTaken) {
		t.Fatalf("overlapping booking: %v, want ErrTaken", err)
	}
	_, err = e.Booking(ctx, b2.ID)
	wantCode(t, err, core.ENOTFOUND)
	if _, err := e.Message(ctx, "confirm-2"); err == nil {
		t.Fatal("the refused booking's message was stored")
	}
	if n, _ := e.CountMessages(ctx, notify.StatusPending); n != 1 {
		t.Fatalf("pending messages = %d, want 1", n)
	}
	// Another staff member at the same time is free.
	b3, h3 := newBooking("opt-2", "cust-2", ten, 30)
	_, _, err = e.CreateBooking(ctx, b3, h3, nil)
	must(t, err)

	// Move b1 onto b3's staff and time: refused, b1 keeps its time.
	moved := *b1
	moved.StaffID = "opt-2"
	_, mh := newBooking("opt-2", "cust-1", ten, 30)
	if err := e.MoveBooking(ctx, &moved, mh, nil); !errors.Is(err, booking.ErrTaken) {
		t.Fatalf("move onto a held slot: %v", err)
	}
	if got, _ := e.Booking(ctx, b1.ID); got.StaffID != "opt-1" || !got.Start.Equal(ten) {
		t.Fatalf("refused move changed the booking: %+v", got)
	}
	// Move b1 an hour later: its old slot is free for b2.
	moved = *b1
	moved.Start, moved.End = ten.Add(time.Hour), ten.Add(90*time.Minute)
	moved.HoldStart, moved.HoldEnd, moved.Day = moved.Start, moved.End, moved.Start.Format(time.DateOnly)
	_, mh = newBooking("opt-1", "cust-1", moved.Start, 30)
	must(t, e.MoveBooking(ctx, &moved, mh, []*notify.Message{bookingMsg("moved-1")}))
	_, _, err = e.CreateBooking(ctx, b2, h2, nil)
	must(t, err)

	// Cancel b2: its slot can be booked again, once.
	c, _, err := e.CancelBooking(ctx, b2.ID, base, []*notify.Message{bookingMsg("cancel-2")}, nil)
	must(t, err)
	if c.Status != booking.StatusCancelled {
		t.Fatalf("cancelled = %+v", c)
	}
	_, _, err = e.CancelBooking(ctx, b2.ID, base, nil, nil)
	wantCode(t, err, core.ECONFLICT)
	b4, h4 := newBooking("opt-1", "cust-3", ten.Add(15*time.Minute), 15)
	_, _, err = e.CreateBooking(ctx, b4, h4, nil)
	must(t, err)

	bs, err := e.ShopBookings(ctx, "shop-a", ten.Add(-time.Hour), ten.Add(3*time.Hour))
	must(t, err)
	if len(bs) != 4 {
		t.Fatalf("ShopBookings = %d, want 4 (one cancelled)", len(bs))
	}
	if bs, _ := e.ShopBookings(ctx, "shop-a", ten.Add(2*time.Hour), ten.Add(3*time.Hour)); len(bs) != 0 {
		t.Fatalf("ShopBookings after them = %+v", bs)
	}
	sb, err := e.StaffBookings(ctx, "opt-1", ten.Add(-time.Hour), ten.Add(3*time.Hour))
	must(t, err)
	if len(sb) != 2 || sb[0].ID != b4.ID || sb[1].ID != b1.ID {
		t.Fatalf("StaffBookings = %+v", sb)
	}
}

// testBookingRace: many concurrent bookings of the same unit for the
// same staff member, of different lengths: exactly one is stored.
func testBookingRace(t *testing.T, e Engine) {
	ctx := context.Background()
	ten := base.Add(72 * time.Hour).Truncate(time.Hour)
	const n = 40
	var wins, taken int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, h := newBooking("opt-1", fmt.Sprintf("cust-%d", i), ten.Add(time.Duration(i%3)*5*time.Minute), 15+15*(i%2))
			_, _, err := e.CreateBooking(ctx, b, h, []*notify.Message{bookingMsg("race-" + b.ID)})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, booking.ErrTaken):
				taken++
			default:
				t.Errorf("booking %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || taken != n-1 {
		t.Fatalf("%d booked, %d taken; want 1 and %d", wins, taken, n-1)
	}
	bs, err := e.ShopBookings(ctx, "shop-a", ten.Add(-time.Hour), ten.Add(time.Hour))
	must(t, err)
	if len(bs) != 1 {
		t.Fatalf("%d bookings stored", len(bs))
	}
	if m, _ := e.CountMessages(ctx, notify.StatusPending); m != 1 {
		t.Fatalf("%d messages stored, want 1", m)
	}
}

// testBookingSeats: a seat group holds at most Max bookings; a seat is
// free again once its booking ended, was cancelled or was marked.
func testBookingSeats(t *testing.T, e Engine) {
	ctx := context.Background()
	full := core.Errorf(core.ECONFLICT, "full")
	start := base.Add(24 * time.Hour).Truncate(time.Hour)
	var ids []string
	for i := range 4 {
		b, h := newBooking("opt-1", "cust-1", start.Add(time.Duration(i)*time.Hour), 30)
		h.Seats = []booking.Seats{{Group: "u:c:cust-1/", Max: 3, Until: b.End, Full: full}}
		_, _, err := e.CreateBooking(ctx, b, h, nil)
		if i < 3 {
			must(t, err)
			ids = append(ids, b.ID)
			continue
		}
		if !errors.Is(err, full) {
			t.Fatalf("fourth booking: %v, want the group's Full error", err)
		}
		if _, err := e.Booking(ctx, b.ID); !core.IsCode(err, core.ENOTFOUND) {
			t.Fatal("the refused booking was stored")
		}
	}
	_, err := e.MarkBooking(ctx, ids[0], booking.StatusArrived, "visit-1", base)
	must(t, err)
	got, _ := e.Booking(ctx, ids[0])
	if got.Status != booking.StatusArrived || got.VisitID != "visit-1" {
		t.Fatalf("marked = %+v", got)
	}
	_, err = e.MarkBooking(ctx, ids[0], booking.StatusNoShow, "", base)
	wantCode(t, err, core.ECONFLICT)
	b, h := newBooking("opt-1", "cust-1", start.Add(5*time.Hour), 30)
	h.Seats = []booking.Seats{{Group: "u:c:cust-1/", Max: 3, Until: b.End, Full: full}}
	_, _, err = e.CreateBooking(ctx, b, h, nil)
	must(t, err)
	// Later, when the first two have ended, their seats are free.
	late, lh := newBooking("opt-1", "cust-1", start.Add(10*time.Hour), 30)
	late.CreatedAt = start.Add(3 * time.Hour)
	lh.Seats = []booking.Seats{{Group: "u:c:cust-1/", Max: 3, Until: late.End, Full: full}}
	_, _, err = e.CreateBooking(ctx, late, lh, nil)
	must(t, err)
	if n, err := e.CountNoShows(ctx, "cust-1"); err != nil || n != 0 {
		t.Fatalf("CountNoShows = %d, %v", n, err)
	}
	_, err = e.MarkBooking(ctx, b.ID, booking.StatusNoShow, "", base)
	must(t, err)
	if n, _ := e.CountNoShows(ctx, "cust-1"); n != 1 {
		t.Fatalf("CountNoShows = %d, want 1", n)
	}
	bs, err := e.CustomerBookings(ctx, "cust-1", core.Page{Limit: 10})
	must(t, err)
	if len(bs) != 5 || bs[0].ID != late.ID {
		t.Fatalf("CustomerBookings = %d, first %s", len(bs), bs[0].ID)
	}
	must(t, e.DeleteCustomerBookings(ctx, "cust-1"))
	if bs, _ := e.CustomerBookings(ctx, "cust-1", core.Page{Limit: 10}); len(bs) != 0 {
		t.Fatalf("after erasure %d bookings", len(bs))
	}
	// Its claims went with it: the slot is free.
	again, ah := newBooking("opt-1", "cust-2", start, 30)
	_, _, err = e.CreateBooking(ctx, again, ah, nil)
	must(t, err)
}

// testBookingIdempotency: the same scope and key return the first
// booking and write nothing, however many times and however concurrent.
func testBookingIdempotency(t *testing.T, e Engine) {
	ctx := context.Background()
	start := base.Add(30 * time.Hour).Truncate(time.Hour)
	var first string
	var mu sync.Mutex
	var wg sync.WaitGroup
	created := 0
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, h := newBooking("opt-1", "cust-1", start, 30)
			b.IdemScope, b.IdemKey, b.IdemHash = "c:cust-1", "key-1", "hash"
			got, ok, err := e.CreateBooking(ctx, b, h, []*notify.Message{bookingMsg("idem-" + b.ID)})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Errorf("CreateBooking: %v", err)
				return
			}
			if ok {
				created++
			}
			if first == "" {
				first = got.ID
			} else if got.ID != first {
				t.Errorf("replay returned %s, want %s", got.ID, first)
			}
		}()
	}
	wg.Wait()
	if created != 1 {
		t.Fatalf("%d created, want 1", created)
	}
	if n, _ := e.CountMessages(ctx, notify.StatusPending); n != 1 {
		t.Fatalf("%d messages, want 1", n)
	}
	// The same key under another scope is another request.
	b, h := newBooking("opt-2", "cust-2", start, 30)
	b.IdemScope, b.IdemKey = "c:cust-2", "key-1"
	if _, ok, err := e.CreateBooking(ctx, b, h, nil); err != nil || !ok {
		t.Fatalf("other scope: %v %v", ok, err)
	}
	// BookingByKey finds each by its scope and key, and nothing else.
	if got, err := e.BookingByKey(ctx, "c:cust-1", "key-1"); err != nil || got.ID != first {
		t.Fatalf("BookingByKey = %v %v, want %s", got, err, first)
	}
	if got, err := e.BookingByKey(ctx, "c:cust-2", "key-1"); err != nil || got.ID != b.ID {
		t.Fatalf("BookingByKey of the other scope = %v %v, want %s", got, err, b.ID)
	}
	_, err := e.BookingByKey(ctx, "c:cust-3", "key-1")
	wantCode(t, err, core.ENOTFOUND)
	_, err = e.BookingByKey(ctx, "c:cust-1", "key-2")
	wantCode(t, err, core.ENOTFOUND)
}

// testShopHolds: what keeps a shop's slots busy is its active bookings
// whose hold overlaps the window, of that shop only.
func testShopHolds(t *testing.T, e Engine) {
	ctx := context.Background()
	day := base.Add(96 * time.Hour).Truncate(time.Hour)
	in, ih := newBooking("opt-1", "cust-1", day, 30)
	gone, gh := newBooking("opt-2", "cust-2", day, 30)
	later, lh := newBooking("opt-1", "cust-3", day.Add(5*time.Hour), 30)
	other, oh := newBooking("opt-3", "cust-4", day, 30)
	other.ShopID = "shop-b"
	for _, x := range []struct {
		b *booking.Booking
		h booking.Hold
	}{{in, ih}, {gone, gh}, {later, lh}, {other, oh}} {
		_, _, err := e.CreateBooking(ctx, x.b, x.h, nil)
		must(t, err)
	}
	_, _, err := e.CancelBooking(ctx, gone.ID, base, nil, func(*booking.WaitEntry) []*notify.Message { return nil })
	must(t, err)
	got, err := e.ShopHolds(ctx, "shop-a", day.Add(-time.Hour), day.Add(2*time.Hour))
	must(t, err)
	if len(got) != 1 || got[0].StaffID != "opt-1" || got[0].ServiceID != "svc-1" || !got[0].HoldStart.Equal(in.HoldStart) ||
		!got[0].HoldEnd.Equal(in.HoldEnd) || got[0].Day != in.Day || got[0].Status != booking.StatusBooked {
		t.Fatalf("ShopHolds = %+v, want the one active booking of shop-a in the window", got)
	}
	// A window that only touches the hold's end keeps nothing busy.
	if got, err := e.ShopHolds(ctx, "shop-a", in.HoldEnd, in.HoldEnd.Add(time.Hour)); err != nil || len(got) != 0 {
		t.Fatalf("ShopHolds after the hold = %+v %v", got, err)
	}
}
