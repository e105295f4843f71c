// Package booking is a shop's agenda: the services a customer can book,
// who performs them and when, the free slots computed from those, and the
// bookings themselves. A slot is never given twice: every booking holds
// one claim per staff member and five-minute unit it occupies, under a
// unique key, and a second booking of any of those units fails in the
// database, whatever the engine and however many instances run.
package booking

import (
	"context"
	"strings"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/shop"
)

// Skills a service may need of whoever performs it. A staff member's
// agenda lists theirs: an eye exam needs an optometrist, a pickup does not.
const (
	SkillOptometrist = "optometrist"
	SkillContactLens = "contact_lens"
	SkillAssistant   = "assistant"
)

// Skills lists every skill.
var Skills = []string{SkillOptometrist, SkillContactLens, SkillAssistant}

// Grains of the agenda.
const (
	// Unit is the grain of claims: durations and buffers are multiples of it.
	Unit = 5 * time.Minute
	// Step is the distance between two slot starts.
	Step = 15 * time.Minute
	// MaxRangeDays bounds one availability or agenda read.
	MaxRangeDays = 62
	// MaxUpcoming is how many future bookings one person may hold at once
	// (bots hoarding slots, OWASP API6).
	MaxUpcoming = 3
	// HoldTTL is how long a held slot waits for its confirmation.
	HoldTTL = 10 * time.Minute
	// GuestRetention is how long after the appointment a guest's contact
	// details are kept by default: a year of follow-up, then the booking
	// keeps only what the shop's counts need.
	GuestRetention = 365 * 24 * time.Hour
)

// Booking states.
const (
	// StatusHeld is a slot kept for a customer while they confirm, until
	// HeldUntil; then it is free again.
	StatusHeld      = "held"
	StatusBooked    = "booked"
	StatusCancelled = "cancelled"
	StatusArrived   = "arrived"
	StatusNoShow    = "no_show"
)

// Sources are the touchpoints a booking can come from.
var Sources = []string{"app", "website", "instagram", "facebook", "newsletter", "qr", "phone", "walk-in"}

// UTMKeys are the campaign parameters a booking keeps.
var UTMKeys = []string{"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"}

// Variant is another length of a service: a first contact-lens fitting
// and a follow-up, an exam for a child.
type Variant struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	NameEN      string `json:"name_en"`
	DurationMin int    `json:"duration_min"`
}

