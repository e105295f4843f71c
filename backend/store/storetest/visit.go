package storetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/visit"
)

func testVisits(t *testing.T, e Engine) {
	ctx := context.Background()
	v1 := &visit.Visit{ID: "v1", ShopID: "shop-a", KioskID: "k1", StartedAt: base, LastAt: base}
	v2 := &visit.Visit{ID: "v2", ShopID: "shop-a", KioskID: "k1", StartedAt: base.Add(time.Minute), LastAt: base.Add(time.Minute)}
	must(t, e.CreateVisit(ctx, v1))
	must(t, e.CreateVisit(ctx, v2))
	wantCode(t, e.CreateVisit(ctx, v1), core.ECONFLICT)
	open, err := e.OpenVisit(ctx, "k1", base.Add(30*time.Second))
	must(t, err)
	if open.ID != "v2" {
		t.Fatalf("OpenVisit = %+v", open)
	}
	_, err = e.OpenVisit(ctx, "k1", base.Add(2*time.Minute))
	wantCode(t, err, core.ENOTFOUND) // idle since
	// Ended at the totem: open no more, its codes stop linking.
	must(t, e.CreateVisit(ctx, &visit.Visit{ID: "v3", ShopID: "shop-a", KioskID: "k3", StartedAt: base, LastAt: base}))
	must(t, e.CreateCode(ctx, &visit.Code{ID: "code-v3", VisitID: "v3", KioskID: "k3", ShopID: "shop-a", CreatedAt: base, ExpiresAt: base.Add(time.Minute)}))
	must(t, e.EndVisit(ctx, "k3", base.Add(time.Second)))
	must(t, e.EndVisit(ctx, "k3", base.Add(2*time.Second))) // nothing open: no error
	_, err = e.OpenVisit(ctx, "k3", base)
	wantCode(t, err, core.ENOTFOUND)
	_, err = e.ResolveCode(ctx, "code-v3", "c9", base.Add(2*time.Second))
	wantCode(t, err, core.EGONE)
	must(t, e.TouchVisit(ctx, "v1", base.Add(3*time.Minute)))
	must(t, e.TouchVisit(ctx, "v1", base.Add(2*time.Minute))) // never back
	got, err := e.Visit(ctx, "v1")
	must(t, err)
	if !got.LastAt.Equal(base.Add(3 * time.Minute)) {
		t.Fatalf("last_at %v", got.LastAt)
	}
	must(t, e.AddVisitEvents(ctx, []visit.Event{{VisitID: "v1", Kind: "product_viewed", ItemID: "p1", At: base.Add(time.Second)},
		{VisitID: "v1", Kind: "qr_shown", At: base.Add(2 * time.Second)}}))
	// The link is given once; a linked visit is no longer open.
	at := base.Add(4 * time.Minute)
	must(t, e.LinkVisit(ctx, "v1", "c1", "qr", at))
	wantCode(t, e.LinkVisit(ctx, "v1", "c2", "qr", at), core.ECONFLICT)
	wantCode(t, e.LinkVisit(ctx, "nope", "c2", "qr", at), core.ENOTFOUND)
	open, err = e.OpenVisit(ctx, "k1", base)
	must(t, err)
	if open.ID != "v2" {
		t.Fatalf("a linked visit is still open: %+v", open)
	}
	got, _ = e.Visit(ctx, "v1")
	want := &visit.Visit{ID: "v1", ShopID: "shop-a", KioskID: "k1", StartedAt: base, LastAt: at, CustomerID: "c1", LinkedAt: &at, Via: "qr"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("linked visit %+v, want %+v", got, want)
	}
	// What the kiosk saw before the link is the customer's now.
	evs, err := e.VisitEvents(ctx, "v1")
	must(t, err)
	if len(evs) != 2 || evs[0].Kind != "product_viewed" || evs[0].ItemID != "p1" {
		t.Fatalf("events %+v", evs)
	}
	mine, err := e.CustomerVisits(ctx, "c1")
	must(t, err)
	if len(mine) != 1 || mine[0].ID != "v1" {
		t.Fatalf("CustomerVisits %+v", mine)
	}
	if none, _ := e.CustomerVisits(ctx, ""); len(none) != 0 {
		t.Fatal("the anonymous visits are someone's")
	}
	in, err := e.ShopCheckins(ctx, "shop-a", base, base.Add(time.Hour))
	must(t, err)
	if len(in) != 1 || in[0].CustomerID != "c1" {
		t.Fatalf("ShopCheckins %+v", in)
	}
	// Greeting on screens: off until the customer says so.
	if g, err := e.Greets(ctx, "c1"); err != nil || g {
		t.Fatalf("Greets before any choice = %v, %v", g, err)
	}
	must(t, e.SetGreets(ctx, "c1", true, base))
	if g, _ := e.Greets(ctx, "c1"); !g {
		t.Fatal("the choice was not kept")
	}
	// Retention takes anonymous visits only; erasure the customer's.
	n, err := e.PurgeAnonymousVisits(ctx, base.Add(time.Hour))
	must(t, err)
	if n != 2 { // v2, and v3 ended at the totem
		t.Fatalf("PurgeAnonymousVisits = %d, want 2", n)
	}
	must(t, e.DeleteCustomerVisits(ctx, "c1"))
	_, err = e.Visit(ctx, "v1")
	wantCode(t, err, core.ENOTFOUND)
	if evs, _ := e.VisitEvents(ctx, "v1"); len(evs) != 0 {
		t.Fatalf("erasure left the visit's events: %+v", evs)
	}
	if g, _ := e.Greets(ctx, "c1"); g {
		t.Fatal("erasure left the greeting choice")
	}
}

