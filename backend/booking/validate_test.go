package booking_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/store/sqlite/sqlitetest"
	"github.com/vista-optical/vista/backend/validate"
)

// TestTheAgendaChecksItsOwnInputs: a caller that skips the surfaces (a
// job, a future surface) meets the same rules: bounds from the validate
// tags, a phone typed as people type it made E.164 before anything is
// read, and a wrong one refused on its field before any store is asked.
func TestTheAgendaChecksItsOwnInputs(t *testing.T) {
	db := sqlitetest.Open(t)
	a := &booking.Agenda{Store: db, Shops: db, Validator: validate.New(), Clock: core.SystemClock}
	ctx := context.Background()
	long := make([]byte, 101)
	for i := range long {
		long[i] = 'a'
	}
	for _, c := range []struct {
		name  string
		guest booking.GuestInput
		field string
	}{
		{"a name past 100 characters", booking.GuestInput{Name: string(long), Phone: "333 123 4567", Consent: true}, "guest.name"},
		{"a phone that is not one", booking.GuestInput{Name: "Carla", Phone: "12", Consent: true}, "guest.phone"},
		{"an e-mail that is not one", booking.GuestInput{Name: "Carla", Email: "carla@", Consent: true}, "guest.email"},
	} {
		in := booking.GuestBookingInput{Request: booking.Request{ServiceID: "svc", Start: time.Now().Add(48 * time.Hour)}, Guest: &c.guest}
		_, err := a.BookAsGuest(ctx, "no-such-shop", in, "")
		var ce *core.Error
		if !errors.As(err, &ce) || ce.Code != core.EINVALID || len(ce.Fields) != 1 || ce.Fields[0].Field != c.field {
			t.Errorf("%s: %v, want EINVALID on %s", c.name, err, c.field)
		}
	}
	// A valid guest gets past the checks (and then finds no such shop),
	// with the phone as the shop's software keeps it.
	g := booking.GuestInput{Name: "Carla", Phone: "333 123 4567", Consent: true}
	in := booking.GuestBookingInput{Request: booking.Request{ServiceID: "svc", Start: time.Now().Add(48 * time.Hour)}, Guest: &g}
	if _, err := a.BookAsGuest(ctx, "no-such-shop", in, ""); core.IsCode(err, core.EINVALID) {
		t.Fatalf("a valid guest refused: %v", err)
	}
	if g.Phone != "+393331234567" {
		t.Fatalf("phone %q, want +393331234567", g.Phone)
	}
}
