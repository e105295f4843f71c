package web

import (
	"context"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/core"
)

// RateStore counts hits in fixed windows. It is kept in the database so that
// every instance of Vista shares the same counts (T35).
type RateStore interface {
	// HitRate counts one hit against key, whose window ends at expires, and
	// returns the number of hits in that window so far, this one included.
	HitRate(ctx context.Context, key string, expires time.Time) (int64, error)
	// PurgeRates deletes windows that ended before t.
	PurgeRates(ctx context.Context, before time.Time) (int, error)
}

// Limit is a rate limit: at most Max hits per Window for one key.
type Limit struct {
	Name   string
	Max    int64
	Window time.Duration
}

// Limiter applies limits against a RateStore.
type Limiter struct {
	Store RateStore
	Clock core.Clock
	// Disabled turns every limit off (load tests only).
	Disabled bool
}

// Hit counts one hit of key against l and returns a 429 error carrying
// Retry-After once the limit is passed.
func (lm *Limiter) Hit(ctx context.Context, l Limit, key string) error {
	if lm.Disabled || l.Max <= 0 {
		return nil
	}
	now := lm.Clock.Now()
	start := now.Truncate(l.Window)
	end := start.Add(l.Window)
	n, err := lm.Store.HitRate(ctx, fmt.Sprintf("%s:%s@%d", l.Name, key, start.Unix()), end)
	if err != nil {
		return err
	}
	if n > l.Max {
		wait := int(end.Sub(now).Seconds() + 0.999)
		return &retryError{err: core.Errorf(core.ETOOMANY, "too many attempts: try again in %d seconds", wait), after: max(wait, 1)}
	}
	return nil
}

// ByIP returns middleware that applies l per client address. The address
// is the peer's, or X-Forwarded-For's only when the peer is a configured
// trusted proxy (see Config.TrustedProxies).
func (lm *Limiter) ByIP(l Limit) fiber.Handler {
	l.Name += ":ip"
	return func(c *fiber.Ctx) error {
		if err := lm.Hit(c.UserContext(), l, c.IP()); err != nil {
			return err
		}
		return c.Next()
	}
}
