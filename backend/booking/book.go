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
	if err := a.check(&in); err != nil {
		return nil, err
	}
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
	if err := a.check(&in); err != nil {
		return nil, err
	}
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
	if err := a.check(&in); err != nil {
		return nil, err
	}
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
func (a *Agenda) choose(ctx context.Context, sh *shop.Shop, sv *Offering, variant string, start time.Time, staffID string, skip *Booking, staff bool) (string, time.Duration, error) {
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
func hold(b *Booking, sv *Offering, loc *time.Location, staff bool) Hold {
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
func (a *Agenda) replay(got, asked *Booking, sv *Offering, sh *shop.Shop) (*Booked, error) {
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

// MaxWaits bounds how many waitlist entries one customer holds.
const MaxWaits = 5
