package booking

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/shop"
)

// Who made a booking.
const (
	ByCustomer = "customer"
	ByGuest    = "guest"
	ByStaff    = "staff"
)

// ErrUpcoming is the answer to a person who already holds MaxUpcoming
// future bookings.
var ErrUpcoming = core.Errorf(core.ECONFLICT, "you already have %d upcoming appointments: cancel one to book another", MaxUpcoming)

// Request is what every booking request names: where, what and when, and
// where the person came from.
type Request struct {
	ShopID    string            `json:"shop_id" validate:"max=64"`
	ServiceID string            `json:"service_id" validate:"required,max=64"`
	Variant   string            `json:"variant" validate:"max=30"`
	Start     time.Time         `json:"start" validate:"required"`
	StaffID   string            `json:"staff_id" validate:"max=64"`
	Source    string            `json:"source" validate:"omitempty,oneof=app website instagram facebook newsletter qr phone walk-in"`
	UTM       map[string]string `json:"utm" validate:"max=5,dive,keys,oneof=utm_source utm_medium utm_campaign utm_term utm_content,endkeys,max=100"`
}

// CustomerInput is a signed-in customer's booking, for themselves or one
// of their family.
type CustomerInput struct {
	Request
	FamilyMemberID string `json:"family_member_id" validate:"max=64"`
	// Hold keeps the slot for HoldTTL until POST /v1/bookings/{id}/confirm:
	// it is theirs while they finish, and free if they do not.
	Hold bool `json:"hold"`
}

// GuestBookingInput is a booking from the public page, by someone without
// an account.
type GuestBookingInput struct {
	Request
	Guest *GuestInput `json:"guest"`
}

// Input is staff's booking of a phone caller or a walk-in: for an account
// (CustomerID, and one of its family) or a guest, with a note.
type Input struct {
	Request
	CustomerID     string      `json:"customer_id" validate:"max=64"`
	FamilyMemberID string      `json:"family_member_id" validate:"max=64"`
	Guest          *GuestInput `json:"guest"`
	Note           string      `json:"note" validate:"max=500"`
}

// GuestInput is who books without an account.
type GuestInput struct {
	Name    string `json:"name" validate:"required,max=100"`
	Phone   string `json:"phone" validate:"omitempty,e164"`
	Email   string `json:"email" validate:"omitempty,email,max=254"`
	Consent bool   `json:"consent"`
	Locale  string `json:"locale" validate:"omitempty,oneof=it en"`
}

// ConsentVersion is the version of the text a guest agrees to when they
// book: they are contacted about this booking only, on what they gave.
const ConsentVersion = "booking-guest-2026-12"

func (g *GuestInput) guest(now time.Time, staff bool) (*Guest, error) {
	if g.Phone == "" && g.Email == "" {
		return nil, fieldErr("guest.phone", "required", "give a phone number or an e-mail address")
	}
	if !g.Consent && !staff {
		return nil, fieldErr("guest.consent", "required", "agree to be contacted about this booking")
	}
	return &Guest{Name: strings.TrimSpace(g.Name), Phone: g.Phone, Email: strings.ToLower(strings.TrimSpace(g.Email)),
		Locale: cmp.Or(g.Locale, "it"), ConsentAt: now, ConsentVersion: ConsentVersion}, nil
}

// Booked is a booking as its customer sees it, with its manage link for a
// guest.
type Booked struct {
	*Booking
	ServiceName string `json:"service_name"`
	ShopName    string `json:"shop_name"`
	ManageURL   string `json:"manage_url,omitempty"`
	ManageToken string `json:"manage_token,omitempty"`
	// Created is false for a replay of an Idempotency-Key.
	Created bool `json:"-"`
}

// Book books a slot for the signed-in customer (or one of their family).
// idemKey is the request's Idempotency-Key ("" for none).
func (a *Agenda) Book(ctx context.Context, in CustomerInput, idemKey string) (*Booked, error) {
	act, _ := core.ActorFrom(ctx)
	if act.Kind != core.ActorCustomer {
		return nil, core.Errorf(core.EUNAUTHORIZED, "sign in to book")
	}
	if in.FamilyMemberID != "" && a.Customers != nil {
		if err := a.Customers.FamilyMemberOf(ctx, act.ID, in.FamilyMemberID); err != nil {
			return nil, fieldErr("family_member_id", "unknown", "is not one of your family")
		}
	}
	sh, err := a.ResolveShop(ctx, in.ShopID)
	if err != nil {
		return nil, fieldErr("shop_id", "unknown", "is not a shop of the chain")
	}
	b := &Booking{CustomerID: act.ID, FamilyMemberID: in.FamilyMemberID, By: ByCustomer, Source: cmp.Or(in.Source, "app"),
		IdemScope: "c:" + act.ID}
	if in.Hold {
		b.Status = StatusHeld
	}
	b.IdemKey, b.IdemHash = idemKey, fingerprint(in)
	return a.book(ctx, sh, in.Request, b)
}

