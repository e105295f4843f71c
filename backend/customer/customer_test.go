package customer

import (
	"testing"
	"time"
)

func TestAge(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse(time.DateOnly, s); return v }
	cases := []struct {
		birth, today string
		want         int
	}{
		{"2012-11-23", "2026-11-23", 14}, // the 14th birthday
		{"2012-11-24", "2026-11-23", 13}, // the day before
		{"2012-02-29", "2026-02-28", 13}, // leap-day birth, common year
		{"2012-02-29", "2026-03-01", 14},
		{"2012-02-29", "2024-02-29", 12},
		{"1990-12-31", "2026-01-01", 35},
		{"2026-11-23", "2026-11-23", 0},
	}
	for _, c := range cases {
		if got := Age(d(c.birth), d(c.today)); got != c.want {
			t.Errorf("Age(%s, %s) = %d, want %d", c.birth, c.today, got, c.want)
		}
	}
}

func TestDeriveConsents(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := DeriveConsents(nil)
	if len(s) != len(Channels)*len(Purposes) {
		t.Fatalf("%d pairs", len(s))
	}
	for _, c := range s {
		if c.Granted {
			t.Fatalf("granted without an event: %+v", c)
		}
	}
	s = DeriveConsents([]ConsentEvent{
		{Channel: "sms", Purpose: "marketing", Granted: true, OccurredAt: t0, TextVersion: "v1"},
		{Channel: "sms", Purpose: "marketing", Granted: false, OccurredAt: t0.Add(time.Hour), TextVersion: "v2"},
		{Channel: "push", Purpose: "service", Granted: true, OccurredAt: t0, TextVersion: "v1"},
		{Channel: "fax", Purpose: "service", Granted: true, OccurredAt: t0},
	})
	if s.Granted("sms", "marketing") || !s.Granted("push", "service") || s.Granted("fax", "service") {
		t.Fatalf("state %+v", s)
	}
}
