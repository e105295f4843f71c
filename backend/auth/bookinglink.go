package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/vista-optical/vista/backend/core"
)

// A booking link token lets a guest see and cancel their booking without
// an account: the booking id, a dot, and a 128-bit HMAC-SHA256 tag of the
// id under the deployment's signing key with a label of its own. It is
// the same every time it is made for a booking (a retried request gets
// the same answer, byte for byte), and lives as long as the booking.
const bookingLinkLabel = "vista booking link v1\x00"

func bookingTag(key []byte, id string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(bookingLinkLabel))
	m.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// SignBookingLink returns the manage token of booking id.
func (t *Tokens) SignBookingLink(id string) string {
	return id + "." + bookingTag(t.keys.byID[t.keys.SigningKID()], id)
}

// ErrBookingLink is the answer to a manage token this service did not make.
var ErrBookingLink = core.Errorf(core.EUNAUTHORIZED, "this booking link is not valid")

// VerifyBookingLink checks raw's tag under every key the deployment holds
// and returns the booking id it names.
func (t *Tokens) VerifyBookingLink(raw string) (string, error) {
	id, tag, ok := strings.Cut(raw, ".")
	if !ok || len(raw) > 128 || id == "" {
		return "", ErrBookingLink
	}
	for _, key := range t.keys.byID {
		if hmac.Equal([]byte(bookingTag(key, id)), []byte(tag)) {
			return id, nil
		}
	}
	return "", ErrBookingLink
}
