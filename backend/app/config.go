package app

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vista-optical/vista/backend/booking"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/notify/email"
	"github.com/vista-optical/vista/backend/screen"
	"github.com/vista-optical/vista/backend/visit"
	"github.com/vista-optical/vista/backend/web"
)

// Roles a vista process can run.
const (
	RoleAPI    = "api"    // the mobile API and public pages
	RoleKiosk  = "kiosk"  // kiosk screens and the staff console
	RoleWorker = "worker" // background jobs
)

// Config is the whole configuration of a vista process. Every field can be
// set by a flag or by the environment variable named in its flag's help.
type Config struct {
	HTTPAddr       string
	DataDir        string
	MongoURI       string
	MongoDatabase  string
	PublicURL      string
	JWTKeys        string
	JWTKeyFile     string
	Roles          []string
	CORSOrigins    []string
	TrustedProxies []string
	// AppleAppIDs and AndroidApps are the apps that open visit codes
	// (universal links, app links): served in /.well-known.
	AppleAppIDs     []string
	AndroidApps     []string
	FirebaseProject string
	FirebaseCreds   string
	Demo            bool
	AccessLog       bool
	LogLevel        string
	LogFormat       string
	TimeZone        string
	ShutdownGrace   time.Duration
	// AdminAddr is the operator listener: /metrics and Go profiles.
	AdminAddr   string
	FCMEndpoint string
	ClockOffset time.Duration
	// VisitRetention is how long an anonymous shop visit (what a screen
	// saw, no one linked) is kept.
	VisitRetention time.Duration
	// GuestRetention is how long after their appointment a guest's
	// contact details are kept on the booking.
	GuestRetention time.Duration
	// SendRates caps messages a second per channel, as channel=rate.
	SendRates []string
	// SendConcurrency is how many sends a worker has in flight, and so the
	// most messages a crash of it can send twice.
	SendConcurrency int
	// ScreenStreams bounds the screens' event streams this instance holds
	// (each is a connection and a file descriptor); past it, 503.
	ScreenStreams int
	// MarketingCap is the most marketing messages a customer receives per
	// MarketingWindow; the rest are skipped (0 turns the cap off).
	MarketingCap    int
	MarketingWindow time.Duration
	// SMTPURL is where e-mail is sent (smtp:// with STARTTLS, smtps://);
	// empty logs e-mail instead. MailFrom is its sender.
	SMTPURL  string
	MailFrom string
}

// DefaultConfig is the configuration of `vista serve` with nothing set.
func DefaultConfig() Config {
	return Config{
		HTTPAddr: ":8080", DataDir: "./data", MongoDatabase: "vista",
		Roles: []string{RoleAPI, RoleKiosk, RoleWorker}, Demo: true, AccessLog: true, VisitRetention: visit.AnonymousRetention,
		GuestRetention: booking.GuestRetention,
		LogLevel:       "info", LogFormat: "text", TimeZone: "Europe/Rome", ShutdownGrace: 20 * time.Second,
		SendConcurrency: 50, ScreenStreams: screen.DefaultMaxStreams, AdminAddr: "127.0.0.1:9090", MarketingCap: 2, MarketingWindow: 7 * 24 * time.Hour,
	}
}

