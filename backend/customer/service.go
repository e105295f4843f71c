package customer

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/vista-optical/vista/backend/audit"
	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/privacy"
	"github.com/vista-optical/vista/backend/ratelimit"
	"github.com/vista-optical/vista/backend/validate"
)

// Service is what the customer app and the staff console do with customers.
type Service struct {
	Store     Store
	Family    FamilyStore
	Sessions  *auth.Sessions
	Passwords *auth.Passwords
	Audit     *audit.Log
	Privacy   *privacy.Registry
	Validator *validate.Validator
	Clock     core.Clock
	Logger    *slog.Logger
	// Firebase verifies Firebase ID tokens; nil when no Firebase project
	// is configured.
	Firebase IDTokenVerifier
	// ShopExists reports whether a shop id names a shop of the chain.
	ShopExists func(ctx context.Context, id string) (bool, error)
	// Location is the time zone in which ages are counted.
	Location *time.Location
	// Revoked ends every token of an erased account on every instance.
	Revoked *auth.Revocations
	// Limiter holds LoginLimit: failed sign-ins per account (nil: none).
	Limiter    *ratelimit.Limiter
	LoginLimit ratelimit.Limit
	// Links, Mail and PublicURL send password resets and e-mail
	// confirmations.
	Links *auth.Links
	Mail  interface {
		EnqueueMessage(ctx context.Context, m *notify.Message) (bool, error)
	}
	PublicURL func() string
}

var errAccountClosed = &core.Error{Code: core.EUNAUTHORIZED, Message: "this account is closed"}

func (s *Service) active(ctx context.Context, id string) (*Customer, error) {
	c, err := s.Store.Customer(ctx, id)
	if core.IsCode(err, core.ENOTFOUND) {
		return nil, errAccountClosed
	} else if err != nil {
		return nil, err
	}
	if c.Status != StatusActive {
		return nil, errAccountClosed
	}
	return c, nil
}

// FirstName is a stored customer's first name (the kiosk's greeting).
func (s *Service) FirstName(ctx context.Context, id string) (string, error) {
	c, err := s.Store.Customer(ctx, id)
	if err != nil {
		return "", err
	}
	return c.FirstName, nil
}

// Email is a stored customer's e-mail address (the e-mail channel's
// recipient when a message names none).
func (s *Service) Email(ctx context.Context, id string) (string, error) {
	c, err := s.Store.Customer(ctx, id)
	if err != nil {
		return "", err
	}
	return c.Email, nil
}

// Active tells whether a customer exists and is not erased.
func (s *Service) Active(ctx context.Context, id string) (bool, error) {
	c, err := s.Store.Customer(ctx, id)
	if core.IsCode(err, core.ENOTFOUND) {
		return false, nil
	}
	return err == nil && c.Status == StatusActive, err
}

// FamilyMemberOf answers nil when memberID is one of customerID's family,
// ENOTFOUND otherwise.
func (s *Service) FamilyMemberOf(ctx context.Context, customerID, memberID string) error {
	_, err := s.Family.FamilyMember(ctx, customerID, memberID)
	return err
}

// HomeShop returns the home shop of an active customer ("" when none).
// EUNAUTHORIZED for a closed account, so nothing new is recorded for it.
func (s *Service) HomeShop(ctx context.Context, id string) (string, error) {
	c, err := s.active(ctx, id)
	if err != nil {
		return "", err
	}
	return c.ShopID, nil
}

// HasPhone reports whether an active customer has a phone number, which
// SMS, WhatsApp and a phone recall need.
func (s *Service) HasPhone(ctx context.Context, id string) (bool, error) {
	c, err := s.active(ctx, id)
	if errors.Is(err, errAccountClosed) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return c.Phone != "", nil
}

// Locale returns the language a customer reads ("it" when unknown), and
// ok=false when the account is closed: nothing is sent to it.
func (s *Service) Locale(ctx context.Context, id string) (locale string, ok bool) {
	if s.Revoked.Closed(id) {
		return "", false
	}
	c, err := s.Store.Customer(ctx, id)
	if core.IsCode(err, core.ENOTFOUND) || (err == nil && c.Status != StatusActive) {
		return "", false
	}
	if err != nil || c.Locale == "" {
		return "it", true
	}
	return c.Locale, true
}

func customerID(ctx context.Context) (string, error) { return core.SignedInCustomer(ctx) }
