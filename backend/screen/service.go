package screen

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/ratelimit"
	"github.com/vista-optical/vista/backend/shop"
	"github.com/vista-optical/vista/backend/validate"
)

// Customers is what offers read of customers: those of a shop, and
// whether one consents to marketing push now.
type Customers interface {
	CustomersByShop(ctx context.Context, shop string, p core.Page) ([]*customer.Customer, error)
}

// Consents tells whether a customer consents now.
type Consents interface {
	Granted(ctx context.Context, customerID string, channel core.Channel, purpose core.Purpose) (bool, error)
}

// Outbox is where offers sent to the app go.
type Outbox interface {
	EnqueueMessages(ctx context.Context, ms []*notify.Message) (int, error)
}

// Service pairs kiosks, pushes offers to screens and to the app, and
// tells each screen what to show now.
type Service struct {
	// Validator checks inputs against their validate tags: the house's
	// one validator. Nil: a new one.
	Validator *validate.Validator
	Store     Store
	Catalog   *catalog.Service
	Tokens    *auth.Tokens
	Limiter   *ratelimit.Limiter
	Customers Customers
	Consents  Consents
	Outbox    Outbox
	Clock     core.Clock
	// Appended is told of every event this instance appends, so that its
	// own screens need not wait for the next poll (Hub.Wake).
	Appended func()
}

// Notify sends e to the screens it names (its shop, or one kiosk), from
// any instance: other capabilities tell screens through it (a visit
// claimed, a greeting).
func (s *Service) Notify(ctx context.Context, e *Event) error { return s.append(ctx, e) }

func (s *Service) append(ctx context.Context, e *Event) error {
	e.At = s.Clock.Now()
	if err := s.Store.AppendEvent(ctx, e); err != nil {
		return err
	}
	if s.Appended != nil {
		s.Appended()
	}
	return nil
}

// PlayInput is what a screen reports: what it shows now, and the items it
// showed since its last report.
type PlayInput struct {
	Showing string `json:"showing" validate:"max=100"`
	Plays   []struct {
		ItemKind string    `json:"item_kind" validate:"required,oneof=offer product promotion"`
		ItemID   string    `json:"item_id" validate:"required,max=64"`
		ShownAt  time.Time `json:"shown_at" validate:"required"`
		Seconds  int       `json:"seconds" validate:"min=0,max=3600"`
	} `json:"plays" validate:"max=500,dive"`
}

// PlayRetention is how long proof of play is kept.
const PlayRetention = 180 * 24 * time.Hour

// ReportPlays records a screen's heartbeat and proof of play. Plays from
// more than a day ago or from the future are refused (a screen's clock
// gone wrong would blur what KPIs join on).
func (s *Service) ReportPlays(ctx context.Context, in PlayInput) (int, error) {
	a, _ := core.ActorFrom(ctx)
	if a.Kind != core.ActorKiosk {
		return 0, core.Errorf(core.EFORBIDDEN, "kiosks only")
	}
	if err := s.check(&in); err != nil {
		return 0, err
	}
	now := s.Clock.Now()
	ps := make([]Play, 0, len(in.Plays))
	for i, p := range in.Plays {
		if p.ShownAt.Before(now.Add(-24*time.Hour)) || p.ShownAt.After(now.Add(5*time.Minute)) {
			return 0, core.Invalid("a play is out of range", core.FieldError{Field: fmt.Sprintf("plays[%d].shown_at", i), Code: "out_of_range", Message: "must be within the last 24 hours"})
		}
		ps = append(ps, Play{KioskID: a.ID, ShopID: a.Shop, ItemKind: p.ItemKind, ItemID: p.ItemID, ShownAt: p.ShownAt.UTC().Truncate(time.Millisecond), Seconds: p.Seconds})
	}
	if err := s.Store.TouchKiosk(ctx, a.ID, now, in.Showing); err != nil {
		return 0, err
	}
	return len(ps), s.Store.RecordPlays(ctx, ps)
}

// Heartbeat records that a screen is connected.
func (s *Service) Heartbeat(ctx context.Context) error {
	a, _ := core.ActorFrom(ctx)
	return s.Store.TouchKiosk(ctx, a.ID, s.Clock.Now(), "")
}

// ShopPlays lists a shop's proof of play since t (the last 24 hours for
// the zero time), newest first.
func (s *Service) ShopPlays(ctx context.Context, shopID string, since time.Time, limit int) ([]Play, error) {
	if a, _ := core.ActorFrom(ctx); a.Kind != core.ActorStaff || !a.CanSeeShop(shopID) {
		return nil, core.Errorf(core.ENOTFOUND, "shop not found")
	}
	if since.IsZero() {
		since = s.Clock.Now().Add(-24 * time.Hour)
	}
	return s.Store.Plays(ctx, shopID, since, min(max(limit, 1), 1000))
}

