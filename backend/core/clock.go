package core

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"strings"
	"time"
)

// Clock returns the current time. Everything about expiry, reminders and
// tokens takes one, so tests can move time by hand.
type Clock func() time.Time

// SystemClock is the wall clock in UTC at millisecond precision, the
// precision both storage engines keep.
func SystemClock() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// Now calls c, or the system clock when c is nil.
func (c Clock) Now() time.Time {
	if c == nil {
		return SystemClock()
	}
	return c().UTC().Truncate(time.Millisecond)
}

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewID returns a 26-character identifier: 48 bits of millisecond time then
// 80 random bits, so ids sort by creation time and never collide in practice.
func NewID() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixMilli())<<16)
	_, _ = rand.Read(b[6:])
	return idEncoding.EncodeToString(b[:])
}

// NormalizeEmail is the form under which e-mail addresses are compared and
// kept unique: trimmed and lower-cased.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
