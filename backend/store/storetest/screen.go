package storetest

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/screen"
)

func testPairingCodes(t *testing.T, e Engine) {
	ctx := context.Background()
	c := &screen.PairingCode{Hash: "h1", ShopID: "shop-a", CreatedBy: "staff-1", CreatedAt: base, ExpiresAt: base.Add(10 * time.Minute)}
	must(t, e.CreatePairingCode(ctx, c))
	wantCode(t, e.CreatePairingCode(ctx, c), core.ECONFLICT)
	_, err := e.UsePairingCode(ctx, "nope", base)
	wantCode(t, err, core.ENOTFOUND)
	got, err := e.UsePairingCode(ctx, "h1", base.Add(time.Minute))
	must(t, err)
	if got.ShopID != "shop-a" || got.CreatedBy != "staff-1" || got.UsedAt == nil || !got.UsedAt.Equal(base.Add(time.Minute)) {
		t.Fatalf("UsePairingCode = %+v", got)
	}
	_, err = e.UsePairingCode(ctx, "h1", base.Add(2*time.Minute))
	wantCode(t, err, core.EGONE) // single use
	must(t, e.CreatePairingCode(ctx, &screen.PairingCode{Hash: "h2", ShopID: "shop-a", CreatedAt: base, ExpiresAt: base.Add(10 * time.Minute)}))
	_, err = e.UsePairingCode(ctx, "h2", base.Add(10*time.Minute))
	wantCode(t, err, core.EGONE) // expired at its expiry

	// Of many concurrent uses of one code, one wins.
	must(t, e.CreatePairingCode(ctx, &screen.PairingCode{Hash: "h3", ShopID: "shop-a", CreatedAt: base, ExpiresAt: base.Add(10 * time.Minute)}))
	var wg sync.WaitGroup
	wins := make([]bool, 16)
	for i := range wins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.UsePairingCode(ctx, "h3", base.Add(time.Minute))
			wins[i] = err == nil
			if err != nil && core.ErrorCode(err) != core.EGONE {
				t.Errorf("UsePairingCode: %v", err)
			}
		}()
	}
	wg.Wait()
	n := 0
	for _, w := range wins {
		if w {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d uses of one code won, want 1", n)
	}
}

func testKiosks(t *testing.T, e Engine) {
	ctx := context.Background()
	k1 := &screen.Kiosk{ID: "k1", ShopID: "shop-a", Label: "Vetrina", CreatedAt: base}
	k2 := &screen.Kiosk{ID: "k2", ShopID: "shop-a", Label: "Totem", CreatedAt: base.Add(time.Minute)}
	must(t, e.CreateKiosk(ctx, k1))
	must(t, e.CreateKiosk(ctx, k2))
	must(t, e.CreateKiosk(ctx, &screen.Kiosk{ID: "k3", ShopID: "shop-b", Label: "Altro", CreatedAt: base}))
	wantCode(t, e.CreateKiosk(ctx, k1), core.ECONFLICT)
	list, err := e.ShopKiosks(ctx, "shop-a")
	must(t, err)
	if len(list) != 2 || !reflect.DeepEqual(list[0], k2) || !reflect.DeepEqual(list[1], k1) {
		t.Fatalf("ShopKiosks = %+v", list)
	}
	// Heartbeats keep the latest, and what the screen shows when it says.
	must(t, e.TouchKiosk(ctx, "k1", base.Add(2*time.Minute), "offer:o1"))
	must(t, e.TouchKiosk(ctx, "k1", base.Add(time.Minute), ""))
	wantCode(t, e.TouchKiosk(ctx, "nope", base, ""), core.ENOTFOUND)
	got, err := e.Kiosk(ctx, "k1")
	must(t, err)
	if got.LastSeenAt == nil || !got.LastSeenAt.Equal(base.Add(2*time.Minute)) || got.Showing != "offer:o1" {
		t.Fatalf("after heartbeats: %+v", got)
	}
	revoked := base.Add(time.Hour)
	got.Label, got.RevokedAt = "Vetrina sud", &revoked
	must(t, e.UpdateKiosk(ctx, got))
	again, err := e.Kiosk(ctx, "k1")
	must(t, err)
	if !reflect.DeepEqual(again, got) {
		t.Fatalf("after update %+v, want %+v", again, got)
	}
	wantCode(t, e.UpdateKiosk(ctx, &screen.Kiosk{ID: "nope"}), core.ENOTFOUND)
	_, err = e.Kiosk(ctx, "nope")
	wantCode(t, err, core.ENOTFOUND)
}

