package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/vista-optical/vista/backend/core"
)

// RefreshFamily is one sign-in: every refresh token rotated from the first
// one belongs to it, and revoking it ends them all.
type RefreshFamily struct {
	ID         string
	CustomerID string
	CreatedAt  time.Time
	RevokedAt  *time.Time
}

// RefreshToken is the stored form of an opaque refresh token: only its
// SHA-256 hash is kept.
type RefreshToken struct {
	Hash       string
	FamilyID   string
	ParentHash string
	CustomerID string
	IssuedAt   time.Time
	ExpiresAt  time.Time
	UsedAt     *time.Time
}

// RefreshStore keeps refresh-token families and tokens.
type RefreshStore interface {
	// CreateRefreshFamily stores a new family. ECONFLICT if the id exists.
	CreateRefreshFamily(ctx context.Context, f *RefreshFamily) error
	// RefreshFamily returns the family with id, or ENOTFOUND.
	RefreshFamily(ctx context.Context, id string) (*RefreshFamily, error)
	// CreateRefreshToken stores t. ECONFLICT if its hash exists.
	CreateRefreshToken(ctx context.Context, t *RefreshToken) error
	// ClaimRefreshToken marks the token with hash as used at now, in one
	// atomic step that succeeds for exactly one caller. It returns the
	// token as stored and claimed=true for that caller; every later call
	// returns the token with claimed=false. ENOTFOUND for an unknown hash.
	ClaimRefreshToken(ctx context.Context, hash string, now time.Time) (t *RefreshToken, claimed bool, err error)
	// RevokeRefreshFamily marks the family revoked at now; revoking a
	// revoked family keeps the first time. ENOTFOUND for an unknown id.
	RevokeRefreshFamily(ctx context.Context, id string, now time.Time) error
	// DeleteCustomerSessions removes every family and token of a customer.
	DeleteCustomerSessions(ctx context.Context, customerID string) error
	// CustomerSessions returns a customer's families, newest first.
	CustomerSessions(ctx context.Context, customerID string) ([]*RefreshFamily, error)
	// PurgeRefreshTokens deletes tokens that expired before t and returns
	// how many went.
	PurgeRefreshTokens(ctx context.Context, before time.Time) (int, error)
}

// RefreshTTL is how long a refresh token may wait to be used.
const RefreshTTL = 30 * 24 * time.Hour

// TokenPair is what a customer receives on sign-up, sign-in and refresh.
type TokenPair struct {
	AccessToken  string    `json:"access_token"`
	TokenType    string    `json:"token_type"`
	ExpiresAt    time.Time `json:"expires_at"`
	ExpiresIn    int       `json:"expires_in"`
	RefreshToken string    `json:"refresh_token"`
}

// RefreshGrace is how long after a refresh token was rotated a second
// presentation of it is taken for the same client retrying (an answer lost
// on a train, two requests of the app refreshing at once), not for theft.
const RefreshGrace = 10 * time.Second

// Sessions runs customer sessions: short access tokens and rotating,
// single-use refresh tokens. Presenting a refresh token a second time
// revokes its whole family (OAuth 2.1 §6.1 reuse detection) — unless it
// comes within RefreshGrace of its rotation: then it gets the same child
// as the first presentation (T06 "both get the same R2"), which works
// because a child is derived from its parent with a server key rather
// than drawn at random, so it need not be stored in plain.
type Sessions struct {
	Store  RefreshStore
	Tokens *Tokens
	Clock  core.Clock
	// OnReuse is told when a used refresh token comes back, after its
	// family was revoked: the place to audit a likely stolen token.
	OnReuse func(ctx context.Context, customerID, familyID string) error
}

// Start opens a new family for the customer and returns its first pair.
func (s *Sessions) Start(ctx context.Context, customerID string) (*TokenPair, error) {
	now := s.Clock.Now()
	fam := &RefreshFamily{ID: core.NewID(), CustomerID: customerID, CreatedAt: now}
	if err := s.Store.CreateRefreshFamily(ctx, fam); err != nil {
		return nil, err
	}
	return s.issue(ctx, fam, "", customerID, now)
}

