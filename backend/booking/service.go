package booking

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/shop"
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

// ServiceInput is a service as staff configure it.
type ServiceInput struct {
	ShopID          string    `json:"shop_id" validate:"max=64"`
	Code            string    `json:"code" validate:"required,tag"`
	Name            string    `json:"name" validate:"required,max=80"`
	NameEN          string    `json:"name_en" validate:"max=80"`
	DurationMin     int       `json:"duration_min" validate:"min=5,max=480"`
	BufferBeforeMin int       `json:"buffer_before_min" validate:"min=0,max=120"`
	BufferAfterMin  int       `json:"buffer_after_min" validate:"min=0,max=120"`
	Variants        []Variant `json:"variants" validate:"max=5,dive"`
	MinNoticeMin    int       `json:"min_notice_min" validate:"min=0,max=43200"`
	MaxAheadDays    int       `json:"max_ahead_days" validate:"min=1,max=365"`
	CancelNoticeMin int       `json:"cancel_notice_min" validate:"min=0,max=43200"`
	DailyCap        int       `json:"daily_cap" validate:"min=0,max=500"`
	Skills          []string  `json:"skills" validate:"required,min=1,max=3,dive,oneof=optometrist contact_lens assistant"`
	Active          *bool     `json:"active"`
}

func fieldErr(field, code, msg string) error {
	return core.Invalid("some fields are not valid", core.FieldError{Field: field, Code: code, Message: msg})
}

func (in ServiceInput) check() error {
	grain := int(Unit / time.Minute)
	for f, v := range map[string]int{"duration_min": in.DurationMin, "buffer_before_min": in.BufferBeforeMin, "buffer_after_min": in.BufferAfterMin} {
		if v%grain != 0 {
			return fieldErr(f, "grain", fmt.Sprintf("must be a multiple of %d minutes", grain))
		}
	}
	seen := map[string]bool{}
	for i, v := range in.Variants {
		if v.DurationMin%grain != 0 {
			return fieldErr(fmt.Sprintf("variants[%d].duration_min", i), "grain", fmt.Sprintf("must be a multiple of %d minutes", grain))
		}
		if seen[v.Code] {
			return fieldErr(fmt.Sprintf("variants[%d].code", i), "duplicate", "each variant needs its own code")
		}
		seen[v.Code] = true
	}
	return nil
}

