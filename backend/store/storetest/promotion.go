package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
)

func testPromotions(t *testing.T, e Engine) {
	ctx := context.Background()
	winter := catalog.Promotion{ID: "winter", Name: "Inverno", Kind: catalog.PromoPercent, PercentOff: 15, Starts: base, Ends: base.Add(48 * time.Hour),
		Categories: []string{"contact_lenses"}, Channels: []string{"kiosk", "app"}}
	milano := catalog.Promotion{ID: "milano", Kind: catalog.PromoFixedPrice, FixedCents: 2500, Starts: base.Add(time.Hour), Ends: base.Add(2 * time.Hour),
		ShopIDs: []string{"shop-milano"}, ProductIDs: []string{"p1", "p2"}, Tags: []string{"estate"}}
	must(t, e.CreatePromotion(ctx, &winter))
	must(t, e.CreatePromotion(ctx, &milano))
	wantCode(t, e.CreatePromotion(ctx, &winter), core.ECONFLICT)
	active := func(at time.Time, want ...catalog.Promotion) {
		t.Helper()
		got, err := e.ActivePromotions(ctx, at)
		must(t, err)
		if len(want) == 0 && len(got) == 0 {
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("ActivePromotions(%v) = %+v, want %+v", at, got, want)
		}
	}
	active(base.Add(-time.Millisecond))
	active(base, winter)                             // starts inclusive
	active(base.Add(90*time.Minute), milano, winter) // by id
	active(base.Add(2*time.Hour), winter)            // ends exclusive
	active(base.Add(48 * time.Hour))
	must(t, e.DeletePromotion(ctx, "winter"))
	wantCode(t, e.DeletePromotion(ctx, "winter"), core.ENOTFOUND)
	active(base.Add(90*time.Minute), milano)
	coming := catalog.Promotion{ID: "coming", Kind: catalog.PromoPercent, PercentOff: 10, Starts: base.Add(3 * time.Hour), Ends: base.Add(4 * time.Hour),
		Tags: []string{"saldi"}}
	must(t, e.CreatePromotion(ctx, &coming))
	list, err := e.Promotions(ctx, base.Add(90*time.Minute)) // current and coming, by start
	must(t, err)
	if !reflect.DeepEqual(list, []catalog.Promotion{milano, coming}) {
		t.Fatalf("Promotions = %+v", list)
	}
}
