package storetest

import (
	"context"
	"reflect"
	"testing"

	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
)

func testCatalog(t *testing.T, e Engine) {
	ctx := context.Background()
	b := &catalog.Product{ID: core.NewID(), SKU: "RB-2140", Brand: "Ray-Ban", Name: "Wayfarer", Category: "sunglasses", PriceCents: 15900, CreatedAt: base}
	a := &catalog.Product{ID: core.NewID(), SKU: "AC-OASYS", Brand: "Acuvue", Name: "Oasys 1-Day", Category: "contact_lenses", PriceCents: 3290, CreatedAt: base}
	must(t, e.CreateProduct(ctx, b))
	must(t, e.CreateProduct(ctx, a))
	dup := *a
	dup.ID = core.NewID()
	wantCode(t, e.CreateProduct(ctx, &dup), core.ECONFLICT)
	list, err := e.Products(ctx)
	must(t, err)
	if len(list) != 2 || !reflect.DeepEqual(list[0], a) || !reflect.DeepEqual(list[1], b) {
		t.Fatalf("Products = %+v", list)
	}
}