// BookAsGuest books a slot at the shop slug for someone without an account.
func (a *Agenda) BookAsGuest(ctx context.Context, slug string, in GuestBookingInput, idemKey string) (*Booked, error) {
	sh, err := a.ResolveShop(ctx, slug)
	if err != nil {
		return nil, err
	}
	if in.Guest == nil {
		return nil, fieldErr("guest", "required", "say who the appointment is for")
	}
	g, err := in.Guest.guest(a.Clock.Now(), false)
	if err != nil {
		return nil, err
	}
	b := &Booking{Guest: g, By: ByGuest, Source: cmp.Or(in.Source, "website")}
	b.IdemScope = "g:" + sh.ID + ":" + b.Person()
	b.IdemKey, b.IdemHash = idemKey, fingerprint(in)
	return a.book(ctx, sh, in.Request, b)
}

// BookForCustomer is staff booking at the desk or on the phone: for an
// account (CustomerID) or a guest, with no notice or window rule, and no
// cap on upcoming bookings.
func (a *Agenda) BookForCustomer(ctx context.Context, in Input, idemKey string) (*Booked, error) {
	act, _ := core.ActorFrom(ctx)
	if act.Kind != core.ActorStaff || !act.CanSeeShop(in.ShopID) || in.ShopID == "" {
		return nil, core.Errorf(core.ENOTFOUND, "shop not found")
	}
	sh, err := a.Shops.Shop(ctx, in.ShopID)
	if err != nil {
		return nil, err
	}
	b := &Booking{By: ByStaff, Source: cmp.Or(in.Source, "phone"), Note: strings.TrimSpace(in.Note), IdemScope: "s:" + act.ID}
	switch {
	case in.CustomerID != "" && in.Guest == nil:
		if a.Customers != nil {
			if _, ok := a.Customers.Locale(ctx, in.CustomerID); !ok {
				return nil, fieldErr("customer_id", "unknown", "is not an active customer")
			}
		}
		b.CustomerID = in.CustomerID
		if in.FamilyMemberID != "" && a.Customers != nil {
			if err := a.Customers.FamilyMemberOf(ctx, in.CustomerID, in.FamilyMemberID); err != nil {
				return nil, fieldErr("family_member_id", "unknown", "is not one of this customer's family")
			}
		}
		b.FamilyMemberID = in.FamilyMemberID
	case in.Guest != nil && in.CustomerID == "":
		g, err := in.Guest.guest(a.Clock.Now(), true)
		if err != nil {
			return nil, err
		}
		b.Guest = g
	default:
		return nil, fieldErr("customer_id", "required", "give either customer_id or guest")
	}
	b.IdemKey, b.IdemHash = idemKey, fingerprint(in)
	return a.book(ctx, sh, in.Request, b)
}

// fingerprint identifies a request for its Idempotency-Key.
func fingerprint(in any) string {
	raw, _ := json.Marshal(in)
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:16])
}

