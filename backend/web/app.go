package web

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/cors"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/valyala/fasthttp"

	"github.com/vista-optical/vista/backend/core"
)

// Config is the HTTP side of Vista's configuration.
type Config struct {
	// BodyLimit is the largest request body accepted (413 beyond).
	BodyLimit int
	// ReadTimeout bounds reading one whole request, headers and body, so a
	// client trickling bytes (slowloris) loses its connection instead of
	// holding it; 0 means DefaultReadTimeout.
	ReadTimeout time.Duration
	// CORSOrigins lists the origins browsers may call the API from; empty
	// means no cross-origin access at all.
	CORSOrigins []string
	// TrustedProxies lists proxy addresses or CIDRs whose X-Forwarded-For is
	// believed; empty means the peer address is always the client.
	TrustedProxies []string
	// AccessLog writes one log line per request.
	AccessLog bool
}

// DefaultReadTimeout is how long a client may take to send a request (T33).
const DefaultReadTimeout = 10 * time.Second

// DefaultBodyLimit is the body size limit of every JSON route (T33).
const DefaultBodyLimit = 256 << 10

// UploadBodyLimit is the body size limit of a picture's upload: a staff
// route whose path ends in /image or /logo. The limit is chosen from the
// request's path as soon as its headers are read, so every other route
// still refuses a large body before reading it.
const UploadBodyLimit = 9 << 20

// IsUpload tells whether a request's URI is a picture's upload.
func IsUpload(uri []byte) bool {
	path, _, _ := bytes.Cut(uri, []byte("?"))
	return (bytes.HasPrefix(path, []byte("/v1/staff/")) || bytes.HasPrefix(path, []byte("/console/"))) &&
		(bytes.HasSuffix(path, []byte("/image")) || bytes.HasSuffix(path, []byte("/logo")))
}

// Validate reports configuration that must not start.
func (c Config) Validate() error {
	for _, o := range c.CORSOrigins {
		if o == "*" {
			return fmt.Errorf("cors: the wildcard origin is not allowed; list the app's origins (CVE-2024-25124 class)")
		}
		if !strings.HasPrefix(o, "https://") && !strings.HasPrefix(o, "http://") {
			return fmt.Errorf("cors: origin %q must start with https:// or http://", o)
		}
	}
	return nil
}

// Metrics are the HTTP metrics of one app, on their own registry.
type Metrics struct {
	Registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics returns metrics registered on a new registry, with the Go and
// process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vista_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vista_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"method", "route"}),
	}
	m.Registry.MustRegister(m.requests, m.duration, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// NewApp returns a Fiber app with Vista's limits, error handler and common
// middleware: recover, request ids, security headers, CORS, metrics and the
// access log.
func NewApp(cfg Config, logger *slog.Logger, m *Metrics) (*fiber.App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = DefaultBodyLimit
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = DefaultReadTimeout
	}
	fc := fiber.Config{
		AppName:               "vista",
		BodyLimit:             cfg.BodyLimit,
		ReadBufferSize:        8192, // request line and headers; larger → 431
		ReadTimeout:           cfg.ReadTimeout,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           90 * time.Second,
		DisableStartupMessage: true,
		ErrorHandler:          ErrorHandler(logger),
	}
	if len(cfg.TrustedProxies) > 0 {
		fc.EnableTrustedProxyCheck = true
		fc.TrustedProxies = cfg.TrustedProxies
		fc.ProxyHeader = fiber.HeaderXForwardedFor
	}
	app := fiber.New(fc)
	app.Server().HeaderReceived = func(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
		if IsUpload(h.RequestURI()) {
			return fasthttp.RequestConfig{MaxRequestBodySize: max(UploadBodyLimit, cfg.BodyLimit)}
		}
		return fasthttp.RequestConfig{}
	}
	app.Use(recover.New())
	app.Use(refuseAmbiguousLength)
	app.Use(func(c *fiber.Ctx) error {
		// A client's request id is kept only when short and of safe
		// characters (it reaches logs and answers); otherwise a new one is made.
		if id := c.Get(fiber.HeaderXRequestID); id != "" && !SafeRequestID(id) {
			c.Request().Header.Del(fiber.HeaderXRequestID)
		}
		return c.Next()
	})
	// Request ids are random (UUIDv4): fiber's default counts up from one
	// seed, so an id told the next one.
	app.Use(requestid.New(requestid.Config{Generator: utils.UUIDv4}))
	app.Use(helmet.New(helmet.Config{
		ContentSecurityPolicy: contentSecurityPolicy,
		ReferrerPolicy:        "no-referrer",
		HSTSMaxAge:            31536000,
	}))
	if len(cfg.CORSOrigins) > 0 {
		app.Use(cors.New(cors.Config{
			AllowOrigins:  strings.Join(cfg.CORSOrigins, ","),
			AllowMethods:  "GET,POST,PUT,PATCH,DELETE",
			AllowHeaders:  "Authorization,Content-Type,X-Request-ID",
			ExposeHeaders: "X-Request-ID,Retry-After",
			MaxAge:        600,
		}))
	}
	app.Use(observe(m, logger, cfg.AccessLog))
	return app, nil
}

