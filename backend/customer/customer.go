// Package customer holds the customers of the chain: their profile, their
// consents (an append-only log of events from which the current state is
// derived), their app devices, sign-up and sign-in, export and erasure.
package customer

import (
	"context"
	"time"

	"github.com/vista-optical/vista/backend/core"
)

// Where a customer record began.
const (
	OriginApp     = "app"
	OriginCounter = "counter"
)

// Status of a customer record.
const (
	StatusActive = "active"
	StatusErased = "erased"
)

// Customer is a person the chain knows: with an app account, or created
// by staff at the counter (no password until they claim it in the app). A
// family member without an account of their own is not a Customer.
type Customer struct {
	ID           string `json:"id"`
	Email        string `json:"email,omitempty"`
	PasswordHash string `json:"-"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Phone        string `json:"phone,omitempty"`
	BirthDate    string `json:"birth_date,omitempty"` // YYYY-MM-DD
	ShopID       string `json:"shop_id,omitempty"`    // home shop
	// TaxCode is the codice fiscale, upper case; "" when not given.
	TaxCode string `json:"tax_code,omitempty"`
	Address string `json:"address,omitempty"`
	// Origin is where the record began: OriginApp (a sign-up in the app)
	// or OriginCounter (staff created it for someone in the shop).
	Origin      string     `json:"origin"`
	Locale      string     `json:"locale"`
	FirebaseUID string     `json:"-"`
	Status      string     `json:"status"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	ErasedAt    *time.Time `json:"erased_at,omitempty"`
	// PendingEmail is not stored: the answer to an e-mail change carries
	// the new address until its confirmation link is opened.
	PendingEmail string `json:"pending_email,omitempty"`
}

// Update is a partial change to a profile: nil fields are left alone.
type Update struct {
	// Email is a confirmed new address; PasswordHash a new password.
	Email        *string
	PasswordHash *string
	FirstName    *string
	LastName     *string
	Phone        *string
	ShopID       *string
	Locale       *string
	FirebaseUID  *string
}

// Device is an installation of the app that can receive push messages.
type Device struct {
	Token      string    `json:"token"`
	CustomerID string    `json:"-"`
	Platform   string    `json:"platform"`
	AppVersion string    `json:"app_version"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
}

// Store keeps customers, consent events and devices.
type Store interface {
	// CreateCustomer stores c. ECONFLICT when another customer has the same
	// e-mail or Firebase uid.
	CreateCustomer(ctx context.Context, c *Customer) error
	// Customer returns the customer with id, erased or not; ENOTFOUND if
	// there is none.
	Customer(ctx context.Context, id string) (*Customer, error)
	// CustomerByEmail returns the active customer with the normalised
	// e-mail; ENOTFOUND if there is none.
	CustomerByEmail(ctx context.Context, email string) (*Customer, error)
	// CustomerByFirebaseUID returns the active customer linked to uid;
	// ENOTFOUND if there is none.
	CustomerByFirebaseUID(ctx context.Context, uid string) (*Customer, error)
	// UpdateCustomer applies u to the active customer with id at time now
	// and returns the result. ENOTFOUND if there is no such active customer;
	// ECONFLICT if the new e-mail or Firebase uid is taken.
	UpdateCustomer(ctx context.Context, id string, u Update, now time.Time) (*Customer, error)
	// CustomersByContact returns the active customers with that phone
	// or that tax code ("" matches nothing), at most 20: the records that
	// may be the same person as a new one.
	CustomersByContact(ctx context.Context, phone, taxCode string) ([]*Customer, error)
	// SearchCustomers returns active customers matching every term of s
	// (see Term), of s.Shops (every shop when nil), at most s.Limit, in no
	// order. The keys of a customer are SearchKeys of it, kept by
	// CreateCustomer, UpdateCustomer and EraseCustomer.
	SearchCustomers(ctx context.Context, s Search) ([]*Customer, error)
	// CustomersByIDs returns the customers among ids that exist (erased or
	// not), in no order; it is asked at most MaxBatch ids at once.
	CustomersByIDs(ctx context.Context, ids []string) ([]*Customer, error)
	// CustomersByShop returns one page of a shop's active customers,
	// newest first (by created_at, then id).
	CustomersByShop(ctx context.Context, shop string, p core.Page) ([]*Customer, error)
	// EraseCustomer removes the personal data of the customer with id and
	// marks the record erased at now, keeping only the id. Erasing an erased
	// customer succeeds. ENOTFOUND if there is no customer with id.
	EraseCustomer(ctx context.Context, id string, now time.Time) error

	// AppendConsentEvents adds events to the customer's consent log. Events
	// are never changed or removed except by erasure.
	AppendConsentEvents(ctx context.Context, events []ConsentEvent) error
	// ConsentEvents returns the customer's events that occurred at or before
	// until, oldest first.
	ConsentEvents(ctx context.Context, customerID string, until time.Time) ([]ConsentEvent, error)
	// DeleteConsentEvents removes a customer's consent log (erasure only).
	DeleteConsentEvents(ctx context.Context, customerID string) error

	// UpsertDevice registers d, or refreshes it when its token is known: a
	// token registered by another customer moves to d.CustomerID, since a
	// phone has one owner at a time. CreatedAt is kept on update.
	UpsertDevice(ctx context.Context, d *Device) error
	// Devices returns the customer's devices, newest first.
	Devices(ctx context.Context, customerID string) ([]*Device, error)
	// DeleteDevice removes the customer's device with token. ENOTFOUND if
	// the customer has no device with that token.
	DeleteDevice(ctx context.Context, customerID, token string) error
	// DeleteDevices removes every device of a customer (erasure only).
	DeleteDevices(ctx context.Context, customerID string) error
}
