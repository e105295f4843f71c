package catalog

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/vista-optical/vista/backend/core"
)

// Kinds of promotion.
const (
	PromoPercent    = "percent"     // PercentOff of the list price
	PromoFixedPrice = "fixed_price" // the product costs FixedCents
)

// Promotion lowers the price of some products in some shops for a period.
// Channels say where it is advertised (screens, the app, messages); the
// price it gives is the same on every channel, so that a product shown on
// a screen costs at the till what the app says.
type Promotion struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Kind       string    `json:"kind"`
	PercentOff int       `json:"percent_off,omitempty"`
	FixedCents int64     `json:"fixed_cents,omitempty"`
	Starts     time.Time `json:"starts"` // inclusive
	Ends       time.Time `json:"ends"`   // exclusive
	// ShopIDs are the shops it holds in; empty means every shop.
	ShopIDs []string `json:"shop_ids,omitempty"`
	// ProductIDs, Categories and Tags are what it applies to: a product
	// named, or any product of a category or with a tag named. At least
	// one is given.
	ProductIDs []string `json:"product_ids,omitempty"`
	Categories []string `json:"categories,omitempty"`
	Tags       []string `json:"tags,omitempty"`
	// Channels are where it is advertised: "kiosk", "app", "web"; empty
	// means everywhere.
	Channels []string `json:"channels,omitempty"`
}

// Bounds on a promotion.
const (
	MaxPercentOff   = 90
	MaxPromoDays    = 366
	maxPromoTargets = 500
)

// Check reports what is wrong with p, as a field error.
func (p *Promotion) Check() *core.FieldError {
	switch {
	case p.Kind == PromoPercent && (p.PercentOff < 1 || p.PercentOff > MaxPercentOff):
		return &core.FieldError{Field: "percent_off", Code: "out_of_range", Message: fmt.Sprintf("must be 1 to %d", MaxPercentOff), Param: fmt.Sprintf("1 – %d", MaxPercentOff)}
	case p.Kind == PromoFixedPrice && (p.FixedCents < 0 || p.FixedCents > MaxPriceCents):
		return &core.FieldError{Field: "fixed_cents", Code: "out_of_range", Message: "must be between 0 and the highest price a product may have"}
	case p.Kind != PromoPercent && p.Kind != PromoFixedPrice:
		return &core.FieldError{Field: "kind", Code: "not_allowed", Message: "must be one of: percent, fixed_price"}
	case !p.Ends.After(p.Starts):
		return &core.FieldError{Field: "ends", Code: "invalid", Message: "must be after starts"}
	case p.Ends.Sub(p.Starts) > MaxPromoDays*24*time.Hour:
		return &core.FieldError{Field: "ends", Code: "out_of_range", Message: fmt.Sprintf("a promotion lasts at most %d days", MaxPromoDays)}
	case len(p.ProductIDs) == 0 && len(p.Categories) == 0 && len(p.Tags) == 0:
		return &core.FieldError{Field: "product_ids", Code: "required", Message: "name products, categories or tags"}
	case len(p.ProductIDs)+len(p.Categories)+len(p.Tags)+len(p.ShopIDs) > maxPromoTargets:
		return &core.FieldError{Field: "product_ids", Code: "too_many", Message: fmt.Sprintf("at most %d products, categories, tags and shops in all", maxPromoTargets)}
	}
	for _, c := range p.Channels {
		if !slices.Contains(PromoChannels, c) {
			return &core.FieldError{Field: "channels", Code: "not_allowed", Message: "channels are kiosk, app, web"}
		}
	}
	for _, c := range p.Categories {
		if !slices.Contains(Categories, c) {
			return &core.FieldError{Field: "categories", Code: "not_allowed", Message: "categories are frames, sunglasses, contact_lenses, lens_care, accessories"}
		}
	}
	return nil
}

// MaxPriceCents is the highest price a product may have (€100,000).
const MaxPriceCents = 10_000_000

