package customer

import (
	"context"
	"strings"
	"time"

	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/validate"
)

// AgeOfDigitalConsent is the age under which a person cannot open an
// account by themselves in Italy (art. 2-quinquies Codice privacy).
const AgeOfDigitalConsent = 14

// FirebaseIdentity is what a verified Firebase ID token says of its user.
type FirebaseIdentity struct {
	UID           string
	Email         string
	EmailVerified bool
}

// IDTokenVerifier verifies Firebase ID tokens. It returns EUNAUTHORIZED for
// a token that is not valid.
type IDTokenVerifier interface {
	VerifyIDToken(ctx context.Context, idToken string) (*FirebaseIdentity, error)
}

// SignupInput is a self-registration from the app.
type SignupInput struct {
	Email     string `json:"email" validate:"required,email,max=254"`
	Password  string `json:"password" validate:"required,min=10,max=128"`
	FirstName string `json:"first_name" validate:"required,max=100"`
	LastName  string `json:"last_name" validate:"required,max=100"`
	Phone     string `json:"phone,omitempty" validate:"omitempty,e164"`
	BirthDate string `json:"birth_date" validate:"required,isodate"`
	ShopID    string `json:"shop_id,omitempty" validate:"omitempty,max=64"`
	Locale    string `json:"locale,omitempty" validate:"omitempty,oneof=it en"`
	// Consents, TextVersion and Source are named as on PUT /v1/me/consents.
	Consents    []ConsentChoice `json:"consents,omitempty" validate:"max=15,dive"`
	TextVersion string          `json:"text_version,omitempty" validate:"max=100"`
	Source      string          `json:"source,omitempty" validate:"max=100"`
	// ConsentTextVersion and ConsentSource are the names app builds before
	// December 2026 send; they mean the same.
	ConsentTextVersion string `json:"consent_text_version,omitempty" validate:"max=100"`
	ConsentSource      string `json:"consent_source,omitempty" validate:"max=100"`
}

// Session is a customer with a fresh token pair.
type Session struct {
	Customer *Customer       `json:"customer"`
	Tokens   *auth.TokenPair `json:"tokens"`
}

// Signup creates an account and signs it in. EINVALID for bad input or a
// person under the age of digital consent; ECONFLICT for a taken e-mail.
func (s *Service) Signup(ctx context.Context, in SignupInput) (*Session, error) {
	in.Email = core.NormalizeEmail(in.Email)
	in.FirstName, in.LastName = strings.TrimSpace(in.FirstName), strings.TrimSpace(in.LastName)
	if err := s.Validator.Struct(&in); err != nil {
		return nil, err
	}
	if len(in.Consents) > 0 && in.TextVersion == "" && in.ConsentTextVersion == "" {
		return nil, core.Invalid("some fields are not valid", core.FieldError{Field: "text_version", Code: "required",
			Message: "is required with consents: the version of the text the customer agreed to"})
	}
	if err := s.checkAge(in.BirthDate); err != nil {
		return nil, err
	}
	if err := s.checkShop(ctx, in.ShopID); err != nil {
		return nil, err
	}
	hash, err := s.Passwords.Hash(in.Password)
	if err != nil {
		return nil, core.Internal(err)
	}
	now := s.Clock.Now()
	c := &Customer{
		ID: core.NewID(), Email: in.Email, PasswordHash: hash, FirstName: in.FirstName, LastName: in.LastName,
		Phone: in.Phone, BirthDate: in.BirthDate, ShopID: in.ShopID, Locale: orDefault(in.Locale, "it"),
		Status: StatusActive, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.Store.CreateCustomer(ctx, c); err != nil {
		if core.IsCode(err, core.ECONFLICT) {
			return nil, &core.Error{Code: core.ECONFLICT, Message: "an account with this e-mail already exists",
				Fields: []core.FieldError{{Field: "email", Message: "is already registered"}}}
		}
		return nil, err
	}
	if len(in.Consents) > 0 {
		src := orDefault(orDefault(in.Source, in.ConsentSource), "app:signup")
		if _, err := s.appendConsents(ctx, c.ID, in.Consents, src, orDefault(in.TextVersion, in.ConsentTextVersion)); err != nil {
			return nil, err
		}
	}
	ctx = core.WithActor(ctx, core.Actor{Kind: core.ActorCustomer, ID: c.ID})
	if err := s.Audit.Record(ctx, "customer.signup", c.ID, c.ShopID, ""); err != nil {
		return nil, err
	}
	return s.start(ctx, c)
}

// ErrBadCredentials is the one answer to a failed sign-in, whether the
// e-mail is unknown or the password wrong.
var ErrBadCredentials = &core.Error{Code: core.EUNAUTHORIZED, Message: "e-mail or password is not correct"}

// Login signs a customer in with e-mail and password.
func (s *Service) Login(ctx context.Context, email, password string) (*Session, error) {
	c, err := auth.LimitedSignIn(ctx, s.Limiter, s.LoginLimit, s.Passwords, s.Store.CustomerByEmail,
		func(c *Customer) string { return c.PasswordHash }, email, password)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, ErrBadCredentials
	}
	return s.start(ctx, c)
}

// FirebaseInput exchanges a Firebase ID token. The profile fields are
// needed only when the exchange creates a new account.
type FirebaseInput struct {
	IDToken   string `json:"id_token" validate:"required,max=4096"`
	FirstName string `json:"first_name,omitempty" validate:"max=100"`
	LastName  string `json:"last_name,omitempty" validate:"max=100"`
	BirthDate string `json:"birth_date,omitempty" validate:"omitempty,isodate"`
	ShopID    string `json:"shop_id,omitempty" validate:"omitempty,max=64"`
}

