package visit

import (
	"cmp"
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/ratelimit"
	"github.com/vista-optical/vista/backend/screen"
	"github.com/vista-optical/vista/backend/shop"
	"github.com/vista-optical/vista/backend/validate"
)

// Lifetimes of the phygital link.
const (
	// CodeTTL is how long a QR code can be claimed.
	CodeTTL = 60 * time.Second
	// Rotate is how often a display shows a new code.
	Rotate = 25 * time.Second
	// Idle ends a visit: a kiosk untouched this long starts a new one.
	Idle = 120 * time.Second
	// AnonymousRetention is how long an anonymous visit is kept.
	AnonymousRetention = 90 * 24 * time.Hour
)

// Rate limits of linking.
var (
	resolvesPerCustomer = ratelimit.Limit{Name: "visit-resolve", Max: 20, Window: time.Minute}
	// Claims are counted from the claims themselves, in the claim's own
	// write: no commit of a rate-limit hit before each.
	claimLimits = ClaimLimits{PerCustomer: 10, PerKiosk: 30, Window: time.Minute}
)

// Shops and Kiosks are what linking reads of shops and screens.
type (
	Shops interface {
		Shop(ctx context.Context, id string) (*shop.Shop, error)
	}
	Kiosks interface {
		Kiosk(ctx context.Context, id string) (*screen.Kiosk, error)
	}
)

// Service runs the phygital link.
type Service struct {
	// Validator checks inputs against their validate tags: the house's
	// one validator. Nil: a new one.
	Validator *validate.Validator
	Store     Store
	Tokens    *auth.Tokens
	Limiter   *ratelimit.Limiter
	Shops     Shops
	Kiosks    Kiosks
	Clock     core.Clock
	PublicURL func() string
	// Screens tells a kiosk its code was claimed, so it shows a new one,
	// and greets the visitor who allows it.
	Screens interface {
		Notify(ctx context.Context, e *screen.Event) error
	}
	// Customers is what visits read about customers: the customer service.
	Customers Customers
	// Retention is how long an anonymous visit (what a screen showed while
	// no one was linked) is kept.
	Retention time.Duration
}

// Customers is what visits read about a customer.
type Customers interface {
	// FirstName is a customer's first name, for the greeting.
	FirstName(ctx context.Context, customerID string) (string, error)
	// Active tells whether a customer exists and is not erased (staff
	// linking at the desk).
	Active(ctx context.Context, customerID string) (bool, error)
}

// KioskCode is a QR code a kiosk shows now.
type KioskCode struct {
	URL       string    `json:"url"`
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	VisitID   string    `json:"-"`
}

// URL is the address a QR code opens: PUBLIC_URL/q/<token>.
func (s *Service) ValidCode(token string) bool {
	_, err := s.Tokens.VerifyVisitLink(token)
	return err == nil
}

// URL is the address a visit code's token opens.
func (s *Service) URL(token string) string {
	return strings.TrimRight(s.PublicURL(), "/") + "/q/" + url.PathEscape(token)
}

// current returns the signed-in kiosk's open visit, or starts one.
func (s *Service) current(ctx context.Context, a core.Actor, now time.Time) (*Visit, error) {
	v, err := s.Store.OpenVisit(ctx, a.ID, now.Add(-Idle))
	if err == nil {
		return v, s.Store.TouchVisit(ctx, v.ID, now)
	}
	if !core.IsCode(err, core.ENOTFOUND) {
		return nil, err
	}
	v = &Visit{ID: "visit-" + core.NewID(), ShopID: a.Shop, KioskID: a.ID, StartedAt: now, LastAt: now}
	return v, s.Store.CreateVisit(ctx, v)
}

// linkedVisit is a new visit at a screen that is a customer's from its
// start: what linking makes when the screen's visit was linked meanwhile.
func linkedVisit(shopID, kioskID, customerID, via string, now time.Time) *Visit {
	return &Visit{ID: "visit-" + core.NewID(), ShopID: shopID, KioskID: kioskID, StartedAt: now, LastAt: now, CustomerID: customerID, LinkedAt: &now, Via: via}
}

