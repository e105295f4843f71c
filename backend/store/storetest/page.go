package storetest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/audit"
	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
)

// testStaffListPages: every staff list reads a page at a time, newest
// first, and walking its pages yields each item once, in order, and only
// the list's own, however many share an instant and while newer items
// arrive between two pages.
func testStaffListPages(t *testing.T, e Engine) {
	ctx := context.Background()
	// Three items per millisecond, so that ties are broken by id.
	at := func(i int) time.Time { return base.Add(time.Duration(i/3) * time.Millisecond) }
	c1 := newCustomer(t, e, "pages@example.com", "").ID
	var reservations []core.Cursor
	for i := range 11 {
		for _, shop := range []string{"shop-1", "shop-2"} {
			r := &catalog.Reservation{ID: core.NewID(), CustomerID: c1, ShopID: shop, Kind: "lens_reorder", Status: "requested", CreatedAt: at(i)}
			must(t, e.CreateReservation(ctx, r))
			if shop == "shop-1" {
				reservations = append(reservations, core.Cursor{At: r.CreatedAt, ID: r.ID})
			}
		}
	}
	var recalls, timeline, dead []core.Cursor
	for i := range 11 {
		for _, shop := range []string{"shop-1", "shop-2", "shop-3"} {
			m := newMessage("c-"+shop, fmt.Sprintf("%s-%d", shop, i), base)
			m.Channel, m.ShopID, m.CreatedAt = notify.ChannelRecall, shop, at(i)
			_, err := e.EnqueueMessage(ctx, m)
			must(t, err)
		}
	}
	claimed, err := e.ClaimMessages(ctx, "w", base, base.Add(time.Minute), 100)
	must(t, err)
	for i, m := range claimed {
		out := notify.Outcome{Status: notify.StatusSent, At: base.Add(time.Hour)}
		if m.ShopID != "shop-1" {
			out = notify.Outcome{Status: notify.StatusDead, Error: "gave up", At: base.Add(time.Hour + time.Duration(i%5)*time.Millisecond)}
		}
		must(t, e.FinishMessage(ctx, m.ID, "w", out))
		switch m.ShopID {
		case "shop-1":
			recalls = append(recalls, core.Cursor{At: m.CreatedAt, ID: m.ID})
			timeline = append(timeline, core.Cursor{At: m.CreatedAt, ID: m.ID})
		default:
			dead = append(dead, core.Cursor{At: out.At, ID: m.ID})
		}
	}
	byCreated := func(m *notify.Message) core.Cursor { return core.Cursor{At: m.CreatedAt, ID: m.ID} }
	byUpdated := func(m *notify.Message) core.Cursor { return core.Cursor{At: m.UpdatedAt, ID: m.ID} }

	walkPages(t, "ShopReservations", sortedNewestFirst(reservations), func(p core.Page) ([]*catalog.Reservation, error) {
		return e.ShopReservations(ctx, "shop-1", p)
	}, func(r *catalog.Reservation) core.Cursor { return core.Cursor{At: r.CreatedAt, ID: r.ID} })
	walkPages(t, "ShopMessages", sortedNewestFirst(recalls), func(p core.Page) ([]*notify.Message, error) {
		return e.ShopMessages(ctx, "shop-1", notify.ChannelRecall, p)
	}, byCreated)
	walkPages(t, "CustomerMessages", sortedNewestFirst(timeline), func(p core.Page) ([]*notify.Message, error) {
		return e.CustomerMessages(ctx, "c-shop-1", p)
	}, byCreated)
	walkPages(t, "ShopMessagesByStatus", sortedNewestFirst(dead), func(p core.Page) ([]*notify.Message, error) {
		return e.ShopMessagesByStatus(ctx, []string{"shop-2", "shop-3"}, notify.StatusDead, p)
	}, byUpdated)
	// The audit log reads oldest first, within a filter.
	var entries []core.Cursor
	for i := range 11 {
		for _, cust := range []string{"cust-a", "cust-b"} {
			en := &audit.Entry{ID: core.NewID(), At: at(i), ActorKind: "staff", ActorID: "s1", Action: "customer.viewed", CustomerID: cust}
			must(t, e.AppendAudit(ctx, en))
			if cust == "cust-a" {
				entries = append(entries, core.Cursor{At: en.At, ID: en.ID})
			}
		}
	}
	entries = sortedNewestFirst(entries)
	slices.Reverse(entries)
	walkPages(t, "AuditEntries", entries, func(p core.Page) ([]*audit.Entry, error) {
		return e.AuditEntries(ctx, audit.Filter{CustomerID: "cust-a", After: p.After, Limit: p.Limit})
	}, func(en *audit.Entry) core.Cursor { return core.Cursor{At: en.At, ID: en.ID} })

	if list, err := e.ShopMessagesByStatus(ctx, nil, notify.StatusDead, core.Page{Limit: 10}); err != nil || len(list) != 0 {
		t.Fatalf("no shops: %d messages, %v", len(list), err)
	}

	// A page read, then newer items arrive: the next page goes on from
	// where the first stopped, with nothing repeated.
	first, next, err := core.Paged(core.Page{Limit: 4}, func(p core.Page) ([]*catalog.Reservation, error) {
		return e.ShopReservations(ctx, "shop-1", p)
	}, func(r *catalog.Reservation) core.Cursor { return core.Cursor{At: r.CreatedAt, ID: r.ID} })
	must(t, err)
	for range 3 {
		must(t, e.CreateReservation(ctx, &catalog.Reservation{ID: core.NewID(), CustomerID: c1, ShopID: "shop-1", Kind: "lens_reorder", Status: "requested", CreatedAt: base.Add(time.Hour)}))
	}
	after, err := core.ParseCursor(next)
	must(t, err)
	second, err := e.ShopReservations(ctx, "shop-1", core.Page{After: after, Limit: 4})
	must(t, err)
	want := sortedNewestFirst(reservations)
	if len(first) != 4 || len(second) != 4 || second[0].ID != want[4].ID {
		t.Fatalf("the second page moved when newer items arrived: starts at %s, want %s", second[0].ID, want[4].ID)
	}
}

