package screen

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
	"github.com/vista-optical/vista/backend/notify"
)

// OfferInput is an offer as staff push it.
type OfferInput struct {
	Title       string     `json:"title" validate:"required,max=80"`
	Text        string     `json:"text" validate:"max=280"`
	ImageURL    string     `json:"image_url" validate:"omitempty,max=500,http_url"`
	ProductIDs  []string   `json:"product_ids" validate:"max=12,dive,required,max=64"`
	PromotionID string     `json:"promotion_id" validate:"max=64"`
	Starts      *time.Time `json:"starts"`
	Until       *time.Time `json:"until"`
	Schedule    Schedule   `json:"schedule"`
	// App also sends it to the shop's app customers who consent to
	// marketing push; it always shows on the screens.
	App bool `json:"app"`
}

// Bounds on offers.
const (
	MaxOfferDays   = 92
	DefaultOfferTo = 7 * 24 * time.Hour
)

// offer checks in and makes it an offer of shopID ("" for the chain).
func (s *Service) offer(ctx context.Context, shopID string, in OfferInput, by string) (*Offer, error) {
	if err := s.check(&in); err != nil {
		return nil, err
	}
	if fe := in.Schedule.Check("schedule"); fe != nil {
		return nil, core.Invalid("the schedule is not valid", *fe)
	}
	now := s.Clock.Now()
	starts, ends := now, now.Add(DefaultOfferTo)
	if in.Starts != nil {
		starts = in.Starts.UTC().Truncate(time.Millisecond)
	}
	if in.Until != nil {
		ends = in.Until.UTC().Truncate(time.Millisecond)
	}
	switch {
	case starts.Before(now.Add(-24*time.Hour)) || starts.After(now.AddDate(0, 0, MaxOfferDays)):
		return nil, core.Invalid("the start is out of range", core.FieldError{Field: "starts", Code: "out_of_range", Message: fmt.Sprintf("must be within %d days from now", MaxOfferDays)})
	case !ends.After(now) || !ends.After(starts):
		return nil, core.Invalid("the offer would be over", core.FieldError{Field: "until", Code: "in_the_past", Message: "must be in the future and after starts"})
	case ends.Sub(starts) > MaxOfferDays*24*time.Hour:
		return nil, core.Invalid("the offer is too long", core.FieldError{Field: "until", Code: "out_of_range", Message: fmt.Sprintf("an offer lasts at most %d days", MaxOfferDays)})
	}
	for i, id := range in.ProductIDs {
		if _, err := s.Catalog.Store.Product(ctx, id); core.IsCode(err, core.ENOTFOUND) {
			return nil, core.Invalid("unknown product", core.FieldError{Field: fmt.Sprintf("product_ids[%d]", i), Code: "unknown", Message: "is not a product of the catalog"})
		} else if err != nil {
			return nil, err
		}
	}
	return &Offer{ID: core.NewID(), ShopID: shopID, Title: strings.TrimSpace(in.Title), Text: strings.TrimSpace(in.Text), ImageURL: in.ImageURL,
		ProductIDs: in.ProductIDs, PromotionID: in.PromotionID, Starts: starts, Ends: ends, Schedule: in.Schedule, CreatedBy: by, CreatedAt: now}, nil
}

// Broadcast is a pushed offer and who it reached.
type Broadcast struct {
	Offer *Offer `json:"offer"`
	// Customers is how many app customers it was queued for.
	Customers int `json:"customers"`
}

// Push creates an offer for a shop (an owner may pass "" for the whole
// chain) and pushes it: to the screens at once through the event stream,
// and to consenting app customers through the outbox when asked.
func (s *Service) Push(ctx context.Context, shopID string, in OfferInput) (*Broadcast, error) {
	a, _ := core.ActorFrom(ctx)
	if shopID == "" {
		if a.Kind != core.ActorStaff || a.Role != core.RoleOwner {
			return nil, core.Errorf(core.EFORBIDDEN, "only an owner pushes an offer to the whole chain")
		}
	} else if _, err := core.ManagerOf(ctx, shopID); err != nil {
		return nil, err
	}
	o, err := s.offer(ctx, shopID, in, a.ID)
	if err != nil {
		return nil, err
	}
	if err := s.Store.CreateOffer(ctx, o); err != nil {
		return nil, err
	}
	b := &Broadcast{Offer: o}
	data, _ := json.Marshal(map[string]string{"id": o.ID, "title": o.Title})
	if err := s.append(ctx, &Event{ShopID: shopID, Kind: EventOffer, Data: string(data)}); err != nil {
		return nil, err
	}
	if in.App {
		n, err := s.sendToApp(ctx, o)
		if err != nil {
			return b, err
		}
		b.Customers, o.Customers = n, n
		if err := s.Store.SetOfferCustomers(ctx, o.ID, n); err != nil {
			return b, err
		}
	}
	return b, nil
}