// SaveService creates a service (id "") or replaces the one with id. A
// shop's manager configures their shop's services; chain-wide ones are
// the owner's.
func (a *Agenda) SaveService(ctx context.Context, id string, in ServiceInput) (*Service, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	now := a.Clock.Now()
	s := &Service{ID: "svc-" + core.NewID(), CreatedAt: now, Active: true}
	if id != "" {
		old, err := a.staffService(ctx, id)
		if err != nil {
			return nil, err
		}
		s = old
	}
	if err := a.mayConfigure(ctx, in.ShopID); err != nil {
		return nil, err
	}
	if in.ShopID != "" {
		if _, err := a.Shops.Shop(ctx, in.ShopID); err != nil {
			return nil, fieldErr("shop_id", "unknown", "is not a shop of the chain")
		}
	}
	s.ShopID, s.Code, s.Name, s.NameEN = in.ShopID, in.Code, strings.TrimSpace(in.Name), strings.TrimSpace(in.NameEN)
	s.DurationMin, s.BufferBeforeMin, s.BufferAfterMin = in.DurationMin, in.BufferBeforeMin, in.BufferAfterMin
	s.Variants, s.MinNoticeMin, s.MaxAheadDays, s.CancelNoticeMin = in.Variants, in.MinNoticeMin, in.MaxAheadDays, in.CancelNoticeMin
	s.DailyCap, s.Skills, s.UpdatedAt = in.DailyCap, slices.Compact(slices.Sorted(slices.Values(in.Skills))), now
	if in.Active != nil {
		s.Active = *in.Active
	}
	var err error
	if id == "" {
		err = a.Store.CreateService(ctx, s)
	} else {
		err = a.Store.UpdateService(ctx, s)
	}
	if core.IsCode(err, core.ECONFLICT) {
		return nil, fieldErr("code", "taken", "another service has this code")
	}
	return s, err
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

// staffService is a service the signed-in staff member may see.
func (a *Agenda) staffService(ctx context.Context, id string) (*Service, error) {
	act, _ := core.ActorFrom(ctx)
	s, err := a.Store.Service(ctx, id)
	if err != nil {
		return nil, err
	}
	if act.Kind != core.ActorStaff || (s.ShopID != "" && !act.CanSeeShop(s.ShopID)) {
		return nil, core.Errorf(core.ENOTFOUND, "service not found")
	}
	return s, nil
}

// StaffServices lists the services a staff member sees: the chain's and
// their shop's.
func (a *Agenda) StaffServices(ctx context.Context) ([]*Service, error) {
	act, _ := core.ActorFrom(ctx)
	all, err := a.Store.Services(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(s *Service) bool { return s.ShopID != "" && !act.CanSeeShop(s.ShopID) }), nil
}

// ShopServices lists what a shop can be booked for: its active services
// that someone working there can perform.
func (a *Agenda) ShopServices(ctx context.Context, ref string) (*shop.Shop, []*Service, error) {
	sh, err := a.ResolveShop(ctx, ref)
	if err != nil {
		return nil, nil, err
	}
	all, err := a.Store.Services(ctx)
	if err != nil {
		return nil, nil, err
	}
	staff, err := a.Store.Practitioners(ctx, sh.ID)
	if err != nil {
		return nil, nil, err
	}
	out := []*Service{}
	for _, s := range all {
		if s.OfferedAt(sh.ID) && slices.ContainsFunc(staff, func(p *Practitioner) bool { return p.Can(s.Skills) }) {
			out = append(out, s)
		}
	}
	return sh, out, nil
}

// PractitionerInput is a staff member's agenda as a manager sets it.
type PractitionerInput struct {
	Skills   []string               `json:"skills" validate:"max=3,dive,oneof=optometrist contact_lens assistant"`
	Hours    map[string][]shop.Span `json:"hours" validate:"max=7"`
	Absences []Absence              `json:"absences" validate:"max=60,dive"`
}

// SavePractitioner sets what a staff member performs and when they work,
// for a manager of their shop.
func (a *Agenda) SavePractitioner(ctx context.Context, staffID string, in PractitionerInput) (*Practitioner, error) {
	m, err := a.Shops.StaffMember(ctx, staffID)
	if err != nil || m.ShopID == "" {
		return nil, core.Errorf(core.ENOTFOUND, "staff member not found")
	}
	if _, err := core.ManagerOf(ctx, m.ShopID); err != nil {
		return nil, err
	}
	if in.Hours != nil {
		if fe := (shop.Hours{Weekly: in.Hours}).Check(); fe != nil {
			fe.Field = strings.Replace(fe.Field, "hours.weekly", "hours", 1)
			return nil, core.Invalid("some fields are not valid", *fe)
		}
	}
	for i, ab := range in.Absences {
		f := fmt.Sprintf("absences[%d]", i)
		from, err1 := time.Parse(time.DateOnly, ab.From)
		to, err2 := time.Parse(time.DateOnly, ab.To)
		switch {
		case err1 != nil || from.Year() < 2000 || from.Year() > 2100:
			return nil, fieldErr(f+".from", "invalid_date", "must be a date YYYY-MM-DD between 2000 and 2100")
		case err2 != nil || to.Before(from) || to.Sub(from) > 366*24*time.Hour:
			return nil, fieldErr(f+".to", "invalid_date", "must be a date YYYY-MM-DD on or after from, within a year")
		case len([]rune(ab.Note)) > 200:
			return nil, fieldErr(f+".note", "max", "at most 200 characters")
		}
	}
	p := &Practitioner{StaffID: staffID, ShopID: m.ShopID, Skills: slices.Compact(slices.Sorted(slices.Values(in.Skills))),
		Hours: in.Hours, Absences: in.Absences, UpdatedAt: a.Clock.Now()}
	if old, err := a.Store.Practitioner(ctx, staffID); err == nil {
		p.FeedHash = old.FeedHash
	}
	if err := a.Store.SavePractitioner(ctx, p); err != nil {
		return nil, err
	}
	p.Name = m.Name
	return p, nil
}

// ShopPractitioners lists the agendas of a shop's staff, for its staff.
func (a *Agenda) ShopPractitioners(ctx context.Context, shopID string) ([]*Practitioner, error) {
	if act, _ := core.ActorFrom(ctx); act.Kind != core.ActorStaff || !act.CanSeeShop(shopID) {
		return nil, core.Errorf(core.ENOTFOUND, "shop not found")
	}
	ps, err := a.Store.Practitioners(ctx, shopID)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if m, err := a.Shops.StaffMember(ctx, p.StaffID); err == nil {
			p.Name = m.Name
		}
	}
	return ps, nil
}