// testCustomerListPages: a customer's inbox and bookings read a page at a
// time, newest first, each item once, and only the customer's own.
func testCustomerListPages(t *testing.T, e Engine) {
	ctx := context.Background()
	// Three items per millisecond, so that ties are broken by id.
	at := func(i int) time.Time { return base.Add(time.Duration(i/3) * time.Millisecond) }
	var inbox, bookings []core.Cursor
	for i := range 11 {
		for _, cust := range []string{"c-inbox", "c-other"} {
			m := newMessage(cust, fmt.Sprintf("inbox-%s-%d", cust, i), base)
			m.Channel, m.CreatedAt = notify.ChannelInbox, at(i)
			_, err := e.EnqueueMessage(ctx, m)
			must(t, err)
			b, h := newBooking(fmt.Sprintf("opt-%s-%d", cust, i), cust, base.Add(24*time.Hour+time.Duration(i/3)*time.Millisecond), 30)
			_, _, err = e.CreateBooking(ctx, b, h, nil)
			must(t, err)
			if cust == "c-inbox" {
				bookings = append(bookings, core.Cursor{At: b.Start, ID: b.ID})
			}
		}
	}
	sent, err := e.ClaimMessages(ctx, "w", base, base.Add(time.Minute), 100)
	must(t, err)
	for _, m := range sent {
		must(t, e.FinishMessage(ctx, m.ID, "w", notify.Outcome{Status: notify.StatusSent, At: base.Add(time.Hour)}))
		if m.CustomerID == "c-inbox" {
			inbox = append(inbox, core.Cursor{At: m.CreatedAt, ID: m.ID})
		}
	}
	walkPages(t, "Inbox", sortedNewestFirst(inbox), func(p core.Page) ([]*notify.Message, error) {
		return e.Inbox(ctx, "c-inbox", p)
	}, func(m *notify.Message) core.Cursor { return core.Cursor{At: m.CreatedAt, ID: m.ID} })
	walkPages(t, "CustomerBookings", sortedNewestFirst(bookings), func(p core.Page) ([]*booking.Booking, error) {
		return e.CustomerBookings(ctx, "c-inbox", p)
	}, func(b *booking.Booking) core.Cursor { return core.Cursor{At: b.Start, ID: b.ID} })

}

// walkPages reads every page of a list, three items at a time, and checks
// the whole is want, in order.
func walkPages[T any](t *testing.T, name string, want []core.Cursor, fetch func(core.Page) ([]T, error), at func(T) core.Cursor) {
	t.Helper()
	var got []core.Cursor
	p := core.Page{Limit: 3}
	for pages := 0; ; pages++ {
		if pages > len(want) {
			t.Fatalf("%s: more pages than items", name)
		}
		items, next, err := core.Paged(p, fetch, at)
		must(t, err)
		if len(items) > p.Limit {
			t.Fatalf("%s: a page of %d, limit %d", name, len(items), p.Limit)
		}
		for _, it := range items {
			got = append(got, at(it))
		}
		if next == "" {
			break
		}
		if p.After, err = core.ParseCursor(next); err != nil {
			t.Fatalf("%s: cursor %q: %v", name, next, err)
		}
	}
	if !slices.EqualFunc(got, want, func(a, b core.Cursor) bool { return a.ID == b.ID && a.At.Equal(b.At) }) {
		t.Fatalf("%s: pages held\n%v\nwant\n%v", name, got, want)
	}
}

func sortedNewestFirst(cs []core.Cursor) []core.Cursor {
	out := slices.Clone(cs)
	slices.SortFunc(out, func(a, b core.Cursor) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	return out
}
