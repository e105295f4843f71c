package storetest

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
)

func testCatalog(t *testing.T, e Engine) {
	ctx := context.Background()
	b := &catalog.Product{ID: core.NewID(), SKU: "RB-2140", Brand: "Ray-Ban", Name: "Wayfarer", Model: "RB2140", Colour: "nero", Category: "sunglasses",
		PriceCents: 15900, ImageURL: "https://img.example/rb.jpg", Tags: []string{"estate", "icona"}, Novelty: true, Active: true, CreatedAt: base, UpdatedAt: base}
	a := &catalog.Product{ID: core.NewID(), SKU: "AC-OASYS", Brand: "Acuvue", Name: "Oasys 1-Day", Category: "contact_lenses", PriceCents: 3290,
		Active: true, CreatedAt: base, UpdatedAt: base}
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
	got, err := e.Product(ctx, b.ID)
	must(t, err)
	if !reflect.DeepEqual(got, b) {
		t.Fatalf("Product = %+v, want %+v", got, b)
	}
	_, err = e.Product(ctx, "nope")
	wantCode(t, err, core.ENOTFOUND)
	bySKU, err := e.ProductsBySKU(ctx, []string{"RB-2140", "NONE"})
	must(t, err)
	if len(bySKU) != 1 || bySKU["RB-2140"].ID != b.ID {
		t.Fatalf("ProductsBySKU = %+v", bySKU)
	}
}

func testCatalogPut(t *testing.T, e Engine) {
	ctx := context.Background()
	p := &catalog.Product{ID: "p1", SKU: "S1", Brand: "Zeiss", Name: "Panno", Category: "accessories", PriceCents: 500, Active: true, CreatedAt: base, UpdatedAt: base}
	must(t, e.PutCatalog(ctx, []*catalog.Product{p}, []catalog.Level{{ShopID: "shop-a", ProductID: "p1", Quantity: 4, UpdatedAt: base}}))
	// Replacing keeps CreatedAt and the id; stock is set, not added.
	later := base.Add(time.Hour)
	q := *p
	q.PriceCents, q.Active, q.CreatedAt, q.UpdatedAt, q.Tags = 700, false, later, later, []string{"saldi"}
	must(t, e.PutCatalog(ctx, []*catalog.Product{&q}, []catalog.Level{{ShopID: "shop-a", ProductID: "p1", Quantity: 2, UpdatedAt: later},
		{ShopID: "shop-b", ProductID: "p1", Quantity: 9, UpdatedAt: later}}))
	got, err := e.Product(ctx, "p1")
	must(t, err)
	q.CreatedAt = base
	if !reflect.DeepEqual(got, &q) {
		t.Fatalf("after replace = %+v, want %+v", got, &q)
	}
	for shop, want := range map[string]int{"shop-a": 2, "shop-b": 9, "shop-c": -1} {
		levels, err := e.StockLevels(ctx, shop, []string{"p1", "p-none"})
		must(t, err)
		if n, ok := levels["p1"]; want < 0 && ok || want >= 0 && n != want || len(levels) > 1 {
			t.Fatalf("StockLevels(%s) = %v, want %d", shop, levels, want)
		}
	}
	// A SKU of another product, or one SKU for two products of the batch:
	// nothing of the batch is stored, before the clash or after it, on an
	// engine with transactions or without.
	changed := q
	changed.PriceCents = 999
	fresh := &catalog.Product{ID: "p3", SKU: "S3", Brand: "X", Name: "Z", Category: "accessories", Active: true, CreatedAt: base}
	other := &catalog.Product{ID: "p2", SKU: "S1", Brand: "X", Name: "Y", Category: "accessories", Active: true, CreatedAt: base}
	twin := &catalog.Product{ID: "p4", SKU: "S3", Brand: "X", Name: "W", Category: "accessories", Active: true, CreatedAt: base}
	levels := []catalog.Level{{ShopID: "shop-a", ProductID: "p1", Quantity: 50, UpdatedAt: later}, {ShopID: "shop-a", ProductID: "p3", Quantity: 5, UpdatedAt: later}}
	for name, batch := range map[string][]*catalog.Product{"another's SKU": {&changed, fresh, other}, "twin SKUs": {&changed, fresh, twin}} {
		wantCode(t, e.PutCatalog(ctx, batch, levels), core.ECONFLICT)
		for _, id := range []string{"p2", "p3", "p4"} {
			_, err = e.Product(ctx, id)
			wantCode(t, err, core.ENOTFOUND)
		}
		got, err := e.Product(ctx, "p1")
		must(t, err)
		if !reflect.DeepEqual(got, &q) {
			t.Fatalf("%s: p1 after a refused batch = %+v, want %+v", name, got, &q)
		}
		stock, err := e.StockLevels(ctx, "shop-a", []string{"p1", "p3"})
		must(t, err)
		if !reflect.DeepEqual(stock, map[string]int{"p1": 2}) {
			t.Fatalf("%s: stock after a refused batch = %v, want p1: 2 only", name, stock)
		}
	}
}

