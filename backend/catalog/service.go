package catalog

import (
	"cmp"
	"context"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/media"
	"github.com/vista-optical/vista/backend/shop"
	"github.com/vista-optical/vista/backend/validate"
)

// Shops is what the catalog reads of the shops: their hours and zone,
// and their slugs for public links.
type Shops interface {
	Shop(ctx context.Context, id string) (*shop.Shop, error)
	Shops(ctx context.Context) ([]*shop.Shop, error)
}

// Service is the catalog: what staff manage (products, stock,
// promotions, channel toggles) and what every surface reads (products
// with their one price), each call checking who asks.
type Service struct {
	// Validator checks inputs against their validate tags: the house's
	// one validator. Nil: a new one.
	Validator    *validate.Validator
	Store        Store
	Reservations ReservationStore
	Promotions   PromotionStore
	Shops        Shops
	// Media keeps the products' pictures.
	Media media.Store
	Clock core.Clock
}

// inputs checks the bounds an input declares in its validate tags.

// Products returns every product, by brand then name, to staff.
func (s *Service) Products(ctx context.Context) ([]*Product, error) {
	if a, _ := core.ActorFrom(ctx); a.Kind != core.ActorStaff {
		return nil, core.Errorf(core.EFORBIDDEN, "staff only")
	}
	return s.Store.Products(ctx)
}

// ShopReservations lists one page of a shop's click & collect requests,
// newest first. ENOTFOUND for a shop outside the actor's scope.
func (s *Service) ShopReservations(ctx context.Context, shopID string, p core.Page) ([]*Reservation, string, error) {
	if a, _ := core.ActorFrom(ctx); !a.CanSeeShop(shopID) {
		return nil, "", core.Errorf(core.ENOTFOUND, "shop not found")
	}
	return core.Paged(p, func(p core.Page) ([]*Reservation, error) { return s.Reservations.ShopReservations(ctx, shopID, p) },
		func(r *Reservation) core.Cursor { return core.Cursor{At: r.CreatedAt, ID: r.ID} })
}

// ProductInput is a product as staff write it, from JSON or a CSV line.
type ProductInput struct {
	SKU        string   `json:"sku" validate:"required,sku"`
	Brand      string   `json:"brand" validate:"required,max=60"`
	Name       string   `json:"name" validate:"required,max=120"`
	Model      string   `json:"model" validate:"max=60"`
	Colour     string   `json:"colour" validate:"max=40"`
	Category   string   `json:"category" validate:"required,oneof=frames sunglasses contact_lenses lens_care accessories"`
	PriceCents int64    `json:"price_cents" validate:"min=0,max=10000000"`
	ImageURL   string   `json:"image_url" validate:"omitempty,max=500,picture"` // an http(s) address, or one of Vista's /media/
	Tags       []string `json:"tags" validate:"max=20,dive,tag"`
	Novelty    bool     `json:"novelty"`
	Active     *bool    `json:"active"` // default true
}

// product is in as a product with id, at now.
func (in *ProductInput) product(id string, now time.Time) *Product {
	p := &Product{ID: id, SKU: in.SKU, Brand: strings.TrimSpace(in.Brand), Name: strings.TrimSpace(in.Name), Model: in.Model,
		Colour: in.Colour, Category: in.Category, PriceCents: in.PriceCents, ImageURL: in.ImageURL, Novelty: in.Novelty,
		Active: in.Active == nil || *in.Active, CreatedAt: now, UpdatedAt: now}
	for _, t := range in.Tags {
		if !slices.Contains(p.Tags, t) {
			p.Tags = append(p.Tags, t)
		}
	}
	return p
}

// keep carries over what a new version of old keeps: its id, when it was
// created, and its picture unless the new one names another.
func (p *Product) keep(old *Product) {
	p.ID, p.CreatedAt = old.ID, old.CreatedAt
	if p.ImageURL == "" {
		p.ImageURL = old.ImageURL
	}
}

// SaveProduct creates the product with in's SKU, or replaces it, for a
// manager or an owner: the catalog is the chain's, so a manager's change
// shows in every shop.
func (s *Service) SaveProduct(ctx context.Context, in ProductInput) (*Product, error) {
	if a, _ := core.ActorFrom(ctx); a.Kind != core.ActorStaff || !a.Role.AtLeast(core.RoleManager) {
		return nil, core.Errorf(core.EFORBIDDEN, "only managers and owners change the catalog")
	}
	if err := s.check(&in); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	existing, err := s.Store.ProductsBySKU(ctx, []string{in.SKU})
	if err != nil {
		return nil, err
	}
	p := in.product(core.NewID(), now)
	if old := existing[in.SKU]; old != nil {
		p.keep(old)
	}
	if err := s.Store.PutCatalog(ctx, []*Product{p}, nil); err != nil {
		return nil, err
	}
	return p, nil
}

