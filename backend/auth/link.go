package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/ratelimit"
)

// Kinds of one-time link. A link of one kind is refused where another
// kind belongs.
const (
	LinkStaffInvite   = "staff_invite"
	LinkStaffReset    = "staff_reset"
	LinkCustomerReset = "customer_reset"
	LinkEmailChange   = "email_change"
)

// Link is a one-time link sent by e-mail: a random token whose SHA-256 is
// all that is stored, for one kind of action on one subject, used once
// before it expires.
type Link struct {
	ID        string // hex SHA-256 of the token
	Kind      string
	Subject   string            // the customer or staff member it acts on
	Data      map[string]string // what the action needs (a new e-mail address)
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// LinkStore keeps one-time links.
type LinkStore interface {
	// CreateLink stores l. ECONFLICT if the id exists.
	CreateLink(ctx context.Context, l *Link) error
	// UseLink marks the link of id and kind used at now and returns it,
	// in one atomic step: of two concurrent uses one wins. ENOTFOUND when
	// no link of that kind has id; EGONE when it was used or expired.
	UseLink(ctx context.Context, id, kind string, now time.Time) (*Link, error)
	// VoidLinks marks every unused link of kind for subject used at now,
	// and returns how many it voided.
	VoidLinks(ctx context.Context, kind, subject string, now time.Time) (int, error)
	// PurgeLinks deletes links that expired before t.
	PurgeLinks(ctx context.Context, before time.Time) (int, error)
}

// Links issues and redeems one-time links.
type Links struct {
	Store LinkStore
	Clock core.Clock
}

// maxToken bounds what Use reads: a token is 43 characters.
const maxToken = 128

// Issue creates a link of kind for subject, valid for ttl, and returns its
// token, which appears nowhere else. The subject's earlier links of that
// kind stop working: only the newest e-mail opens anything.
func (l *Links) Issue(ctx context.Context, kind, subject string, data map[string]string, ttl time.Duration) (string, error) {
	token := RandomSecret(32)
	now := l.Clock.Now()
	if _, err := l.Store.VoidLinks(ctx, kind, subject, now); err != nil {
		return "", err
	}
	err := l.Store.CreateLink(ctx, &Link{ID: linkID(token), Kind: kind, Subject: subject, Data: data, CreatedAt: now, ExpiresAt: now.Add(ttl)})
	return token, err
}

// Use redeems token as a link of kind: once, before it expires. A token
// that names no such link is EMALFORMED (400); a used or expired one EGONE
// (410).
func (l *Links) Use(ctx context.Context, kind, token string) (*Link, error) {
	if token == "" || len(token) > maxToken {
		return nil, core.Invalid("the link is not valid", core.FieldError{Field: "token", Message: "is not a valid link"})
	}
	link, err := l.Store.UseLink(ctx, linkID(token), kind, l.Clock.Now())
	switch {
	case core.IsCode(err, core.ENOTFOUND):
		return nil, core.Errorf(core.EMALFORMED, "the link is not valid")
	case core.IsCode(err, core.EGONE):
		return nil, core.Errorf(core.EGONE, "the link was already used or has expired: ask for a new one")
	case err != nil:
		return nil, err
	}
	// Once one is used, none of the others sent before does anything.
	if _, err := l.Store.VoidLinks(ctx, kind, link.Subject, l.Clock.Now()); err != nil {
		return nil, err
	}
	return link, nil
}

// IssueURL issues a link as Issue does and returns the address that opens
// it: base, path, and the token in the fragment, which browsers send to
// no server.
func (l *Links) IssueURL(ctx context.Context, kind, subject string, data map[string]string, ttl time.Duration, base, path string) (string, error) {
	token, err := l.Issue(ctx, kind, subject, data, ttl)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(base, "/") + path + "#" + token, nil
}

func linkID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ForgotFloor is how long a "forgot password" answer takes at least,
// whether or not the address has an account, so that timing does not tell.
const ForgotFloor = 300 * time.Millisecond

// Forgot is the one answer to "I forgot my password", for customers and
// staff alike: the request counts against limit for the address (a nil
// limiter sets none), then send looks the address up and mails a link
// when it has an account, the whole taking at least ForgotFloor either
// way.
func Forgot(ctx context.Context, lm *ratelimit.Limiter, limit ratelimit.Limit, email string, send func(ctx context.Context, email string) error) error {
	email = core.NormalizeEmail(email)
	if lm != nil {
		if err := lm.Hit(ctx, limit, email); err != nil {
			return err
		}
	}
	return AtLeast(ForgotFloor, func() error { return send(ctx, email) })
}

// CheckPassword bounds a new password: 10 to 128 characters.
func CheckPassword(password string) error {
	if n := len([]rune(password)); n < 10 || n > 128 {
		return core.Invalid("the password is not valid", core.FieldError{Field: "password", Message: "must be 10 to 128 characters"})
	}
	return nil
}

// AtLeast runs f and returns no sooner than d after it started, so that
// how long an answer takes does not tell what f found.
func AtLeast(d time.Duration, f func() error) error {
	deadline := time.Now().Add(d)
	err := f()
	time.Sleep(time.Until(deadline))
	return err
}
