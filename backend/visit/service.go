package visit

import (
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

// Checkins lists who is or was in a shop on date (YYYY-MM-DD in the
// shop's zone; "" for today by the service's clock), newest first, for
// its staff.
func (s *Service) Checkins(ctx context.Context, shopID, date string) ([]*Visit, error) {
	if a, _ := core.ActorFrom(ctx); a.Kind != core.ActorStaff || !a.CanSeeShop(shopID) {
		return nil, core.Errorf(core.ENOTFOUND, "shop not found")
	}
	sh, err := s.Shops.Shop(ctx, shopID)
	if err != nil {
		return nil, err
	}
	loc := sh.Location()
	y, m, d := s.Clock.Now().In(loc).Date()
	from := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if date != "" {
		if from, err = time.ParseInLocation(time.DateOnly, date, loc); err != nil || from.Year() < 2000 || from.Year() > 2100 {
			return nil, core.Invalid("date is not a date", core.FieldError{Field: "date", Code: "invalid_date", Message: "must be a date written YYYY-MM-DD"})
		}
	}
	return s.Store.ShopCheckins(ctx, shopID, from, from.AddDate(0, 0, 1))
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
	id, err := core.SignedInCustomer(ctx)
	if err != nil {
		return nil, err
	}
	return &in, s.Store.SetGreets(ctx, id, in.GreetOnScreens, s.Clock.Now())
}

// Landing is what the web page of a scanned code shows to a phone
// without the app, and the pending link its browser keeps.
type Landing struct {
	Shop    Place
	Screen  string
	Pending string // a PendingVisit token
}

// Peek is what the landing page of a code shows on GET: where the screen
// is, without using the code up, so that link previews and prefetching
// scanners take nobody's visit. ErrLinkExpired, ErrLinkForged and
// ErrLinkMalformed say why a code is refused.
func (s *Service) Peek(ctx context.Context, raw string) (*Landing, error) {
	c, err := s.landingCode(ctx, raw)
	if err != nil {
		return nil, err
	}
	return s.landing(ctx, c, "")
}

// Land is the landing page's button (a POST): the code is used up (its
// visit is kept for this browser for auth.PendingVisit.TTL), so that a
// sign-up minutes later still links it. A code someone already claimed
// still tells where the screen is: this browser's person then owns the
// screen's next visit. Errors as for Peek.
func (s *Service) Land(ctx context.Context, raw string) (*Landing, error) {
	c, err := s.landingCode(ctx, raw)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	visitID := ""
	if c.ClaimedAt == nil {
		browser := "web:" + core.NewID()
		if _, err := s.Store.ResolveCode(ctx, c.ID, browser, now); err == nil {
			if _, err := s.Store.ClaimCode(ctx, c.ID, browser, now); err == nil {
				visitID = c.VisitID
				if err := s.Store.AddVisitEvents(ctx, []Event{{VisitID: visitID, Kind: "qr_scanned", At: now}}); err != nil {
					return nil, err
				}
			}
		}
	}
	return s.landing(ctx, c, visitID)
}

func (s *Service) landingCode(ctx context.Context, raw string) (*Code, error) {
	link, err := s.Tokens.VerifyVisitLink(raw)
	if err != nil {
		return nil, err
	}
	return s.liveCode(ctx, link.ID())
}

// landing describes c's screen, with a pending link to visitID ("": the
// screen's next visit).
func (s *Service) landing(ctx context.Context, c *Code, visitID string) (*Landing, error) {
	pending, _, err := s.Tokens.Sign(auth.PendingVisit, c.KioskID, auth.Claims{Shop: c.ShopID, Visit: visitID})
	if err != nil {
		return nil, core.Internal(err)
	}
	sh, err := s.Shops.Shop(ctx, c.ShopID)
	if err != nil {
		return nil, err
	}
	l := &Landing{Shop: Place{ID: sh.ID, Name: sh.Name, City: sh.City}, Pending: pending}
	if k, err := s.Kiosks.Kiosk(ctx, c.KioskID); err == nil {
		l.Screen = k.Label
	}
	return l, nil
}

// PendingShop is the shop of the visit a browser keeps (pending, its
// cookie): the home shop of a person who signs up there.
func (s *Service) PendingShop(pending string) (string, error) {
	claims, err := s.Tokens.Verify(auth.PendingVisit, pending)
	if err != nil {
		return "", err
	}
	return claims.Shop, nil
}

// LinkPending links the visit a browser kept (Land) to the customer who
// just signed up or in there: that visit, or, if it was not kept or was
// linked meanwhile, a new visit at the same screen. It returns the shop.
func (s *Service) LinkPending(ctx context.Context, pending, customerID string) (*Place, error) {
	claims, err := s.Tokens.Verify(auth.PendingVisit, pending)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	err = core.Errorf(core.ECONFLICT, "no visit kept")
	if claims.Visit != "" {
		err = s.Store.LinkVisit(ctx, claims.Visit, customerID, "web", now)
	}
	if core.IsCode(err, core.ECONFLICT) {
		err = s.Store.CreateVisit(ctx, linkedVisit(claims.Shop, claims.Subject, customerID, "web", now))
	}
	if err != nil {
		return nil, err
	}
	if err := s.tellScreen(ctx, claims.Shop, claims.Subject, customerID); err != nil {
		return nil, err
	}
	sh, err := s.Shops.Shop(ctx, claims.Shop)
	if err != nil {
		return nil, err
	}
	return &Place{ID: sh.ID, Name: sh.Name, City: sh.City}, nil
}

// Record notes what the signed-in kiosk showed a visitor on request (a
// product opened on the totem) in its open visit, starting one if needed.
func (s *Service) Record(ctx context.Context, kind, itemID string) error {
	a, _ := core.ActorFrom(ctx)
	if a.Kind != core.ActorKiosk {
		return core.Errorf(core.EFORBIDDEN, "kiosks only")
	}
	now := s.Clock.Now()
	v, err := s.current(ctx, a, now)
	if err != nil {
		return err
	}
	return s.Store.AddVisitEvents(ctx, []Event{{VisitID: v.ID, Kind: kind, ItemID: itemID, At: now}})
}

// LinkAtDesk links the visit a screen of shopID is showing now (or a new
// one there) to a customer standing at the desk, for the shop's staff.
func (s *Service) LinkAtDesk(ctx context.Context, shopID, kioskID, customerID string) (*Visit, error) {
	if a, _ := core.ActorFrom(ctx); a.Kind != core.ActorStaff || !a.CanSeeShop(shopID) {
		return nil, core.Errorf(core.ENOTFOUND, "shop not found")
	}
	k, err := s.Kiosks.Kiosk(ctx, kioskID)
	if err != nil || k.ShopID != shopID {
		return nil, core.Errorf(core.ENOTFOUND, "kiosk not found")
	}
	if s.Customers != nil {
		if ok, err := s.Customers.Active(ctx, customerID); err != nil {
			return nil, err
		} else if !ok {
			return nil, core.Invalid("unknown customer", core.FieldError{Field: "customer_id", Code: "unknown", Message: "is not an active customer"})
		}
	}
	now := s.Clock.Now()
	v, err := s.Store.OpenVisit(ctx, kioskID, now.Add(-Idle))
	if err == nil {
		err = s.Store.LinkVisit(ctx, v.ID, customerID, "desk", now)
	}
	if core.IsCode(err, core.ENOTFOUND) || core.IsCode(err, core.ECONFLICT) {
		v = linkedVisit(shopID, kioskID, customerID, "desk", now)
		err = s.Store.CreateVisit(ctx, v)
	}
	if err != nil {
		return nil, err
	}
	if err := s.tellScreen(ctx, shopID, kioskID, customerID); err != nil {
		return nil, err
	}
	return s.Store.Visit(ctx, v.ID)
}

// ForStaff lists a customer's visits to staff, once the caller has checked
// that the staff member may see the customer (the timeline does).
func (s *Service) ForStaff(ctx context.Context, customerID string) ([]VisitView, error) {
	if a, _ := core.ActorFrom(ctx); a.Kind != core.ActorStaff {
		return nil, core.Errorf(core.EFORBIDDEN, "staff only")
	}
	return s.views(ctx, customerID)
}

// RecordShown notes offers the signed-in kiosk showed in its open visit,
// if one is open: a screen playing to an empty shop starts no visit.
func (s *Service) RecordShown(ctx context.Context, kind string, itemIDs []string) error {
	a, _ := core.ActorFrom(ctx)
	if a.Kind != core.ActorKiosk || len(itemIDs) == 0 {
		return nil
	}
	now := s.Clock.Now()
	v, err := s.Store.OpenVisit(ctx, a.ID, now.Add(-Idle))
	if core.IsCode(err, core.ENOTFOUND) {
		return nil
	} else if err != nil {
		return err
	}
	es := make([]Event, 0, len(itemIDs))
	for _, id := range itemIDs {
		es = append(es, Event{VisitID: v.ID, Kind: kind, ItemID: id, At: now})
	}
	return s.Store.AddVisitEvents(ctx, es)
}

// End closes the signed-in kiosk's visit (a shopper's "Fine" on the
// totem): the next visitor starts a new one and the codes shown for the
// last stop linking.
func (s *Service) End(ctx context.Context) error {
	a, _ := core.ActorFrom(ctx)
	if a.Kind != core.ActorKiosk {
		return core.Errorf(core.EFORBIDDEN, "kiosks only")
	}
	return s.Store.EndVisit(ctx, a.ID, s.Clock.Now())
}

// CheckIn opens a visit at shopID linked to a customer who arrived for
// a booking (staff marked them arrived): no screen is involved.
func (s *Service) CheckIn(ctx context.Context, shopID, customerID string) (string, error) {
	if a, _ := core.ActorFrom(ctx); a.Kind != core.ActorStaff || !a.CanSeeShop(shopID) {
		return "", core.Errorf(core.ENOTFOUND, "shop not found")
	}
	v := linkedVisit(shopID, "", customerID, "booking", s.Clock.Now())
	if err := s.Store.CreateVisit(ctx, v); err != nil {
		return "", err
	}
	return v.ID, nil
}