// Bounds on stock.
const (
	MaxStock       = 100_000
	maxStockWrites = 1000
)

// StockInput sets the stock of products in one shop.
type StockInput struct {
	Levels []struct {
		ProductID string `json:"product_id" validate:"required,max=64"`
		Quantity  int    `json:"quantity" validate:"min=0,max=100000"`
	} `json:"levels" validate:"required,min=1,max=1000,dive"`
}

// SetStock records the stock of products in a shop, for its manager or
// an owner. ENOTFOUND names the first unknown product.
func (s *Service) SetStock(ctx context.Context, shopID string, in StockInput) ([]Level, error) {
	if _, err := core.ManagerOf(ctx, shopID); err != nil {
		return nil, err
	}
	if err := s.check(&in); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	levels := make([]Level, 0, len(in.Levels))
	for i, l := range in.Levels {
		if _, err := s.Store.Product(ctx, l.ProductID); core.IsCode(err, core.ENOTFOUND) {
			return nil, core.Invalid("unknown product", core.FieldError{Field: "levels[" + strconv.Itoa(i) + "].product_id", Code: "unknown", Message: "is not a product of the catalog"})
		} else if err != nil {
			return nil, err
		}
		levels = append(levels, Level{ShopID: shopID, ProductID: l.ProductID, Quantity: l.Quantity, UpdatedAt: now})
	}
	return levels, s.Store.PutCatalog(ctx, nil, levels)
}

// Settings returns a shop's channel toggles (the defaults when none were
// saved) to anyone who can see the shop.
func (s *Service) Settings(ctx context.Context, shopID string) (*Settings, error) {
	if a, _ := core.ActorFrom(ctx); a.Kind != core.ActorStaff || !a.CanSeeShop(shopID) {
		return nil, core.Errorf(core.ENOTFOUND, "shop not found")
	}
	return s.settings(ctx, shopID)
}

func (s *Service) settings(ctx context.Context, shopID string) (*Settings, error) {
	st, err := s.Store.CatalogSettings(ctx, shopID)
	if core.IsCode(err, core.ENOTFOUND) {
		return DefaultSettings(shopID), nil
	}
	return st, err
}

// SaveSettings replaces a shop's channel toggles.
func (s *Service) SaveSettings(ctx context.Context, shopID string, in Settings) (*Settings, error) {
	if _, err := core.ManagerOf(ctx, shopID); err != nil {
		return nil, err
	}
	if err := s.check(&in); err != nil {
		return nil, err
	}
	in.ShopID, in.UpdatedAt = shopID, s.Clock.Now()
	return &in, s.Store.SaveCatalogSettings(ctx, &in)
}

// Listing is a product as a surface shows it in one shop at one instant:
// its one price, and what the shop offers for it now.
type Listing struct {
	*Product
	Price Quote `json:"price"`
	// Reserve is e-reservation: open while the shop holds at least its
	// ReserveMinStock.
	Reserve bool `json:"reserve"`
	// ClickCollect is promoted only while the shop is open and the product
	// can be reserved.
	ClickCollect bool `json:"click_collect"`
}

// ResolveShop finds a shop by id or by slug, for public addresses.
func (s *Service) ResolveShop(ctx context.Context, ref string) (*shop.Shop, error) {
	return shop.Resolve(ctx, s.Shops, ref)
}

// Search is a page of a shop's products.
type Search struct {
	Query    string
	Category string
	Tag      string
	Novelty  bool
	IDs      []string
	Cursor   string
	Limit    int
}

// MaxSearchText bounds the text a product search takes.
const MaxSearchText = 80

// ShopProducts returns one page of a shop's active products with their
// prices at the clock's now, and the cursor of the next page ("" at the
// end). Every surface lists products through it.
func (s *Service) ShopProducts(ctx context.Context, sh *shop.Shop, q Search) ([]Listing, string, error) {
	if len(q.Query) > MaxSearchText {
		return nil, "", core.Invalid("the search is too long", core.FieldError{Field: "q", Code: "too_long", Message: "must be at most 80 characters long"})
	}
	if q.Category != "" && !slices.Contains(Categories, q.Category) {
		return nil, "", core.Invalid("unknown category", core.FieldError{Field: "category", Code: "not_allowed", Message: "must be one of: " + strings.Join(Categories, ", ")})
	}
	after, err := parseProductCursor(q.Cursor)
	if err != nil {
		return nil, "", err
	}
	limit := min(max(q.Limit, 1), 100)
	ps, err := s.Store.SearchProducts(ctx, Query{Text: strings.TrimSpace(q.Query), Category: q.Category, Tag: q.Tag, NoveltyOnly: q.Novelty,
		IDs: q.IDs, ActiveOnly: true, After: after, Limit: limit + 1})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(ps) > limit {
		ps = ps[:limit]
		next = productCursor(ps[limit-1].ID)
	}
	ls, err := s.List(ctx, sh, ps, s.Clock.Now())
	return ls, next, err
}

