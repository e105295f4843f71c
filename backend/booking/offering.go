package booking

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/shop"
)

// OfferingInput is a service as staff configure it.
type OfferingInput struct {
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

func (in OfferingInput) check() error {
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

// SaveOffering creates a service (id "") or replaces the one with id. A
// shop's manager configures their shop's services; chain-wide ones are
// the owner's.
func (a *Agenda) SaveOffering(ctx context.Context, id string, in OfferingInput) (*Offering, error) {
	if err := a.check(&in); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	now := a.Clock.Now()
	s := &Offering{ID: "svc-" + core.NewID(), CreatedAt: now, Active: true}
	if id != "" {
		old, err := a.staffOffering(ctx, id)
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
		err = a.Store.CreateOffering(ctx, s)
	} else {
		err = a.Store.UpdateOffering(ctx, s)
	}
	if core.IsCode(err, core.ECONFLICT) {
		return nil, fieldErr("code", "taken", "another service has this code")
	}
	return s, err
}

// staffOffering is a service the signed-in staff member may see.
func (a *Agenda) staffOffering(ctx context.Context, id string) (*Offering, error) {
	act, _ := core.ActorFrom(ctx)
	s, err := a.Store.Offering(ctx, id)
	if err != nil {
		return nil, err
	}
	if act.Kind != core.ActorStaff || (s.ShopID != "" && !act.CanSeeShop(s.ShopID)) {
		return nil, core.Errorf(core.ENOTFOUND, "service not found")
	}
	return s, nil
}

// StaffOfferings lists the services a staff member sees: the chain's and
// their shop's.
func (a *Agenda) StaffOfferings(ctx context.Context) ([]*Offering, error) {
	act, _ := core.ActorFrom(ctx)
	all, err := a.Store.Offerings(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(s *Offering) bool { return s.ShopID != "" && !act.CanSeeShop(s.ShopID) }), nil
}

// ShopOfferings lists what a shop can be booked for: its active services
// that someone working there can perform.
func (a *Agenda) ShopOfferings(ctx context.Context, ref string) (*shop.Shop, []*Offering, error) {
	sh, err := a.ResolveShop(ctx, ref)
	if err != nil {
		return nil, nil, err
	}
	all, err := a.Store.Offerings(ctx)
	if err != nil {
		return nil, nil, err
	}
	staff, err := a.Store.Practitioners(ctx, sh.ID)
	if err != nil {
		return nil, nil, err
	}
	out := []*Offering{}
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
	if err := a.check(&in); err != nil {
		return nil, err
	}
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

// OfferingStore keeps what a chain offers to book (services) and who
// gives it (practitioners' agendas).
type OfferingStore interface {
	// CreateOffering stores s. ECONFLICT when the id or code is taken.
	CreateOffering(ctx context.Context, s *Offering) error
	// UpdateOffering replaces the service with s.ID. ENOTFOUND when none;
	// ECONFLICT when the code is another's.
	UpdateOffering(ctx context.Context, s *Offering) error
	// Offering returns the service with id, or ENOTFOUND.
	Offering(ctx context.Context, id string) (*Offering, error)
	// Offerings returns every service, by name.
	Offerings(ctx context.Context) ([]*Offering, error)

	// SavePractitioner creates or replaces the agenda of p.StaffID.
	SavePractitioner(ctx context.Context, p *Practitioner) error
	// Practitioner returns a staff member's agenda, or ENOTFOUND.
	Practitioner(ctx context.Context, staffID string) (*Practitioner, error)
	// Practitioners returns the agendas of a shop's staff, by staff id.
	Practitioners(ctx context.Context, shopID string) ([]*Practitioner, error)
	// PractitionerByFeed returns the agenda whose feed secret hashes to
	// hash, or ENOTFOUND.
	PractitionerByFeed(ctx context.Context, hash string) (*Practitioner, error)
}
