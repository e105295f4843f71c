package web

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// TestClientKey: X-Forwarded-For counts only behind a trusted proxy and
// only its last entry (what the proxy wrote); IPv6 clients count by /64.
func TestClientKey(t *testing.T) {
	for _, tc := range []struct {
		name    string
		proxies []string
		xff     string
		want    string
	}{
		{"no proxy configured: the peer", nil, "203.0.113.7", "0.0.0.0"},
		{"untrusted peer: the peer", []string{"10.9.9.9"}, "203.0.113.7", "0.0.0.0"},
		{"trusted proxy", []string{"0.0.0.0"}, "203.0.113.7", "203.0.113.7"},
		{"a client's own entries are ignored", []string{"0.0.0.0"}, "1.1.1.1, 2.2.2.2, 203.0.113.7", "203.0.113.7"},
		{"IPv6 by /64", []string{"0.0.0.0"}, "2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"},
		{"same /64, another host", []string{"0.0.0.0"}, "2001:db8:1:2:ffff:1:2:3", "2001:db8:1:2::/64"},
		{"IPv4-mapped", []string{"0.0.0.0"}, "::ffff:203.0.113.7", "203.0.113.7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app, err := NewApp(Config{TrustedProxies: tc.proxies}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
			if err != nil {
				t.Fatal(err)
			}
			app.Get("/", func(c *fiber.Ctx) error { return c.SendString(ClientKey(c)) })
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("X-Forwarded-For", tc.xff)
			resp, err := app.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			if string(b) != tc.want {
				t.Fatalf("key %q, want %q", b, tc.want)
			}
		})
	}
}
