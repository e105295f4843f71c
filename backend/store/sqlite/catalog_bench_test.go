package sqlite_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/store/sqlite/sqlitetest"
)

// BenchmarkSearchProducts is the store's share of a product search over
// 10,000 products: a page of 25 for a word most products lack, and for
// one many have.
func BenchmarkSearchProducts(b *testing.B) {
	db := sqlitetest.Open(b)
	ctx := context.Background()
	var ps []*catalog.Product
	brands := []string{"Ray-Ban", "Persol", "Oakley", "Acuvue", "Alcon", "Zeiss", "Essilor", "Silhouette", "Lindberg", "Tom Ford"}
	for i := range 10000 {
		ps = append(ps, &catalog.Product{ID: fmt.Sprintf("p%05d", i), SKU: fmt.Sprintf("B-%05d", i), Brand: brands[i%10], Name: fmt.Sprintf("Modello %d colore %d", i, i%37),
			Category: catalog.Categories[i%5], PriceCents: 1000, Active: true, CreatedAt: time.Now()})
	}
	if err := db.PutCatalog(ctx, ps, nil); err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{"zeiss", "xyz", "modello 12", "colore 3", "b-0999"} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				if _, err := db.SearchProducts(ctx, catalog.Query{Text: q, ActiveOnly: true, Limit: 25}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