// ParseFlags fills c from args, with environment variables as defaults;
// extra adds a command's own flags.
func (c *Config) ParseFlags(name string, args []string, extra ...func(*flag.FlagSet)) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	for _, f := range extra {
		f(fs)
	}
	str := func(p *string, flagName, env, help string) {
		if v, ok := os.LookupEnv(env); ok {
			*p = v
		}
		fs.StringVar(p, flagName, *p, help+" ($"+env+")")
	}
	list := func(p *[]string, flagName, env, help string) {
		if v, ok := os.LookupEnv(env); ok {
			*p = splitList(v)
		}
		fs.Func(flagName, help+", comma-separated ($"+env+")", func(v string) error { *p = splitList(v); return nil })
	}
	boolean := func(p *bool, flagName, env, help string) {
		if v, ok := os.LookupEnv(env); ok {
			*p = v == "1" || strings.EqualFold(v, "true") || strings.EqualFold(v, "yes")
		}
		fs.BoolVar(p, flagName, *p, help+" ($"+env+")")
	}
	str(&c.HTTPAddr, "http-addr", "VISTA_HTTP_ADDR", "address to listen on")
	str(&c.DataDir, "data-dir", "VISTA_DATA_DIR", "folder of the SQLite database and generated keys")
	str(&c.MongoURI, "mongodb-uri", "VISTA_MONGODB_URI", "MongoDB connection string; when set, MongoDB is used instead of SQLite")
	str(&c.MongoDatabase, "mongodb-database", "VISTA_MONGODB_DATABASE", "MongoDB database name")
	str(&c.PublicURL, "public-url", "VISTA_PUBLIC_URL", "URL customers and kiosks reach this service at")
	str(&c.JWTKeys, "jwt-keys", "VISTA_JWT_KEYS", "token signing keys as kid:base64,…; the first signs")
	str(&c.JWTKeyFile, "jwt-key-file", "VISTA_JWT_KEY_FILE", "file holding the signing keys in the same form")
	list(&c.Roles, "roles", "VISTA_ROLES", "roles to run: api, kiosk, worker")
	list(&c.CORSOrigins, "cors-origins", "VISTA_CORS_ORIGINS", "browser origins allowed to call the API")
	list(&c.TrustedProxies, "trusted-proxies", "VISTA_TRUSTED_PROXIES", "proxies whose X-Forwarded-For is believed")
	list(&c.AppleAppIDs, "apple-app-ids", "VISTA_APPLE_APP_IDS", "iOS apps that open visit codes (universal links): TEAMID.bundle.id,…")
	list(&c.AndroidApps, "android-apps", "VISTA_ANDROID_APPS", "Android apps that open visit codes (app links): package=SHA256 fingerprint[|another],…")
	str(&c.FirebaseProject, "firebase-project", "VISTA_FIREBASE_PROJECT_ID", "Firebase project id (sign-in with Firebase, push)")
	str(&c.FirebaseCreds, "firebase-credentials", "VISTA_FIREBASE_CREDENTIALS", "Firebase service-account JSON file")
	boolean(&c.Demo, "demo", "VISTA_DEMO", "create a demo chain on an empty database (default: on with SQLite, off with MongoDB)")
	boolean(&c.AccessLog, "access-log", "VISTA_ACCESS_LOG", "log one line per request")
	str(&c.LogLevel, "log-level", "VISTA_LOG_LEVEL", "debug, info, warn or error")
	str(&c.LogFormat, "log-format", "VISTA_LOG_FORMAT", "text or json")
	str(&c.AdminAddr, "admin-addr", "VISTA_ADMIN_ADDR", "operator listener for /metrics and /debug/pprof/ (loopback by default; \"off\" turns it off)")
	str(&c.FCMEndpoint, "fcm-endpoint", "VISTA_FCM_ENDPOINT", "send push to this FCM-compatible endpoint without credentials (a fake FCM server for demos and tests)")
	fs.DurationVar(&c.ClockOffset, "clock-offset", c.ClockOffset, "move this process's clock forward (demos of reminders only) ($VISTA_CLOCK_OFFSET)")
	fs.DurationVar(&c.VisitRetention, "visit-retention", c.VisitRetention, "how long anonymous shop visits are kept, 24h to 17520h ($VISTA_VISIT_RETENTION)")
	fs.DurationVar(&c.GuestRetention, "guest-retention", c.GuestRetention, "how long after the appointment a guest's contact details are kept, 24h to 17520h ($VISTA_GUEST_RETENTION)")
	str(&c.TimeZone, "time-zone", "VISTA_TIME_ZONE", "default time zone of the shops")
	str(&c.SMTPURL, "smtp-url", "VISTA_SMTP_URL", "send e-mail through this server: smtp://user:pass@host:587 (STARTTLS, required except on loopback) or smtps://host:465")
	str(&c.MailFrom, "mail-from", "VISTA_MAIL_FROM", "sender of e-mail, e.g. \"Ottica Vista <noreply@example.com>\"")
	list(&c.SendRates, "send-rates", "VISTA_SEND_RATES", "messages a second each worker hands to a channel, as channel=rate (push=500,sms=5)")
	fs.IntVar(&c.SendConcurrency, "send-concurrency", c.SendConcurrency,
		"sends each worker has in flight: throughput is about this over FCM's latency, and a crash resends at most this many ($VISTA_SEND_CONCURRENCY)")
	fs.IntVar(&c.ScreenStreams, "screen-streams", c.ScreenStreams,
		"most screen event streams this instance holds, each a connection: keep it under the file-descriptor limit ($VISTA_SCREEN_STREAMS)")
	fs.IntVar(&c.MarketingCap, "marketing-cap", c.MarketingCap, "most marketing messages a customer receives per marketing window; 0 for no cap ($VISTA_MARKETING_CAP)")
	fs.DurationVar(&c.MarketingWindow, "marketing-window", c.MarketingWindow, "the window of the marketing cap ($VISTA_MARKETING_WINDOW)")
	// Typed flags take their environment value through the flag's own
	// parser, so a bad value is refused the same way from either place.
	for name, env := range map[string]string{"clock-offset": "VISTA_CLOCK_OFFSET", "visit-retention": "VISTA_VISIT_RETENTION", "guest-retention": "VISTA_GUEST_RETENTION", "send-concurrency": "VISTA_SEND_CONCURRENCY",
		"screen-streams": "VISTA_SCREEN_STREAMS",
		"marketing-cap":  "VISTA_MARKETING_CAP", "marketing-window": "VISTA_MARKETING_WINDOW"} {
		if v, ok := os.LookupEnv(env); ok {
			if err := fs.Set(name, v); err != nil {
				return fmt.Errorf("%s: %w", env, err)
			}
		}
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	// The demo is for a first look on the embedded database: a MongoDB
	// deployment is production unless the operator asks for it.
	_, demoEnv := os.LookupEnv("VISTA_DEMO")
	demoFlag := false
	fs.Visit(func(f *flag.Flag) { demoFlag = demoFlag || f.Name == "demo" })
	if !demoEnv && !demoFlag && c.MongoURI != "" {
		c.Demo = false
	}
	return nil
}