// choose checks start against the free slots of its day and returns the
// staff member who takes it: the one asked for, or the least busy of
// those free. skip is a booking whose own hold does not count (a move);
// no other booking of its staff member holds its start (the claims see to
// that), so staff and hold start name it.
func (a *Agenda) choose(ctx context.Context, sh *shop.Shop, sv *Service, variant string, start time.Time, staffID string, skip *Booking, staff bool) (string, time.Duration, error) {
	loc := sh.Location()
	now := a.Clock.Now()
	day := start.In(loc).Format(time.DateOnly)
	rules := *sv
	if staff {
		rules.MinNoticeMin, rules.MaxAheadDays = 0, 400
	}
	p, err := a.plan(ctx, sh, &rules, variant, day, day, now)
	if err != nil {
		return "", 0, err
	}
	if skip != nil {
		p.Busy = slices.DeleteFunc(p.Busy, func(b *Booking) bool { return b.StaffID == skip.StaffID && b.HoldStart.Equal(skip.HoldStart) })
	}
	if staffID != "" {
		i := slices.IndexFunc(p.Staff, func(s *Practitioner) bool { return s.StaffID == staffID })
		if i < 0 || !p.Staff[i].Can(sv.Skills) {
			return "", 0, fieldErr("staff_id", "cannot_perform", "this staff member does not perform "+sv.Name)
		}
	}
	free := findSlot(p.Slots(), start)
	if free == nil {
		open := p
		open.Busy = nil
		if findSlot(open.Slots(), start) == nil {
			earliest, latest := Window(&rules, now, loc)
			switch {
			case start.Before(earliest):
				return "", 0, fieldErr("start", "notice", fmt.Sprintf("%s needs booking at least %d minutes ahead", sv.Name, sv.MinNoticeMin))
			case !start.Before(latest):
				return "", 0, fieldErr("start", "too_far", fmt.Sprintf("%s can be booked at most %d days ahead", sv.Name, sv.MaxAheadDays))
			}
			return "", 0, fieldErr("start", "not_a_slot", "is not a free time of this shop's agenda: pick one of the available slots")
		}
		return "", 0, ErrTaken
	}
	if staffID != "" {
		if !slices.Contains(free.StaffIDs, staffID) {
			return "", 0, ErrTaken
		}
		return staffID, p.Duration, nil
	}
	load := map[string]int{}
	for _, b := range p.Busy {
		if b.ActiveAt(now) && b.Day == day {
			load[b.StaffID]++
		}
	}
	best := free.StaffIDs[0]
	for _, id := range free.StaffIDs[1:] {
		if load[id] < load[best] {
			best = id
		}
	}
	return best, p.Duration, nil
}

func findSlot(slots []Slot, start time.Time) *Slot {
	for i := range slots {
		if slots[i].Start.Equal(start) {
			return &slots[i]
		}
	}
	return nil
}

// hold lists what b occupies: its staff member's units with buffers, its
// person's units, a seat among their upcoming bookings (unless staff
// booked it) and one of the day's cap.
func hold(b *Booking, sv *Service, loc *time.Location, staff bool) Hold {
	h := Hold{Until: b.HoldEnd}
	for u := b.HoldStart; u.Before(b.HoldEnd); u = u.Add(Unit) {
		h.Keys = append(h.Keys, fmt.Sprintf("s:%s:%d", b.StaffID, u.Unix()/int64(Unit/time.Second)))
	}
	for u := b.Start; u.Before(b.End); u = u.Add(Unit) {
		h.Keys = append(h.Keys, fmt.Sprintf("p:%s:%d", b.Person(), u.Unix()/int64(Unit/time.Second)))
	}
	if !staff {
		h.Seats = append(h.Seats, Seats{Group: "u:" + b.Person(), Max: MaxUpcoming, Until: b.End, Full: ErrUpcoming})
	}
	if sv.DailyCap > 0 {
		d, _ := time.ParseInLocation(time.DateOnly, b.Day, loc)
		h.Seats = append(h.Seats, Seats{Group: "d:" + b.ShopID + ":" + sv.ID + ":" + b.Day, Max: sv.DailyCap, Until: d.AddDate(0, 0, 1),
			Full: core.Errorf(core.ECONFLICT, "%s is fully booked on %s", sv.Name, b.Day)})
	}
	if b.Status == StatusHeld && b.HeldUntil != nil {
		// Unconfirmed, it holds everything only until the hold ends.
		h.Until = *b.HeldUntil
		for i := range h.Seats {
			h.Seats[i].Until = *b.HeldUntil
		}
	}
	return h
}

// nextReminder is the first of the 24-hour and 2-hour reminders of a
// booking starting at start still ahead of now.
func nextReminder(start, now time.Time) *time.Time {
	for _, d := range []time.Duration{24 * time.Hour, 2 * time.Hour} {
		if t := start.Add(-d); t.After(now) {
			return &t
		}
	}
	return nil
}

