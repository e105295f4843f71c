// Package shop holds the shops of the chain and the staff who work in them,
// and signs staff in to the console.
package shop

import (
	"cmp"
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/media"
	"github.com/vista-optical/vista/backend/ratelimit"
	"github.com/vista-optical/vista/backend/validate"
)

// Shop is one optician's shop of the chain.
// Its ID is the shop_id customers pick in the app; its Slug names it in
// public links.
type Shop struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	City      string    `json:"city"`
	Address   string    `json:"address"`
	Phone     string    `json:"phone"`
	TimeZone  string    `json:"time_zone"`
	Hours     Hours     `json:"hours"`
	CreatedAt time.Time `json:"created_at"`
}

// SlugOrID is the shop's slug, or for a shop stored before shops had
// slugs its id without the "shop-" prefix (as SQLite's migration 00012
// filled them in). Both engines write and read slugs through it.
func (s *Shop) SlugOrID() string {
	if s.Slug != "" {
		return s.Slug
	}
	return strings.TrimPrefix(s.ID, "shop-")
}

// Place is where the shop is, as a calendar or a map wants it: its address,
// followed by its city unless the address already names it ("Via Torino
// 21, 20123 Milano").
func (s *Shop) Place() string {
	switch {
	case s.Address == "":
		return s.City
	case s.City == "" || strings.Contains(strings.ToLower(s.Address), strings.ToLower(s.City)):
		return s.Address
	}
	return s.Address + ", " + s.City
}

// Location is the shop's time zone; Europe/Rome, the default of a new
// shop, if its zone cannot be loaded.
func (s *Shop) Location() *time.Location {
	if loc, err := time.LoadLocation(s.TimeZone); err == nil && s.TimeZone != "" {
		return loc
	}
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return time.UTC
	}
	return loc
}

