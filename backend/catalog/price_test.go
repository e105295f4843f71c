package catalog

import (
	"math/rand/v2"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func TestPriceAcrossPromotions(t *testing.T) {
	lenses := &Product{ID: "p-lenses", Category: "contact_lenses", PriceCents: 3333}
	frame := &Product{ID: "p-frame", Category: "frames", PriceCents: 18900}
	promos := []Promotion{
		{ID: "winter", Kind: PromoPercent, PercentOff: 15, Starts: t0, Ends: t0.Add(30 * 24 * time.Hour), Categories: []string{"contact_lenses"}},
		{ID: "milano", Kind: PromoFixedPrice, FixedCents: 2500, Starts: t0.Add(time.Hour), Ends: t0.Add(48 * time.Hour),
			ShopIDs: []string{"shop-milano"}, ProductIDs: []string{"p-lenses"}},
		{ID: "too-dear", Kind: PromoFixedPrice, FixedCents: 99999, Starts: t0, Ends: t0.Add(time.Hour), ProductIDs: []string{"p-frame"}},
	}
	for _, c := range []struct {
		name    string
		p       *Product
		shop    string
		at      time.Time
		price   int64
		promoID string
	}{
		{"before any promotion", lenses, "shop-roma", t0.Add(-time.Minute), 3333, ""},
		{"15% rounded half up", lenses, "shop-roma", t0, 2833, "winter"},
		{"a promotion of another shop", lenses, "shop-roma", t0.Add(2 * time.Hour), 2833, "winter"},
		{"the lower price wins", lenses, "shop-milano", t0.Add(2 * time.Hour), 2500, "milano"},
		{"at its end it has ended", lenses, "shop-milano", t0.Add(48 * time.Hour), 2833, "winter"},
		{"a fixed price above the list price is no promotion", frame, "shop-roma", t0, 18900, ""},
		{"another category", frame, "shop-milano", t0.Add(2 * time.Hour), 18900, ""},
	} {
		q := Price(c.p, c.shop, c.at, promos)
		if q.PriceCents != c.price || q.PromotionID != c.promoID || q.ListCents != c.p.PriceCents {
			t.Errorf("%s: %+v, want %d by %q", c.name, q, c.price, c.promoID)
		}
		if (q.Until != nil) != (c.promoID != "") {
			t.Errorf("%s: until %v", c.name, q.Until)
		}
	}
}

// TestPriceIsOneAnswer: whatever order the promotions come in, the same
// product, shop and instant give the same quote; it is never above the
// list price nor below zero.
func TestPriceIsOneAnswer(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		p := &Product{ID: "p", Category: Categories[rng.IntN(len(Categories))], PriceCents: rng.Int64N(MaxPriceCents + 1)}
		var promos []Promotion
		for i := range rng.IntN(6) {
			pr := Promotion{ID: string(rune('a' + i)), Kind: PromoPercent, PercentOff: 1 + rng.IntN(MaxPercentOff),
				Starts: t0.Add(time.Duration(rng.IntN(10)) * time.Hour), Categories: []string{Categories[rng.IntN(len(Categories))]}}
			if rng.IntN(2) == 0 {
				pr.Kind, pr.PercentOff, pr.FixedCents, pr.ProductIDs, pr.Categories = PromoFixedPrice, 0, rng.Int64N(MaxPriceCents), []string{"p"}, nil
			}
			pr.Ends = pr.Starts.Add(time.Duration(1+rng.IntN(10)) * time.Hour)
			if fe := pr.Check(); fe != nil {
				t.Fatalf("generated %+v: %v", pr, fe)
			}
			promos = append(promos, pr)
		}
		at := t0.Add(time.Duration(rng.IntN(20)) * time.Hour)
		want := Price(p, "s", at, promos)
		if want.PriceCents > p.PriceCents || want.PriceCents < 0 {
			t.Fatalf("price %d for list %d", want.PriceCents, p.PriceCents)
		}
		for range 5 {
			rng.Shuffle(len(promos), func(i, j int) { promos[i], promos[j] = promos[j], promos[i] })
			got := Price(p, "s", at, promos)
			if got.PriceCents != want.PriceCents || got.PromotionID != want.PromotionID {
				t.Fatalf("order changed the quote: %+v vs %+v", got, want)
			}
		}
	}
}

func TestPromotionCheck(t *testing.T) {
	ok := Promotion{ID: "x", Kind: PromoPercent, PercentOff: 10, Starts: t0, Ends: t0.Add(time.Hour), Categories: []string{"frames"}}
	if fe := ok.Check(); fe != nil {
		t.Fatal(fe)
	}
	for name, edit := range map[string]func(*Promotion){
		"no percent":       func(p *Promotion) { p.PercentOff = 0 },
		"too much off":     func(p *Promotion) { p.PercentOff = 95 },
		"unknown kind":     func(p *Promotion) { p.Kind = "bogo" },
		"ends first":       func(p *Promotion) { p.Ends = p.Starts },
		"a year and more":  func(p *Promotion) { p.Ends = p.Starts.Add(400 * 24 * time.Hour) },
		"nothing targeted": func(p *Promotion) { p.Categories = nil },
		"unknown category": func(p *Promotion) { p.Categories = []string{"hats"} },
		"negative fixed":   func(p *Promotion) { p.Kind, p.FixedCents = PromoFixedPrice, -1 },
	} {
		p := ok
		edit(&p)
		if p.Check() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
