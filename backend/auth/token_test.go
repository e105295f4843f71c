package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/core"
)

func testTokens(t testing.TB, now *time.Time) *Tokens {
	keys, err := ParseKeys("a:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY,b:YW5vdGhlciBrZXkgb2YgdGhpcnR5LXR3byBieXRlcyE")
	if err != nil {
		t.Fatal(err)
	}
	return NewTokens(keys, func() time.Time { return *now })
}

func TestTokenKindsAreNotInterchangeable(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	tk := testTokens(t, &now)
	kinds := []Kind{CustomerAccess, StaffAccess, KioskDevice, QRLink}
	for _, signed := range kinds {
		tok, _, err := tk.Sign(signed, "subject", Claims{Shop: "s"})
		if err != nil {
			t.Fatal(err)
		}
		for _, verified := range kinds {
			_, err := tk.Verify(verified, tok)
			if ok := err == nil; ok != (signed == verified) {
				t.Errorf("%s token verified as %s: err=%v", signed.Type, verified.Type, err)
			}
		}
	}
}

func TestTokenExpiryAndRotation(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	tk := testTokens(t, &now)
	tok, exp, err := tk.Sign(CustomerAccess, "c1", Claims{})
	if err != nil {
		t.Fatal(err)
	}
	if exp.Sub(now) != 15*time.Minute {
		t.Fatalf("customer access lives %v, want 15m", exp.Sub(now))
	}
	now = now.Add(14 * time.Minute)
	if _, err := tk.Verify(CustomerAccess, tok); err != nil {
		t.Fatalf("valid token refused: %v", err)
	}
	now = now.Add(2 * time.Minute)
	if _, err := tk.Verify(CustomerAccess, tok); !core.IsCode(err, core.EUNAUTHORIZED) {
		t.Fatalf("expired token accepted: %v", err)
	}

	// Rotation: a token signed with the old key "a" still verifies once "b"
	// signs, as long as "a" is kept in the set.
	now = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	old, _, _ := tk.Sign(CustomerAccess, "c1", Claims{})
	rotated, _ := ParseKeys("b:YW5vdGhlciBrZXkgb2YgdGhpcnR5LXR3byBieXRlcyE,a:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY")
	tk2 := NewTokens(rotated, func() time.Time { return now })
	if _, err := tk2.Verify(CustomerAccess, old); err != nil {
		t.Fatalf("old-key token refused after rotation: %v", err)
	}
	newTok, _, _ := tk2.Sign(CustomerAccess, "c1", Claims{})
	if !strings.Contains(headerOf(newTok), `"kid":"b"`) {
		t.Fatalf("rotated set does not sign with its first key: %s", headerOf(newTok))
	}
	dropped, _ := ParseKeys("b:YW5vdGhlciBrZXkgb2YgdGhpcnR5LXR3byBieXRlcyE")
	if _, err := NewTokens(dropped, func() time.Time { return now }).Verify(CustomerAccess, old); err == nil {
		t.Fatal("token of a removed key still accepted")
	}
}

func TestParseKeys(t *testing.T) {
	for _, bad := range []string{"", "nokid", "a:short", "a:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY,a:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY", ":MDEy"} {
		if _, err := ParseKeys(bad); err == nil {
			t.Errorf("ParseKeys(%q) accepted", bad)
		}
	}
}

func TestPasswords(t *testing.T) {
	pw := NewPasswords(PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1})
	h, err := pw.Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q", h)
	}
	if !pw.Check(h, "correct horse battery") || pw.Check(h, "correct horse batterY") || pw.Check("", "") || pw.Check("$bcrypt$x", "x") {
		t.Fatal("password check is wrong")
	}
	// Hashes made with other parameters still verify.
	strong := NewPasswords(PasswordParams{MemoryKiB: 128, Time: 2, Threads: 1})
	if !strong.Check(h, "correct horse battery") {
		t.Fatal("old-parameter hash refused")
	}
}

func headerOf(tok string) string {
	h, _, _ := strings.Cut(tok, ".")
	b, _ := decodeKey(h)
	return string(b)
}

// FuzzVerify: whatever arrives in an Authorization header, Verify never
// panics, and no mutation of a valid token is ever accepted as another.
func FuzzVerify(f *testing.F) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	tk := testTokens(f, &now)
	valid, _, _ := tk.Sign(CustomerAccess, "c1", Claims{})
	f.Add(valid)
	f.Add("")
	f.Add(strings.Repeat(".", 4096))
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
	f.Add(valid[:len(valid)-2] + "AA")
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := tk.Verify(CustomerAccess, raw)
		if err != nil {
			if !core.IsCode(err, core.EUNAUTHORIZED) {
				t.Fatalf("error code %q", core.ErrorCode(err))
			}
			return
		}
		if c.Type != CustomerAccess.Type || c.Subject == "" {
			t.Fatalf("accepted %q as %+v", raw, c)
		}
		if raw != valid && c.Subject != "c1" {
			t.Fatalf("a mutated token verified with subject %q", c.Subject)
		}
	})
}