// Rotate exchanges a refresh token for a new pair and returns the customer
// it belongs to. An unknown, expired or revoked token is EUNAUTHORIZED; a
// token used before revokes its family and is EUNAUTHORIZED too.
func (s *Sessions) Rotate(ctx context.Context, refresh string) (*TokenPair, string, error) {
	now := s.Clock.Now()
	tok, claimed, err := s.Store.ClaimRefreshToken(ctx, HashRefresh(refresh), now)
	if core.IsCode(err, core.ENOTFOUND) {
		return nil, "", ErrInvalidToken
	} else if err != nil {
		return nil, "", err
	}
	if !claimed && tok.UsedAt != nil && now.Sub(*tok.UsedAt) < RefreshGrace {
		return s.again(ctx, tok, now)
	}
	if !claimed {
		if err := s.Store.RevokeRefreshFamily(ctx, tok.FamilyID, now); err != nil && !core.IsCode(err, core.ENOTFOUND) {
			return nil, "", err
		}
		if s.OnReuse != nil {
			if err := s.OnReuse(ctx, tok.CustomerID, tok.FamilyID); err != nil {
				return nil, "", err
			}
		}
		return nil, "", &core.Error{Code: core.EUNAUTHORIZED, Message: "refresh token already used: every session of this sign-in is closed"}
	}
	fam, err := s.liveFamily(ctx, tok, now)
	if err != nil {
		return nil, "", err
	}
	pair, err := s.issue(ctx, fam, tok.Hash, tok.CustomerID, now)
	return pair, tok.CustomerID, err
}

// liveFamily returns tok's family while it may still be refreshed: not
// revoked, tok not expired. EUNAUTHORIZED otherwise.
func (s *Sessions) liveFamily(ctx context.Context, tok *RefreshToken, now time.Time) (*RefreshFamily, error) {
	fam, err := s.Store.RefreshFamily(ctx, tok.FamilyID)
	if core.IsCode(err, core.ENOTFOUND) {
		return nil, ErrInvalidToken
	} else if err != nil {
		return nil, err
	}
	if fam.RevokedAt != nil || !now.Before(tok.ExpiresAt) {
		return nil, ErrInvalidToken
	}
	return fam, nil
}

// again answers a presentation of tok inside the grace window: the child
// the first presentation got (stored by whichever request gets there
// first) with a fresh access token. The family must still be alive.
func (s *Sessions) again(ctx context.Context, tok *RefreshToken, now time.Time) (*TokenPair, string, error) {
	fam, err := s.liveFamily(ctx, tok, now)
	if err != nil {
		return nil, "", err
	}
	pair, err := s.issue(ctx, fam, tok.Hash, tok.CustomerID, *tok.UsedAt)
	return pair, tok.CustomerID, err
}

// End revokes the family of a refresh token (sign-out). Ending an unknown
// or already ended session succeeds: sign-out is idempotent.
func (s *Sessions) End(ctx context.Context, refresh string) error {
	tok, _, err := s.Store.ClaimRefreshToken(ctx, HashRefresh(refresh), s.Clock.Now())
	if core.IsCode(err, core.ENOTFOUND) {
		return nil
	} else if err != nil {
		return err
	}
	err = s.Store.RevokeRefreshFamily(ctx, tok.FamilyID, s.Clock.Now())
	if core.IsCode(err, core.ENOTFOUND) {
		return nil
	}
	return err
}

// AccessToken returns a customer access token without touching refresh
// tokens.
func (s *Sessions) AccessToken(customerID string) (string, time.Time, error) {
	return s.Tokens.Sign(CustomerAccess, customerID, Claims{})
}

// issue stores and returns a new refresh token with an access token. The
// first token of a family is random; a rotated one is derived from its
// parent, so a retry within the grace window finds the same child (issued
// at the parent's use, so every copy is the same row).
func (s *Sessions) issue(ctx context.Context, fam *RefreshFamily, parent, customerID string, now time.Time) (*TokenPair, error) {
	plain := "vrt_" + RandomSecret(32)
	if parent != "" {
		plain = "vrt_" + s.Tokens.derive("refresh-child:"+parent)
	}
	rt := &RefreshToken{
		Hash: HashRefresh(plain), FamilyID: fam.ID, ParentHash: parent, CustomerID: customerID,
		IssuedAt: now, ExpiresAt: now.Add(RefreshTTL),
	}
	if err := s.Store.CreateRefreshToken(ctx, rt); err != nil && !(parent != "" && core.IsCode(err, core.ECONFLICT)) {
		return nil, err
	}
	now = s.Clock.Now()
	access, exp, err := s.AccessToken(customerID)
	if err != nil {
		return nil, core.Internal(err)
	}
	return &TokenPair{
		AccessToken: access, TokenType: "Bearer", ExpiresAt: exp,
		ExpiresIn: int(exp.Sub(now) / time.Second), RefreshToken: plain,
	}, nil
}

// HashRefresh is the stored form of a refresh token.
func HashRefresh(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}

// EndAll revokes every refresh-token family of a customer (a password
// reset): each device must sign in again.
func (s *Sessions) EndAll(ctx context.Context, customerID string) error {
	fams, err := s.Store.CustomerSessions(ctx, customerID)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	for _, f := range fams {
		if err := s.Store.RevokeRefreshFamily(ctx, f.ID, now); err != nil && !core.IsCode(err, core.ENOTFOUND) {
			return err
		}
	}
	return nil
}