// NewCode makes the code the signed-in kiosk shows next, bound to its
// open visit (a new one after Idle, or once the last was linked).
func (s *Service) NewCode(ctx context.Context) (*KioskCode, error) {
	a, _ := core.ActorFrom(ctx)
	if a.Kind != core.ActorKiosk {
		return nil, core.Errorf(core.EFORBIDDEN, "kiosks only")
	}
	now := s.Clock.Now()
	v, err := s.current(ctx, a, now)
	if err != nil {
		return nil, err
	}
	tok, link := s.Tokens.SignVisitLink(CodeTTL)
	c := &Code{ID: link.ID(), VisitID: v.ID, KioskID: a.ID, ShopID: a.Shop, CreatedAt: now, ExpiresAt: link.ExpiresAt}
	if err := s.Store.CreateCode(ctx, c); err != nil {
		return nil, err
	}
	if err := s.Store.AddVisitEvents(ctx, []Event{{VisitID: v.ID, Kind: "qr_shown", At: now}}); err != nil {
		return nil, err
	}
	return &KioskCode{URL: s.URL(tok), Token: tok, ExpiresAt: link.ExpiresAt, VisitID: v.ID}, nil
}

// Resolution is what the app shows before a customer confirms a link:
// where they are, and which screen.
type Resolution struct {
	Visit  *Visit `json:"visit"`
	Shop   Place  `json:"shop"`
	Screen struct {
		Label string `json:"label"`
	} `json:"screen"`
}

// Place names a shop.
type Place struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	City string `json:"city"`
}

// code verifies a token and limits the customer's attempts.
func (s *Service) code(ctx context.Context, raw string, l ratelimit.Limit) (string, auth.VisitLink, error) {
	id, err := core.SignedInCustomer(ctx)
	if err != nil {
		return "", auth.VisitLink{}, err
	}
	if err := s.Limiter.Hit(ctx, l, id); err != nil {
		return "", auth.VisitLink{}, err
	}
	link, err := s.Tokens.VerifyVisitLink(raw)
	return id, link, err
}

func (s *Service) resolution(ctx context.Context, c *Code, v *Visit) (*Resolution, error) {
	sh, err := s.Shops.Shop(ctx, c.ShopID)
	if err != nil {
		return nil, err
	}
	r := &Resolution{Visit: v, Shop: Place{ID: sh.ID, Name: sh.Name, City: sh.City}}
	if k, err := s.Kiosks.Kiosk(ctx, c.KioskID); err == nil {
		r.Screen.Label = k.Label
	}
	return r, nil
}

// Resolve is the first step of linking: the signed-in customer's app
// reads what a scanned code would link to, so that a code relayed from a
// stranger's screen (QRLJacking) is seen before it is confirmed.
func (s *Service) Resolve(ctx context.Context, raw string) (*Resolution, error) {
	customerID, link, err := s.code(ctx, raw, resolvesPerCustomer)
	if err != nil {
		return nil, err
	}
	if _, err := s.liveCode(ctx, link.ID()); err != nil {
		return nil, err
	}
	c, err := s.Store.ResolveCode(ctx, link.ID(), customerID, s.Clock.Now())
	if core.IsCode(err, core.ENOTFOUND) { // signed here, never shown: not a code of this deployment's screens
		return nil, auth.ErrLinkForged
	} else if err != nil {
		return nil, err
	}
	v, err := s.Store.Visit(ctx, c.VisitID)
	if err != nil {
		return nil, err
	}
	return s.resolution(ctx, c, &Visit{ID: v.ID, ShopID: v.ShopID, KioskID: v.KioskID, StartedAt: v.StartedAt, LastAt: v.LastAt})
}

// Claim is the second step: the code is claimed once and its visit
// becomes the customer's. If the visit was linked meanwhile (another code
// of it, or the desk), the customer owns a new visit at the same screen.
func (s *Service) Claim(ctx context.Context, raw string) (*Resolution, error) {
	customerID, err := core.SignedInCustomer(ctx)
	if err != nil {
		return nil, err
	}
	link, err := s.Tokens.VerifyVisitLink(raw)
	if err != nil {
		return nil, err
	}
	if _, err := s.liveCode(ctx, link.ID()); err != nil {
		return nil, err
	}
	c, v, err := s.Store.ClaimVisit(ctx, link.ID(), customerID, "qr", "visit-"+core.NewID(), s.Clock.Now(), claimLimits)
	switch {
	case core.IsCode(err, core.ENOTFOUND):
		return nil, auth.ErrLinkForged
	case core.IsCode(err, core.ETOOMANY):
		return nil, &ratelimit.Refused{Err: core.Errorf(core.ETOOMANY, "too many visits linked in the last minute: try again shortly"),
			After: int(claimLimits.Window.Seconds())}
	case err != nil:
		return nil, err
	}
	if err := s.tellScreen(ctx, c.ShopID, c.KioskID, customerID); err != nil {
		return nil, err
	}
	return s.resolution(ctx, c, v)
}

