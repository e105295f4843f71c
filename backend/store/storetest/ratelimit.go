package storetest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func testRateHits(t *testing.T, e Engine) {
	ctx := context.Background()
	exp := base.Add(time.Minute)
	var wg sync.WaitGroup
	seen := make([]atomic.Bool, 41)
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := e.HitRate(ctx, "login:ip:1.2.3.4@1", exp)
			if err != nil {
				t.Error(err)
				return
			}
			if n < 1 || n > 40 || seen[n].Swap(true) {
				t.Errorf("hit count %d repeated or out of range", n)
			}
		}()
	}
	wg.Wait()
	if n, err := e.HitRate(ctx, "login:ip:5.6.7.8@1", exp); err != nil || n != 1 {
		t.Fatalf("other key = %d, %v", n, err)
	}
	purged, err := e.PurgeRates(ctx, exp.Add(time.Second))
	must(t, err)
	if purged != 2 {
		t.Fatalf("purged %d keys, want 2", purged)
	}
	if n, _ := e.HitRate(ctx, "login:ip:1.2.3.4@1", exp); n != 1 {
		t.Fatalf("after purge count = %d, want 1", n)
	}
	// Taking back hits, and reading several counts at once.
	for range 3 {
		_, err := e.HitRate(ctx, "k:b", exp)
		must(t, err)
	}
	must(t, e.UnhitRate(ctx, "k:b"))
	must(t, e.UnhitRate(ctx, "k:unknown"))
	counts, err := e.RateCounts(ctx, []string{"k:unknown", "k:b", "login:ip:1.2.3.4@1"})
	must(t, err)
	if len(counts) != 3 || counts[0] != 0 || counts[1] != 2 || counts[2] != 1 {
		t.Fatalf("counts = %v, want [0 2 1]", counts)
	}
	must(t, e.UnhitRate(ctx, "login:ip:1.2.3.4@1"))
	must(t, e.UnhitRate(ctx, "login:ip:1.2.3.4@1")) // never below zero
	if n, _ := e.HitRate(ctx, "login:ip:1.2.3.4@1", exp); n != 1 {
		t.Fatalf("count after taking back below zero = %d, want 1", n)
	}
}
