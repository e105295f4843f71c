package auth

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/vista-optical/vista/backend/core"
)

func TestVisitLinkToken(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	tk := testTokens(t, &now)
	raw, l := tk.SignVisitLink(60 * time.Second)
	if len(raw) != LinkTokenLen || strings.ContainsAny(raw, "+/=") {
		t.Fatalf("token %q (%d chars)", raw, len(raw))
	}
	got, err := tk.VerifyVisitLink(raw)
	if err != nil || got != l || got.ID() != l.ID() || len(l.ID()) != 32 {
		t.Fatalf("verify = %+v, %v", got, err)
	}
	// Within the leeway, then past it: 410.
	now = now.Add(64 * time.Second)
	if _, err := tk.VerifyVisitLink(raw); err != nil {
		t.Fatalf("at TTL + 4 s: %v", err)
	}
	now = now.Add(2 * time.Second)
	if _, err := tk.VerifyVisitLink(raw); !core.IsCode(err, core.EGONE) {
		t.Fatalf("at TTL + leeway + 1 s: %v", err)
	}
	now = now.Add(-66 * time.Second)
	// Any changed bit of the body or tag: forged (401); another
	// deployment's key: forged.
	b, _ := base64.RawURLEncoding.DecodeString(raw)
	for i := 1; i < len(b); i++ {
		c := append([]byte(nil), b...)
		c[i] ^= 0x01
		if _, err := tk.VerifyVisitLink(base64.RawURLEncoding.EncodeToString(c)); !core.IsCode(err, core.EUNAUTHORIZED) {
			t.Fatalf("byte %d flipped: %v", i, err)
		}
	}
	other, _ := ParseKeys("z:b3RoZXIgZGVwbG95bWVudCBrZXkgb2YgMzIgYnl0ZXM")
	if _, err := NewTokens(other, func() time.Time { return now }).VerifyVisitLink(raw); !core.IsCode(err, core.EUNAUTHORIZED) {
		t.Fatalf("another deployment: %v", err)
	}
	// Not one of ours at all: 400. A JWT of any kind is not a visit code.
	jwt, _, _ := tk.Sign(QRLink, "n", Claims{})
	for _, bad := range []string{"", "x", raw[:len(raw)-1], raw + "A", strings.Repeat("A", LinkTokenLen), jwt} {
		if _, err := tk.VerifyVisitLink(bad); !core.IsCode(err, core.EMALFORMED) && !core.IsCode(err, core.EUNAUTHORIZED) {
			t.Fatalf("%q: %v", bad, err)
		}
	}
	// And a visit code is no JWT anywhere.
	for _, k := range []Kind{CustomerAccess, StaffAccess, KioskDevice, QRLink} {
		if _, err := tk.Verify(k, raw); err == nil {
			t.Fatalf("a visit code passed as %s", k.Type)
		}
	}
	// 10,000 random codes of the right form and a live expiry: none
	// verifies.
	for range 10000 {
		c := make([]byte, linkLen)
		_, _ = rand.Read(c)
		c[0] = linkVersion
		binary.BigEndian.PutUint32(c[1+linkNonceLen:], uint32(now.Add(time.Minute).Unix()))
		if _, err := tk.VerifyVisitLink(base64.RawURLEncoding.EncodeToString(c)); !core.IsCode(err, core.EUNAUTHORIZED) {
			t.Fatalf("a random code: %v", err)
		}
	}
	// The QR of a code fits version 6 at error correction M behind a
	// public address of up to 40 characters.
	url := "https://" + strings.Repeat("o", 32) + "/q/" + raw
	code, err := qrcode.New(url, qrcode.Medium)
	if err != nil || code.VersionNumber > 6 {
		t.Fatalf("QR version %d for %d bytes (%v)", code.VersionNumber, len(url), err)
	}
}