func testVisitCodes(t *testing.T, e Engine) {
	ctx := context.Background()
	must(t, e.CreateVisit(ctx, &visit.Visit{ID: "v1", ShopID: "shop-a", KioskID: "k1", StartedAt: base, LastAt: base}))
	c := &visit.Code{ID: "code1", VisitID: "v1", KioskID: "k1", ShopID: "shop-a", CreatedAt: base, ExpiresAt: base.Add(time.Minute)}
	must(t, e.CreateCode(ctx, c))
	wantCode(t, e.CreateCode(ctx, c), core.ECONFLICT)
	_, err := e.ResolveCode(ctx, "nope", "c1", base)
	wantCode(t, err, core.ENOTFOUND)
	_, err = e.ClaimCode(ctx, "code1", "c1", base)
	wantCode(t, err, core.ECONFLICT) // not resolved
	r, err := e.ResolveCode(ctx, "code1", "c1", base.Add(time.Second))
	must(t, err)
	if got, err := e.Code(ctx, "code1"); err != nil || got.ResolvedBy != "c1" || got.ClaimedAt != nil {
		t.Fatalf("Code = %+v, %v", got, err)
	}
	if r.VisitID != "v1" || r.KioskID != "k1" || r.ShopID != "shop-a" {
		t.Fatalf("resolved %+v", r)
	}
	_, err = e.ClaimCode(ctx, "code1", "c2", base.Add(time.Second))
	wantCode(t, err, core.EGONE) // another customer resolved it first
	_, err = e.ResolveCode(ctx, "code1", "c2", base.Add(time.Second))
	wantCode(t, err, core.EGONE) // a later resolve takes nothing from the first
	_, err = e.ResolveCode(ctx, "code1", "c1", base.Add(time.Second))
	must(t, err) // the first resolver may ask again
	// 50 concurrent claims by its resolver: exactly one wins, 49 are gone.
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[string]int{}
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.ClaimCode(ctx, "code1", "c1", base.Add(2*time.Second))
			mu.Lock()
			codes[core.ErrorCode(err)]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if codes[""] != 1 || codes[core.EGONE] != 49 {
		t.Fatalf("50 claims: %v, want 1 won and 49 gone", codes)
	}
	_, err = e.ResolveCode(ctx, "code1", "c1", base.Add(3*time.Second))
	wantCode(t, err, core.EGONE) // claimed
	must(t, e.CreateCode(ctx, &visit.Code{ID: "code2", VisitID: "v1", KioskID: "k1", ShopID: "shop-a", CreatedAt: base, ExpiresAt: base.Add(time.Minute)}))
	_, err = e.ResolveCode(ctx, "code2", "c1", base.Add(time.Minute))
	wantCode(t, err, core.EGONE) // expired at its expiry

	// ClaimVisit: the claim, the link and the event together; a visit
	// linked meanwhile gives the claimer a new one at the same kiosk.
	lots := visit.ClaimLimits{PerCustomer: 100, PerKiosk: 100, Window: time.Minute}
	must(t, e.CreateVisit(ctx, &visit.Visit{ID: "v2", ShopID: "shop-a", KioskID: "k1", StartedAt: base, LastAt: base}))
	for _, id := range []string{"code3", "code4"} {
		must(t, e.CreateCode(ctx, &visit.Code{ID: id, VisitID: "v2", KioskID: "k1", ShopID: "shop-a", CreatedAt: base, ExpiresAt: base.Add(time.Minute)}))
	}
	_, _, err = e.ClaimVisit(ctx, "code3", "c1", "qr", "new-1", base, lots)
	wantCode(t, err, core.ECONFLICT) // not resolved
	_, err = e.ResolveCode(ctx, "code3", "c1", base)
	must(t, err)
	_, err = e.ResolveCode(ctx, "code4", "c2", base)
	must(t, err)
	won := make([]bool, 20)
	for i := range won {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := e.ClaimVisit(ctx, "code3", "c1", "qr", fmt.Sprintf("new-%d", i), base.Add(time.Second), lots)
			won[i] = err == nil
			if err != nil && core.ErrorCode(err) != core.EGONE {
				t.Errorf("ClaimVisit: %v", err)
			}
		}()
	}
	wg.Wait()
	if n := len(slices.DeleteFunc(won, func(w bool) bool { return !w })); n != 1 {
		t.Fatalf("%d of 20 concurrent ClaimVisit won", n)
	}
	if mine, _ := e.CustomerVisits(ctx, "c1"); len(mine) != 1 || mine[0].ID != "v2" || mine[0].Via != "qr" {
		t.Fatalf("c1's visits after ClaimVisit: %+v", mine)
	}
	c4, v4, err := e.ClaimVisit(ctx, "code4", "c2", "qr", "new-c2", base.Add(2*time.Second), lots)
	must(t, err)
	if c4.ID != "code4" || v4.ID != "new-c2" || v4.CustomerID != "c2" || v4.KioskID != "k1" || v4.ShopID != "shop-a" {
		t.Fatalf("a visit linked meanwhile: code %+v, visit %+v", c4, v4)
	}
	for _, id := range []string{"v2", "new-c2"} {
		if evs, _ := e.VisitEvents(ctx, id); len(evs) != 1 || evs[0].Kind != "qr_scanned" {
			t.Fatalf("events of %s: %+v", id, evs)
		}
	}
	// The limits count claims in the window: c1 has two (code1, code3),
	// c2 one, k1 three.
	must(t, e.CreateCode(ctx, &visit.Code{ID: "code5", VisitID: "v2", KioskID: "k1", ShopID: "shop-a", CreatedAt: base, ExpiresAt: base.Add(time.Minute)}))
	_, err = e.ResolveCode(ctx, "code5", "c1", base.Add(3*time.Second))
	must(t, err)
	at := base.Add(3 * time.Second)
	_, _, err = e.ClaimVisit(ctx, "code5", "c1", "qr", "new-5", at, visit.ClaimLimits{PerCustomer: 2, PerKiosk: 100, Window: time.Minute})
	wantCode(t, err, core.ETOOMANY)
	_, _, err = e.ClaimVisit(ctx, "code5", "c1", "qr", "new-5", at, visit.ClaimLimits{PerCustomer: 100, PerKiosk: 3, Window: time.Minute})
	wantCode(t, err, core.ETOOMANY)
	_, _, err = e.ClaimVisit(ctx, "code5", "c1", "qr", "new-5", base.Add(2*time.Minute), visit.ClaimLimits{PerCustomer: 1, PerKiosk: 2, Window: time.Second})
	wantCode(t, err, core.EGONE) // the window moved on; the code expired meanwhile
	_, _, err = e.ClaimVisit(ctx, "code5", "c1", "qr", "new-5", at, visit.ClaimLimits{PerCustomer: 3, PerKiosk: 4, Window: time.Minute})
	must(t, err) // within both limits
}