// ExchangeFirebase signs in the customer behind a Firebase ID token: the
// one linked to its uid, else the one with its verified e-mail (which gets
// linked), else a new account made from the input. EUNAVAILABLE when no
// Firebase project is configured.
func (s *Service) ExchangeFirebase(ctx context.Context, in FirebaseInput) (*Session, error) {
	if s.Firebase == nil {
		return nil, &core.Error{Code: core.EUNAVAILABLE, Message: "sign-in with Firebase is not configured"}
	}
	if err := s.Validator.Struct(in); err != nil {
		return nil, err
	}
	id, err := s.Firebase.VerifyIDToken(ctx, in.IDToken)
	if err != nil {
		return nil, err
	}
	if c, err := s.Store.CustomerByFirebaseUID(ctx, id.UID); err == nil {
		return s.start(ctx, c)
	} else if !core.IsCode(err, core.ENOTFOUND) {
		return nil, err
	}
	email := core.NormalizeEmail(id.Email)
	if email != "" && id.EmailVerified {
		c, err := s.Store.CustomerByEmail(ctx, email)
		if err == nil {
			uid := id.UID
			if c, err = s.Store.UpdateCustomer(ctx, c.ID, Update{FirebaseUID: &uid}, s.Clock.Now()); err != nil {
				return nil, err
			}
			return s.start(ctx, c)
		} else if !core.IsCode(err, core.ENOTFOUND) {
			return nil, err
		}
	}
	var fields []core.FieldError
	if strings.TrimSpace(in.FirstName) == "" {
		fields = append(fields, core.FieldError{Field: "first_name", Message: "is required for a new account"})
	}
	if strings.TrimSpace(in.LastName) == "" {
		fields = append(fields, core.FieldError{Field: "last_name", Message: "is required for a new account"})
	}
	if in.BirthDate == "" {
		fields = append(fields, core.FieldError{Field: "birth_date", Message: "is required for a new account"})
	}
	if email == "" || !id.EmailVerified {
		fields = append(fields, core.FieldError{Field: "id_token", Message: "must carry a verified e-mail for a new account"})
	}
	if len(fields) > 0 {
		return nil, core.Invalid("a new account needs a few more details", fields...)
	}
	if err := s.checkAge(in.BirthDate); err != nil {
		return nil, err
	}
	if err := s.checkShop(ctx, in.ShopID); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	c := &Customer{
		ID: core.NewID(), Email: email, FirstName: strings.TrimSpace(in.FirstName), LastName: strings.TrimSpace(in.LastName),
		BirthDate: in.BirthDate, ShopID: in.ShopID, Locale: "it", FirebaseUID: id.UID,
		Status: StatusActive, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.Store.CreateCustomer(ctx, c); err != nil {
		return nil, err
	}
	return s.start(ctx, c)
}

// Refresh rotates a refresh token. EUNAUTHORIZED for a bad, reused or
// revoked token or a closed account.
func (s *Service) Refresh(ctx context.Context, refresh string) (*auth.TokenPair, error) {
	pair, customerID, err := s.Sessions.Rotate(ctx, refresh)
	if err != nil {
		return nil, err
	}
	if _, err := s.active(ctx, customerID); err != nil {
		return nil, err
	}
	return pair, nil
}

// Logout ends the sign-in the refresh token belongs to.
func (s *Service) Logout(ctx context.Context, refresh string) error {
	return s.Sessions.End(ctx, refresh)
}

func (s *Service) start(ctx context.Context, c *Customer) (*Session, error) {
	pair, err := s.Sessions.Start(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	return &Session{Customer: c, Tokens: pair}, nil
}

func (s *Service) checkAge(birth string) error {
	age, err := s.age(birth)
	if err != nil {
		return err
	}
	if age < AgeOfDigitalConsent {
		return core.Invalid("people under 14 cannot open an account by themselves: a parent can add them as a family member in the parent's app",
			core.FieldError{Field: "birth_date", Message: "under 14: ask a parent to add you as a family member"})
	}
	return nil
}

// age is the age today, in the service's zone, of a person born on
// birth; EINVALID on birth_date for a date that is not a real birth date.
func (s *Service) age(birth string) (int, error) {
	b, err := time.ParseInLocation(time.DateOnly, birth, time.UTC)
	if err != nil {
		return 0, core.Invalid("birth date is not valid", core.FieldError{Field: "birth_date", Message: "must be a date written YYYY-MM-DD"})
	}
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	now := s.Clock.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if b.After(today) || b.Before(validate.EarliestBirth) {
		return 0, core.Invalid("birth date is not valid", core.FieldError{Field: "birth_date", Message: "must be a real date of birth"})
	}
	return Age(b, today), nil
}

func (s *Service) checkShop(ctx context.Context, id string) error {
	if id == "" || s.ShopExists == nil {
		return nil
	}
	ok, err := s.ShopExists(ctx, id)
	if err != nil {
		return err
	}
	if !ok {
		return core.Invalid("unknown shop", core.FieldError{Field: "shop_id", Message: "is not a shop of this chain"})
	}
	return nil
}

// Age is the age in whole years on day today of a person born on birth
// (both dates at midnight UTC). Someone born on 29 February turns a year
// older on 1 March in common years.
func Age(birth, today time.Time) int {
	age := today.Year() - birth.Year()
	if today.Month() < birth.Month() || (today.Month() == birth.Month() && today.Day() < birth.Day()) {
		age--
	}
	return age
}