func testCatalogSearch(t *testing.T, e Engine) {
	ctx := context.Background()
	mk := func(id, brand, name, cat string, tags []string, novelty, active bool) *catalog.Product {
		return &catalog.Product{ID: id, SKU: "SKU-" + id, Brand: brand, Name: name, Category: cat, Tags: tags, Novelty: novelty, Active: active,
			CreatedAt: base, UpdatedAt: base}
	}
	ps := []*catalog.Product{
		mk("a1", "Acuvue", "Oasys", "contact_lenses", []string{"giornaliere"}, false, true),
		mk("a2", "Acuvue", "Moist", "contact_lenses", []string{"giornaliere"}, true, true),
		mk("r1", "Ray-Ban", "Wayfarer 100%_nero", "sunglasses", []string{"estate"}, true, true),
		mk("r2", "Ray-Ban", "Clubmaster", "sunglasses", nil, false, false),
		mk("p1", "Persol", "PO3007V", "frames", nil, true, true),
	}
	must(t, e.PutCatalog(ctx, ps, nil))
	ids := func(q catalog.Query) []string {
		t.Helper()
		if q.Limit == 0 {
			q.Limit = 100
		}
		got, err := e.SearchProducts(ctx, q)
		must(t, err)
		out := []string{}
		for _, p := range got {
			out = append(out, p.ID)
		}
		return out
	}
	for _, c := range []struct {
		q    catalog.Query
		want []string
	}{
		{catalog.Query{}, []string{"a2", "a1", "p1", "r2", "r1"}}, // brand and name, lower case
		{catalog.Query{ActiveOnly: true}, []string{"a2", "a1", "p1", "r1"}},
		{catalog.Query{Text: "ACUVUE"}, []string{"a2", "a1"}},
		{catalog.Query{Text: "sku-p1"}, []string{"p1"}},
		{catalog.Query{Text: "estate"}, []string{"r1"}},                // tags are searched
		{catalog.Query{Text: "100%_"}, []string{"r1"}},                 // wildcards are literal
		{catalog.Query{Text: "%"}, []string{"r1"}},                     // only the name with a %
		{catalog.Query{Category: "sunglasses"}, []string{"r2", "r1"}},  //
		{catalog.Query{Tag: "giornaliere"}, []string{"a2", "a1"}},      //
		{catalog.Query{NoveltyOnly: true}, []string{"a2", "p1", "r1"}}, //
		{catalog.Query{IDs: []string{"r1", "a1", "x"}}, []string{"a1", "r1"}},
		{catalog.Query{IDs: []string{}}, []string{}},
		{catalog.Query{After: "a1"}, []string{"p1", "r2", "r1"}},
		{catalog.Query{After: "a2", Limit: 2}, []string{"a1", "p1"}},
	} {
		if got := ids(c.q); !reflect.DeepEqual(got, c.want) {
			t.Errorf("SearchProducts(%+v) = %v, want %v", c.q, got, c.want)
		}
	}
}

func testCatalogSettings(t *testing.T, e Engine) {
	ctx := context.Background()
	_, err := e.CatalogSettings(ctx, "shop-a")
	wantCode(t, err, core.ENOTFOUND)
	s := &catalog.Settings{ShopID: "shop-a", ReserveMinStock: 3, ClickCollect: true, UpdatedAt: base}
	must(t, e.SaveCatalogSettings(ctx, s))
	s.ReserveMinStock, s.ClickCollect = 5, false
	must(t, e.SaveCatalogSettings(ctx, s))
	got, err := e.CatalogSettings(ctx, "shop-a")
	must(t, err)
	if !reflect.DeepEqual(got, s) {
		t.Fatalf("CatalogSettings = %+v, want %+v", got, s)
	}
}

func testTouches(t *testing.T, e Engine) {
	ctx := context.Background()
	for i, src := range []string{"kiosk", "kiosk", "web", "kiosk"} {
		must(t, e.RecordTouch(ctx, &catalog.Touch{ShopID: "shop-a", ProductID: "p1", Source: src, At: base.Add(time.Duration(i) * time.Hour)}))
	}
	must(t, e.RecordTouch(ctx, &catalog.Touch{ShopID: "shop-b", ProductID: "p1", Source: "web", At: base}))
	got, err := e.CountTouches(ctx, "shop-a", base.Add(time.Hour))
	must(t, err)
	if !reflect.DeepEqual(got, map[string]int{"kiosk": 2, "web": 1}) {
		t.Fatalf("CountTouches = %v", got)
	}
	n, err := e.PurgeTouches(ctx, base.Add(2*time.Hour))
	must(t, err)
	if n != 3 {
		t.Fatalf("PurgeTouches = %d, want 3", n)
	}
}

// testCatalogPutRace writes the same SKU under two ids at once: one wins,
// the other is ECONFLICT, and the SKU names one product.
func testCatalogPutRace(t *testing.T, e Engine) {
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := &catalog.Product{ID: core.NewID(), SKU: "SAME", Brand: "B", Name: "N", Category: "frames", Active: true, CreatedAt: base}
			errs[i] = e.PutCatalog(ctx, []*catalog.Product{p}, nil)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if core.ErrorCode(err) != core.ECONFLICT {
			t.Fatalf("PutCatalog: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d writers stored the SKU, want 1", ok)
	}
}
