// Package catalog holds the chain's products. Stock per shop, promotions
// and the one price engine shared by app, kiosk and web build on it.
package catalog

import (
	"context"
	"time"
)

// Categories of products an optician sells.
var Categories = []string{"frames", "sunglasses", "contact_lenses", "lens_care", "accessories"}

// Product is an item of the catalog. Prices are in euro cents.
type Product struct {
	ID         string    `json:"id"`
	SKU        string    `json:"sku"`
	Brand      string    `json:"brand"`
	Name       string    `json:"name"`
	Category   string    `json:"category"`
	PriceCents int64     `json:"price_cents"`
	CreatedAt  time.Time `json:"created_at"`
}

// Store keeps products.
type Store interface {
	// CreateProduct stores p. ECONFLICT when the id or SKU is taken.
	CreateProduct(ctx context.Context, p *Product) error
	// Products returns every product, by brand then name.
	Products(ctx context.Context) ([]*Product, error)
}