func testOffers(t *testing.T, e Engine) {
	ctx := context.Background()
	o1 := &screen.Offer{ID: "o1", ShopID: "shop-a", Title: "Saldi", Text: "-20%", ImageURL: "https://img.example/a.jpg", ProductIDs: []string{"p1", "p2"},
		Starts: base, Ends: base.Add(48 * time.Hour), Schedule: screen.Schedule{Weekdays: []string{"mon", "sat"}, From: "19:30", To: "09:00"},
		CreatedBy: "staff-1", CreatedAt: base}
	chain := &screen.Offer{ID: "o2", Title: "Catena", Starts: base, Ends: base.Add(24 * time.Hour), CreatedBy: "owner", CreatedAt: base.Add(time.Minute)}
	other := &screen.Offer{ID: "o3", ShopID: "shop-b", Title: "Altro", Starts: base, Ends: base.Add(24 * time.Hour), CreatedBy: "m", CreatedAt: base.Add(2 * time.Minute)}
	for _, o := range []*screen.Offer{o1, chain, other} {
		must(t, e.CreateOffer(ctx, o))
	}
	wantCode(t, e.CreateOffer(ctx, o1), core.ECONFLICT)
	got, err := e.Offer(ctx, "o1")
	must(t, err)
	if !reflect.DeepEqual(got, o1) {
		t.Fatalf("Offer = %+v, want %+v", got, o1)
	}
	list, err := e.Offers(ctx, "shop-a", base, 10)
	must(t, err)
	if len(list) != 2 || list[0].ID != "o2" || list[1].ID != "o1" {
		t.Fatalf("Offers(shop-a) = %+v", list)
	}
	all, err := e.Offers(ctx, "", base, 10)
	must(t, err)
	if len(all) != 3 {
		t.Fatalf("Offers(all) = %d", len(all))
	}
	list, err = e.Offers(ctx, "shop-a", base.Add(24*time.Hour), 10) // ends exclusive
	must(t, err)
	if len(list) != 1 || list[0].ID != "o1" {
		t.Fatalf("Offers at a day = %+v", list)
	}
	must(t, e.EndOffer(ctx, "o1", base.Add(time.Hour)))
	must(t, e.EndOffer(ctx, "o1", base.Add(30*time.Hour))) // never later
	got, err = e.Offer(ctx, "o1")
	must(t, err)
	if !got.Ends.Equal(base.Add(time.Hour)) {
		t.Fatalf("ends %v after EndOffer", got.Ends)
	}
	must(t, e.SetOfferCustomers(ctx, "o1", 42))
	got, _ = e.Offer(ctx, "o1")
	if got.Customers != 42 {
		t.Fatalf("customers %d", got.Customers)
	}
	wantCode(t, e.EndOffer(ctx, "nope", base), core.ENOTFOUND)
}

func testScreenEvents(t *testing.T, e Engine) {
	ctx := context.Background()
	last, err := e.LastEventSeq(ctx)
	must(t, err)
	if last != 0 {
		t.Fatalf("LastEventSeq of an empty log = %d", last)
	}
	var seqs []int64
	for i := range 5 {
		ev := &screen.Event{ShopID: "shop-a", Kind: screen.EventOffer, Data: `{"i":1}`, At: base.Add(time.Duration(i) * time.Hour)}
		must(t, e.AppendEvent(ctx, ev))
		seqs = append(seqs, ev.Seq)
	}
	for i := 1; i < len(seqs); i++ {
		if seqs[i] <= seqs[i-1] {
			t.Fatalf("sequence not increasing: %v", seqs)
		}
	}
	evs, err := e.EventsAfter(ctx, seqs[1], 2)
	must(t, err)
	if len(evs) != 2 || evs[0].Seq != seqs[2] || evs[1].Seq != seqs[3] || evs[0].ShopID != "shop-a" || evs[0].Data != `{"i":1}` {
		t.Fatalf("EventsAfter = %+v", evs)
	}
	// Concurrent appends get distinct numbers.
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[int64]bool{}
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ev := &screen.Event{Kind: screen.EventContent, Data: `{}`, At: base.Add(10 * time.Hour)}
			if err := e.AppendEvent(ctx, ev); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			seen[ev.Seq] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(seen) != 20 {
		t.Fatalf("20 appends got %d distinct numbers", len(seen))
	}
	last, err = e.LastEventSeq(ctx)
	must(t, err)
	n, err := e.PurgeEvents(ctx, base.Add(2*time.Hour))
	must(t, err)
	if n != 2 {
		t.Fatalf("PurgeEvents = %d, want 2", n)
	}
	// The sequence goes on past a purge.
	ev := &screen.Event{Kind: screen.EventContent, Data: `{}`, At: base.Add(11 * time.Hour)}
	must(t, e.AppendEvent(ctx, ev))
	if ev.Seq <= last {
		t.Fatalf("after a purge, seq %d ≤ last %d", ev.Seq, last)
	}
}

func testPlays(t *testing.T, e Engine) {
	ctx := context.Background()
	var ps []screen.Play
	for i := range 5 {
		ps = append(ps, screen.Play{KioskID: "k1", ShopID: "shop-a", ItemKind: "offer", ItemID: "o1", ShownAt: base.Add(time.Duration(i) * time.Minute), Seconds: 8})
	}
	must(t, e.RecordPlays(ctx, ps))
	must(t, e.RecordPlays(ctx, nil))
	must(t, e.RecordPlays(ctx, []screen.Play{{KioskID: "k9", ShopID: "shop-b", ItemKind: "product", ItemID: "p1", ShownAt: base}}))
	got, err := e.Plays(ctx, "shop-a", base.Add(2*time.Minute), 2)
	must(t, err)
	if len(got) != 2 || !reflect.DeepEqual(got[0], ps[4]) || !reflect.DeepEqual(got[1], ps[3]) {
		t.Fatalf("Plays = %+v", got)
	}
	n, err := e.PurgePlays(ctx, base.Add(3*time.Minute))
	must(t, err)
	if n != 4 {
		t.Fatalf("PurgePlays = %d, want 4", n)
	}
}
