// Package visit is the phygital link: a visit is a presence in a shop,
// first anonymous (what the totem saw), then, when the shopper claims the
// rotating QR code of the screen with the app, the customer's. Events
// recorded before the link belong to the customer through the visit
// itself, so they join the customer's history exactly once, however the
// link came about.
package visit

import (
	"context"
	"time"
)

// Visit is one presence in a shop, seen by one kiosk.
type Visit struct {
	ID        string    `json:"id"`
	ShopID    string    `json:"shop_id"`
	KioskID   string    `json:"kiosk_id"`
	StartedAt time.Time `json:"started_at"`
	LastAt    time.Time `json:"last_at"`
	// CustomerID is empty while the visit is anonymous.
	CustomerID string     `json:"customer_id,omitempty"`
	LinkedAt   *time.Time `json:"linked_at,omitempty"`
	// Via says how it was linked: "qr" (the app), "web" (the landing
	// page), "desk" (staff).
	Via string `json:"via,omitempty"`
}

// Event is something the kiosk recorded during a visit.
type Event struct {
	VisitID string    `json:"visit_id"`
	Kind    string    `json:"kind"` // product_viewed, offer_shown, qr_shown, qr_scanned
	ItemID  string    `json:"item_id,omitempty"`
	At      time.Time `json:"at"`
}

// Code is what one QR code shown by a kiosk is bound to, kept under the
// hash of its token's nonce. It is resolved (the app shows what it will
// link to) and then claimed, once.
type Code struct {
	ID         string     `json:"-"`
	VisitID    string     `json:"visit_id"`
	KioskID    string     `json:"kiosk_id"`
	ShopID     string     `json:"shop_id"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	ResolvedBy string     `json:"-"`
	ClaimedBy  string     `json:"-"`
	ClaimedAt  *time.Time `json:"claimed_at,omitempty"`
}

// ClaimLimits bound claims per customer and per kiosk in a window.
type ClaimLimits struct {
	PerCustomer, PerKiosk int
	Window                time.Duration
}

// Store keeps visits, their events and the codes that link them.
type Store interface {
	// CreateVisit stores v.
	CreateVisit(ctx context.Context, v *Visit) error
	// Visit returns the visit with id, or ENOTFOUND.
	Visit(ctx context.Context, id string) (*Visit, error)
	// OpenVisit returns the kiosk's latest anonymous visit, not ended,
	// active at or after since, or ENOTFOUND.
	OpenVisit(ctx context.Context, kioskID string, since time.Time) (*Visit, error)
	// EndVisit ends the kiosk's open anonymous visit at at, if there is
	// one: it is open no more, and its unclaimed codes expire at at.
	EndVisit(ctx context.Context, kioskID string, at time.Time) error
	// TouchVisit moves the visit's last activity to at (never back).
	TouchVisit(ctx context.Context, id string, at time.Time) error
	// LinkVisit gives the anonymous visit id to customerID, once:
	// ECONFLICT when it already belongs to someone, ENOTFOUND if unknown.
	LinkVisit(ctx context.Context, id, customerID, via string, at time.Time) error
	// AddVisitEvents stores events.
	AddVisitEvents(ctx context.Context, es []Event) error
	// VisitEvents lists a visit's events, oldest first.
	VisitEvents(ctx context.Context, visitID string) ([]Event, error)
	// CustomerVisits lists a customer's visits, newest first.
	CustomerVisits(ctx context.Context, customerID string) ([]*Visit, error)
	// ShopCheckins lists the linked visits of a shop active in [from, to),
	// newest first.
	ShopCheckins(ctx context.Context, shopID string, from, to time.Time) ([]*Visit, error)
	// DeleteCustomerVisits removes a customer's visits and their events,
	// and their greeting choice (erasure).
	DeleteCustomerVisits(ctx context.Context, customerID string) error
	// PurgeAnonymousVisits removes anonymous visits (and their events and
	// codes) last active before before.
	PurgeAnonymousVisits(ctx context.Context, before time.Time) (int, error)

	// Greets reports whether the customer lets screens greet them by
	// first name (false until they say so).
	Greets(ctx context.Context, customerID string) (bool, error)
	// SetGreets records the customer's choice.
	SetGreets(ctx context.Context, customerID string, greet bool, at time.Time) error

	// Code returns the code with id, or ENOTFOUND.
	Code(ctx context.Context, id string) (*Code, error)
	// CreateCode stores c. ECONFLICT if its id exists.
	CreateCode(ctx context.Context, c *Code) error
	// ResolveCode records that customerID is about to claim code id (the
	// app shows what it links to): ENOTFOUND for an unknown id, EGONE
	// once it is claimed or expired at now, or resolved by someone else
	// (the first resolver keeps the right to claim).
	ResolveCode(ctx context.Context, id, customerID string, now time.Time) (*Code, error)
	// ClaimVisit is ClaimCode, then the visit of the code becomes
	// customerID's (via) — or, when it was linked meanwhile, a new visit
	// newID at the same kiosk does — with a qr_scanned event, in one
	// write where the engine can. Before claiming, it refuses (ETOOMANY)
	// when the customer, or the code's kiosk, already has l's maximum of
	// claims in the window before now. It returns the code and the visit.
	ClaimVisit(ctx context.Context, id, customerID, via, newID string, now time.Time, l ClaimLimits) (*Code, *Visit, error)
	// ClaimCode claims code id for customerID, once, in one conditional
	// write: EGONE when claimed, expired or resolved by someone else,
	// ECONFLICT when nobody resolved it, ENOTFOUND for an unknown id.
	ClaimCode(ctx context.Context, id, customerID string, now time.Time) (*Code, error)
}