func observe(m *Metrics, logger *slog.Logger, accessLog bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		if err != nil {
			if herr := c.App().ErrorHandler(c, err); herr != nil {
				_ = c.SendStatus(fiber.StatusInternalServerError)
			}
		}
		// Labels must outlive the request: c.Method() is a view of a
		// fasthttp buffer that the next request on the connection reuses,
		// so a kept label would change under the registry. The method is
		// one of a fixed set of constants and the route is the pattern it
		// was registered with, never the raw path.
		method, route, status := MethodLabel(c.Method()), c.Route().Path, c.Response().StatusCode()
		elapsed := time.Since(start)
		if m != nil {
			m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
			m.duration.WithLabelValues(method, route).Observe(elapsed.Seconds())
		}
		if accessLog {
			logger.LogAttrs(c.UserContext(), slog.LevelInfo, "request", slog.Group("req",
				slog.String("id", requestID(c)), slog.String("method", method), slog.String("route", route),
				slog.Int("status", status), slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000)))
		}
		return nil
	}
}

// refuseAmbiguousLength refuses a request that carries both Content-Length
// and Transfer-Encoding and closes its connection (RFC 9112 §6.3): a proxy
// in front may read the body by the other header, and what it takes for
// the next request is then smuggled past it.
func refuseAmbiguousLength(c *fiber.Ctx) error {
	raw := c.Request().Header.RawHeaders()
	if hasHeaderLine(raw, "content-length") && hasHeaderLine(raw, "transfer-encoding") {
		c.Set(fiber.HeaderConnection, "close")
		c.Context().SetConnectionClose()
		return core.Errorf(core.EMALFORMED, "a request may carry Content-Length or Transfer-Encoding, not both")
	}
	return c.Next()
}

// hasHeaderLine reports whether raw request headers hold a line for name
// (lower case), whatever its case.
func hasHeaderLine(raw []byte, name string) bool {
	for len(raw) > 0 {
		line := raw
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			line, raw = raw[:i], raw[i+1:]
		} else {
			raw = nil
		}
		if k, _, ok := bytes.Cut(line, []byte(":")); ok && strings.EqualFold(strings.TrimSpace(string(k)), name) {
			return true
		}
	}
	return false
}

// SafeRequestID reports whether a client's X-Request-ID may be kept: at
// most 64 characters of letters, digits, '-', '_', '.' and ':'.
func SafeRequestID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' || r == ':') {
			return false
		}
	}
	return true
}

// MethodLabel returns the constant spelling of an HTTP method, or "OTHER":
// a value that is safe to keep after the request (a metric label) and of
// which there are few.
func MethodLabel(method string) string {
	for _, m := range methodLabels {
		if method == m {
			return m
		}
	}
	return "OTHER"
}

var methodLabels = [...]string{fiber.MethodGet, fiber.MethodHead, fiber.MethodPost, fiber.MethodPut,
	fiber.MethodPatch, fiber.MethodDelete, fiber.MethodOptions}

// Pinger checks that a dependency answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// OpsRoutes are the public operator routes: liveness and readiness (the
// database answers). Metrics and profiles are on the admin listener
// (AdminHandler), never on the public port.
func OpsRoutes(db Pinger) []Route {
	return []Route{
		{Method: fiber.MethodGet, Path: "/healthz", Auth: Public, Handler: func(c *fiber.Ctx) error {
			return c.JSON(fiber.Map{"status": "ok"})
		}},
		{Method: fiber.MethodGet, Path: "/readyz", Auth: Public, Handler: func(c *fiber.Ctx) error {
			ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
			defer cancel()
			if err := db.Ping(ctx); err != nil {
				return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "database": "down"})
			}
			return c.JSON(fiber.Map{"status": "ok", "database": "up"})
		}},
	}
}

// AdminHandler serves what only operators may see, on a listener of its
// own (loopback by default): /metrics for Prometheus, /debug/pprof/ for Go
// profiles and /healthz. It uses a mux of its own, not
// http.DefaultServeMux, so nothing registered elsewhere leaks onto it.
func AdminHandler(m *Metrics) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// contentSecurityPolicy is the policy of every answer: nothing from
// elsewhere, and no other site may frame it.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'"

// Embeddable lets other sites show this answer: in a frame (a shop's
// booking page on its own website) or, for a script, from their pages.
// The rest of the policy stays.
func Embeddable(c *fiber.Ctx) {
	c.Set(fiber.HeaderContentSecurityPolicy, strings.Replace(contentSecurityPolicy, "frame-ancestors 'none'", "frame-ancestors *", 1))
	c.Response().Header.Del(fiber.HeaderXFrameOptions)
	c.Set("Cross-Origin-Resource-Policy", "cross-origin")
}
