package booking

import (
	"context"
	"fmt"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/shop"
)

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
func (a *Agenda) plan(ctx context.Context, sh *shop.Shop, sv *Offering, variant, from, to string, now time.Time) (Plan, error) {
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
func (a *Agenda) bookable(ctx context.Context, sh *shop.Shop, id string) (*Offering, error) {
	if id == "" || len(id) > 64 {
		return nil, fieldErr("service_id", "required", "pick a service")
	}
	sv, err := a.Store.Offering(ctx, id)
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