// book books in for the person b names. b comes with who asked (By), the
// idempotency key and the request's fingerprint, and StatusHeld when a
// customer asks to hold the slot while they finish.
func (a *Agenda) book(ctx context.Context, sh *shop.Shop, in Request, b *Booking) (*Booked, error) {
	idemKey, staff := b.IdemKey, b.By == ByStaff
	if err := checkKey(idemKey); err != nil {
		return nil, err
	}
	sv, err := a.bookable(ctx, sh, in.ServiceID)
	if err != nil {
		return nil, err
	}
	if idemKey != "" {
		// A retry of a request that booked: its slot is taken by itself.
		if got, err := a.Store.BookingByKey(ctx, b.IdemScope, idemKey); err == nil {
			return a.replay(got, b, sv, sh)
		}
	}
	start := in.Start.UTC().Truncate(time.Second)
	staffID, dur, err := a.choose(ctx, sh, sv, in.Variant, start, in.StaffID, nil, staff)
	if errors.Is(err, ErrTaken) && idemKey != "" {
		// Perhaps by the same request, retried while the first was in
		// flight: it committed before this one saw the slot taken.
		if got, err := a.Store.BookingByKey(ctx, b.IdemScope, idemKey); err == nil {
			return a.replay(got, b, sv, sh)
		}
	}
	if err != nil {
		return nil, err
	}
	now := a.Clock.Now()
	loc := sh.Location()
	b.ID = "bk-" + core.NewID()
	b.ShopID, b.ServiceID, b.Variant, b.StaffID = sh.ID, sv.ID, in.Variant, staffID
	b.Start, b.End = start, start.Add(dur)
	b.Day = start.In(loc).Format(time.DateOnly)
	b.HoldStart = start.Add(-time.Duration(sv.BufferBeforeMin) * time.Minute)
	b.HoldEnd = b.End.Add(time.Duration(sv.BufferAfterMin) * time.Minute)
	held := b.Status == StatusHeld && b.CustomerID != "" && b.By == ByCustomer
	b.Status, b.UTM = StatusBooked, in.UTM
	b.RemindAt = nextReminder(b.Start, now)
	b.CreatedAt, b.UpdatedAt = now, now
	var msgs []*notify.Message
	if held {
		until := now.Add(HoldTTL)
		b.Status, b.HeldUntil, b.RemindAt = StatusHeld, &until, nil
	} else {
		msgs = a.notice(ctx, b, sv, sh, "confirmed", now)
	}
	got, created, err := a.Store.CreateBooking(ctx, b, hold(b, sv, loc, staff), msgs)
	if err != nil {
		return nil, err
	}
	if !created {
		return a.replay(got, b, sv, sh)
	}
	out := a.view(got, sv, sh)
	out.Created = true
	return out, nil
}

// replay answers a retried request with the booking its key made, or 422
// when the key came with another request (the same request is the same
// service at the same shop).
func (a *Agenda) replay(got, asked *Booking, sv *Service, sh *shop.Shop) (*Booked, error) {
	if got.IdemHash != asked.IdemHash {
		return nil, core.Invalid("this Idempotency-Key was already used for another request",
			core.FieldError{Field: "Idempotency-Key", Code: "reused", Message: "was already used for another request: send a new key"})
	}
	return a.view(got, sv, sh), nil
}

func checkKey(k string) error {
	if len(k) > 128 || strings.ContainsFunc(k, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		return core.Invalid("the Idempotency-Key header is not valid",
			core.FieldError{Field: "Idempotency-Key", Code: "invalid", Message: "must be 1 to 128 printable ASCII characters"})
	}
	return nil
}