// Product returns one active product of the catalog as sh shows it now.
func (s *Service) Product(ctx context.Context, sh *shop.Shop, id string) (*Listing, error) {
	p, err := s.Store.Product(ctx, id)
	if err != nil {
		return nil, err
	}
	if !p.Active {
		return nil, core.Errorf(core.ENOTFOUND, "product not found")
	}
	ls, err := s.List(ctx, sh, []*Product{p}, s.Clock.Now())
	if err != nil {
		return nil, err
	}
	return &ls[0], nil
}

// List prices ps in sh at the instant at, with the shop's channel toggles.
func (s *Service) List(ctx context.Context, sh *shop.Shop, ps []*Product, at time.Time) ([]Listing, error) {
	promos, err := s.Promotions.ActivePromotions(ctx, at)
	if err != nil {
		return nil, err
	}
	st, err := s.settings(ctx, sh.ID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	stock, err := s.Store.StockLevels(ctx, sh.ID, ids)
	if err != nil {
		return nil, err
	}
	open := sh.Hours.OpenAt(at, sh.Location())
	out := make([]Listing, len(ps))
	for i, p := range ps {
		reserve := st.ClickCollect && stock[p.ID] >= max(st.ReserveMinStock, 1)
		out[i] = Listing{Product: p, Price: Price(p, sh.ID, at, promos), Reserve: reserve, ClickCollect: reserve && open}
	}
	return out, nil
}

// Promoted returns the active products on a promotion advertised on
// channel in sh now, at most limit, priced.
func (s *Service) Promoted(ctx context.Context, sh *shop.Shop, channel string, limit int) ([]Listing, []Promotion, error) {
	now := s.Clock.Now()
	promos, err := s.Promotions.ActivePromotions(ctx, now)
	if err != nil {
		return nil, nil, err
	}
	promos = slices.DeleteFunc(promos, func(p Promotion) bool {
		return !p.AdvertisedOn(channel) || len(p.ShopIDs) > 0 && !slices.Contains(p.ShopIDs, sh.ID)
	})
	if len(promos) == 0 {
		return []Listing{}, promos, nil
	}
	var picked []*Product
	for _, p := range promos {
		q := Query{ActiveOnly: true, IDs: p.ProductIDs, Limit: limit}
		switch {
		case len(p.ProductIDs) > 0:
		case len(p.Categories) > 0:
			q.IDs, q.Category = nil, p.Categories[0]
		case len(p.Tags) > 0:
			q.IDs, q.Tag = nil, p.Tags[0]
		}
		ps, err := s.Store.SearchProducts(ctx, q)
		if err != nil {
			return nil, nil, err
		}
		for _, pr := range ps {
			if len(picked) < limit && !slices.ContainsFunc(picked, func(x *Product) bool { return x.ID == pr.ID }) {
				picked = append(picked, pr)
			}
		}
	}
	ls, err := s.List(ctx, sh, picked, now)
	if err != nil {
		return nil, nil, err
	}
	// Only products the promotion actually lowers: a category promotion
	// may leave a product at list price when another price is lower.
	ls = slices.DeleteFunc(ls, func(l Listing) bool { return l.Price.PromotionID == "" })
	return ls, promos, nil
}

// RecordTouch records a visit of a product's public page from source.
func (s *Service) RecordTouch(ctx context.Context, shopID, productID, source string) error {
	if !slices.Contains(Sources, source) {
		source = "other"
	}
	return s.Store.RecordTouch(ctx, &Touch{ShopID: shopID, ProductID: productID, Source: source, At: s.Clock.Now()})
}

// productCursor is the opaque cursor of the page after the product id.
func productCursor(id string) string { return base64.RawURLEncoding.EncodeToString([]byte(id)) }

func parseProductCursor(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(s) > 100 || len(b) == 0 {
		return "", core.Invalid("cursor is not a page cursor", core.FieldError{Field: "cursor", Code: "invalid", Message: "must be the next_cursor of a previous page"})
	}
	return string(b), nil
}

// check validates in against its validate tags, phone numbers made E.164
// first; the surfaces only decode.
func (s *Service) check(in any) error {
	return cmp.Or(s.Validator, validate.Default).Struct(in)
}