// Availability is the answer to a free-slot query.
type Availability struct {
	ShopID    string `json:"shop_id"`
	ServiceID string `json:"service_id"`
	TimeZone  string `json:"time_zone"`
	Slots     []Slot `json:"slots"`
}

// Query is a free-slot query: local dates, inclusive.
type Query struct {
	Shop, Service, Variant, From, To string
}

func (a *Agenda) dates(q Query, now time.Time, loc *time.Location) error {
	from, err := time.ParseInLocation(time.DateOnly, q.From, loc)
	if err != nil {
		return fieldErr("from", "invalid_date", "must be a date written YYYY-MM-DD")
	}
	to, err := time.ParseInLocation(time.DateOnly, q.To, loc)
	if err != nil {
		return fieldErr("to", "invalid_date", "must be a date written YYYY-MM-DD")
	}
	y, m, d := now.In(loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, loc)
	switch {
	case from.Before(today.AddDate(0, 0, -31)) || from.After(today.AddDate(1, 1, 0)):
		return fieldErr("from", "out_of_range", "must be within a month before and a year after today")
	case to.Before(from):
		return fieldErr("to", "before_from", "must be on or after from")
	case to.After(from.AddDate(0, 0, MaxRangeDays-1)):
		return fieldErr("to", "too_far", fmt.Sprintf("at most %d days from from", MaxRangeDays))
	}
	return nil
}

// plan gathers what the free slots of a service at a shop over [from, to]
// depend on: the shop's staff agendas and its bookings in range, in two
// range reads.
func (a *Agenda) plan(ctx context.Context, sh *shop.Shop, sv *Service, variant, from, to string, now time.Time) (Plan, error) {
	loc := sh.Location()
	dur, ok := sv.Duration(variant)
	if !ok {
		return Plan{}, fieldErr("variant", "unknown", "is not a variant of this service")
	}
	staff, err := a.Store.Practitioners(ctx, sh.ID)
	if err != nil {
		return Plan{}, err
	}
	lo, _ := time.ParseInLocation(time.DateOnly, from, loc)
	hi, _ := time.ParseInLocation(time.DateOnly, to, loc)
	busy, err := a.Store.ShopHolds(ctx, sh.ID, lo.Add(-24*time.Hour), hi.Add(48*time.Hour))
	if err != nil {
		return Plan{}, err
	}
	return Plan{Loc: loc, Hours: sh.Hours, Service: sv, Duration: dur, Staff: staff, Busy: busy, Now: now, From: from, To: to}, nil
}

// bookable is a service a shop offers, for the public.
func (a *Agenda) bookable(ctx context.Context, sh *shop.Shop, id string) (*Service, error) {
	if id == "" || len(id) > 64 {
		return nil, fieldErr("service_id", "required", "pick a service")
	}
	sv, err := a.Store.Service(ctx, id)
	if core.IsCode(err, core.ENOTFOUND) || (err == nil && !sv.OfferedAt(sh.ID)) {
		return nil, fieldErr("service_id", "unknown", "is not a service of this shop")
	}
	return sv, err
}

// Availability returns the free slots of a service at a shop between two
// local dates.
func (a *Agenda) Availability(ctx context.Context, q Query) (*Availability, error) {
	sh, err := a.ResolveShop(ctx, q.Shop)
	if err != nil {
		return nil, err
	}
	sv, err := a.bookable(ctx, sh, q.Service)
	if err != nil {
		return nil, err
	}
	now := a.Clock.Now()
	if err := a.dates(q, now, sh.Location()); err != nil {
		return nil, err
	}
	p, err := a.plan(ctx, sh, sv, q.Variant, q.From, q.To, now)
	if err != nil {
		return nil, err
	}
	return &Availability{ShopID: sh.ID, ServiceID: sv.ID, TimeZone: sh.Location().String(), Slots: p.Slots()}, nil
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
