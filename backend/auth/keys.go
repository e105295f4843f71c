// Package auth issues and verifies every kind of token in Vista, hashes
// passwords and runs customer sessions (rotating refresh tokens with reuse
// detection). It knows nothing about HTTP or storage engines.
package auth

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
)

// Keys is the set of HMAC keys tokens are signed and verified with. The
// first key signs; every key verifies, so a new key can be added ahead of a
// rotation and an old one kept until the tokens it signed have expired.
type Keys struct {
	signing string
	byID    map[string][]byte
}

// MinKeyBytes is the shortest HMAC-SHA256 key accepted.
const MinKeyBytes = 32

// ParseKeys reads keys written as "kid:base64,kid:base64" (standard or URL
// base64). The first key signs.
func ParseKeys(s string) (*Keys, error) {
	k := &Keys{byID: map[string][]byte{}}
	for _, part := range strings.Split(strings.TrimSpace(s), ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		kid, b64, ok := strings.Cut(part, ":")
		if !ok || kid == "" {
			return nil, fmt.Errorf("jwt key %q: want kid:base64", redactKey(part))
		}
		secret, err := decodeKey(b64)
		if err != nil {
			return nil, fmt.Errorf("jwt key %q: %w", kid, err)
		}
		if len(secret) < MinKeyBytes {
			return nil, fmt.Errorf("jwt key %q: %d bytes, want at least %d", kid, len(secret), MinKeyBytes)
		}
		if _, dup := k.byID[kid]; dup {
			return nil, fmt.Errorf("jwt key %q: listed twice", kid)
		}
		k.byID[kid] = secret
		if k.signing == "" {
			k.signing = kid
		}
	}
	if k.signing == "" {
		return nil, fmt.Errorf("no jwt keys given")
	}
	return k, nil
}

// GenerateKeys returns a fresh key set of one key, and its text form for
// ParseKeys.
func GenerateKeys(kid string) (*Keys, string, error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, "", err
	}
	text := kid + ":" + base64.RawURLEncoding.EncodeToString(secret)
	k, err := ParseKeys(text)
	return k, text, err
}

// SigningKID is the key id new tokens carry.
func (k *Keys) SigningKID() string { return k.signing }

func (k *Keys) lookup(kid string) ([]byte, bool) {
	b, ok := k.byID[kid]
	return b, ok
}

func decodeKey(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	if b, err := base64.RawURLEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(s)
}

func redactKey(s string) string {
	kid, _, _ := strings.Cut(s, ":")
	return kid + ":…"
}