// view is b with its names and, for a guest, its manage link.
func (a *Agenda) view(b *Booking, sv *Service, sh *shop.Shop) *Booked {
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
func (a *Agenda) load(ctx context.Context, id string) (*Booking, *Service, *shop.Shop, error) {
	if id == "" || len(id) > 64 {
		return nil, nil, nil, core.Errorf(core.ENOTFOUND, "booking not found")
	}
	b, err := a.Store.Booking(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	sv, err := a.Store.Service(ctx, b.ServiceID)
	if err != nil {
		return nil, nil, nil, err
	}
	sh, err := a.Shops.Shop(ctx, b.ShopID)
	return b, sv, sh, err
}

// mine loads a booking of the signed-in customer; another's is not found.
func (a *Agenda) mine(ctx context.Context, id string) (*Booking, *Service, *shop.Shop, error) {
	act, _ := core.ActorFrom(ctx)
	b, sv, sh, err := a.load(ctx, id)
	if err == nil && (act.Kind != core.ActorCustomer || b.CustomerID != act.ID) {
		err = core.Errorf(core.ENOTFOUND, "booking not found")
	}
	return b, sv, sh, err
}

// byToken loads the booking a guest's manage link names.
func (a *Agenda) byToken(ctx context.Context, token string) (*Booking, *Service, *shop.Shop, error) {
	id, err := a.Tokens.VerifyBookingLink(token)
	if err != nil {
		return nil, nil, nil, err
	}
	return a.load(ctx, id)
}

// staffs loads a booking of a shop the signed-in staff member sees.
func (a *Agenda) staffs(ctx context.Context, id string) (*Booking, *Service, *shop.Shop, error) {
	act, _ := core.ActorFrom(ctx)
	b, sv, sh, err := a.load(ctx, id)
	if err == nil && (act.Kind != core.ActorStaff || !act.CanSeeShop(b.ShopID)) {
		err = core.Errorf(core.ENOTFOUND, "booking not found")
	}
	return b, sv, sh, err
}

// Mine lists the signed-in customer's bookings, latest first.
func (a *Agenda) Mine(ctx context.Context) ([]*Booked, error) {
	id, err := core.SignedInCustomer(ctx)
	if err != nil {
		return nil, err
	}
	bs, err := a.Store.CustomerBookings(ctx, id, 200)
	if err != nil {
		return nil, err
	}
	return a.views(ctx, bs), nil
}

func (a *Agenda) views(ctx context.Context, bs []*Booking) []*Booked {
	svcs, shops := map[string]*Service{}, map[string]*shop.Shop{}
	out := make([]*Booked, 0, len(bs))
	for _, b := range bs {
		if svcs[b.ServiceID] == nil {
			svcs[b.ServiceID], _ = a.Store.Service(ctx, b.ServiceID)
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
func (a *Agenda) cutoff(b *Booking, sv *Service, sh *shop.Shop) error {
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
	sv, err1 := a.Store.Service(ctx, b.ServiceID)
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

func (a *Agenda) cancel(ctx context.Context, b *Booking, sv *Service, sh *shop.Shop) (*Booked, error) {
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
	b, sv, sh, err := a.staffs(ctx, id)
	if err != nil {
		return nil, err
	}
	if b.Status != StatusBooked {
		return nil, core.Errorf(core.ECONFLICT, "this appointment is %s", strings.ReplaceAll(b.Status, "_", " "))
	}
	return a.move(ctx, b, sv, sh, in, true)
}

func (a *Agenda) move(ctx context.Context, b *Booking, sv *Service, sh *shop.Shop, in MoveInput, staff bool) (*Booked, error) {
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

// WaitInput asks for a place on a service's waitlist for a day.
type WaitInput struct {
	ShopID    string `json:"shop_id" validate:"required,max=64"`
	ServiceID string `json:"service_id" validate:"required,max=64"`
	Day       string `json:"day" validate:"required,isodate"`
}

// MaxWaits bounds how many waitlist entries one customer holds.
const MaxWaits = 5

// JoinWaitlist puts the signed-in customer on the waitlist of a service
// for a day: the first slot freed that day is offered to them first.
func (a *Agenda) JoinWaitlist(ctx context.Context, in WaitInput) (*WaitEntry, error) {
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

// Remind enqueues every booking reminder whose time has come (24 hours
// and 2 hours before), once: each with a dedupe key of its booking, kind
// and start, then the booking's next reminder moved on conditionally. It
// returns how many messages it enqueued.
func (a *Agenda) Remind(ctx context.Context, outbox interface {
	EnqueueMessages(ctx context.Context, ms []*notify.Message) (int, error)
}) (int, error) {
	now := a.Clock.Now()
	total := 0
	for {
		due, err := a.Store.DueBookingReminders(ctx, now, 500)
		if err != nil || len(due) == 0 {
			return total, err
		}
		var msgs []*notify.Message
		rs := make([]Reminder, 0, len(due))
		for _, b := range due {
			sv, err1 := a.Store.Service(ctx, b.ServiceID)
			sh, err2 := a.Shops.Shop(ctx, b.ShopID)
			if err1 == nil && err2 == nil && b.Start.After(now) {
				kind := "reminder-2h"
				if b.Start.Sub(*b.RemindAt) >= 24*time.Hour {
					kind = "reminder-24h"
				}
				msgs = append(msgs, a.notice(ctx, b, sv, sh, kind, now)...)
			}
			rs = append(rs, Reminder{Booking: b, Prev: *b.RemindAt, Next: nextReminder(b.Start, now)})
		}
		n, err := outbox.EnqueueMessages(ctx, msgs)
		if err != nil {
			return total, err
		}
		total += n
		if _, err := a.Store.AdvanceBookingReminders(ctx, rs); err != nil {
			return total, err
		}
	}
}
