// Package catalog holds the chain's products, their stock in each shop,
// promotions and the one price engine shared by app, kiosk and web.
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
	Model      string    `json:"model,omitempty"`
	Colour     string    `json:"colour,omitempty"`
	Category   string    `json:"category"`
	PriceCents int64     `json:"price_cents"`
	ImageURL   string    `json:"image_url,omitempty"`
	Tags       []string  `json:"tags,omitempty"`
	Novelty    bool      `json:"novelty"` // "novità": shown first on screens
	Active     bool      `json:"active"`  // inactive products are kept but shown nowhere
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Level is the stock of one product in one shop.
type Level struct {
	ShopID    string    `json:"shop_id"`
	ProductID string    `json:"product_id"`
	Quantity  int       `json:"quantity"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Query asks for one page of products, ordered by brand, name, then id.
type Query struct {
	// Text matches products whose brand, name, model, colour, SKU or tags
	// contain it, ignoring case.
	Text     string
	Category string
	Tag      string
	// ActiveOnly leaves inactive products out; NoveltyOnly keeps novelties.
	ActiveOnly, NoveltyOnly bool
	// IDs, when given, keeps only those products.
	IDs []string
	// After is the id of the last product of the previous page.
	After string
	Limit int
}

// Store keeps products and their stock.
type Store interface {
	// CreateProduct stores p. ECONFLICT when the id or SKU is taken.
	CreateProduct(ctx context.Context, p *Product) error
	// Products returns every product, by brand then name.
	Products(ctx context.Context) ([]*Product, error)
	// Product returns the product with id, or ENOTFOUND.
	Product(ctx context.Context, id string) (*Product, error)
	// ProductsBySKU returns the products with these SKUs, by SKU.
	ProductsBySKU(ctx context.Context, skus []string) (map[string]*Product, error)
	// SearchProducts returns one page of the products q asks for.
	SearchProducts(ctx context.Context, q Query) ([]*Product, error)
	// PutCatalog stores products (created, or replaced by id, CreatedAt
	// kept) and stock levels, all or nothing. ECONFLICT when a SKU belongs
	// to another product.
	PutCatalog(ctx context.Context, products []*Product, levels []Level) error
	// StockLevels returns a shop's stock of the products named, by product
	// id; a product never stocked is absent.
	StockLevels(ctx context.Context, shopID string, productIDs []string) (map[string]int, error)
	// ShopSettings returns a shop's catalog settings, or ENOTFOUND when
	// none were saved.
	CatalogSettings(ctx context.Context, shopID string) (*Settings, error)
	// SaveCatalogSettings creates or replaces a shop's catalog settings.
	SaveCatalogSettings(ctx context.Context, s *Settings) error
	// RecordTouch stores that someone reached a product through a
	// touchpoint (a QR on a screen, a shared link).
	RecordTouch(ctx context.Context, t *Touch) error
	// CountTouches counts a shop's touches since t, by source.
	CountTouches(ctx context.Context, shopID string, since time.Time) (map[string]int, error)
	// PurgeTouches removes touches older than before.
	PurgeTouches(ctx context.Context, before time.Time) (int, error)
}

// Settings are a shop's channel toggles.
type Settings struct {
	ShopID string `json:"shop_id"`
	// ReserveMinStock is the stock below which a product cannot be
	// reserved online in this shop (e-reservation off).
	ReserveMinStock int `json:"reserve_min_stock" validate:"min=0,max=1000"`
	// ClickCollect offers "reserve and collect in the shop" at all.
	ClickCollect bool      `json:"click_collect"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// DefaultSettings are the toggles of a shop that saved none: click &
// collect on, reservations while at least one is in stock.
func DefaultSettings(shopID string) *Settings {
	return &Settings{ShopID: shopID, ReserveMinStock: 1, ClickCollect: true}
}

// Touch is one visit of a product's public page, with where it came from.
type Touch struct {
	ShopID    string    `json:"shop_id"`
	ProductID string    `json:"product_id"`
	Source    string    `json:"source"`
	At        time.Time `json:"at"`
}

// Sources a touch may come from; anything else is recorded as "other".
var Sources = []string{"kiosk", "window", "app", "web", "instagram", "facebook", "newsletter", "qr", "other"}
