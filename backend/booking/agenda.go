package booking

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/shop"
	"github.com/vista-optical/vista/backend/validate"
)

// Shops is what the agenda reads of shops and staff.
type Shops interface {
	Shop(ctx context.Context, id string) (*shop.Shop, error)
	Shops(ctx context.Context) ([]*shop.Shop, error)
	StaffMember(ctx context.Context, id string) (*shop.Staff, error)
}

// Agenda is the booking service: what surfaces call to configure a shop's
// agenda, read free slots and book them. Who may book what, and when, is
// decided here; that no slot is given twice, by the store.
type Agenda struct {
	Store  Store
	Shops  Shops
	Tokens *auth.Tokens
	Clock  core.Clock
	// Validator checks every input against its validate tags, phone
	// numbers made E.164 first (as people type them, guests' included):
	// the house's one validator. Nil: a new one.
	Validator *validate.Validator
	// PublicURL is the address guests' manage links and feeds start with.
	PublicURL func() string
	// Outbox takes the reminders Remind writes.
	Outbox interface {
		EnqueueMessages(ctx context.Context, ms []*notify.Message) (int, error)
	}
	// GuestRetention is how long after their appointment a guest's name,
	// phone and e-mail are kept.
	GuestRetention time.Duration
	// Customers is what bookings read about customers: the customer
	// service; nil takes every account for active, Italian and alone.
	Customers Customers
	// Visits opens a visit at the shop for a customer who arrived: the
	// visit service.
	Visits interface {
		CheckIn(ctx context.Context, shopID, customerID string) (visitID string, err error)
	}
}

// Today is now in loc: the day an agenda or a booking page opens on.
func (a *Agenda) Today(loc *time.Location) time.Time { return a.Clock.Now().In(loc) }

// Customers is what bookings read about a customer.
type Customers interface {
	// Locale is an account's language, and false for a closed one.
	Locale(ctx context.Context, customerID string) (string, bool)
	// FamilyMemberOf answers nil when memberID is one of customerID's
	// family.
	FamilyMemberOf(ctx context.Context, customerID, memberID string) error
}

func (a *Agenda) url(path string) string {
	base := "http://localhost"
	if a.PublicURL != nil {
		base = a.PublicURL()
	}
	return strings.TrimRight(base, "/") + path
}

// ResolveShop finds a shop by id or slug.
func (a *Agenda) ResolveShop(ctx context.Context, ref string) (*shop.Shop, error) {
	return shop.Resolve(ctx, a.Shops, ref)
}

// mayConfigure allows a shop's manager (or an owner) to change what
// belongs to shopID, and only an owner what belongs to the whole chain.
func (a *Agenda) mayConfigure(ctx context.Context, shopID string) error {
	act, _ := core.ActorFrom(ctx)
	if shopID == "" {
		if act.Kind != core.ActorStaff || act.Role != core.RoleOwner {
			return core.Errorf(core.EFORBIDDEN, "only an owner can change the services of the whole chain")
		}
		return nil
	}
	_, err := core.ManagerOf(ctx, shopID)
	return err
}

// feedSecret hashes a calendar feed's secret for the store.
func feedSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// NewFeedURL gives a staff member's agenda a new secret calendar feed URL
// (the old one stops working), for them or a manager of their shop.
func (a *Agenda) NewFeedURL(ctx context.Context, staffID string) (string, error) {
	act, _ := core.ActorFrom(ctx)
	p, err := a.Store.Practitioner(ctx, staffID)
	if err != nil {
		return "", core.Errorf(core.ENOTFOUND, "this staff member has no agenda yet")
	}
	if act.ID != staffID {
		if _, err := core.ManagerOf(ctx, p.ShopID); err != nil {
			return "", err
		}
	}
	secret := auth.RandomSecret(32)
	p.FeedHash = feedSecret(secret)
	if err := a.Store.SavePractitioner(ctx, p); err != nil {
		return "", err
	}
	return a.url("/v1/public/agenda/" + secret + ".ics"), nil
}

