// Package screen runs the screens in the shops: kiosk devices paired
// with a one-time code, the offers staff push to them, what each screen
// should show now (on a schedule), proof of what it showed, and the event
// stream that carries a push from any instance to every screen.
package screen

import (
	"context"
	"time"
)

// Kiosk is one paired screen: a wall display or a touch totem of a shop.
type Kiosk struct {
	ID         string     `json:"id"`
	ShopID     string     `json:"shop_id"`
	Label      string     `json:"label"`
	CreatedAt  time.Time  `json:"created_at"`
	LastSeenAt *time.Time `json:"last_seen_at,omitempty"`
	// Showing is what the screen last said it shows ("offer:<id>", ...).
	Showing   string     `json:"showing,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// PairingCode lets one browser become a kiosk of a shop, once, for a few
// minutes. Only its hash is stored.
type PairingCode struct {
	Hash      string
	ShopID    string
	CreatedBy string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// Offer is content staff push to screens (and perhaps to the app): shown
// on the shop's screens, or every shop's for a chain offer, within its
// period and schedule.
type Offer struct {
	ID          string    `json:"id"`
	ShopID      string    `json:"shop_id,omitempty"` // "" for the whole chain
	Title       string    `json:"title"`
	Text        string    `json:"text,omitempty"`
	ImageURL    string    `json:"image_url,omitempty"`
	ProductIDs  []string  `json:"product_ids,omitempty"`
	PromotionID string    `json:"promotion_id,omitempty"`
	Starts      time.Time `json:"starts"`
	Ends        time.Time `json:"ends"`
	Schedule    Schedule  `json:"schedule"`
	// Customers is how many app customers it was sent to (0 if not sent).
	Customers int       `json:"customers"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Schedule narrows an offer to some weekdays and a time of day, in the
// shop's zone. The zero Schedule is always.
type Schedule struct {
	// Weekdays are "mon".."sun"; empty means every day.
	Weekdays []string `json:"weekdays,omitempty"`
	// From and To are "HH:MM"; empty means all day. To before From spans
	// midnight (an after-hours loop from 19:30 to 09:00).
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
}

// Event is one message to screens, kept in the database so that every
// instance delivers it to the screens connected to it.
type Event struct {
	Seq     int64     `json:"seq"`
	ShopID  string    `json:"shop_id,omitempty"`  // "" for every shop
	KioskID string    `json:"kiosk_id,omitempty"` // "" for every screen of the shop
	Kind    string    `json:"kind"`
	Data    string    `json:"data"` // JSON
	At      time.Time `json:"at"`
}

// Kinds of events.
const (
	EventOffer    = "offer"    // an offer was pushed: show it now
	EventContent  = "content"  // what screens show changed: fetch it again
	EventRevoked  = "revoked"  // the screen was revoked: stop
	EventQR       = "qr"       // the screen's code was claimed: show a new one now
	EventGreeting = "greeting" // greet a visitor who linked, by first name only
)

// Play is one item a screen showed, and for how long.
type Play struct {
	KioskID  string    `json:"kiosk_id"`
	ShopID   string    `json:"shop_id"`
	ItemKind string    `json:"item_kind"` // "offer", "product", "promotion"
	ItemID   string    `json:"item_id"`
	ShownAt  time.Time `json:"shown_at"`
	Seconds  int       `json:"seconds"`
}

// Store keeps kiosks, pairing codes, offers, events and plays.
type Store interface {
	// CreatePairingCode stores c. ECONFLICT if its hash exists.
	CreatePairingCode(ctx context.Context, c *PairingCode) error
	// UsePairingCode marks the code with hash used at now, once:
	// ENOTFOUND for an unknown hash, EGONE for one used or expired. Of
	// two concurrent uses one wins.
	UsePairingCode(ctx context.Context, hash string, now time.Time) (*PairingCode, error)
	// CreateKiosk stores k.
	CreateKiosk(ctx context.Context, k *Kiosk) error
	// Kiosk returns the kiosk with id, revoked or not, or ENOTFOUND.
	Kiosk(ctx context.Context, id string) (*Kiosk, error)
	// ShopKiosks lists a shop's kiosks, revoked ones too, newest first.
	ShopKiosks(ctx context.Context, shopID string) ([]*Kiosk, error)
	// UpdateKiosk saves k's label and revocation. ENOTFOUND if unknown.
	UpdateKiosk(ctx context.Context, k *Kiosk) error
	// TouchKiosk records a heartbeat at at, and what the screen shows
	// when showing is not empty.
	TouchKiosk(ctx context.Context, id string, at time.Time, showing string) error

	// CreateOffer stores o.
	CreateOffer(ctx context.Context, o *Offer) error
	// Offer returns the offer with id, or ENOTFOUND.
	Offer(ctx context.Context, id string) (*Offer, error)
	// Offers lists the offers of a shop and of the whole chain that end
	// after t, newest first, at most limit. An empty shopID lists every
	// shop's.
	Offers(ctx context.Context, shopID string, t time.Time, limit int) ([]*Offer, error)
	// EndOffer sets the end of the offer id to at. ENOTFOUND if unknown.
	EndOffer(ctx context.Context, id string, at time.Time) error
	// SetOfferCustomers records how many customers an offer was sent to.
	SetOfferCustomers(ctx context.Context, id string, n int) error

	// AppendEvent stores e with the next sequence number, which it sets.
	// Sequence numbers increase in the order events become visible.
	AppendEvent(ctx context.Context, e *Event) error
	// EventsAfter returns up to limit events with Seq > seq, by Seq.
	EventsAfter(ctx context.Context, seq int64, limit int) ([]Event, error)
	// LastEventSeq is the highest Seq stored (0 if none).
	LastEventSeq(ctx context.Context) (int64, error)
	// PurgeEvents removes events older than before.
	PurgeEvents(ctx context.Context, before time.Time) (int, error)

	// RecordPlays stores what screens showed.
	RecordPlays(ctx context.Context, ps []Play) error
	// Plays lists a shop's plays since t, newest first, at most limit.
	Plays(ctx context.Context, shopID string, since time.Time, limit int) ([]Play, error)
	// PurgePlays removes plays shown before before.
	PurgePlays(ctx context.Context, before time.Time) (int, error)
}
