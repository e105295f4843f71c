package booking

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/shop"
)

// view is b with its names and, for a guest, its manage link.
func (a *Agenda) view(b *Booking, sv *Offering, sh *shop.Shop) *Booked {
	locale := "it"
	if b.Guest != nil {
		locale = b.Guest.Locale
	}
	out := &Booked{Booking: b, ServiceName: sv.NameIn(locale), ShopName: sh.Name}
	if b.Guest != nil && a.Tokens != nil {
		out.ManageToken = a.Tokens.SignBookingLink(b.ID)
		out.ManageURL = a.url("/prenota/b/" + out.ManageToken)
	}
	return out
}

// load returns the booking id with its service and shop.
func (a *Agenda) load(ctx context.Context, id string) (*Booking, *Offering, *shop.Shop, error) {
	if id == "" || len(id) > 64 {
		return nil, nil, nil, core.Errorf(core.ENOTFOUND, "booking not found")
	}
	b, err := a.Store.Booking(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	sv, err := a.Store.Offering(ctx, b.ServiceID)
	if err != nil {
		return nil, nil, nil, err
	}
	sh, err := a.Shops.Shop(ctx, b.ShopID)
	return b, sv, sh, err
}

// mine loads a booking of the signed-in customer; another's is not found.
func (a *Agenda) mine(ctx context.Context, id string) (*Booking, *Offering, *shop.Shop, error) {
	act, _ := core.ActorFrom(ctx)
	b, sv, sh, err := a.load(ctx, id)
	if err == nil && (act.Kind != core.ActorCustomer || b.CustomerID != act.ID) {
		err = core.Errorf(core.ENOTFOUND, "booking not found")
	}
	return b, sv, sh, err
}

// byToken loads the booking a guest's manage link names.
func (a *Agenda) byToken(ctx context.Context, token string) (*Booking, *Offering, *shop.Shop, error) {
	id, err := a.Tokens.VerifyBookingLink(token)
	if err != nil {
		return nil, nil, nil, err
	}
	return a.load(ctx, id)
}

// staffs loads a booking of a shop the signed-in staff member sees.
func (a *Agenda) staffs(ctx context.Context, id string) (*Booking, *Offering, *shop.Shop, error) {
	act, _ := core.ActorFrom(ctx)
	b, sv, sh, err := a.load(ctx, id)
	if err == nil && (act.Kind != core.ActorStaff || !act.CanSeeShop(b.ShopID)) {
		err = core.Errorf(core.ENOTFOUND, "booking not found")
	}
	return b, sv, sh, err
}

// MaxBookingsPage bounds one page of a customer's bookings.
const MaxBookingsPage = 200

// Mine lists one page of the signed-in customer's bookings (their
// family's included), latest start first (its limit brought within 1 to
// MaxBookingsPage), with the cursor of the next page ("" on the last).
func (a *Agenda) Mine(ctx context.Context, p core.Page) ([]*Booked, string, error) {
	id, err := core.SignedInCustomer(ctx)
	if err != nil {
		return nil, "", err
	}
	p.Limit = min(max(p.Limit, 1), MaxBookingsPage)
	bs, next, err := core.Paged(p, func(p core.Page) ([]*Booking, error) { return a.Store.CustomerBookings(ctx, id, p) }, bookingPlace)
	if err != nil {
		return nil, "", err
	}
	return a.views(ctx, bs), next, nil
}

// bookingPlace is where a booking sits in a customer's list.
func bookingPlace(b *Booking) core.Cursor { return core.Cursor{At: b.Start, ID: b.ID} }

// allBookings reads every page of a customer's bookings (for the export).
func (a *Agenda) allBookings(ctx context.Context, id string) ([]*Booking, error) {
	var out []*Booking
	for p := (core.Page{Limit: 500}); ; {
		bs, err := a.Store.CustomerBookings(ctx, id, p)
		if err != nil || len(bs) < p.Limit {
			return append(out, bs...), err
		}
		out = append(out, bs...)
		p.After = bookingPlace(bs[len(bs)-1])
	}
}

func (a *Agenda) views(ctx context.Context, bs []*Booking) []*Booked {
	svcs, shops := map[string]*Offering{}, map[string]*shop.Shop{}
	out := make([]*Booked, 0, len(bs))
	for _, b := range bs {
		if svcs[b.ServiceID] == nil {
			svcs[b.ServiceID], _ = a.Store.Offering(ctx, b.ServiceID)
		}
		if shops[b.ShopID] == nil {
			shops[b.ShopID], _ = a.Shops.Shop(ctx, b.ShopID)
		}
		v := &Booked{Booking: b}
		if sv := svcs[b.ServiceID]; sv != nil {
			v.ServiceName = sv.Name
		}
		if sh := shops[b.ShopID]; sh != nil {
			v.ShopName = sh.Name
		}
		out = append(out, v)
	}
	return out
}

// Guest returns the booking a manage link names.
func (a *Agenda) Guest(ctx context.Context, token string) (*Booked, error) {
	b, sv, sh, err := a.byToken(ctx, token)
	if err != nil {
		return nil, err
	}
	v := a.view(b, sv, sh)
	v.ManageToken, v.ManageURL = "", ""
	return v, nil
}

// cutoff refuses a customer's change once the service's cancellation
// notice has begun.
func (a *Agenda) cutoff(b *Booking, sv *Offering, sh *shop.Shop) error {
	if b.Status != StatusBooked && b.Status != StatusHeld {
		return core.Errorf(core.ECONFLICT, "this appointment is %s", strings.ReplaceAll(b.Status, "_", " "))
	}
	notice := time.Duration(sv.CancelNoticeMin) * time.Minute
	if a.Clock.Now().Add(notice).After(b.Start) {
		msg := fmt.Sprintf("this appointment can no longer be changed online: changes close %s before it starts", human(notice))
		if sh.Phone != "" {
			msg += "; please call the shop on " + sh.Phone
		}
		return core.Invalid(msg, core.FieldError{Field: "start", Code: "cutoff", Message: msg})
	}
	return nil
}

func human(d time.Duration) string {
	if d >= time.Hour && d%time.Hour == 0 {
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return fmt.Sprintf("%d minutes", int(d.Minutes()))
}

// Confirm books the signed-in customer's held slot, if the hold has not
// ended; after it the slot may be another's (409).
func (a *Agenda) Confirm(ctx context.Context, id string) (*Booked, error) {
	b, sv, sh, err := a.mine(ctx, id)
	if err != nil {
		return nil, err
	}
	now := a.Clock.Now()
	if b.Status != StatusHeld {
		return nil, core.Errorf(core.ECONFLICT, "this appointment is %s, not held", strings.ReplaceAll(b.Status, "_", " "))
	}
	if !b.HeldUntil.After(now) {
		return nil, core.Errorf(core.ECONFLICT, "the hold on this slot ended at %s: book again", b.HeldUntil.In(sh.Location()).Format("15:04"))
	}
	nb := *b
	nb.Status, nb.HeldUntil, nb.UpdatedAt = StatusBooked, nil, now
	nb.RemindAt = nextReminder(nb.Start, now)
	got, err := a.Store.ConfirmBooking(ctx, &nb, hold(&nb, sv, sh.Location(), false), now, a.notice(ctx, &nb, sv, sh, "confirmed", now))
	if err != nil {
		return nil, err
	}
	return a.view(got, sv, sh), nil
}

// CanChange reports whether the customer may still move or cancel b
// themselves.
func (a *Agenda) CanChange(ctx context.Context, b *Booking) bool {
	sv, err1 := a.Store.Offering(ctx, b.ServiceID)
	sh, err2 := a.Shops.Shop(ctx, b.ShopID)
	return err1 == nil && err2 == nil && a.cutoff(b, sv, sh) == nil
}

// Cancel cancels the signed-in customer's booking id, within the shop's
// rules.
func (a *Agenda) Cancel(ctx context.Context, id string) (*Booked, error) {
	b, sv, sh, err := a.mine(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := a.cutoff(b, sv, sh); err != nil {
		return nil, err
	}
	return a.cancel(ctx, b, sv, sh)
}

// CancelAsGuest cancels the booking a manage link names.
func (a *Agenda) CancelAsGuest(ctx context.Context, token string) (*Booked, error) {
	b, sv, sh, err := a.byToken(ctx, token)
	if err != nil {
		return nil, err
	}
	if err := a.cutoff(b, sv, sh); err != nil {
		return nil, err
	}
	v, err := a.cancel(ctx, b, sv, sh)
	if v != nil {
		v.ManageToken, v.ManageURL = "", ""
	}
	return v, err
}

// CancelForCustomer is staff cancelling, at any time before it happened.
func (a *Agenda) CancelForCustomer(ctx context.Context, id string) (*Booked, error) {
	b, sv, sh, err := a.staffs(ctx, id)
	if err != nil {
		return nil, err
	}
	return a.cancel(ctx, b, sv, sh)
}

func (a *Agenda) cancel(ctx context.Context, b *Booking, sv *Offering, sh *shop.Shop) (*Booked, error) {
	now := a.Clock.Now()
	if b.Status != StatusBooked && b.Status != StatusHeld {
		return nil, core.Errorf(core.ECONFLICT, "this appointment is %s", strings.ReplaceAll(b.Status, "_", " "))
	}
	after := *b
	after.Status = StatusCancelled
	var msgs []*notify.Message
	offer := func(e *WaitEntry) []*notify.Message {
		if !b.Start.After(now) {
			return nil
		}
		return a.offerMessages(ctx, e, b, sv, sh, now)
	}
	if b.Status == StatusHeld { // let go before it was confirmed: nothing was announced
		offer = nil
	} else {
		msgs = a.notice(ctx, &after, sv, sh, "cancelled", now)
	}
	got, _, err := a.Store.CancelBooking(ctx, b.ID, now, msgs, offer)
	if err != nil {
		return nil, err
	}
	return a.view(got, sv, sh), nil
}

// MoveInput is a new time for a booking.
type MoveInput struct {
	Start   time.Time `json:"start" validate:"required"`
	StaffID string    `json:"staff_id" validate:"max=64"`
}

// Move reschedules the signed-in customer's booking, within the shop's
// rules; the old slot is free once the move is saved.
func (a *Agenda) Move(ctx context.Context, id string, in MoveInput) (*Booked, error) {
	if err := a.check(&in); err != nil {
		return nil, err
	}
	b, sv, sh, err := a.mine(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := a.cutoff(b, sv, sh); err != nil {
		return nil, err
	}
	return a.move(ctx, b, sv, sh, in, false)
}

// MoveForCustomer is staff moving a booking.
func (a *Agenda) MoveForCustomer(ctx context.Context, id string, in MoveInput) (*Booked, error) {
	if err := a.check(&in); err != nil {
		return nil, err
	}
	b, sv, sh, err := a.staffs(ctx, id)
	if err != nil {
		return nil, err
	}
	if b.Status != StatusBooked {
		return nil, core.Errorf(core.ECONFLICT, "this appointment is %s", strings.ReplaceAll(b.Status, "_", " "))
	}
	return a.move(ctx, b, sv, sh, in, true)
}

func (a *Agenda) move(ctx context.Context, b *Booking, sv *Offering, sh *shop.Shop, in MoveInput, staff bool) (*Booked, error) {
	start := in.Start.UTC().Truncate(time.Second)
	staffID, dur, err := a.choose(ctx, sh, sv, b.Variant, start, in.StaffID, b, staff)
	if err != nil {
		return nil, err
	}
	now := a.Clock.Now()
	nb := *b
	nb.StaffID, nb.Start, nb.End = staffID, start, start.Add(dur)
	nb.Day = start.In(sh.Location()).Format(time.DateOnly)
	nb.HoldStart = start.Add(-time.Duration(sv.BufferBeforeMin) * time.Minute)
	nb.HoldEnd = nb.End.Add(time.Duration(sv.BufferAfterMin) * time.Minute)
	nb.RemindAt = nextReminder(nb.Start, now)
	nb.UpdatedAt = now
	msgs := a.notice(ctx, &nb, sv, sh, "moved", now)
	if err := a.Store.MoveBooking(ctx, &nb, hold(&nb, sv, sh.Location(), staff || b.By == ByStaff), msgs); err != nil {
		return nil, err
	}
	return a.view(&nb, sv, sh), nil
}

// Mark records that the customer of a booking arrived (checking them in:
// a visit opened at the shop, linked to them) or did not show up.
func (a *Agenda) Mark(ctx context.Context, id, status string) (*Booked, error) {
	b, sv, sh, err := a.staffs(ctx, id)
	if err != nil {
		return nil, err
	}
	if b.Status != StatusBooked {
		return nil, core.Errorf(core.ECONFLICT, "this appointment is %s", strings.ReplaceAll(b.Status, "_", " "))
	}
	now := a.Clock.Now()
	visitID := ""
	switch status {
	case StatusArrived:
		if b.CustomerID != "" && a.Visits != nil {
			if visitID, err = a.Visits.CheckIn(ctx, b.ShopID, b.CustomerID); err != nil {
				return nil, err
			}
		}
	case StatusNoShow:
		if now.Before(b.Start) {
			return nil, core.Errorf(core.ECONFLICT, "a no-show can be recorded once the appointment has started")
		}
	default:
		return nil, fieldErr("status", "oneof", "must be arrived or no_show")
	}
	got, err := a.Store.MarkBooking(ctx, b.ID, status, visitID, now)
	if err != nil {
		return nil, err
	}
	return a.view(got, sv, sh), nil
}
