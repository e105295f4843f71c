package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/vista-optical/vista/backend/core"
)

// Kind is a kind of signed token. Each kind has its own audience and type
// claim, and a verifier for one kind refuses every other kind (ASVS 9.2.2,
// 9.2.4), even though they share the signing keys.
type Kind struct {
	Audience string
	Type     string
	TTL      time.Duration
}

// The token kinds of Vista.
var (
	CustomerAccess = Kind{Audience: "vista-app", Type: "access", TTL: 15 * time.Minute}
	StaffAccess    = Kind{Audience: "vista-console", Type: "staff", TTL: 12 * time.Hour} // and a server-side session (shop.Session)
	KioskDevice    = Kind{Audience: "vista-kiosk", Type: "kiosk_device", TTL: 30 * 24 * time.Hour}
	QRLink         = Kind{Audience: "kiosk-link", Type: "qr_link", TTL: 60 * time.Second}
	// PendingVisit is kept by the browser that opened a visit code's
	// landing page without the app, so that signing up or in there, within
	// its TTL, links the visit (deferred linking). Subject: the kiosk;
	// Shop and Visit claims: where, and which visit ("" for the next one).
	PendingVisit = Kind{Audience: "vista-web", Type: "pending_visit", TTL: 30 * time.Minute}
)

// Issuer is the iss claim of every token Vista signs.
const Issuer = "vista"

// Algorithm is the one signing algorithm accepted.
const Algorithm = "HS256"

// MaxTokenBytes bounds the length of a token we agree to parse, so a header
// full of separators costs nothing (CVE-2025-30204 class).
const MaxTokenBytes = 2048

// Claims are the claims of every token kind. Role and Shop are set for staff
// and kiosk tokens; Visit for QR links.
type Claims struct {
	Type  string `json:"typ"`
	Role  string `json:"role,omitempty"`
	Shop  string `json:"shop,omitempty"`
	Visit string `json:"visit,omitempty"`
	// IssuedUS is the issue instant in microseconds (iat has whole
	// seconds): what a revocation is compared with.
	IssuedUS int64 `json:"iat_us,omitempty"`
	jwt.RegisteredClaims
}

// Issued returns when the token was issued, to the microsecond when it
// says so (tokens signed before iat_us existed have whole seconds).
func (c *Claims) Issued() time.Time {
	if c.IssuedUS != 0 {
		return time.UnixMicro(c.IssuedUS)
	}
	if c.IssuedAt == nil {
		return time.Time{}
	}
	return c.IssuedAt.Time
}

// Tokens signs and verifies tokens of every kind with one key set.
type Tokens struct {
	keys     *Keys
	clock    core.Clock
	instants *Instants
	parsers  map[string]*jwt.Parser
	seen     verified
}

// NewTokens returns a signer/verifier over keys, telling time with clock.
func NewTokens(keys *Keys, clock core.Clock) *Tokens {
	t := &Tokens{keys: keys, clock: clock, instants: &Instants{Clock: clock}, parsers: map[string]*jwt.Parser{}}
	for _, k := range []Kind{CustomerAccess, StaffAccess, KioskDevice, QRLink, PendingVisit} {
		t.parsers[k.Audience] = jwt.NewParser(
			jwt.WithValidMethods([]string{Algorithm}),
			jwt.WithIssuer(Issuer),
			jwt.WithAudience(k.Audience),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(5*time.Second),
			jwt.WithTimeFunc(clock.Now),
		)
	}
	return t
}

// Sign returns a token of kind k for subject, with the extra claims in c
// (Role, Shop, Visit) and a lifetime of k.TTL.
func (t *Tokens) Sign(k Kind, subject string, c Claims) (string, time.Time, error) {
	return t.SignWithID(k, subject, core.NewID(), c)
}

// SignWithID is Sign with the token id (jti) given: the id of a server-side
// session the token belongs to.
func (t *Tokens) SignWithID(k Kind, subject, id string, c Claims) (string, time.Time, error) {
	now := t.instants.Next()
	exp := now.Add(k.TTL)
	c.Type = k.Type
	c.IssuedUS = now.UnixMicro()
	c.RegisteredClaims = jwt.RegisteredClaims{
		Issuer:    Issuer,
		Subject:   subject,
		Audience:  jwt.ClaimStrings{k.Audience},
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(exp),
		ID:        id,
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	tok.Header["kid"] = t.keys.SigningKID()
	s, err := tok.SignedString(t.keys.byID[t.keys.SigningKID()])
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign %s token: %w", k.Type, err)
	}
	return s, exp, nil
}

// Instants returns the source of the tokens' issue instants, which the
// revocations of the same instance share.
func (t *Tokens) Instants() *Instants { return t.instants }

// ErrInvalidToken is returned for every token that is not accepted; the
// reason is deliberately not told to the caller.
var ErrInvalidToken = core.ErrInvalidToken

// Verify parses raw as a token of kind k and returns its claims, which the
// caller must treat as read-only (they may be shared between requests). It returns
// ErrInvalidToken (EUNAUTHORIZED) for any token that is malformed, signed
// with another algorithm or an unknown key id, expired, without exp, of
// another audience or type, or carrying key-location headers.
func (t *Tokens) Verify(k Kind, raw string) (*Claims, error) {
	if raw == "" || len(raw) > MaxTokenBytes {
		return nil, ErrInvalidToken
	}
	now := t.clock.Now()
	if c, ok := t.seen.get(k.Audience, raw, now); ok {
		return c, nil
	}
	var c Claims
	_, err := t.parsers[k.Audience].ParseWithClaims(raw, &c, t.keyFor)
	if err != nil || c.Type != k.Type || c.Subject == "" {
		return nil, &core.Error{Code: core.EUNAUTHORIZED, Message: ErrInvalidToken.Message, Err: err}
	}
	t.seen.put(k.Audience, raw, &c)
	return &c, nil
}

// verified remembers tokens that passed verification, so a token used for
// many requests is parsed and its MAC checked once. Only tokens that passed
// are kept, so forged tokens cannot fill it; expiry is checked on every use;
// keys change only with a restart, which empties it. It holds at most
// maxVerified tokens and is cleared whole when full.
type verified struct {
	mu sync.RWMutex
	m  map[string]*Claims
}

const maxVerified = 50000

func (v *verified) get(aud, raw string, now time.Time) (*Claims, bool) {
	v.mu.RLock()
	c, ok := v.m[aud+" "+raw]
	v.mu.RUnlock()
	if !ok || c.ExpiresAt == nil || !now.Before(c.ExpiresAt.Time) {
		return nil, false
	}
	return c, true
}

func (v *verified) put(aud, raw string, c *Claims) {
	v.mu.Lock()
	if v.m == nil || len(v.m) >= maxVerified {
		v.m = make(map[string]*Claims, 1024)
	}
	v.m[aud+" "+raw] = c
	v.mu.Unlock()
}

var errKeyHeader = errors.New("token names a key we do not use")

// derive returns a secret only this server can compute from data: an
// HMAC-SHA256 under the signing key, for a purpose named in data.
func (t *Tokens) derive(data string) string {
	mac := hmac.New(sha256.New, t.keys.byID[t.keys.SigningKID()])
	mac.Write([]byte(data))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func (t *Tokens) keyFor(tok *jwt.Token) (any, error) {
	for _, h := range []string{"jku", "x5u", "jwk", "x5c"} {
		if _, ok := tok.Header[h]; ok {
			return nil, errKeyHeader
		}
	}
	kid, _ := tok.Header["kid"].(string)
	key, ok := t.keys.lookup(kid)
	if !ok {
		return nil, errKeyHeader
	}
	return key, nil
}
