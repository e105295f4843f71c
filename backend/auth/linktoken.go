package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"time"

	"github.com/vista-optical/vista/backend/core"
)

// A visit link token is what a kiosk's QR code carries: short enough for
// a low-density code (PUBLIC_URL/q/<token> fits version 6 at error
// correction M), so it is not a JWT. It holds a version byte, a random
// 128-bit nonce, its expiry in Unix seconds and a 128-bit HMAC-SHA256 tag
// of those under the deployment's signing key, with a label of its own so
// that no other MAC Vista computes can pass for one. What the nonce is
// bound to (the kiosk, the visit) is kept server-side under its hash.
const (
	linkVersion  = 1
	linkNonceLen = 16
	linkTagLen   = 16
	linkLen      = 1 + linkNonceLen + 4 + linkTagLen
	linkLabel    = "vista visit link v1\x00"
	// LinkTokenLen is the length of an encoded token.
	LinkTokenLen = (linkLen*8 + 5) / 6
)

// VisitLink is a signed visit link token's content.
type VisitLink struct {
	Nonce     [linkNonceLen]byte
	ExpiresAt time.Time
}

// ID is the nonce's hash, under which a store keeps what the token is
// bound to: a store leak does not reveal live tokens.
func (l VisitLink) ID() string {
	sum := sha256.Sum256(l.Nonce[:])
	return hex.EncodeToString(sum[:16])
}

func (t *Tokens) linkTag(key, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(linkLabel))
	m.Write(body)
	return m.Sum(nil)[:linkTagLen]
}

// SignVisitLink returns a new token valid for ttl, and its content.
func (t *Tokens) SignVisitLink(ttl time.Duration) (string, VisitLink) {
	var l VisitLink
	_, _ = rand.Read(l.Nonce[:])
	l.ExpiresAt = t.clock.Now().Add(ttl).Truncate(time.Second)
	b := make([]byte, 0, linkLen)
	b = append(b, linkVersion)
	b = append(b, l.Nonce[:]...)
	b = binary.BigEndian.AppendUint32(b, uint32(l.ExpiresAt.Unix()))
	b = append(b, t.linkTag(t.keys.byID[t.keys.SigningKID()], b)...)
	return base64.RawURLEncoding.EncodeToString(b), l
}

// Errors of visit link tokens: not one of ours at all (400), one whose
// tag does not verify under any key of this deployment (401), one that
// expired (410).
var (
	ErrLinkMalformed = core.Errorf(core.EMALFORMED, "this is not a Vista visit code")
	ErrLinkForged    = core.Errorf(core.EUNAUTHORIZED, "this visit code was not made by this service")
	ErrLinkExpired   = core.Errorf(core.EGONE, "this visit code has expired: scan the screen again")
)

// VerifyVisitLink checks raw's form, tag (under every key the deployment
// holds, so a key rotation does not void a code on screen) and expiry,
// with the same leeway as other tokens.
func (t *Tokens) VerifyVisitLink(raw string) (VisitLink, error) {
	var l VisitLink
	if len(raw) != LinkTokenLen {
		return l, ErrLinkMalformed
	}
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil || len(b) != linkLen || b[0] != linkVersion {
		return l, ErrLinkMalformed
	}
	body, tag := b[:linkLen-linkTagLen], b[linkLen-linkTagLen:]
	ok := false
	for _, key := range t.keys.byID {
		if hmac.Equal(t.linkTag(key, body), tag) {
			ok = true
		}
	}
	if !ok {
		return l, ErrLinkForged
	}
	copy(l.Nonce[:], body[1:1+linkNonceLen])
	l.ExpiresAt = time.Unix(int64(binary.BigEndian.Uint32(body[1+linkNonceLen:])), 0).UTC()
	if !t.clock.Now().Before(l.ExpiresAt.Add(5 * time.Second)) {
		return l, ErrLinkExpired
	}
	return l, nil
}
