package storetest

import (
	"context"
	"testing"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/lens"
)

func testShopSettings(t *testing.T, e Engine) {
	ctx := context.Background()
	s := newShop(t, e, "Milano")
	_, err := e.ShopSettings(ctx, s.ID)
	wantCode(t, err, core.ENOTFOUND)
	set := &lens.ShopSettings{ShopID: s.ID, RunsOutDaysBefore: []int{10, 2}, ReplaceDay: false, HourLocal: 11, UpdatedAt: base}
	must(t, e.SaveShopSettings(ctx, set))
	set.RunsOutDaysBefore = []int{7}
	must(t, e.SaveShopSettings(ctx, set))
	got, err := e.ShopSettings(ctx, s.ID)
	must(t, err)
	if len(got.RunsOutDaysBefore) != 1 || got.RunsOutDaysBefore[0] != 7 || got.HourLocal != 11 || got.ReplaceDay {
		t.Fatalf("ShopSettings = %+v", got)
	}
}
