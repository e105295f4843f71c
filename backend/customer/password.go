package customer

import (
	"context"
	"fmt"
	"time"

	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/ratelimit"
)

// How long the links of an account stay valid.
const (
	ResetTTL       = 30 * time.Minute
	EmailChangeTTL = 24 * time.Hour
)

// ForgotLimit bounds reset e-mails per address.
var ForgotLimit = ratelimit.Limit{Name: "customer-forgot", Max: 3, Window: time.Hour}

// ForgotPassword e-mails the customer with the address a link, valid
// ResetTTL and usable once, to choose a new password. It answers the same,
// in about the same time, whether or not the address has an account.
func (s *Service) ForgotPassword(ctx context.Context, email string) error {
	return auth.Forgot(ctx, s.Limiter, ForgotLimit, email, func(ctx context.Context, email string) error {
		c, err := s.Store.CustomerByEmail(ctx, email)
		if core.IsCode(err, core.ENOTFOUND) {
			return nil
		} else if err != nil {
			return err
		}
		return s.sendLink(ctx, c, c.Email, auth.LinkCustomerReset, nil, ResetTTL, "/reset")
	})
}

// ResetPassword sets a new password from a reset link, revokes every
// refresh-token family of the customer and ends their access tokens on
// every instance: each device signs in again.
func (s *Service) ResetPassword(ctx context.Context, token, password string) error {
	if err := auth.CheckPassword(password); err != nil {
		return err
	}
	link, err := s.Links.Use(ctx, auth.LinkCustomerReset, token)
	if err != nil {
		return err
	}
	hash, err := s.Passwords.Hash(password)
	if err != nil {
		return core.Internal(err)
	}
	if _, err := s.Store.UpdateCustomer(ctx, link.Subject, Update{PasswordHash: &hash}, s.Clock.Now()); core.IsCode(err, core.ENOTFOUND) {
		return core.Errorf(core.EGONE, "this account is closed")
	} else if err != nil {
		return err
	}
	if err := s.Sessions.EndAll(ctx, link.Subject); err != nil {
		return err
	}
	if s.Revoked != nil {
		if err := s.Revoked.Revoke(ctx, link.Subject, false); err != nil {
			return err
		}
	}
	return s.Audit.Record(ctx, "customer.password_reset", link.Subject, "", "by e-mail link")
}

// requestEmailChange sends a link to the new address; the address changes
// when it is opened.
func (s *Service) requestEmailChange(ctx context.Context, c *Customer, next string) error {
	if other, err := s.Store.CustomerByEmail(ctx, next); err == nil && other.ID != c.ID {
		return core.Invalid("this address belongs to another account", core.FieldError{Field: "email", Message: "is already in use"})
	} else if err != nil && !core.IsCode(err, core.ENOTFOUND) {
		return err
	}
	return s.sendLink(ctx, c, next, auth.LinkEmailChange, map[string]string{"email": next}, EmailChangeTTL, "/confirm-email")
}

// ConfirmEmail applies the e-mail change a confirmation link carries.
func (s *Service) ConfirmEmail(ctx context.Context, token string) error {
	link, err := s.Links.Use(ctx, auth.LinkEmailChange, token)
	if err != nil {
		return err
	}
	next := link.Data["email"]
	_, err = s.Store.UpdateCustomer(ctx, link.Subject, Update{Email: &next}, s.Clock.Now())
	switch {
	case core.IsCode(err, core.ENOTFOUND):
		return core.Errorf(core.EGONE, "this account is closed")
	case core.IsCode(err, core.ECONFLICT):
		return core.Errorf(core.ECONFLICT, "the address was taken by another account meanwhile")
	case err != nil:
		return err
	}
	return s.Audit.Record(ctx, "customer.email_changed", link.Subject, "", "confirmed by the new address")
}

func (s *Service) sendLink(ctx context.Context, c *Customer, to, kind string, data map[string]string, ttl time.Duration, path string) error {
	link, err := s.Links.IssueURL(ctx, kind, c.ID, data, ttl, s.PublicURL(), path)
	if err != nil {
		return err
	}
	locale := c.Locale
	if locale != "en" {
		locale = "it"
	}
	t := mailTexts[locale][kind]
	now := s.Clock.Now()
	msg := notify.AccountEmail(c.ID, to, locale, kind, core.NewID(), t[0], fmt.Sprintf(t[1], orDefault(c.FirstName, to)), link, now)
	msg.ShopID = c.ShopID
	_, err = s.Mail.EnqueueMessage(ctx, msg)
	return err
}

var mailTexts = map[string]map[string][2]string{
	"it": {
		auth.LinkCustomerReset: {"Reimposta la tua password", "Ciao %s,\n\nper scegliere una nuova password apri il link qui sotto: vale 30 minuti e si usa una volta sola. Se non l'hai chiesto tu, ignora questa e-mail: la password resta quella di prima."},
		auth.LinkEmailChange:   {"Conferma il tuo nuovo indirizzo e-mail", "Ciao %s,\n\napri il link qui sotto per usare questo indirizzo per il tuo account: vale 24 ore. Finché non lo apri resta valido quello di prima."},
	},
	"en": {
		auth.LinkCustomerReset: {"Reset your password", "Hello %s,\n\nopen the link below to choose a new password: it is valid for 30 minutes and works once. If you did not ask for it, ignore this e-mail: your password stays as it was."},
		auth.LinkEmailChange:   {"Confirm your new e-mail address", "Hello %s,\n\nopen the link below to use this address for your account: it is valid for 24 hours. Until you do, the previous one stays in use."},
	},
}