// liveCode returns code id if its screen is still paired: the codes of a
// revoked screen link nothing from the moment it is revoked, whatever
// their expiry says. ErrLinkForged for a code never shown.
func (s *Service) liveCode(ctx context.Context, id string) (*Code, error) {
	c, err := s.Store.Code(ctx, id)
	if core.IsCode(err, core.ENOTFOUND) {
		return nil, auth.ErrLinkForged
	} else if err != nil {
		return nil, err
	}
	k, err := s.Kiosks.Kiosk(ctx, c.KioskID)
	if core.IsCode(err, core.ENOTFOUND) || err == nil && k.RevokedAt != nil {
		return nil, core.Errorf(core.EGONE, "this screen is no longer in service")
	} else if err != nil {
		return nil, err
	}
	return c, nil
}

// Mine lists the signed-in customer's visits with what was recorded in
// each, newest first.
func (s *Service) Mine(ctx context.Context) ([]VisitView, error) {
	id, err := core.SignedInCustomer(ctx)
	if err != nil {
		return nil, err
	}
	return s.views(ctx, id)
}

// VisitView is a visit with its shop and events.
type VisitView struct {
	*Visit
	Shop   Place   `json:"shop"`
	Events []Event `json:"events"`
}

func (s *Service) views(ctx context.Context, customerID string) ([]VisitView, error) {
	vs, err := s.Store.CustomerVisits(ctx, customerID)
	if err != nil {
		return nil, err
	}
	out := make([]VisitView, 0, len(vs))
	for _, v := range vs {
		evs, err := s.Store.VisitEvents(ctx, v.ID)
		if err != nil {
			return nil, err
		}
		view := VisitView{Visit: v, Events: evs, Shop: Place{ID: v.ShopID}}
		if sh, err := s.Shops.Shop(ctx, v.ShopID); err == nil {
			view.Shop.Name, view.Shop.City = sh.Name, sh.City
		}
		out = append(out, view)
	}
	return out, nil
}

// tellScreen asks the kiosk for a new code and, if the customer allows
// it, greets them there by first name: nothing else about them ever
// reaches a screen.
func (s *Service) tellScreen(ctx context.Context, shopID, kioskID, customerID string) error {
	if s.Screens == nil {
		return nil
	}
	if err := s.Screens.Notify(ctx, &screen.Event{ShopID: shopID, KioskID: kioskID, Kind: screen.EventQR, Data: `{}`}); err != nil {
		return err
	}
	greet, err := s.Store.Greets(ctx, customerID)
	if err != nil || !greet || s.Customers == nil {
		return err
	}
	name, err := s.Customers.FirstName(ctx, customerID)
	if err != nil || name == "" {
		return err
	}
	data, _ := json.Marshal(map[string]string{"first_name": name})
	return s.Screens.Notify(ctx, &screen.Event{ShopID: shopID, KioskID: kioskID, Kind: screen.EventGreeting, Data: string(data)})
}

// Settings are a customer's choices about visits.
type Settings struct {
	// GreetOnScreens lets the shop's screen greet them by first name when
	// they link a visit. Off by default.
	GreetOnScreens bool `json:"greet_on_screens"`
}

// MySettings returns the signed-in customer's choices.
func (s *Service) MySettings(ctx context.Context) (*Settings, error) {
	id, err := core.SignedInCustomer(ctx)
	if err != nil {
		return nil, err
	}
	g, err := s.Store.Greets(ctx, id)
	return &Settings{GreetOnScreens: g}, err
}

// SaveMySettings records the signed-in customer's choices.
func (s *Service) SaveMySettings(ctx context.Context, in Settings) (*Settings, error) {
	if err := s.check(&in); err != nil {
		return nil, err
	}
	id, err := core.SignedInCustomer(ctx)
	if err != nil {
		return nil, err
	}
	return &in, s.Store.SetGreets(ctx, id, in.GreetOnScreens, s.Clock.Now())
}

// check validates in against its validate tags, phone numbers made E.164
// first; the surfaces only decode.
func (s *Service) check(in any) error {
	return cmp.Or(s.Validator, validate.Default).Struct(in)
}
