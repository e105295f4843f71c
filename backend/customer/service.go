package customer

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/vista-optical/vista/backend/audit"
	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/privacy"
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
}

// ConsentChoice is one consent as the customer sets it.
type ConsentChoice struct {
	Channel string `json:"channel" validate:"required,consentchannel"`
	Purpose string `json:"purpose" validate:"required,purpose"`
	Granted bool   `json:"granted"`
}

// SignupInput is a self-registration from the app.
type SignupInput struct {
	Email              string          `json:"email" validate:"required,email,max=254"`
	Password           string          `json:"password" validate:"required,min=10,max=128"`
	FirstName          string          `json:"first_name" validate:"required,max=100"`
	LastName           string          `json:"last_name" validate:"required,max=100"`
	Phone              string          `json:"phone,omitempty" validate:"omitempty,e164"`
	BirthDate          string          `json:"birth_date" validate:"required,isodate"`
	ShopID             string          `json:"shop_id,omitempty" validate:"omitempty,max=64"`
	Locale             string          `json:"locale,omitempty" validate:"omitempty,oneof=it en"`
	Consents           []ConsentChoice `json:"consents,omitempty" validate:"max=15,dive"`
	ConsentTextVersion string          `json:"consent_text_version,omitempty" validate:"required_with=Consents,max=100"`
	ConsentSource      string          `json:"consent_source,omitempty" validate:"max=100"`
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
	if err := s.Validator.Struct(in); err != nil {
		return nil, err
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
		src := orDefault(in.ConsentSource, "app:signup")
		if _, err := s.appendConsents(ctx, c.ID, in.Consents, src, in.ConsentTextVersion); err != nil {
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
	c, err := s.Store.CustomerByEmail(ctx, core.NormalizeEmail(email))
	if err != nil && !core.IsCode(err, core.ENOTFOUND) {
		return nil, err
	}
	var hash string
	if c != nil {
		hash = c.PasswordHash
	}
	if !s.Passwords.Check(hash, password) || c == nil {
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

// Me returns the signed-in customer. EUNAUTHORIZED when the account was
// erased after the token was issued.
func (s *Service) Me(ctx context.Context) (*Customer, error) {
	id, err := customerID(ctx)
	if err != nil {
		return nil, err
	}
	return s.active(ctx, id)
}

// ProfileInput is a change of the signed-in customer's profile; absent
// fields are left as they are.
type ProfileInput struct {
	FirstName *string `json:"first_name,omitempty" validate:"omitempty,min=1,max=100"`
	LastName  *string `json:"last_name,omitempty" validate:"omitempty,min=1,max=100"`
	Phone     *string `json:"phone,omitempty" validate:"omitempty,e164|len=0"`
	ShopID    *string `json:"shop_id,omitempty" validate:"omitempty,max=64"`
	Locale    *string `json:"locale,omitempty" validate:"omitempty,oneof=it en"`
}

// UpdateMe changes the signed-in customer's profile.
func (s *Service) UpdateMe(ctx context.Context, in ProfileInput) (*Customer, error) {
	id, err := customerID(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.Validator.Struct(in); err != nil {
		return nil, err
	}
	if in.ShopID != nil && *in.ShopID != "" {
		if err := s.checkShop(ctx, *in.ShopID); err != nil {
			return nil, err
		}
	}
	c, err := s.Store.UpdateCustomer(ctx, id, Update{
		FirstName: trimmed(in.FirstName), LastName: trimmed(in.LastName), Phone: in.Phone, ShopID: in.ShopID, Locale: in.Locale,
	}, s.Clock.Now())
	if core.IsCode(err, core.ENOTFOUND) {
		return nil, errAccountClosed
	}
	return c, err
}

// ConsentInput is a change of consents with its proof.
type ConsentInput struct {
	Consents    []ConsentChoice `json:"consents" validate:"required,min=1,max=15,dive"`
	TextVersion string          `json:"text_version" validate:"required,max=100"`
	Source      string          `json:"source" validate:"required,max=100"`
}

// SetConsents records the customer's choices as consent events and returns
// the resulting state. Granting and withdrawing take the same one call.
func (s *Service) SetConsents(ctx context.Context, in ConsentInput) (ConsentState, error) {
	id, err := customerID(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.Validator.Struct(in); err != nil {
		return nil, err
	}
	if _, err := s.active(ctx, id); err != nil {
		return nil, err
	}
	return s.appendConsents(ctx, id, in.Consents, in.Source, in.TextVersion)
}

// Consents returns the signed-in customer's consent state now.
func (s *Service) Consents(ctx context.Context) (ConsentState, error) {
	id, err := customerID(ctx)
	if err != nil {
		return nil, err
	}
	events, err := s.Store.ConsentEvents(ctx, id, s.Clock.Now())
	if err != nil {
		return nil, err
	}
	return DeriveConsents(events), nil
}

func (s *Service) appendConsents(ctx context.Context, id string, choices []ConsentChoice, source, version string) (ConsentState, error) {
	now := s.Clock.Now()
	events := make([]ConsentEvent, 0, len(choices))
	for _, ch := range choices {
		events = append(events, ConsentEvent{
			ID: core.NewID(), CustomerID: id, Channel: ch.Channel, Purpose: ch.Purpose, Granted: ch.Granted,
			OccurredAt: now, Source: source, TextVersion: version,
		})
	}
	if err := s.Store.AppendConsentEvents(ctx, events); err != nil {
		return nil, err
	}
	all, err := s.Store.ConsentEvents(ctx, id, now)
	if err != nil {
		return nil, err
	}
	return DeriveConsents(all), nil
}

// DeviceInput registers the app on a phone for push messages.
type DeviceInput struct {
	Token      string `json:"token" validate:"required,min=16,max=512,printascii"`
	Platform   string `json:"platform" validate:"required,oneof=android ios web"`
	AppVersion string `json:"app_version" validate:"required,max=32"`
}

// AddDevice registers or refreshes a device of the signed-in customer.
func (s *Service) AddDevice(ctx context.Context, in DeviceInput) (*Device, error) {
	id, err := customerID(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.Validator.Struct(in); err != nil {
		return nil, err
	}
	if _, err := s.active(ctx, id); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	d := &Device{Token: in.Token, CustomerID: id, Platform: in.Platform, AppVersion: in.AppVersion, CreatedAt: now, LastSeenAt: now}
	if err := s.Store.UpsertDevice(ctx, d); err != nil {
		return nil, err
	}
	// A handful of phones and tablets per person: beyond MaxDevices the
	// ones unused the longest go, so one reminder never fans out to
	// hundreds of sends.
	list, err := s.Store.Devices(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(list) > MaxDevices {
		slices.SortFunc(list, func(a, b *Device) int { return b.LastSeenAt.Compare(a.LastSeenAt) })
		for _, old := range list[MaxDevices:] {
			if old.Token == d.Token {
				continue
			}
			if err := s.Store.DeleteDevice(ctx, id, old.Token); err != nil && !core.IsCode(err, core.ENOTFOUND) {
				return nil, err
			}
		}
	}
	return d, nil
}

// MaxDevices is how many devices one customer keeps registered.
const MaxDevices = 5

// MaxFamilyMembers is how many people one customer may look after.
const MaxFamilyMembers = 10

// Devices lists the signed-in customer's devices, newest first.
func (s *Service) Devices(ctx context.Context) ([]*Device, error) {
	id, err := customerID(ctx)
	if err != nil {
		return nil, err
	}
	return s.Store.Devices(ctx, id)
}

// RemoveDevice unregisters one of the signed-in customer's devices.
// ENOTFOUND when the customer has no device with that token.
func (s *Service) RemoveDevice(ctx context.Context, token string) error {
	id, err := customerID(ctx)
	if err != nil {
		return err
	}
	return s.Store.DeleteDevice(ctx, id, token)
}

// Export is everything Vista holds on a customer.
type Export struct {
	CustomerID string         `json:"customer_id"`
	ExportedAt time.Time      `json:"exported_at"`
	Sections   map[string]any `json:"sections"`
}

// ExportMe returns everything held on the signed-in customer, one part per
// registered privacy section.
func (s *Service) ExportMe(ctx context.Context) (*Export, error) {
	c, err := s.Me(ctx)
	if err != nil {
		return nil, err
	}
	out := &Export{CustomerID: c.ID, ExportedAt: s.Clock.Now(), Sections: map[string]any{}}
	for _, sec := range s.Privacy.Sections() {
		v, err := sec.Export(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		out.Sections[sec.Name] = v
	}
	if err := s.Audit.Record(ctx, "customer.exported", c.ID, c.ShopID, ""); err != nil {
		return nil, err
	}
	return out, nil
}

// EraseMe erases the signed-in customer: every privacy section removes
// what it holds, then the profile is reduced to its id. It can be run
// again after an interruption.
func (s *Service) EraseMe(ctx context.Context) error {
	c, err := s.Me(ctx)
	if err != nil {
		return err
	}
	return s.erase(ctx, c)
}

func (s *Service) erase(ctx context.Context, c *Customer) error {
	if err := s.Audit.Record(ctx, "customer.erasure_started", c.ID, c.ShopID, ""); err != nil {
		return err
	}
	// First, so that no token of the account can add anything while the
	// sections erase: every instance refuses them from its next sync on,
	// this one at once.
	if s.Revoked != nil {
		if err := s.Revoked.Revoke(ctx, c.ID, true); err != nil {
			return err
		}
	}
	for _, sec := range s.Privacy.Sections() {
		if sec.Erase == nil {
			continue
		}
		if err := sec.Erase(ctx, c.ID); err != nil {
			return err
		}
	}
	if err := s.Store.EraseCustomer(ctx, c.ID, s.Clock.Now()); err != nil {
		return err
	}
	return s.Audit.Record(ctx, "customer.erased", c.ID, c.ShopID, "")
}

// Sections returns the privacy sections this package owns, for the
// registry.
func (s *Service) Sections() []privacy.Section {
	return []privacy.Section{
		{
			Name: "profile", Collections: []string{"customers"},
			Export: func(ctx context.Context, id string) (any, error) { return s.Store.Customer(ctx, id) },
			Kept:   "the profile is reduced to its id by the erasure itself, after every other section",
		},
		{
			Name: "consents", Collections: []string{"consent_events"},
			Export: func(ctx context.Context, id string) (any, error) {
				events, err := s.Store.ConsentEvents(ctx, id, s.Clock.Now())
				if err != nil {
					return nil, err
				}
				return map[string]any{"events": events, "current": DeriveConsents(events)}, nil
			},
			Erase: s.Store.DeleteConsentEvents,
		},
		{
			Name: "family", Collections: []string{"family_members"},
			Export: func(ctx context.Context, id string) (any, error) { return s.Family.FamilyMembers(ctx, id) },
			Erase:  s.Family.DeleteFamilyMembers,
		},
		{
			Name: "devices", Collections: []string{"devices"},
			Export: func(ctx context.Context, id string) (any, error) { return s.Store.Devices(ctx, id) },
			Erase:  s.Store.DeleteDevices,
		},
	}
}

// ListForStaff lists one page (at most 200, 50 by default) of the
// customers of a shop the staff member in ctx may see, with the After of
// the next page ("" after the last). ENOTFOUND for a shop outside their
// scope.
func (s *Service) ListForStaff(ctx context.Context, shop string, p Page) ([]*Customer, string, error) {
	a, _ := core.ActorFrom(ctx)
	if !a.CanSeeShop(shop) {
		return nil, "", core.Errorf(core.ENOTFOUND, "shop not found")
	}
	if p.Limit <= 0 || p.Limit > 200 {
		p.Limit = 50
	}
	list, err := s.Store.CustomersByShop(ctx, shop, Page{After: p.After, Limit: p.Limit + 1})
	if err != nil || len(list) <= p.Limit {
		return list, "", err
	}
	list = list[:p.Limit]
	return list, list[p.Limit-1].ID, nil
}

// GetForStaff returns a customer to the staff member in ctx, recording the
// read in the audit log. ENOTFOUND for customers outside their scope.
func (s *Service) GetForStaff(ctx context.Context, id string) (*Customer, error) {
	c, err := s.visibleToStaff(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.Audit.Record(ctx, "customer.viewed", c.ID, c.ShopID, "profile"); err != nil {
		return nil, err
	}
	return c, nil
}

// LabelForStaff is how a shop's own lists (reorder requests, recalls,
// dead letters) name the customer on a line: name and phone, or a dash
// once erased. The line itself is the shop's, so a customer whose home
// shop is another is named too; only staff get a name.
func (s *Service) LabelForStaff(ctx context.Context, id string) string {
	a, _ := core.ActorFrom(ctx)
	c, err := s.Store.Customer(ctx, id)
	if a.Kind != core.ActorStaff || err != nil || c.Status != StatusActive {
		return "—"
	}
	n := c.FirstName + " " + c.LastName
	if c.Phone != "" {
		n += " · " + c.Phone
	}
	return n
}

// VisibleShop returns the home shop of a customer the staff member in ctx
// may see, recording the read as GetForStaff does. ENOTFOUND otherwise.
func (s *Service) VisibleShop(ctx context.Context, id string) (string, error) {
	c, err := s.GetForStaff(ctx, id)
	if err != nil {
		return "", err
	}
	return c.ShopID, nil
}

// ConsentsAtForStaff reconstructs a customer's consents as they stood at
// time at (now, by the service clock, when at is zero), from the events
// (T37), and returns the instant it used.
func (s *Service) ConsentsAtForStaff(ctx context.Context, id string, at time.Time) (ConsentState, []ConsentEvent, time.Time, error) {
	if at.IsZero() {
		at = s.Clock.Now()
	}
	state, events, err := s.consentsAt(ctx, id, at)
	return state, events, at, err
}

func (s *Service) consentsAt(ctx context.Context, id string, at time.Time) (ConsentState, []ConsentEvent, error) {
	c, err := s.visibleToStaff(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	events, err := s.Store.ConsentEvents(ctx, c.ID, at)
	if err != nil {
		return nil, nil, err
	}
	if err := s.Audit.Record(ctx, "customer.consents_viewed", c.ID, c.ShopID, ""); err != nil {
		return nil, nil, err
	}
	return DeriveConsents(events), events, nil
}

func (s *Service) visibleToStaff(ctx context.Context, id string) (*Customer, error) {
	a, _ := core.ActorFrom(ctx)
	c, err := s.Store.Customer(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Status != StatusActive || !a.CanSeeShop(c.ShopID) {
		return nil, core.Errorf(core.ENOTFOUND, "customer not found")
	}
	return c, nil
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

func (s *Service) start(ctx context.Context, c *Customer) (*Session, error) {
	pair, err := s.Sessions.Start(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	return &Session{Customer: c, Tokens: pair}, nil
}

func (s *Service) checkAge(birth string) error {
	b, err := time.ParseInLocation(time.DateOnly, birth, time.UTC)
	if err != nil {
		return core.Invalid("birth date is not valid", core.FieldError{Field: "birth_date", Message: "must be a date written YYYY-MM-DD"})
	}
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	now := s.Clock.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if b.After(today) || b.Before(validate.EarliestBirth) {
		return core.Invalid("birth date is not valid", core.FieldError{Field: "birth_date", Message: "must be a real date of birth"})
	}
	age := Age(b, today)
	if age < AgeOfDigitalConsent {
		return core.Invalid("people under 14 cannot open an account by themselves: a parent can add them as a family member in the parent's app",
			core.FieldError{Field: "birth_date", Message: "under 14: ask a parent to add you as a family member"})
	}
	return nil
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

func customerID(ctx context.Context) (string, error) { return core.SignedInCustomer(ctx) }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func trimmed(p *string) *string {
	if p == nil {
		return nil
	}
	t := strings.TrimSpace(*p)
	return &t
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