// appliesTo reports whether p lowers the price of product in shop at t.
func (p *Promotion) appliesTo(product *Product, shopID string, t time.Time) bool {
	if t.Before(p.Starts) || !t.Before(p.Ends) {
		return false
	}
	if len(p.ShopIDs) > 0 && !slices.Contains(p.ShopIDs, shopID) {
		return false
	}
	return slices.Contains(p.ProductIDs, product.ID) || slices.Contains(p.Categories, product.Category) ||
		slices.ContainsFunc(p.Tags, func(t string) bool { return slices.Contains(product.Tags, t) })
}

// PromoChannels are where a promotion may be advertised.
var PromoChannels = []string{"kiosk", "app", "web"}

// AdvertisedOn reports whether p is advertised on channel.
func (p *Promotion) AdvertisedOn(channel string) bool {
	return len(p.Channels) == 0 || slices.Contains(p.Channels, channel)
}

// Applies reports whether p gives product a price in shop at t.
func (p *Promotion) Applies(product *Product, shopID string, t time.Time) bool {
	return p.appliesTo(product, shopID, t)
}

// price is what p makes product cost; never more than the list price.
func (p *Promotion) price(product *Product) int64 {
	list := product.PriceCents
	switch p.Kind {
	case PromoPercent:
		// Rounded to the nearest cent, halves up: 15% of €33.33 is €4.9995,
		// so the price is €28.33.
		off := (list*int64(p.PercentOff) + 50) / 100
		return max(list-off, 0)
	case PromoFixedPrice:
		return min(p.FixedCents, list)
	}
	return list
}

// Quote is a product's price in a shop at an instant.
type Quote struct {
	ProductID  string `json:"product_id"`
	ListCents  int64  `json:"list_cents"`
	PriceCents int64  `json:"price_cents"`
	// PromotionID and Until name the promotion that gives the price and
	// when it ends; empty at list price.
	PromotionID string     `json:"promotion_id,omitempty"`
	Until       *time.Time `json:"until,omitempty"`
}

// Price is the one price engine: every surface (the app, the kiosk, the
// public product page) quotes a product through it, so the same product
// in the same shop at the same instant costs the same everywhere. Of the
// promotions that hold, the lowest price wins; on a tie, the one ending
// first, then the smaller id, so the choice does not depend on the order
// promotions come in.
func Price(product *Product, shopID string, at time.Time, promos []Promotion) Quote {
	q := Quote{ProductID: product.ID, ListCents: product.PriceCents, PriceCents: product.PriceCents}
	var best *Promotion
	for i := range promos {
		p := &promos[i]
		if !p.appliesTo(product, shopID, at) {
			continue
		}
		price := p.price(product)
		switch {
		case price > q.PriceCents:
			continue
		case best != nil && price == q.PriceCents:
			if p.Ends.After(best.Ends) || p.Ends.Equal(best.Ends) && p.ID > best.ID {
				continue
			}
		case best == nil && price == q.PriceCents:
			continue // no lower than the list price: no promotion to name
		}
		q.PriceCents, best = price, p
	}
	if best != nil {
		until := best.Ends
		q.PromotionID, q.Until = best.ID, &until
	}
	return q
}

// PromotionStore keeps promotions.
type PromotionStore interface {
	// CreatePromotion stores p. ECONFLICT if the id exists.
	CreatePromotion(ctx context.Context, p *Promotion) error
	// ActivePromotions returns the promotions holding at t (Starts ≤ t <
	// Ends), by id.
	ActivePromotions(ctx context.Context, t time.Time) ([]Promotion, error)
	// Promotions returns the promotions that end after t, by start then
	// id (the current and coming ones, for staff).
	Promotions(ctx context.Context, t time.Time) ([]Promotion, error)
	// DeletePromotion removes the promotion with id. ENOTFOUND if none.
	DeletePromotion(ctx context.Context, id string) error
}

// Euro writes cents as an Italian price: "1.159,00 €".
func Euro(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	units, rest := cents/100, cents%100
	s := strconv.FormatInt(units, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return fmt.Sprintf("%s%s,%02d €", sign, s, rest)
}
