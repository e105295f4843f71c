package ratelimit

import (
	"context"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/core"
)

// TestLocalLimit: a local limit counts in memory (no store at all here),
// per key and window, refuses past Max with the seconds to wait, and
// starts again with the next window.
func TestLocalLimit(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	lm := &Limiter{Clock: func() time.Time { return now }}
	l := Limit{Name: "browse", Max: 3, Window: time.Minute, Local: true}
	ctx := context.Background()
	for i := range 3 {
		if err := lm.Hit(ctx, l, "1.2.3.4"); err != nil {
			t.Fatalf("hit %d: %v", i, err)
		}
	}
	err := lm.Hit(ctx, l, "1.2.3.4")
	if after, ok := RetryAfter(err); !ok || !core.IsCode(err, core.ETOOMANY) || after != 60 {
		t.Fatalf("4th hit: %v (retry after %d)", err, after)
	}
	if err := lm.Hit(ctx, l, "5.6.7.8"); err != nil {
		t.Fatalf("another address: %v", err)
	}
	now = now.Add(time.Minute)
	if err := lm.Hit(ctx, l, "1.2.3.4"); err != nil {
		t.Fatalf("next window: %v", err)
	}
	// A flood of addresses does not grow memory past the bound.
	for i := range maxLocalKeys + 10 {
		_ = lm.Hit(ctx, l, string(rune(i)))
	}
	if n := len(lm.local); n > maxLocalKeys {
		t.Fatalf("%d windows kept", n)
	}
}
