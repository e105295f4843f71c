package mobileapi_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/app/apptest"
	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
)

// TestMyInboxAndBookingsArePaged: the app reads its inbox and its
// bookings a page at a time, newest first, following next_after until it
// is empty; every item comes once, and a cursor that is not one is a 422
// naming the field.
func TestMyInboxAndBookingsArePaged(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	s := c.Signup("pages@example.com")
	tok := apptest.Bearer(s.Tokens.AccessToken)
	ctx := context.Background()
	now := m.Clock.Now().Truncate(time.Millisecond)
	const n = 7
	var msgs []*notify.Message
	for i := range n {
		msgs = append(msgs, &notify.Message{ID: core.NewID(), CustomerID: s.Customer.ID, Channel: notify.ChannelInbox, Purpose: notify.PurposeService,
			DedupeKey: fmt.Sprintf("page-%d", i), Cause: "test", Title: fmt.Sprintf("Messaggio %d", i), Body: "b", DueAt: now,
			Status: notify.StatusPending, CreatedAt: now.Add(time.Duration(i) * time.Second), UpdatedAt: now})
	}
	_, err := m.Store.EnqueueMessages(ctx, msgs)
	apptest.Must(t, err)
	claimed, err := m.Store.ClaimMessages(ctx, "test", now, now.Add(time.Minute), 2*n)
	apptest.Must(t, err)
	for _, msg := range claimed {
		apptest.Must(t, m.Store.FinishMessage(ctx, msg.ID, "test", notify.Outcome{Status: notify.StatusSent, At: now}))
	}
	for i := range n {
		start := now.Add(48*time.Hour + time.Duration(i)*time.Hour)
		b := &booking.Booking{ID: core.NewID(), ShopID: "shop-milano-centro", ServiceID: "svc-eye-exam", StaffID: "staff-page", CustomerID: s.Customer.ID,
			Day: start.Format(time.DateOnly), Start: start, End: start.Add(30 * time.Minute), HoldStart: start, HoldEnd: start.Add(30 * time.Minute),
			Status: booking.StatusBooked, Source: "app", By: booking.ByCustomer, CreatedAt: now, UpdatedAt: now}
		_, _, err := m.Store.CreateBooking(ctx, b, booking.Hold{Keys: []string{fmt.Sprintf("s:staff-page:%d", start.Unix()/300)}, Until: b.HoldEnd}, nil)
		apptest.Must(t, err)
	}

	walk := func(path, list string) []string {
		var ids []string
		after := ""
		for pages := 0; ; pages++ {
			if pages > n {
				t.Fatalf("%s: more pages than items", path)
			}
			var page map[string]any
			c.Want(c.Do("GET", path+"?limit=3&after="+after, nil, tok...), http.StatusOK).JSON(t, &page)
			items, _ := page[list].([]any)
			if len(items) > 3 {
				t.Fatalf("%s: a page of %d, limit 3", path, len(items))
			}
			for _, it := range items {
				ids = append(ids, it.(map[string]any)["id"].(string))
			}
			if after, _ = page["next_after"].(string); after == "" {
				return ids
			}
		}
	}
	inbox := walk("/v1/me/messages", "messages")
	if len(inbox) != n || inbox[0] != msgs[n-1].ID || inbox[n-1] != msgs[0].ID {
		t.Fatalf("inbox pages: %d messages, first %s; want %d, newest first", len(inbox), inbox[0], n)
	}
	if bookings := walk("/v1/me/bookings", "bookings"); len(bookings) != n {
		t.Fatalf("booking pages: %d bookings, want %d", len(bookings), n)
	}
	for _, path := range []string{"/v1/me/messages?after=not-a-cursor", "/v1/me/bookings?limit=500"} {
		p := c.Want(c.Do("GET", path, nil, tok...), http.StatusUnprocessableEntity).Problem(t)
		if errs, _ := p["errors"].([]any); len(errs) != 1 {
			t.Fatalf("%s: %v, want one field error", path, p)
		}
	}
}