// shops is the shop ids an offer of shopID concerns.
func (s *Service) shops(ctx context.Context, shopID string) ([]string, error) {
	if shopID != "" {
		return []string{shopID}, nil
	}
	all, err := s.Catalog.Shops.Shops(ctx)
	ids := make([]string, 0, len(all))
	for _, sh := range all {
		ids = append(ids, sh.ID)
	}
	return ids, err
}

// audience calls fn for each customer of the shops of shopID who
// consents now to marketing push.
func (s *Service) audience(ctx context.Context, shopID string, fn func(*customer.Customer) error) error {
	ids, err := s.shops(ctx, shopID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		p := core.Page{Limit: 500}
		for {
			cs, err := s.Customers.CustomersByShop(ctx, id, p)
			if err != nil {
				return err
			}
			for _, c := range cs {
				ok, err := s.Consents.Granted(ctx, c.ID, core.ChannelPush, core.PurposeMarketing)
				if err != nil {
					return err
				}
				if ok {
					if err := fn(c); err != nil {
						return err
					}
				}
			}
			if len(cs) < p.Limit {
				break
			}
			p.After = customer.Place(cs[len(cs)-1])
		}
	}
	return nil
}

// Reach counts the app customers an offer of shopID would reach now, for
// staff to see before sending.
func (s *Service) Reach(ctx context.Context, shopID string) (int, error) {
	a, _ := core.ActorFrom(ctx)
	if a.Kind != core.ActorStaff || !a.CanSeeShop(shopID) {
		return 0, core.Errorf(core.ENOTFOUND, "shop not found")
	}
	n := 0
	err := s.audience(ctx, shopID, func(*customer.Customer) error { n++; return nil })
	return n, err
}

// sendToApp queues o as a marketing push and an inbox entry for each
// consenting customer; consent, quiet hours and caps apply again when
// each is sent. A resend of the same offer is the same messages.
func (s *Service) sendToApp(ctx context.Context, o *Offer) (int, error) {
	now := s.Clock.Now()
	n := 0
	var batch []*notify.Message
	flush := func() error {
		_, err := s.Outbox.EnqueueMessages(ctx, batch)
		batch = batch[:0]
		return err
	}
	err := s.audience(ctx, o.ShopID, func(c *customer.Customer) error {
		n++
		for _, ch := range []core.Channel{notify.ChannelPush, notify.ChannelInbox} {
			batch = append(batch, &notify.Message{ID: core.NewID(), CustomerID: c.ID, ShopID: c.ShopID, Channel: ch, Purpose: notify.PurposeMarketing,
				DedupeKey: "offer:" + o.ID + ":" + c.ID + ":" + string(ch), Cause: "offer:" + o.ID, Title: o.Title, Body: o.Text,
				Data: map[string]string{"offer_id": o.ID, "kind": "offer"}, DueAt: now, Status: notify.StatusPending, CreatedAt: now, UpdatedAt: now})
		}
		if len(batch) >= 500 {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	return n, err
}

// StaffOffers lists the current and coming offers of a shop (and the
// chain's), newest first.
func (s *Service) StaffOffers(ctx context.Context, shopID string) ([]*Offer, error) {
	if a, _ := core.ActorFrom(ctx); a.Kind != core.ActorStaff || !a.CanSeeShop(shopID) {
		return nil, core.Errorf(core.ENOTFOUND, "shop not found")
	}
	return s.Store.Offers(ctx, shopID, s.Clock.Now(), 100)
}

// EndOffer takes an offer off the screens now.
func (s *Service) EndOffer(ctx context.Context, shopID, id string) error {
	a, err := core.ManagerOf(ctx, shopID)
	if err != nil {
		return err
	}
	o, err := s.Store.Offer(ctx, id)
	if err != nil || o.ShopID != shopID && !(o.ShopID == "" && a.Role == core.RoleOwner) {
		return core.Errorf(core.ENOTFOUND, "offer not found")
	}
	if err := s.Store.EndOffer(ctx, id, s.Clock.Now()); err != nil {
		return err
	}
	return s.append(ctx, &Event{ShopID: o.ShopID, Kind: EventContent, Data: `{}`})
}

// StaffOffer is an offer of shopID (or the chain's), ended or not, for its
// staff: what a play of long ago showed.
func (s *Service) StaffOffer(ctx context.Context, shopID, id string) (*Offer, error) {
	if a, _ := core.ActorFrom(ctx); a.Kind != core.ActorStaff || !a.CanSeeShop(shopID) {
		return nil, core.Errorf(core.ENOTFOUND, "shop not found")
	}
	o, err := s.Store.Offer(ctx, id)
	if err != nil || o.ShopID != "" && o.ShopID != shopID {
		return nil, core.Errorf(core.ENOTFOUND, "offer not found")
	}
	return o, nil
}

// DefaultOfferEnd is the day a new offer ends unless staff choose: a week
// from today in loc.
func (s *Service) DefaultOfferEnd(loc *time.Location) string {
	return s.Clock.Now().In(loc).AddDate(0, 0, 7).Format(time.DateOnly)
}
