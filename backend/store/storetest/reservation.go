package storetest

import (
	"context"
	"testing"

	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
)

func testReservations(t *testing.T, e Engine) {
	ctx := context.Background()
	a := newCustomer(t, e, "a@example.com", "")
	b := newCustomer(t, e, "b@example.com", "")
	r := &catalog.Reservation{ID: core.NewID(), CustomerID: a.ID, ShopID: "shop-1", SupplyID: "s1", Kind: "lens_reorder", Status: "requested", CreatedAt: base}
	must(t, e.CreateReservation(ctx, r))
	must(t, e.CreateReservation(ctx, &catalog.Reservation{ID: core.NewID(), CustomerID: b.ID, ShopID: "shop-2", Kind: "lens_reorder", Status: "requested", CreatedAt: base}))
	// One open request per supply; requests without a supply are not bound by it.
	wantCode(t, e.CreateReservation(ctx, &catalog.Reservation{ID: core.NewID(), CustomerID: a.ID, ShopID: "shop-1", SupplyID: "s1",
		Kind: "lens_reorder", Status: "requested", CreatedAt: base}), core.ECONFLICT)
	must(t, e.CreateReservation(ctx, &catalog.Reservation{ID: core.NewID(), CustomerID: b.ID, ShopID: "shop-2", Kind: "lens_reorder", Status: "requested", CreatedAt: base}))
	shop1, _ := e.ShopReservations(ctx, "shop-1", core.Page{Limit: 10})
	mine, _ := e.CustomerReservations(ctx, a.ID)
	if len(shop1) != 1 || *shop1[0] != *r || len(mine) != 1 {
		t.Fatalf("reservations %+v %+v", shop1, mine)
	}
	must(t, e.DeleteCustomerReservations(ctx, a.ID))
	if mine, _ := e.CustomerReservations(ctx, a.ID); len(mine) != 0 {
		t.Fatal("DeleteCustomerReservations")
	}
}
