package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/ratelimit"
)

// PasswordParams are the argon2id cost parameters. DefaultPasswordParams
// follows OWASP's minimum (19 MiB, 2 passes, 1 lane); tests use cheaper ones.
type PasswordParams struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultPasswordParams are the parameters of new hashes in production.
var DefaultPasswordParams = PasswordParams{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}

// Passwords hashes and checks passwords with argon2id, in the PHC string
// format so parameters can be raised later without breaking old hashes.
type Passwords struct {
	Params PasswordParams
	dummy  string
}

// NewPasswords returns a hasher with params.
func NewPasswords(p PasswordParams) *Passwords {
	pw := &Passwords{Params: p}
	pw.dummy, _ = pw.Hash("not a real password, used to spend equal time")
	return pw
}

// Hash returns the encoded argon2id hash of password.
func (p *Passwords) Hash(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	sum := argon2.IDKey([]byte(password), salt, p.Params.Time, p.Params.MemoryKiB, p.Params.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		p.Params.MemoryKiB, p.Params.Time, p.Params.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(sum)), nil
}

// Check reports whether password matches encoded. An empty encoded hash
// (unknown account) is checked against a dummy hash so that the time taken
// does not tell whether an account exists.
func (p *Passwords) Check(encoded, password string) bool {
	if encoded == "" {
		_, _ = p.verify(p.dummy, password)
		return false
	}
	ok, err := p.verify(encoded, password)
	return err == nil && ok
}

var errHashFormat = errors.New("unsupported password hash")

func (p *Passwords) verify(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errHashFormat
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errHashFormat
	}
	var m, t uint32
	var th uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &th); err != nil {
		return false, errHashFormat
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, errHashFormat
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errHashFormat
	}
	got := argon2.IDKey([]byte(password), salt, t, m, th, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// RandomSecret returns n random bytes as URL-safe base64, for generated
// passwords and opaque tokens.
func RandomSecret(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// SignIn finds the account of email with find and checks password
// against the hash it holds, taking about the same time whether or not
// the address is known, so that sign-in does not tell which addresses
// have an account. It returns the account when the password is right;
// ok=false for an unknown address or a wrong password.
func SignIn[A any](ctx context.Context, p *Passwords, find func(ctx context.Context, email string) (A, error), hash func(A) string,
	email, password string) (account A, ok bool, err error) {
	account, err = find(ctx, core.NormalizeEmail(email))
	known := err == nil
	if err != nil && !core.IsCode(err, core.ENOTFOUND) {
		return account, false, err
	}
	encoded := ""
	if known {
		encoded = hash(account)
	}
	if !p.Check(encoded, password) || !known {
		var none A
		return none, false, nil
	}
	return account, true, nil
}

// LimitedSignIn is SignIn under a limit of failed attempts per account
// (ETOOMANY with the seconds to wait once it is reached; a nil limiter
// sets none): the attempt is counted before the password is tried, so the
// limit holds under concurrent attempts, and taken back when the password
// was right, so only failures count. The account is nil for an unknown
// address or a wrong password.
func LimitedSignIn[A any](ctx context.Context, lm *ratelimit.Limiter, l ratelimit.Limit, p *Passwords,
	find func(ctx context.Context, email string) (A, error), hash func(A) string, email, password string) (A, error) {
	var none A
	uncount := func(context.Context) {}
	if lm != nil {
		var err error
		if uncount, err = lm.Attempt(ctx, l, core.NormalizeEmail(email)); err != nil {
			return none, err
		}
	}
	account, ok, err := SignIn(ctx, p, find, hash, email, password)
	if ok || err != nil {
		uncount(ctx) // only failed passwords count
	}
	if err != nil || !ok {
		return none, err
	}
	return account, nil
}