// Offering is something a customer books. Minutes throughout; the buffers
// are kept free before and after each appointment (preparation, cleaning).
type Offering struct {
	ID string `json:"id"`
	// ShopID is the one shop offering it; "" for every shop of the chain.
	ShopID          string    `json:"shop_id,omitempty"`
	Code            string    `json:"code"`
	Name            string    `json:"name"`
	NameEN          string    `json:"name_en"`
	DurationMin     int       `json:"duration_min"`
	BufferBeforeMin int       `json:"buffer_before_min"`
	BufferAfterMin  int       `json:"buffer_after_min"`
	Variants        []Variant `json:"variants,omitempty"`
	// MinNoticeMin: how long before its start a slot can still be booked.
	MinNoticeMin int `json:"min_notice_min"`
	// MaxAheadDays: how far ahead it can be booked.
	MaxAheadDays int `json:"max_ahead_days"`
	// CancelNoticeMin: how long before its start a customer may still
	// cancel or move it (staff always can).
	CancelNoticeMin int `json:"cancel_notice_min"`
	// DailyCap is how many of it a shop takes a day; 0 for no cap.
	DailyCap int `json:"daily_cap"`
	// Skills: who may perform it (any one of them).
	Skills    []string  `json:"skills"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Duration is the length of the service, or of its variant code ("" for
// the service itself); ok is false for an unknown variant.
func (s *Offering) Duration(variant string) (time.Duration, bool) {
	if variant == "" {
		return time.Duration(s.DurationMin) * time.Minute, true
	}
	for _, v := range s.Variants {
		if v.Code == variant {
			return time.Duration(v.DurationMin) * time.Minute, true
		}
	}
	return 0, false
}

// OfferedAt reports whether shopID offers the service.
func (s *Offering) OfferedAt(shopID string) bool {
	return s.Active && (s.ShopID == "" || s.ShopID == shopID)
}

// NameIn is the service's name in locale.
func (s *Offering) NameIn(locale string) string {
	if locale == "en" && s.NameEN != "" {
		return s.NameEN
	}
	return s.Name
}

// Absence is a stretch of days off, local dates inclusive.
type Absence struct {
	From string `json:"from"`
	To   string `json:"to"`
	Note string `json:"note,omitempty"`
}

// Practitioner is a staff member's agenda: what they can perform, when
// they work (nil Hours: the shop's opening hours), and their absences.
type Practitioner struct {
	StaffID  string                 `json:"staff_id"`
	ShopID   string                 `json:"shop_id"`
	Name     string                 `json:"name,omitempty"`
	Skills   []string               `json:"skills"`
	Hours    map[string][]shop.Span `json:"hours,omitempty"`
	Absences []Absence              `json:"absences,omitempty"`
	// FeedHash is the SHA-256 of the secret in the URL of the staff
	// member's calendar feed; "" for none.
	FeedHash  string    `json:"-"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Can reports whether p has one of skills.
func (p *Practitioner) Can(skills []string) bool {
	for _, s := range skills {
		for _, h := range p.Skills {
			if s == h {
				return true
			}
		}
	}
	return false
}

// Away reports whether p is absent on the local date.
func (p *Practitioner) Away(date string) bool {
	for _, a := range p.Absences {
		if date >= a.From && date <= a.To {
			return true
		}
	}
	return false
}

// Guest is who booked without an account.
type Guest struct {
	Name   string `json:"name"`
	Phone  string `json:"phone,omitempty"`
	Email  string `json:"email,omitempty"`
	Locale string `json:"locale"`
	// ConsentAt is when they agreed to be contacted about this booking,
	// under the privacy text version ConsentVersion.
	ConsentAt      time.Time `json:"consent_at"`
	ConsentVersion string    `json:"consent_version"`
}

// Booking is one appointment.
type Booking struct {
	ID        string `json:"id"`
	ShopID    string `json:"shop_id"`
	ServiceID string `json:"service_id"`
	Variant   string `json:"variant,omitempty"`
	StaffID   string `json:"staff_id"`
	// CustomerID is the account that booked; "" for a guest.
	CustomerID     string `json:"customer_id,omitempty"`
	FamilyMemberID string `json:"family_member_id,omitempty"`
	Guest          *Guest `json:"guest,omitempty"`
	// Day is the local date of Start in the shop's zone.
	Day   string    `json:"day"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// HoldStart and HoldEnd are what the booking keeps busy: the
	// appointment and its buffers.
	HoldStart time.Time `json:"-"`
	HoldEnd   time.Time `json:"-"`
	Status    string    `json:"status"`
	// HeldUntil is when a held booking's slot is free again unless
	// confirmed; nil once booked.
	HeldUntil *time.Time        `json:"held_until,omitempty"`
	Source    string            `json:"source"`
	UTM       map[string]string `json:"utm,omitempty"`
	// By is who made it: customer, guest or staff.
	By   string `json:"by"`
	Note string `json:"note,omitempty"`
	// IdemKey is the client's Idempotency-Key, unique per IdemScope (the
	// caller); IdemHash fingerprints the request it came with.
	IdemScope string `json:"-"`
	IdemKey   string `json:"-"`
	IdemHash  string `json:"-"`
	VisitID   string `json:"visit_id,omitempty"`
	// RemindAt is when the next reminder is due; nil when none is left.
	RemindAt  *time.Time `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Person is the key of whoever attends: the account (and family member),
// or the guest's e-mail or phone.
func (b *Booking) Person() string {
	switch {
	case b.CustomerID != "":
		return "c:" + b.CustomerID + "/" + b.FamilyMemberID
	case b.Guest != nil && b.Guest.Email != "":
		return "e:" + strings.ToLower(b.Guest.Email)
	case b.Guest != nil:
		return "p:" + b.Guest.Phone
	}
	return "b:" + b.ID
}

// ActiveAt reports whether b still takes its time at now (cancelled
// bookings and holds that were not confirmed in time free it).
func (b *Booking) ActiveAt(now time.Time) bool {
	if b.Status == StatusHeld {
		return b.HeldUntil != nil && b.HeldUntil.After(now)
	}
	return b.Status != StatusCancelled
}

// WaitEntry is a customer waiting for a slot of a service on a day; the
// first one is offered a slot freed by a cancellation.
type WaitEntry struct {
	ID         string     `json:"id"`
	ShopID     string     `json:"shop_id"`
	ServiceID  string     `json:"service_id"`
	Day        string     `json:"day"`
	CustomerID string     `json:"customer_id"`
	CreatedAt  time.Time  `json:"created_at"`
	OfferedAt  *time.Time `json:"offered_at,omitempty"`
	// OfferStart and OfferStaff are the freed slot it was offered.
	OfferStart *time.Time `json:"offer_start,omitempty"`
	OfferStaff string     `json:"offer_staff,omitempty"`
}

// Hold is what a booking occupies in the store: every key of Keys (one
// per staff member or person and unit), and a seat of each group of
// Seats. A key or the last seat of a group already held fails the whole
// write; a claim whose time is over (an unconfirmed hold's, a past
// booking's) is free.
type Hold struct {
	Keys []string
	// Until is when the keys are free again: the end of the booking with
	// its buffers, or of an unconfirmed hold.
	Until time.Time
	Seats []Seats
}

// Seats is a group of at most Max claims: one person's upcoming bookings,
// a service's bookings on a day. A seat is held until Until (the end of
// the booking), then free for another.
type Seats struct {
	Group string
	Max   int
	Until time.Time
	// Full is the error given when no seat is left.
	Full error
}

// Reminder is a due booking reminder: its booking and the advance to
// record once its messages are enqueued.
type Reminder struct {
	Booking *Booking
	Prev    time.Time
	Next    *time.Time
}

// Errors of booking.
var (
	ErrTaken = core.Errorf(core.ECONFLICT, "this slot was just taken: please pick another")
)

// Store keeps offerings, bookings and waitlists; each part has its file
// in both engines and in the conformance suite.
type Store interface {
	OfferingStore
	BookingStore
	WaitlistStore
}

// BookingStore keeps bookings and the claims that hold their slots.
type BookingStore interface {
	// CreateBooking stores b, its hold and msgs in one write. When
	// b.IdemKey is set and a booking with the same scope and key exists,
	// nothing is written and that booking is returned with created false.
	// ErrTaken when a key of the hold is held; the group's Full error when
	// a seat group has no seat left.
	CreateBooking(ctx context.Context, b *Booking, h Hold, msgs []*notify.Message) (got *Booking, created bool, err error)
	// Booking returns the booking with id, or ENOTFOUND.
	Booking(ctx context.Context, id string) (*Booking, error)
	// BookingByKey returns the booking made with an Idempotency-Key in
	// scope, or ENOTFOUND.
	BookingByKey(ctx context.Context, scope, key string) (*Booking, error)
	// ConfirmBooking turns the held b (as confirmed: its reminder set)
	// into a booked one at now, if its hold has not ended: its claims then
	// last as h says, and msgs are enqueued, in one write. ECONFLICT when
	// it is not held or the hold ended (its slot may be another's by now).
	ConfirmBooking(ctx context.Context, b *Booking, h Hold, now time.Time, msgs []*notify.Message) (*Booking, error)
	// MoveBooking gives the booked b (as loaded) its new Start, End, hold,
	// staff and reminder, and replaces its keys with h's (its seats stay),
	// with msgs, in one write. ErrTaken when a new key is held; ECONFLICT
	// when b is no longer booked.
	MoveBooking(ctx context.Context, b *Booking, h Hold, msgs []*notify.Message) error
	// CancelBooking marks the booked id cancelled at at, frees everything
	// it held and enqueues msgs; then offers its slot to the first entry of
	// its service's waitlist for its day not yet offered one, enqueuing
	// offer(entry)'s messages: all in one write. It returns the booking as
	// cancelled and the entry offered (nil for none). ECONFLICT when the
	// booking is not booked.
	CancelBooking(ctx context.Context, id string, at time.Time, msgs []*notify.Message, offer func(*WaitEntry) []*notify.Message) (*Booking, *WaitEntry, error)
	// MarkBooking moves the booked id to arrived or no-show at at (with
	// the visit it opened) and frees its seat in its person's upcoming
	// bookings. ECONFLICT when it is not booked.
	MarkBooking(ctx context.Context, id, status, visitID string, at time.Time) (*Booking, error)
	// ShopBookings returns a shop's bookings (every state) whose hold
	// overlaps [from, to), by start.
	ShopBookings(ctx context.Context, shopID string, from, to time.Time) ([]*Booking, error)
	// ShopHolds returns what a shop's active bookings whose hold overlaps
	// [from, to) keep busy: of each only StaffID, ServiceID, Day,
	// HoldStart, HoldEnd and Status (free slots need no more).
	ShopHolds(ctx context.Context, shopID string, from, to time.Time) ([]*Booking, error)
	// StaffBookings returns a staff member's active bookings starting in
	// [from, to), by start.
	StaffBookings(ctx context.Context, staffID string, from, to time.Time) ([]*Booking, error)
	// CustomerBookings returns an account's bookings (its family's
	// included), newest start first, at most limit.
	CustomerBookings(ctx context.Context, customerID string, p core.Page) ([]*Booking, error)
	// CountNoShows counts a person's no-shows.
	CountNoShows(ctx context.Context, customerID string) (int, error)
	// DueBookingReminders returns booked bookings whose next reminder is
	// due at now, at most limit, oldest first.
	DueBookingReminders(ctx context.Context, now time.Time, limit int) ([]*Booking, error)
	// AdvanceBookingReminders moves each booking's next reminder from Prev
	// to Next, where it still is Prev; it returns how many moved.
	AdvanceBookingReminders(ctx context.Context, rs []Reminder) (int, error)
	// CancelExpiredHolds marks cancelled the holds that ended before t.
	CancelExpiredHolds(ctx context.Context, before time.Time) (int, error)
	// PurgeClaims deletes the claims that ended before t (no booking can
	// start before now, so they hold nothing back) and returns how many.
	PurgeClaims(ctx context.Context, before time.Time) (int, error)
	// ForgetGuests removes the contact details of guests whose booking
	// ended before t (the booking stays, for the shop's counts) and
	// returns how many bookings it changed.
	ForgetGuests(ctx context.Context, before time.Time) (int, error)
	// DeleteCustomerBookings removes an account's bookings, claims and
	// waitlist entries (erasure).
	DeleteCustomerBookings(ctx context.Context, customerID string) error
}
