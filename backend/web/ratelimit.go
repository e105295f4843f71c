package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/ratelimit"
)

// ByIP returns middleware that applies l per client address. The address
// is the peer's, or X-Forwarded-For's only when the peer is a configured
// trusted proxy (see Config.TrustedProxies).
func ByIP(lm *ratelimit.Limiter, l ratelimit.Limit) fiber.Handler {
	l.Name += ":ip"
	return func(c *fiber.Ctx) error {
		if err := lm.Hit(c.UserContext(), l, c.IP()); err != nil {
			return err
		}
		return c.Next()
	}
}
