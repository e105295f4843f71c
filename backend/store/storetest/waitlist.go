package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
)

// testWaitlist: a cancellation offers its slot to the first entry of its
// service and day not offered one yet, with the offer's messages, in the
// cancellation's write.
func testWaitlist(t *testing.T, e Engine) {
	ctx := context.Background()
	start := base.Add(50 * time.Hour).Truncate(time.Hour)
	day := start.Format(time.DateOnly)
	for i, c := range []string{"cust-8", "cust-9"} {
		must(t, e.JoinWaitlist(ctx, &booking.WaitEntry{ID: "wait-" + c, ShopID: "shop-a", ServiceID: "svc-1", Day: day, CustomerID: c, CreatedAt: base.Add(time.Duration(i) * time.Minute)}))
	}
	wantCode(t, e.JoinWaitlist(ctx, &booking.WaitEntry{ID: "wait-dup", ShopID: "shop-a", ServiceID: "svc-1", Day: day, CustomerID: "cust-8", CreatedAt: base}), core.ECONFLICT)
	must(t, e.JoinWaitlist(ctx, &booking.WaitEntry{ID: "wait-other", ShopID: "shop-a", ServiceID: "svc-2", Day: day, CustomerID: "cust-7", CreatedAt: base.Add(-time.Hour)}))
	var ids []string
	for i := range 3 {
		b, h := newBooking("opt-1", fmt.Sprintf("cust-%d", i), start.Add(time.Duration(i)*time.Hour), 30)
		_, _, err := e.CreateBooking(ctx, b, h, nil)
		must(t, err)
		ids = append(ids, b.ID)
	}
	offer := func(w *booking.WaitEntry) []*notify.Message { return []*notify.Message{bookingMsg("offer-" + w.ID)} }
	for i, want := range []string{"wait-cust-8", "wait-cust-9", ""} {
		_, got, err := e.CancelBooking(ctx, ids[i], base, nil, offer)
		must(t, err)
		switch {
		case want == "" && got != nil:
			t.Fatalf("cancel %d offered %+v to nobody waiting", i, got)
		case want == "":
		case got == nil || got.ID != want || got.OfferStart == nil || !got.OfferStart.Equal(start.Add(time.Duration(i)*time.Hour)) || got.OfferStaff != "opt-1":
			t.Fatalf("cancel %d offered %+v, want %s", i, got, want)
		}
	}
	stored, err := e.WaitEntry(ctx, "wait-cust-8")
	must(t, err)
	if stored.OfferedAt == nil || stored.OfferStart == nil || !stored.OfferStart.Equal(start) {
		t.Fatalf("stored entry = %+v", stored)
	}
	for _, k := range []string{"offer-wait-cust-8", "offer-wait-cust-9"} {
		if _, err := e.EnqueueMessage(ctx, bookingMsg(k)); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := e.CountMessages(ctx, notify.StatusPending); n != 2 {
		t.Fatalf("%d offer messages, want 2 (one per offer, none for the third cancel)", n)
	}
	ws, err := e.CustomerWaitlist(ctx, "cust-8")
	must(t, err)
	if len(ws) != 1 {
		t.Fatalf("CustomerWaitlist = %+v", ws)
	}
	wantCode(t, e.LeaveWaitlist(ctx, "cust-9", "wait-cust-8"), core.ENOTFOUND)
	must(t, e.LeaveWaitlist(ctx, "cust-8", "wait-cust-8"))
	_, err = e.WaitEntry(ctx, "wait-cust-8")
	wantCode(t, err, core.ENOTFOUND)
}