// Kiosk is the signed-in screen itself.
func (s *Service) Kiosk(ctx context.Context) (*Kiosk, error) {
	a, _ := core.ActorFrom(ctx)
	if a.Kind != core.ActorKiosk {
		return nil, core.Errorf(core.EFORBIDDEN, "kiosks only")
	}
	return s.Store.Kiosk(ctx, a.ID)
}

// HoursToday are the opening periods of sh today, in its zone: what a
// window display says when it has nothing else to show.
func (s *Service) HoursToday(sh *shop.Shop) []shop.Span {
	return sh.Hours.SpansOn(s.Clock.Now(), sh.Location())
}

// Replay is what the signed-in screen missed since the event after: the
// log's events for the chain, its shop or itself. A screen more than max
// events behind gets one content event at the log's last, to start again
// from its content.
func (s *Service) Replay(ctx context.Context, after int64, max int) ([]Event, error) {
	a, _ := core.ActorFrom(ctx)
	if a.Kind != core.ActorKiosk {
		return nil, core.Errorf(core.EFORBIDDEN, "kiosks only")
	}
	evs, err := s.Store.EventsAfter(ctx, after, max+1)
	if err != nil {
		return nil, err
	}
	if len(evs) > max {
		return []Event{{Seq: evs[len(evs)-1].Seq, Kind: EventContent, Data: `{}`}}, nil
	}
	var replay []Event
	for _, e := range evs {
		if e.ShopID == "" || e.ShopID == a.Shop && (e.KioskID == "" || e.KioskID == a.ID) {
			replay = append(replay, e)
		}
	}
	return replay, nil
}

// Content is what a screen shows now: the shop's offers on their
// schedule, products on a promotion advertised on screens, and
// novelties, every price from the one price engine. It holds nothing
// personal.
type Content struct {
	Shop struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		City string `json:"city"`
	} `json:"shop"`
	At        time.Time         `json:"at"`
	Offers    []OfferSlide      `json:"offers"`
	Promoted  []catalog.Listing `json:"promoted"`
	Novelties []catalog.Listing `json:"novelties"`
}

// OfferSlide is an offer as a screen shows it.
type OfferSlide struct {
	ID       string            `json:"id"`
	Title    string            `json:"title"`
	Text     string            `json:"text,omitempty"`
	ImageURL string            `json:"image_url,omitempty"`
	Until    time.Time         `json:"until"`
	Products []catalog.Listing `json:"products"`
}

// Bounds on what one screen shows.
const (
	maxOffersShown   = 20
	maxProductsShown = 12
)

// Content returns what the signed-in kiosk shows now.
func (s *Service) Content(ctx context.Context) (*Content, error) {
	a, _ := core.ActorFrom(ctx)
	if a.Kind != core.ActorKiosk {
		return nil, core.Errorf(core.EFORBIDDEN, "kiosks only")
	}
	sh, err := s.Catalog.Shops.Shop(ctx, a.Shop)
	if err != nil {
		return nil, err
	}
	return s.ShopContent(ctx, sh, "kiosk")
}

// ShopContent is what sh advertises now on channel ("kiosk" or "app"):
// its offers (on their schedule, for screens), products on a promotion
// advertised there, and novelties.
func (s *Service) ShopContent(ctx context.Context, sh *shop.Shop, channel string) (*Content, error) {
	now := s.Clock.Now()
	c := &Content{At: now, Offers: []OfferSlide{}}
	c.Shop.ID, c.Shop.Name, c.Shop.City = sh.ID, sh.Name, sh.City
	offers, err := s.Store.Offers(ctx, sh.ID, now, 100)
	if err != nil {
		return nil, err
	}
	loc := sh.Location()
	for _, o := range offers {
		if o.Starts.After(now) || channel == "kiosk" && !o.Schedule.Holds(now, loc) || len(c.Offers) == maxOffersShown {
			continue
		}
		slide := OfferSlide{ID: o.ID, Title: o.Title, Text: o.Text, ImageURL: o.ImageURL, Until: o.Ends, Products: []catalog.Listing{}}
		if len(o.ProductIDs) > 0 {
			if slide.Products, _, err = s.Catalog.ShopProducts(ctx, sh, catalog.Search{IDs: o.ProductIDs, Limit: maxProductsShown}); err != nil {
				return nil, err
			}
		}
		c.Offers = append(c.Offers, slide)
	}
	if c.Promoted, _, err = s.Catalog.Promoted(ctx, sh, channel, maxProductsShown); err != nil {
		return nil, err
	}
	if c.Novelties, _, err = s.Catalog.ShopProducts(ctx, sh, catalog.Search{Novelty: true, Limit: maxProductsShown}); err != nil {
		return nil, err
	}
	return c, nil
}

// check validates in against its validate tags, phone numbers made E.164
// first; the surfaces only decode.
func (s *Service) check(in any) error {
	return cmp.Or(s.Validator, validate.Default).Struct(in)
}