// Validate reports settings that cannot work.
func (c *Config) Validate() error {
	var errs []error
	if c.HTTPAddr == "" {
		errs = append(errs, errors.New("http-addr is empty"))
	}
	if c.MongoURI == "" && c.DataDir == "" {
		errs = append(errs, errors.New("data-dir is empty and no MongoDB URI is set"))
	}
	for _, r := range c.Roles {
		if !slices.Contains([]string{RoleAPI, RoleKiosk, RoleWorker}, r) {
			errs = append(errs, fmt.Errorf("unknown role %q (want api, kiosk or worker)", r))
		}
	}
	if len(c.Roles) == 0 {
		errs = append(errs, errors.New("no role to run"))
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("public-url %q is not an http(s) URL", c.PublicURL))
		}
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		errs = append(errs, fmt.Errorf("time-zone: %w", err))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("log-format %q: want text or json", c.LogFormat))
	}
	if err := (web.Config{CORSOrigins: c.CORSOrigins}).Validate(); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.Rates(); err != nil {
		errs = append(errs, err)
	}
	if c.SMTPURL != "" {
		if c.MailFrom == "" {
			errs = append(errs, errors.New("smtp-url is set but mail-from is not: e-mail needs a sender"))
		} else if _, err := email.New(c.SMTPURL, c.MailFrom); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(append(errs, c.outOfBounds()...)...)
}

// outOfBounds reports the durations and counts outside what makes sense.
func (c *Config) outOfBounds() []error {
	const day = 24 * time.Hour
	var errs []error
	if c.GuestRetention < day || c.GuestRetention > 730*day {
		errs = append(errs, fmt.Errorf("guest-retention %s is outside 24h–17520h (two years)", c.GuestRetention))
	}
	if c.VisitRetention < day || c.VisitRetention > 730*day {
		errs = append(errs, fmt.Errorf("visit-retention %s is outside 24h–17520h (two years)", c.VisitRetention))
	}
	if c.MarketingCap < 0 || c.MarketingCap > 100 {
		errs = append(errs, fmt.Errorf("marketing-cap %d: want 0–100", c.MarketingCap))
	}
	if c.MarketingWindow < time.Hour || c.MarketingWindow > 90*day {
		errs = append(errs, fmt.Errorf("marketing-window %s: want 1h to 2160h (90 days)", c.MarketingWindow))
	}
	if c.ScreenStreams < 1 || c.ScreenStreams > 1_000_000 {
		errs = append(errs, fmt.Errorf("screen-streams %d: want 1–1000000", c.ScreenStreams))
	}
	if c.SendConcurrency < 1 || c.SendConcurrency > 1000 {
		errs = append(errs, fmt.Errorf("send-concurrency %d: want 1–1000", c.SendConcurrency))
	}
	return errs
}

// Rates parses SendRates.
func (c *Config) Rates() (map[core.Channel]float64, error) {
	rates := map[core.Channel]float64{}
	for _, kv := range c.SendRates {
		name, v, ok := strings.Cut(kv, "=")
		r, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		ch := core.Channel(strings.TrimSpace(name))
		switch {
		case !ok || err != nil || r <= 0 || math.IsInf(r, 0) || math.IsNaN(r):
			return nil, fmt.Errorf("send-rates: %q is not channel=messages-per-second", kv)
		case !slices.Contains(notify.Channels, ch):
			return nil, fmt.Errorf("send-rates: unknown channel %q (want one of %s)", ch, strings.Join(core.Names(notify.Channels), ", "))
		}
		rates[ch] = r
	}
	return rates, nil
}

// Has reports whether the process runs role.
func (c *Config) Has(role string) bool { return slices.Contains(c.Roles, role) }

// Redacted is the configuration safe to log: secrets replaced.
func (c Config) Redacted() Config {
	if c.JWTKeys != "" {
		c.JWTKeys = "[redacted]"
	}
	if c.MongoURI != "" {
		if u, err := url.Parse(c.MongoURI); err == nil && u.User != nil {
			u.User = url.User(u.User.Username())
			c.MongoURI = u.String()
		}
	}
	return c
}

// Location is the configured time zone, loaded.
func (c *Config) Location() (*time.Location, error) {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("time-zone: %w", err)
	}
	return loc, nil
}

// SQLitePath is where the embedded database lives.
func (c *Config) SQLitePath() string { return filepath.Join(c.DataDir, "vista.db") }

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
