package screen

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
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
	CustomersByShop(ctx context.Context, shop string, p customer.Page) ([]*customer.Customer, error)
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

// Pairing codes: 8 characters of an alphabet without look-alikes (no 0/O,
// 1/I), 40 bits, valid a few minutes, used once. Pair attempts are limited
// per address (per /64 for IPv6: web.ClientKey), so guessing one of the
// few live codes is out of reach, and a wrong code spends nobody else's
// budget: there is no service-wide bucket that an attacker could drain to
// lock every shop out. Codes are bounded where they are made (per member).
const (
	codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	codeLen      = 8
	PairingTTL   = 10 * time.Minute
)

// Rate limits of pairing.
var (
	PairIP       = ratelimit.Limit{Name: "kiosk-pair-ip", Max: 10, Window: 15 * time.Minute}
	pairingCodes = ratelimit.Limit{Name: "kiosk-pairing-codes", Max: 30, Window: time.Hour}
)

// MaxKiosksPerShop bounds the screens one shop may pair.
const MaxKiosksPerShop = 100

var inputs = validate.New()

func hashCode(code string) string {
	sum := sha256.Sum256([]byte("vista-kiosk-pairing:" + code))
	return hex.EncodeToString(sum[:])
}

// normalizeCode reads what a person typed: case, dashes and spaces aside.
func normalizeCode(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// FormatCode shows a code in two groups of four, as people read it aloud.
func FormatCode(code string) string { return code[:4] + "-" + code[4:] }

// CreatePairingCode makes a pairing code for a shop, for its manager or
// an owner.
func (s *Service) CreatePairingCode(ctx context.Context, shopID string) (string, time.Time, error) {
	a, err := core.ManagerOf(ctx, shopID)
	if err != nil {
		return "", time.Time{}, err
	}
	if _, err := s.Catalog.Shops.Shop(ctx, shopID); err != nil {
		return "", time.Time{}, err
	}
	if err := s.Limiter.Hit(ctx, pairingCodes, a.ID); err != nil {
		return "", time.Time{}, err
	}
	b := make([]byte, codeLen)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)] // 256 is a multiple of 32: no bias
	}
	code := string(b)
	now := s.Clock.Now()
	pc := &PairingCode{Hash: hashCode(code), ShopID: shopID, CreatedBy: a.ID, CreatedAt: now, ExpiresAt: now.Add(PairingTTL)}
	if err := s.Store.CreatePairingCode(ctx, pc); err != nil {
		return "", time.Time{}, err
	}
	return FormatCode(code), pc.ExpiresAt, nil
}

// PairInput is what a browser sends to become a kiosk.
type PairInput struct {
	Code  string `json:"code" validate:"required,max=20"`
	Label string `json:"label" validate:"max=60"`
}

// Pair turns a pairing code into a kiosk of its shop and the kiosk's
// device token. ENOTFOUND for a code never made, EGONE for one used or
// expired. The caller applies the per-address limit (PairIP).
func (s *Service) Pair(ctx context.Context, in PairInput) (string, *Kiosk, error) {
	if err := inputs.Struct(&in); err != nil {
		return "", nil, err
	}
	code := normalizeCode(in.Code)
	if len(code) != codeLen || strings.Trim(code, codeAlphabet) != "" {
		return "", nil, core.Errorf(core.ENOTFOUND, "no such pairing code: ask the shop's manager for a new one")
	}
	now := s.Clock.Now()
	pc, err := s.Store.UsePairingCode(ctx, hashCode(code), now)
	switch {
	case core.IsCode(err, core.ENOTFOUND):
		return "", nil, core.Errorf(core.ENOTFOUND, "no such pairing code: ask the shop's manager for a new one")
	case core.IsCode(err, core.EGONE):
		return "", nil, core.Errorf(core.EGONE, "this pairing code was used or has expired: ask for a new one")
	case err != nil:
		return "", nil, err
	}
	kiosks, err := s.Store.ShopKiosks(ctx, pc.ShopID)
	if err != nil {
		return "", nil, err
	}
	if len(slices.DeleteFunc(kiosks, func(k *Kiosk) bool { return k.RevokedAt != nil })) >= MaxKiosksPerShop {
		return "", nil, core.Errorf(core.ECONFLICT, "this shop has %d screens: revoke one first", MaxKiosksPerShop)
	}
	label := strings.TrimSpace(in.Label)
	if label == "" {
		label = "Schermo " + now.Format("02/01 15:04")
	}
	k := &Kiosk{ID: "kiosk-" + core.NewID(), ShopID: pc.ShopID, Label: label, CreatedAt: now, LastSeenAt: &now}
	if err := s.Store.CreateKiosk(ctx, k); err != nil {
		return "", nil, err
	}
	tok, err := s.Token(k)
	return tok, k, err
}

// Token signs a new device token for k.
func (s *Service) Token(k *Kiosk) (string, error) {
	tok, _, err := s.Tokens.Sign(auth.KioskDevice, k.ID, auth.Claims{Shop: k.ShopID})
	return tok, err
}

// Authenticate loads the kiosk behind a verified device token: a revoked
// or removed kiosk is refused, whatever its token says.
func (s *Service) Authenticate(ctx context.Context, kioskID string) (core.Actor, error) {
	k, err := s.Store.Kiosk(ctx, kioskID)
	if core.IsCode(err, core.ENOTFOUND) || err == nil && k.RevokedAt != nil {
		return core.Actor{}, auth.ErrInvalidToken
	} else if err != nil {
		return core.Actor{}, err
	}
	return core.Actor{Kind: core.ActorKiosk, ID: k.ID, Shop: k.ShopID}, nil
}

// Kiosks lists a shop's screens to its staff.
func (s *Service) Kiosks(ctx context.Context, shopID string) ([]*Kiosk, error) {
	if a, _ := core.ActorFrom(ctx); a.Kind != core.ActorStaff || !a.CanSeeShop(shopID) {
		return nil, core.Errorf(core.ENOTFOUND, "shop not found")
	}
	return s.Store.ShopKiosks(ctx, shopID)
}

// KioskChange renames or revokes a screen.
type KioskChange struct {
	Label  *string `json:"label" validate:"omitempty,min=1,max=60"`
	Revoke bool    `json:"revoke"`
}

// ChangeKiosk renames a screen or revokes it. A revoked screen is told at
// once (an event) and refused from then on.
func (s *Service) ChangeKiosk(ctx context.Context, shopID, id string, in KioskChange) (*Kiosk, error) {
	if _, err := core.ManagerOf(ctx, shopID); err != nil {
		return nil, err
	}
	if err := inputs.Struct(&in); err != nil {
		return nil, err
	}
	k, err := s.Store.Kiosk(ctx, id)
	if err != nil || k.ShopID != shopID {
		return nil, core.Errorf(core.ENOTFOUND, "kiosk not found")
	}
	if in.Label != nil {
		k.Label = strings.TrimSpace(*in.Label)
	}
	now := s.Clock.Now()
	revoking := in.Revoke && k.RevokedAt == nil
	if revoking {
		k.RevokedAt = &now
	}
	if err := s.Store.UpdateKiosk(ctx, k); err != nil {
		return nil, err
	}
	if revoking {
		if err := s.append(ctx, &Event{ShopID: k.ShopID, KioskID: k.ID, Kind: EventRevoked, Data: `{}`}); err != nil {
			return nil, err
		}
	}
	return k, nil
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
	if err := inputs.Struct(&in); err != nil {
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
		p := customer.Page{Limit: 500}
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
			p.After = cs[len(cs)-1].ID
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
	if err := inputs.Struct(&in); err != nil {
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
