package booking

import (
	"context"
	"time"

	"github.com/vista-optical/vista/backend/core"
)

// WaitInput asks for a place on a service's waitlist for a day.
type WaitInput struct {
	ShopID    string `json:"shop_id" validate:"required,max=64"`
	ServiceID string `json:"service_id" validate:"required,max=64"`
	Day       string `json:"day" validate:"required,isodate"`
}

// JoinWaitlist puts the signed-in customer on the waitlist of a service
// for a day: the first slot freed that day is offered to them first.
func (a *Agenda) JoinWaitlist(ctx context.Context, in WaitInput) (*WaitEntry, error) {
	if err := a.check(&in); err != nil {
		return nil, err
	}
	id, err := core.SignedInCustomer(ctx)
	if err != nil {
		return nil, err
	}
	sh, err := a.ResolveShop(ctx, in.ShopID)
	if err != nil {
		return nil, fieldErr("shop_id", "unknown", "is not a shop of the chain")
	}
	sv, err := a.bookable(ctx, sh, in.ServiceID)
	if err != nil {
		return nil, err
	}
	now := a.Clock.Now()
	loc := sh.Location()
	day, _ := time.ParseInLocation(time.DateOnly, in.Day, loc)
	earliest, latest := Window(sv, now, loc)
	if !day.AddDate(0, 0, 1).After(earliest) || !day.Before(latest) {
		return nil, fieldErr("day", "out_of_range", "must be a day this service can still be booked for")
	}
	// A day with a free time is booked, not waited for.
	if av, err := a.Availability(ctx, Query{Shop: sh.ID, Service: sv.ID, From: in.Day, To: in.Day}); err != nil {
		return nil, err
	} else if len(av.Slots) > 0 {
		return nil, fieldErr("day", "has_free_slots", "this day still has free times: book one of them")
	}
	waits, err := a.Store.CustomerWaitlist(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(waits) >= MaxWaits {
		return nil, core.Errorf(core.ECONFLICT, "you are already waiting for %d slots", MaxWaits)
	}
	e := &WaitEntry{ID: "wait-" + core.NewID(), ShopID: sh.ID, ServiceID: sv.ID, Day: in.Day, CustomerID: id, CreatedAt: now}
	if err := a.Store.JoinWaitlist(ctx, e); err != nil {
		if core.IsCode(err, core.ECONFLICT) {
			return nil, core.Errorf(core.ECONFLICT, "you are already on this waitlist")
		}
		return nil, err
	}
	return e, nil
}

// MyWaitlist lists the signed-in customer's waitlist entries.
func (a *Agenda) MyWaitlist(ctx context.Context) ([]*WaitEntry, error) {
	id, err := core.SignedInCustomer(ctx)
	if err != nil {
		return nil, err
	}
	return a.Store.CustomerWaitlist(ctx, id)
}

// LeaveWaitlist removes one of the signed-in customer's entries.
func (a *Agenda) LeaveWaitlist(ctx context.Context, entryID string) error {
	id, err := core.SignedInCustomer(ctx)
	if err != nil {
		return err
	}
	return a.Store.LeaveWaitlist(ctx, id, entryID)
}

// TakeOffer books the slot a waitlist entry was offered: the one tap of
// the offer's notification. 409 when someone else took it first.
func (a *Agenda) TakeOffer(ctx context.Context, entryID string, idemKey string) (*Booked, error) {
	id, err := core.SignedInCustomer(ctx)
	if err != nil {
		return nil, err
	}
	e, err := a.Store.WaitEntry(ctx, entryID)
	if err != nil || e.CustomerID != id {
		return nil, core.Errorf(core.ENOTFOUND, "waitlist entry not found")
	}
	if e.OfferStart == nil {
		return nil, core.Errorf(core.ECONFLICT, "no slot has been offered to you yet")
	}
	b, err := a.Book(ctx, CustomerInput{Request: Request{ShopID: e.ShopID, ServiceID: e.ServiceID, Start: *e.OfferStart, StaffID: e.OfferStaff, Source: "app"}}, idemKey)
	if err != nil {
		return nil, err
	}
	_ = a.Store.LeaveWaitlist(ctx, id, e.ID)
	return b, nil
}

// WaitlistStore keeps who waits for a slot of a full day.
type WaitlistStore interface {
	// JoinWaitlist stores e. ECONFLICT when the customer already waits for
	// that service, shop and day.
	JoinWaitlist(ctx context.Context, e *WaitEntry) error
	// WaitEntry returns the entry with id, or ENOTFOUND.
	WaitEntry(ctx context.Context, id string) (*WaitEntry, error)
	// CustomerWaitlist returns an account's waitlist entries, by day.
	CustomerWaitlist(ctx context.Context, customerID string) ([]*WaitEntry, error)
	// LeaveWaitlist deletes the customer's entry id. ENOTFOUND when it is
	// not theirs.
	LeaveWaitlist(ctx context.Context, customerID, id string) error
}
