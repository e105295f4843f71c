package web

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/ratelimit"
)

// ByIP returns middleware that applies l per client (see ClientKey).
func ByIP(lm *ratelimit.Limiter, l ratelimit.Limit) fiber.Handler {
	l.Name += ":ip"
	return func(c *fiber.Ctx) error {
		if err := lm.Hit(c.UserContext(), l, ClientKey(c)); err != nil {
			return err
		}
		return c.Next()
	}
}

// ClientKey returns what per-client limits count a request against: the
// peer's address or, when the peer is a trusted proxy (Config.TrustedProxies),
// the last address of X-Forwarded-For — the one that proxy wrote; the
// addresses before it are the client's own say. An IPv6 address counts by
// its /64, which one subscriber commonly holds whole.
func ClientKey(c *fiber.Ctx) string {
	addr := c.Context().RemoteIP().String()
	if header := c.App().Config().ProxyHeader; header != "" && c.IsProxyTrusted() {
		if v := c.Get(header); v != "" {
			addr = strings.TrimSpace(v[strings.LastIndexByte(v, ',')+1:])
		}
	}
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}
