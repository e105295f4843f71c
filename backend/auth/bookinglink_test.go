package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/core"
)

func TestBookingLink(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	tk := testTokens(t, &now)
	raw := tk.SignBookingLink("bk-1")
	if raw != tk.SignBookingLink("bk-1") {
		t.Fatal("the link of a booking changes between calls: a replay would not be byte-identical")
	}
	if id, err := tk.VerifyBookingLink(raw); err != nil || id != "bk-1" {
		t.Fatalf("verify = %q, %v", id, err)
	}
	_, tag, _ := strings.Cut(raw, ".")
	for _, bad := range []string{"", "bk-1", "bk-1.", ".AAAA", "bk-2." + tag, raw + "A", raw[:len(raw)-1], strings.Repeat("a", 200) + "." + tag} {
		if _, err := tk.VerifyBookingLink(bad); !core.IsCode(err, core.EUNAUTHORIZED) {
			t.Errorf("%q verified (%v)", bad, err)
		}
	}
	now = now.Add(400 * 24 * time.Hour)
	if _, err := tk.VerifyBookingLink(raw); err != nil {
		t.Fatalf("a booking link expires on its own: %v", err)
	}
}

// FuzzVerifyBookingLink: whatever a guest's link holds, verifying it
// never panics, and only links this service made name a booking.
func FuzzVerifyBookingLink(f *testing.F) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	tk := testTokens(f, &now)
	valid := tk.SignBookingLink("bk-06h3ssrrpbm2wvw5jn22f2xb68")
	for _, s := range []string{valid, "", ".", "bk-1.", valid + ".", strings.ToUpper(valid)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		id, err := tk.VerifyBookingLink(raw)
		if err != nil {
			if !core.IsCode(err, core.EUNAUTHORIZED) {
				t.Fatalf("error code %q", core.ErrorCode(err))
			}
			return
		}
		if raw != tk.SignBookingLink(id) {
			t.Fatalf("%q verified as booking %q but is not its link", raw, id)
		}
	})
}