// Staff is a person who works for the chain. Owners have no shop (they see
// the whole chain); managers and assistants have exactly one. An invited
// member has no password until they accept the invitation.
type Staff struct {
	ID           string    `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	PasswordHash string    `json:"-"`
	Role         core.Role `json:"role"`
	ShopID       string    `json:"shop_id,omitempty"`
	Active       bool      `json:"active"`
	// MustChangePassword is set on a password an operator generated: the
	// console asks for a new one at the next sign-in.
	MustChangePassword bool      `json:"must_change_password"`
	CreatedAt          time.Time `json:"created_at"`
}

// Invited reports whether the member has yet to accept the invitation.
func (m *Staff) Invited() bool { return m.PasswordHash == "" }

// MarshalJSON adds the invitation state.
func (m Staff) MarshalJSON() ([]byte, error) {
	type plain Staff
	return json.Marshal(struct {
		plain
		Invited bool `json:"invited"`
	}{plain(m), m.Invited()})
}

// Store keeps shops and staff.
type Store interface {
	// CreateShop stores s. ECONFLICT if the id exists.
	CreateShop(ctx context.Context, s *Shop) error
	// Shop returns the shop with id, or ENOTFOUND.
	Shop(ctx context.Context, id string) (*Shop, error)
	// Shops returns every shop, by name.
	Shops(ctx context.Context) ([]*Shop, error)
	// CreateStaff stores m. ECONFLICT when the e-mail is taken.
	CreateStaff(ctx context.Context, m *Staff) error
	// StaffMember returns the staff member with id, or ENOTFOUND.
	StaffMember(ctx context.Context, id string) (*Staff, error)
	// StaffByEmail returns the staff member with the normalised e-mail, or
	// ENOTFOUND.
	StaffByEmail(ctx context.Context, email string) (*Staff, error)
	// StaffOfShop returns the staff bound to shop, by name.
	StaffOfShop(ctx context.Context, shop string) ([]*Staff, error)
	// UpdateShop replaces the shop with s.ID. ENOTFOUND when there is none,
	// ECONFLICT when the slug is another shop's.
	UpdateShop(ctx context.Context, s *Shop) error
	// UpdateStaff replaces the member with m.ID. ENOTFOUND when there is
	// none.
	UpdateStaff(ctx context.Context, m *Staff) error
	// AllStaff returns every staff member of the chain, by name.
	AllStaff(ctx context.Context) ([]*Staff, error)
	// ChainSettings returns the chain's settings, or ENOTFOUND before any
	// were saved.
	ChainSettings(ctx context.Context) (*Chain, error)
	// SaveChainSettings replaces the chain's settings.
	SaveChainSettings(ctx context.Context, c *Chain) error
}

// Session is one staff sign-in, kept server-side so that it can end before
// its token does: at sign-out, after IdleTimeout without use, after
// MaxSessionAge, or when the staff member is deactivated.
type Session struct {
	ID         string
	StaffID    string
	CreatedAt  time.Time
	LastSeenAt time.Time
	RevokedAt  *time.Time
}

// SessionStore keeps staff sessions.
type SessionStore interface {
	// CreateStaffSession stores s. ECONFLICT if the id exists.
	CreateStaffSession(ctx context.Context, s *Session) error
	// StaffSession returns the session with id, or ENOTFOUND.
	StaffSession(ctx context.Context, id string) (*Session, error)
	// TouchStaffSession moves the session's last use to at (never back).
	// ENOTFOUND for an unknown id.
	TouchStaffSession(ctx context.Context, id string, at time.Time) error
	// RevokeStaffSession ends one session at at (keeping the first time).
	// ENOTFOUND for an unknown id.
	RevokeStaffSession(ctx context.Context, id string, at time.Time) error
	// PurgeStaffSessions deletes sessions created before t.
	PurgeStaffSessions(ctx context.Context, before time.Time) (int, error)
	// RevokeStaffSessionsOf ends every open session of a staff member at
	// at (a password reset).
	RevokeStaffSessionsOf(ctx context.Context, staffID string, at time.Time) error
}

// Session limits: a console left open on a shared shop PC ends after
// IdleTimeout without use, and any session after MaxSessionAge.
const (
	IdleTimeout   = 2 * time.Hour
	MaxSessionAge = 12 * time.Hour
	// touchEvery is how stale a session's last use may be before a
	// request writes it again: one write per session a minute at most.
	touchEvery = time.Minute
)

// Service signs staff in and answers what they may see of shops.
type Service struct {
	// Validator checks inputs against their validate tags: the house's
	// one validator. Nil: a new one.
	Validator *validate.Validator
	Store     Store
	Sessions  SessionStore
	Tokens    *auth.Tokens
	Passwords *auth.Passwords
	Clock     core.Clock
	// Limiter holds LoginLimit: failed sign-ins per account (nil: none).
	Limiter    *ratelimit.Limiter
	LoginLimit ratelimit.Limit
	// Links, Mail and PublicURL send invitations and password resets.
	Links     *auth.Links
	Mail      Mailer
	PublicURL func() string
	// Media keeps the chain's logo.
	Media media.Store
	// Default is the zone of a shop whose own does not load (the
	// configured time zone): Zone is the one resolver of shops' zones.
	Default *time.Location
}

// StaffSession is a signed-in staff member.
type StaffSession struct {
	Staff     *Staff    `json:"staff"`
	Token     string    `json:"access_token"`
	TokenType string    `json:"token_type"`
	ExpiresAt time.Time `json:"expires_at"`
	// MustChangePassword: the password was generated by an operator; the
	// console asks for a new one before anything else.
	MustChangePassword bool `json:"must_change_password"`
}

// ErrBadCredentials is the one answer to a failed staff sign-in.
var ErrBadCredentials = &core.Error{Code: core.EUNAUTHORIZED, Message: "e-mail or password is not correct"}

// Login signs a staff member in and returns a staff token.
func (s *Service) Login(ctx context.Context, email, password string) (*StaffSession, error) {
	active := func(ctx context.Context, email string) (*Staff, error) { // a deactivated member signs in as no one
		m, err := s.Store.StaffByEmail(ctx, email)
		if err == nil && !m.Active {
			return nil, core.Errorf(core.ENOTFOUND, "staff member not found")
		}
		return m, err
	}
	m, err := auth.LimitedSignIn(ctx, s.Limiter, s.LoginLimit, s.Passwords, active, func(m *Staff) string { return m.PasswordHash }, email, password)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, ErrBadCredentials
	}
	now := s.Clock.Now()
	sess := &Session{ID: core.NewID(), StaffID: m.ID, CreatedAt: now, LastSeenAt: now}
	if err := s.Sessions.CreateStaffSession(ctx, sess); err != nil {
		return nil, err
	}
	tok, exp, err := s.Tokens.SignWithID(auth.StaffAccess, m.ID, sess.ID, auth.Claims{Role: string(m.Role), Shop: m.ShopID})
	if err != nil {
		return nil, core.Internal(err)
	}
	return &StaffSession{Staff: m, Token: tok, TokenType: "Bearer", ExpiresAt: exp, MustChangePassword: m.MustChangePassword}, nil
}

// Authenticate turns a verified staff token into the actor, from the
// stored staff member and session, so that a role change, a deactivation
// or a sign-out applies at once. EUNAUTHORIZED for an unknown or inactive
// member, and for a session that ended (signed out, idle for IdleTimeout,
// older than MaxSessionAge).
func (s *Service) Authenticate(ctx context.Context, staffID, sessionID string) (core.Actor, *Staff, error) {
	m, err := s.Store.StaffMember(ctx, staffID)
	if core.IsCode(err, core.ENOTFOUND) || (err == nil && !m.Active) {
		return core.Actor{}, nil, auth.ErrInvalidToken
	} else if err != nil {
		return core.Actor{}, nil, err
	}
	sess, err := s.Sessions.StaffSession(ctx, sessionID)
	if core.IsCode(err, core.ENOTFOUND) {
		return core.Actor{}, nil, auth.ErrInvalidToken
	} else if err != nil {
		return core.Actor{}, nil, err
	}
	now := s.Clock.Now()
	if sess.StaffID != m.ID || sess.RevokedAt != nil || now.Sub(sess.CreatedAt) > MaxSessionAge || now.Sub(sess.LastSeenAt) > IdleTimeout {
		return core.Actor{}, nil, auth.ErrInvalidToken
	}
	if now.Sub(sess.LastSeenAt) > touchEvery {
		if err := s.Sessions.TouchStaffSession(ctx, sess.ID, now); err != nil {
			return core.Actor{}, nil, err
		}
	}
	return core.Actor{Kind: core.ActorStaff, ID: m.ID, Role: m.Role, Shop: m.ShopID, Session: sess.ID}, m, nil
}

// Logout ends the session of the signed-in staff member in ctx at once,
// on every instance. Ending an ended session succeeds.
func (s *Service) Logout(ctx context.Context) error {
	a, ok := core.ActorFrom(ctx)
	if !ok || a.Kind != core.ActorStaff || a.Session == "" {
		return nil
	}
	err := s.Sessions.RevokeStaffSession(ctx, a.Session, s.Clock.Now())
	if core.IsCode(err, core.ENOTFOUND) {
		return nil
	}
	return err
}

// LogoutToken ends the session of a staff token, for a sign-out that
// arrives with the token only (the console's sign-out button). An invalid
// or expired token has nothing to end.
func (s *Service) LogoutToken(ctx context.Context, raw string) error {
	claims, err := s.Tokens.Verify(auth.StaffAccess, raw)
	if err != nil {
		return nil
	}
	err = s.Sessions.RevokeStaffSession(ctx, claims.ID, s.Clock.Now())
	if core.IsCode(err, core.ENOTFOUND) {
		return nil
	}
	return err
}

// VisibleShops returns the shops the actor in ctx may see.
func (s *Service) VisibleShops(ctx context.Context) ([]*Shop, error) {
	a, _ := core.ActorFrom(ctx)
	all, err := s.Store.Shops(ctx)
	if err != nil {
		return nil, err
	}
	out := all[:0:0]
	for _, sh := range all {
		if a.CanSeeShop(sh.ID) {
			out = append(out, sh)
		}
	}
	return out, nil
}

// Me returns the staff member signed in in ctx. EUNAUTHORIZED for anyone
// else.
func (s *Service) Me(ctx context.Context) (*Staff, error) {
	a, ok := core.ActorFrom(ctx)
	if !ok || a.Kind != core.ActorStaff {
		return nil, core.Errorf(core.EUNAUTHORIZED, "sign in as staff")
	}
	return s.Store.StaffMember(ctx, a.ID)
}

// VisibleShopIDs returns the ids of the shops the staff member in ctx may
// see.
func (s *Service) VisibleShopIDs(ctx context.Context) ([]string, error) {
	shops, err := s.VisibleShops(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(shops))
	for i, sh := range shops {
		ids[i] = sh.ID
	}
	return ids, nil
}

// Zone returns a shop's time zone.
func (s *Service) Zone(ctx context.Context, shopID string) (*time.Location, error) {
	sh, err := s.Store.Shop(ctx, shopID)
	if err != nil {
		return nil, err
	}
	if loc, err := time.LoadLocation(sh.TimeZone); err == nil && sh.TimeZone != "" {
		return loc, nil
	}
	if s.Default != nil {
		return s.Default, nil
	}
	return sh.Location(), nil
}

// Exists reports whether id names a shop.
func (s *Service) Exists(ctx context.Context, id string) (bool, error) {
	_, err := s.Store.Shop(ctx, id)
	if core.IsCode(err, core.ENOTFOUND) {
		return false, nil
	}
	return err == nil, err
}

// Finder is what Resolve reads of shops.
type Finder interface {
	Shop(ctx context.Context, id string) (*Shop, error)
	Shops(ctx context.Context) ([]*Shop, error)
}

// Resolve finds a shop by its id or its slug, as public links and the
// app name them; ENOTFOUND when neither matches.
func Resolve(ctx context.Context, st Finder, ref string) (*Shop, error) {
	if ref == "" || len(ref) > 64 {
		return nil, core.Errorf(core.ENOTFOUND, "shop not found")
	}
	if sh, err := st.Shop(ctx, ref); !core.IsCode(err, core.ENOTFOUND) {
		return sh, err
	}
	all, err := st.Shops(ctx)
	if err != nil {
		return nil, err
	}
	for _, sh := range all {
		if sh.SlugOrID() == ref {
			return sh, nil
		}
	}
	return nil, core.Errorf(core.ENOTFOUND, "shop not found")
}

// check validates in against its validate tags, phone numbers made E.164
// first; the surfaces only decode.
func (s *Service) check(in any) error {
	return cmp.Or(s.Validator, validate.Default).Struct(in)
}