// Widget is what a shop's website pastes to offer its booking page: a
// script tag that embeds it, or a plain iframe, and the page's links per
// touchpoint (the Instagram bio, Facebook's "Prenota ora", a newsletter,
// a QR in the shop).
type Widget struct {
	PageURL string            `json:"page_url"`
	Script  string            `json:"script"`
	IFrame  string            `json:"iframe"`
	Links   map[string]string `json:"links"`
}

// Widget returns the embed snippets of a shop's booking page, for its staff.
func (a *Agenda) Widget(ctx context.Context, shopID string) (*Widget, error) {
	if act, _ := core.ActorFrom(ctx); act.Kind != core.ActorStaff || !act.CanSeeShop(shopID) {
		return nil, core.Errorf(core.ENOTFOUND, "shop not found")
	}
	sh, err := a.Shops.Shop(ctx, shopID)
	if err != nil {
		return nil, err
	}
	page := a.url("/prenota/" + sh.SlugOrID())
	w := &Widget{PageURL: page,
		Script: `<script src="` + page + `/widget.js" data-src="website" async></script>`,
		IFrame: `<iframe src="` + page + `?src=website&amp;embed=1" title="Prenota" style="width:100%;min-height:640px;border:0" loading="lazy"></iframe>`,
		Links:  map[string]string{}}
	for _, s := range Sources {
		if s != "phone" && s != "walk-in" {
			w.Links[s] = page + "?src=" + s
		}
	}
	return w, nil
}

// AgendaEntry is a booking in a shop's agenda, for staff.
type AgendaEntry struct {
	*Booked
	StaffName string `json:"staff_name"`
	// Who names the customer for the console (filled in by it).
	Who string `json:"who,omitempty"`
	// NoShows is how many appointments the customer missed before.
	NoShows int `json:"no_shows"`
}

// ShopAgenda is a shop's bookings between two local dates (a day, a
// week), for its staff.
func (a *Agenda) ShopAgenda(ctx context.Context, shopID, from, to string) ([]*AgendaEntry, error) {
	act, _ := core.ActorFrom(ctx)
	if act.Kind != core.ActorStaff || !act.CanSeeShop(shopID) {
		return nil, core.Errorf(core.ENOTFOUND, "shop not found")
	}
	sh, err := a.Shops.Shop(ctx, shopID)
	if err != nil {
		return nil, err
	}
	now := a.Clock.Now()
	loc := sh.Location()
	if to == "" {
		to = from
	}
	if from == "" {
		from = now.In(loc).Format(time.DateOnly)
		to = from
	}
	if err := a.dates(Query{From: from, To: to}, now, loc); err != nil {
		return nil, err
	}
	lo, _ := time.ParseInLocation(time.DateOnly, from, loc)
	hi, _ := time.ParseInLocation(time.DateOnly, to, loc)
	bs, err := a.Store.ShopBookings(ctx, shopID, lo, hi.AddDate(0, 0, 1))
	if err != nil {
		return nil, err
	}
	names, noShows := map[string]string{}, map[string]int{}
	out := []*AgendaEntry{}
	for _, v := range a.views(ctx, bs) {
		if v.Day < from || v.Day > to {
			continue
		}
		if _, ok := names[v.StaffID]; !ok {
			if m, err := a.Shops.StaffMember(ctx, v.StaffID); err == nil {
				names[v.StaffID] = m.Name
			}
		}
		e := &AgendaEntry{Booked: v, StaffName: names[v.StaffID]}
		if v.CustomerID != "" {
			if _, ok := noShows[v.CustomerID]; !ok {
				noShows[v.CustomerID], _ = a.Store.CountNoShows(ctx, v.CustomerID)
			}
			e.NoShows = noShows[v.CustomerID]
		}
		out = append(out, e)
	}
	return out, nil
}

// check validates in, which it may rewrite (phone numbers to E.164):
// the surfaces only decode, the rules are here.
func (a *Agenda) check(in any) error {
	return cmp.Or(a.Validator, validate.Default).Struct(in)
}
