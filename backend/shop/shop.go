// Package shop holds the shops of the chain and the staff who work in them,
// and signs staff in to the console.
package shop

import (
	"context"
	"time"

	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/core"
)

// Shop is one optician's shop of the chain.
type Shop struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	City      string    `json:"city"`
	Address   string    `json:"address"`
	TimeZone  string    `json:"time_zone"`
	CreatedAt time.Time `json:"created_at"`
}

// Staff is a person who works for the chain. Owners have no shop (they see
// the whole chain); managers and assistants have exactly one.
type Staff struct {
	ID           string    `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	PasswordHash string    `json:"-"`
	Role         core.Role `json:"role"`
	ShopID       string    `json:"shop_id,omitempty"`
	Active       bool      `json:"active"`
	CreatedAt    time.Time `json:"created_at"`
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
}

// Service signs staff in and answers what they may see of shops.
type Service struct {
	Store     Store
	Tokens    *auth.Tokens
	Passwords *auth.Passwords
	Clock     core.Clock
}

// StaffSession is a signed-in staff member.
type StaffSession struct {
	Staff     *Staff    `json:"staff"`
	Token     string    `json:"access_token"`
	TokenType string    `json:"token_type"`
	ExpiresAt time.Time `json:"expires_at"`
}

// ErrBadCredentials is the one answer to a failed staff sign-in.
var ErrBadCredentials = &core.Error{Code: core.EUNAUTHORIZED, Message: "e-mail or password is not correct"}

// Login signs a staff member in and returns a staff token.
func (s *Service) Login(ctx context.Context, email, password string) (*StaffSession, error) {
	m, err := s.Store.StaffByEmail(ctx, core.NormalizeEmail(email))
	if err != nil && !core.IsCode(err, core.ENOTFOUND) {
		return nil, err
	}
	var hash string
	if m != nil {
		hash = m.PasswordHash
	}
	if !s.Passwords.Check(hash, password) || m == nil || !m.Active {
		return nil, ErrBadCredentials
	}
	tok, exp, err := s.Tokens.Sign(auth.StaffAccess, m.ID, auth.Claims{Role: string(m.Role), Shop: m.ShopID})
	if err != nil {
		return nil, core.Internal(err)
	}
	return &StaffSession{Staff: m, Token: tok, TokenType: "Bearer", ExpiresAt: exp}, nil
}

// Authenticate turns a verified staff token's subject into the actor, from
// the stored staff member so that a role change or a deactivation applies
// at once. EUNAUTHORIZED for an unknown or inactive member.
func (s *Service) Authenticate(ctx context.Context, staffID string) (core.Actor, *Staff, error) {
	m, err := s.Store.StaffMember(ctx, staffID)
	if core.IsCode(err, core.ENOTFOUND) || (err == nil && !m.Active) {
		return core.Actor{}, nil, auth.ErrInvalidToken
	} else if err != nil {
		return core.Actor{}, nil, err
	}
	return core.Actor{Kind: core.ActorStaff, ID: m.ID, Role: m.Role, Shop: m.ShopID}, m, nil
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

// Exists reports whether id names a shop.
func (s *Service) Exists(ctx context.Context, id string) (bool, error) {
	_, err := s.Store.Shop(ctx, id)
	if core.IsCode(err, core.ENOTFOUND) {
		return false, nil
	}
	return err == nil, err
}
