// Package ratelimit counts attempts against limits kept in the database,
// so that every instance of Vista shares the same counts (T35). It knows
// nothing of HTTP: the web package applies its limits per client address,
// and services call it for limits per account.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/vista-optical/vista/backend/core"
)

// Store counts hits in windows.
type Store interface {
	// HitRate counts one hit against key, whose window ends at expires, and
	// returns the number of hits in that window so far, this one included.
	HitRate(ctx context.Context, key string, expires time.Time) (int64, error)
	// UnhitRate takes back one hit of key (an attempt that turned out not
	// to count). Taking back from an unknown key does nothing.
	UnhitRate(ctx context.Context, key string) error
	// RateCounts returns the hits of each key, 0 for an unknown one.
	RateCounts(ctx context.Context, keys []string) ([]int64, error)
	// PurgeRates deletes windows that ended before t.
	PurgeRates(ctx context.Context, before time.Time) (int, error)
}

// Limit is a rate limit: at most Max hits per Window for one key.
type Limit struct {
	Name   string
	Max    int64
	Window time.Duration
	// Local counts in this instance's memory instead of the database: for
	// public reads (a catalog, a product page) where a shared count would
	// cost a database write per request. The bound is then Max per
	// instance. Limits that guard secrets (sign-in, codes, links) are
	// never local. Only Hit honours it; Attempt always counts in the
	// database.
	Local bool
}

// Limiter applies limits against a Store.
type Limiter struct {
	Store Store
	Clock core.Clock

	mu    sync.Mutex
	local map[string]localCount
}

type localCount struct {
	n   int64
	end time.Time
}

// maxLocalKeys bounds the windows kept in memory; past it, ended windows
// are dropped, and if none had ended the map is emptied (a flood of
// addresses costs a moment of leniency, not memory).
const maxLocalKeys = 100_000

// hitLocal is HitRate in memory.
func (lm *Limiter) hitLocal(key string, now, end time.Time) int64 {
	lm.mu.Lock()
	defer lm.mu.Unlock()
	if lm.local == nil {
		lm.local = map[string]localCount{}
	}
	if len(lm.local) >= maxLocalKeys {
		for k, c := range lm.local {
			if !c.end.After(now) {
				delete(lm.local, k)
			}
		}
		if len(lm.local) >= maxLocalKeys {
			clear(lm.local)
		}
	}
	c := lm.local[key]
	c.n++
	c.end = end
	lm.local[key] = c
	return c.n
}

// Refused is a refusal that tells when to come back: ETOOMANY, and After
// seconds for a Retry-After header.
type Refused struct {
	Err   *core.Error
	After int
}

func (e *Refused) Error() string { return e.Err.Error() }
func (e *Refused) Unwrap() error { return e.Err }

// RetryAfter returns the seconds to wait carried by err, if it is a
// refusal.
func RetryAfter(err error) (int, bool) {
	var r *Refused
	if errors.As(err, &r) {
		return r.After, true
	}
	return 0, false
}

// Hit counts one hit of key against l in a fixed window and refuses it
// once the limit is passed.
func (lm *Limiter) Hit(ctx context.Context, l Limit, key string) error {
	if l.Max <= 0 {
		return nil
	}
	now := lm.Clock.Now()
	start := now.Truncate(l.Window)
	end := start.Add(l.Window)
	k := fmt.Sprintf("%s:%s@%d", l.Name, key, start.Unix())
	var n int64
	if l.Local {
		n = lm.hitLocal(k, now, end)
	} else {
		var err error
		if n, err = lm.Store.HitRate(ctx, k, end); err != nil {
			return err
		}
	}
	if n > l.Max {
		wait := int(end.Sub(now).Seconds() + 0.999)
		return &Refused{Err: core.Errorf(core.ETOOMANY, "too many attempts: try again in %d seconds", wait), After: max(wait, 1)}
	}
	return nil
}

// windowParts is how many parts a sliding window is counted in: an
// attempt sums the part it falls in and every part that overlaps the
// window before it, so the count covers at least the whole window (never
// fewer hits than a true sliding window would count).
const windowParts = 15

// Attempt counts one attempt of key against l in a sliding window, before
// it is tried, and refuses it (with the seconds to wait) when l.Max
// attempts already counted in the last l.Window. Call the returned uncount
// when the attempt turns out not to count (a right password): only
// failures hold the limit, so an owner who signs in is not locked by their
// own successes, and a lock lifts as soon as the failures that caused it
// age out, at most l.Window after the last one. Refused attempts are not
// counted either, so hammering a locked account does not extend its lock.
// Counting before trying keeps the limit exact under concurrent attempts.
func (lm *Limiter) Attempt(ctx context.Context, l Limit, key string) (uncount func(context.Context), err error) {
	if l.Max <= 0 {
		return func(context.Context) {}, nil
	}
	now := lm.Clock.Now()
	part := l.Window / windowParts
	if part <= 0 {
		part = l.Window
	}
	cur := now.Truncate(part)
	keyAt := func(start time.Time) string { return fmt.Sprintf("%s:%s@%d", l.Name, key, start.UnixMilli()) }
	n, err := lm.Store.HitRate(ctx, keyAt(cur), cur.Add(l.Window+part))
	if err != nil {
		return nil, err
	}
	uncount = func(ctx context.Context) { _ = lm.Store.UnhitRate(context.WithoutCancel(ctx), keyAt(cur)) }
	var starts []time.Time
	var keys []string
	for s := now.Add(-l.Window).Truncate(part); s.Before(cur); s = s.Add(part) {
		starts, keys = append(starts, s), append(keys, keyAt(s))
	}
	counts, err := lm.Store.RateCounts(ctx, keys)
	if err != nil {
		uncount(ctx)
		return nil, err
	}
	total := n
	for _, c := range counts {
		total += c
	}
	if total <= l.Max {
		return uncount, nil
	}
	uncount(ctx)
	// Free again once enough of the oldest parts leave the window.
	wait := l.Window
	over := total - l.Max
	for i, c := range counts {
		over -= c
		if over <= 0 {
			wait = starts[i].Add(part + l.Window).Sub(now)
			break
		}
	}
	secs := max(int(wait.Seconds()+0.999), 1)
	return nil, &Refused{Err: core.Errorf(core.ETOOMANY, "too many failed attempts: try again in %d seconds", secs), After: secs}
}
