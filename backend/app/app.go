// Package app is the Vista program: its configuration, the wiring of every
// capability over the chosen store, the surfaces of the instance's roles,
// the workers, and a clean start and stop. Command vista is its command
// line; tests boot it on port 0 with a temporary data dir (see apptest).
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vista-optical/vista/backend/audit"
	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/auth/firebaseid"
	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
	"github.com/vista-optical/vista/backend/demo"
	"github.com/vista-optical/vista/backend/jobs"
	"github.com/vista-optical/vista/backend/lens"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/notify/email"
	"github.com/vista-optical/vista/backend/notify/fcm"
	"github.com/vista-optical/vista/backend/privacy"
	"github.com/vista-optical/vista/backend/ratelimit"
	"github.com/vista-optical/vista/backend/screen"
	"github.com/vista-optical/vista/backend/shop"
	"github.com/vista-optical/vista/backend/store"
	"github.com/vista-optical/vista/backend/store/mongo"
	"github.com/vista-optical/vista/backend/store/sqlite"
	"github.com/vista-optical/vista/backend/validate"
	"github.com/vista-optical/vista/backend/visit"
	"github.com/vista-optical/vista/backend/web"
	"github.com/vista-optical/vista/kiosk"
	"github.com/vista-optical/vista/kiosk/console"
	mobileapi "github.com/vista-optical/vista/mobile-api"
)

// engine is a storage engine as the program opens and closes it.
type engine interface {
	store.Engine
	Migrate(ctx context.Context) error
	Close() error
}

// Main is the vista program: Open wires it, Run serves until its context
// ends, Close shuts it down. Tests boot it on port 0 with a temp data dir.
type Main struct {
	Config  Config
	Version string // printed in the banner
	Out     io.Writer
	Logger  *slog.Logger
	Clock   core.Clock
	// PasswordParams are the argon2id costs (tests lower them).
	PasswordParams auth.PasswordParams
	// Limits are the mobile API's rate limits.
	Limits mobileapi.Limits
	// StaffLoginIP and StaffLoginAccount limit console sign-ins.
	StaffLoginIP, StaffLoginAccount ratelimit.Limit

	Store     engine
	SQLite    *sqlite.DB // nil on MongoDB
	Tokens    *auth.Tokens
	Customers *customer.Service
	Shops     *shop.Service
	Lenses    *lens.Service
	Privacy   *privacy.Registry
	// Revoked is this instance's copy of the token revocations.
	Revoked *auth.Revocations
	// ReadTimeout bounds reading a request (tests shorten it); 0 is
	// web.DefaultReadTimeout.
	ReadTimeout time.Duration
	// PushHTTPClient carries push requests (tests and benchmarks size it).
	PushHTTPClient *http.Client
	Router         *web.Router
	App            *fiber.App
	Owner          *demo.Owner // the demo owner login, when this start created it
	// DemoLogins are every demo staff login this start created.
	DemoLogins []demo.Login
	// Dispatcher sends the outbox, on instances with the worker role.
	Dispatcher *notify.Dispatcher

	passwords *auth.Passwords
	auditLog  *audit.Log
	limiter   *ratelimit.Limiter
	links     *auth.Links
	messages  *notify.Messages
	// Catalog and Screens serve products with their one price, and the
	// screens in the shops; Hub carries events to this instance's screens.
	Catalog    *catalog.Service
	Screens    *screen.Service
	Hub        *screen.Hub
	Visits     *visit.Service
	Agenda     *booking.Agenda
	stopHub    context.CancelFunc
	ln         net.Listener
	adminLn    net.Listener
	admin      *http.Server
	metrics    *web.Metrics
	jobs       *jobs.Runner
	sessions   *auth.Sessions
	cancelJobs context.CancelFunc
	stopSync   context.CancelFunc
	workers    sync.WaitGroup
	served     chan error
}

// ScreenPoll is how often each instance reads the screens' event log for
// events other instances appended.
const ScreenPoll = 250 * time.Millisecond

// NewMain returns a program with the default configuration.
func NewMain(out io.Writer) *Main {
	ip, acct := console.DefaultLoginLimits()
	return &Main{
		Config: DefaultConfig(), Out: out, Clock: core.SystemClock,
		PasswordParams: auth.DefaultPasswordParams, Limits: mobileapi.DefaultLimits(),
		StaffLoginIP: ip, StaffLoginAccount: acct,
	}
}

// Migrate opens the database, applies the schema and closes it.
func (m *Main) Migrate(ctx context.Context) error {
	if err := m.Config.Validate(); err != nil {
		return err
	}
	m.setupLogger()
	if err := m.openStore(ctx); err != nil {
		return err
	}
	fmt.Fprintln(m.Out, "schema and indexes are up to date:", m.describeStore())
	return m.Store.Close()
}

// OpenServices opens the store and the services without HTTP or workers,
// for the operator's commands (staff create, demo); Close ends it.
func (m *Main) OpenServices(ctx context.Context) error {
	if err := m.Config.Validate(); err != nil {
		return err
	}
	m.setupLogger()
	if err := m.openStore(ctx); err != nil {
		return err
	}
	return m.openServices(ctx)
}

// Run opens the program, serves until ctx ends, then shuts down gracefully.
func (m *Main) Run(ctx context.Context) error {
	if err := m.Open(ctx); err != nil {
		m.Close()
		return err
	}
	m.Start()
	m.printBanner()
	select {
	case <-ctx.Done():
	case err := <-m.served:
		if err != nil {
			m.Close()
			return err
		}
	}
	m.Logger.Info("shutting down", "grace", m.Config.ShutdownGrace.String())
	return m.Close()
}

// Open validates the configuration, binds the listeners, opens and
// migrates the store, builds the services and the HTTP app, opens the
// worker, and last seeds the demo chain on an empty database: a start
// that fails (a busy port, a wrong SMTP password) writes no demo chain
// whose one-time logins nobody saw. It serves nothing until Start.
func (m *Main) Open(ctx context.Context) error {
	if err := m.Config.Validate(); err != nil {
		return err
	}
	m.setupLogger()
	if m.Config.ClockOffset != 0 {
		base, offset := m.Clock, m.Config.ClockOffset
		m.Clock = func() time.Time { return base.Now().Add(offset) }
	}
	m.metrics = web.NewMetrics()
	if err := m.listen(); err != nil {
		return err
	}
	if err := m.openStore(ctx); err != nil {
		return err
	}
	if err := m.openServices(ctx); err != nil {
		return err
	}
	if err := m.openHTTP(); err != nil {
		return err
	}
	if m.Config.Has(RoleWorker) {
		if err := m.openWorker(ctx); err != nil {
			return err
		}
	}
	if m.Config.Demo {
		return m.SeedDemo(ctx)
	}
	return nil
}

// SeedDemo creates the demo chain on a database without shops, and keeps
// its logins to print once.
func (m *Main) SeedDemo(ctx context.Context) error {
	logins, err := demo.Seed(ctx, m.Store, m.passwords, m.Clock)
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	if len(logins) > 0 {
		m.DemoLogins, m.Owner = logins, &logins[0]
	}
	return nil
}

// openServices wires the capabilities: each service over the store, and
// every part of a customer's data into the privacy registry.
func (m *Main) openServices(ctx context.Context) error {
	keys, err := m.loadKeys()
	if err != nil {
		return err
	}
	loc, err := m.Config.Location()
	if err != nil {
		return err
	}
	m.Tokens = auth.NewTokens(keys, m.Clock)
	m.passwords = auth.NewPasswords(m.PasswordParams)
	validator := validate.New()
	m.auditLog = &audit.Log{Store: m.Store, Clock: m.Clock, Logger: m.Logger}
	m.sessions = &auth.Sessions{Store: m.Store, Tokens: m.Tokens, Clock: m.Clock,
		OnReuse: func(ctx context.Context, customerID, familyID string) error {
			return m.auditLog.Record(ctx, "session.refresh_reuse_detected", customerID, "", "family "+familyID)
		}}
	m.Revoked = &auth.Revocations{Store: m.Store, Clock: m.Clock, Instants: m.Tokens.Instants()}
	if err := m.Revoked.Sync(ctx); err != nil {
		return fmt.Errorf("read token revocations: %w", err)
	}
	m.limiter = &ratelimit.Limiter{Store: m.Store, Clock: m.Clock}
	m.links = &auth.Links{Store: m.Store, Clock: m.Clock}
	m.Shops = &shop.Service{Store: m.Store, Sessions: m.Store, Media: m.Store, Default: loc, Tokens: m.Tokens, Passwords: m.passwords, Clock: m.Clock,
		Limiter: m.limiter, LoginLimit: m.StaffLoginAccount, Links: m.links, Mail: m.Store, PublicURL: m.publicURL}
	m.Privacy = &privacy.Registry{}
	m.Customers = &customer.Service{
		Store: m.Store, Family: m.Store, Sessions: m.sessions, Passwords: m.passwords, Audit: m.auditLog, Privacy: m.Privacy,
		Validator: validator, Clock: m.Clock, Logger: m.Logger, ShopExists: m.Shops.Exists, Location: loc, Revoked: m.Revoked,
		Limiter: m.limiter, LoginLimit: m.Limits.LoginAccount, Links: m.links, Mail: m.Store, PublicURL: m.publicURL,
	}
	settings := &lens.SettingsSource{Store: m.Store, Zones: m.Shops}
	m.Lenses = &lens.Service{
		Store: m.Store, Exams: m.Store, Members: m.Store, Outbox: m.Store, Reservations: m.Store, Audit: m.auditLog, Validator: validator,
		Clock: m.Clock, Logger: m.Logger,
		Settings: settings, SettingsStore: m.Store, Customers: m.Customers,
	}
	m.messages = &notify.Messages{Store: m.Store, Clock: m.Clock, Audit: m.auditLog, Customers: m.Customers, Shops: m.Shops}
	m.Catalog = &catalog.Service{Store: m.Store, Reservations: m.Store, Promotions: m.Store, Shops: m.Store, Media: m.Store, Clock: m.Clock}
	m.Hub = screen.NewHub(m.Store, ScreenPoll, m.Logger)
	m.Hub.MaxStreams = m.Config.ScreenStreams
	m.Screens = &screen.Service{Store: m.Store, Catalog: m.Catalog, Tokens: m.Tokens, Limiter: m.limiter, Customers: m.Store,
		Consents: customer.ConsentCheck{Store: m.Store, Now: m.Clock.Now}, Outbox: m.Store, Clock: m.Clock, Appended: m.Hub.Wake}
	m.Visits = &visit.Service{Store: m.Store, Tokens: m.Tokens, Limiter: m.limiter, Shops: m.Store, Kiosks: m.Store, Clock: m.Clock,
		PublicURL: m.publicURL, Screens: m.Screens, Customers: m.Customers, Retention: m.Config.VisitRetention}
	m.Agenda = &booking.Agenda{Store: m.Store, Shops: m.Store, Tokens: m.Tokens, Clock: m.Clock, PublicURL: m.publicURL,
		Customers: m.Customers, Visits: m.Visits, Outbox: m.Store, GuestRetention: m.Config.GuestRetention}
	m.Privacy.Register(m.Agenda.Sections()...)
	m.Privacy.Register(m.Visits.Sections()...)
	m.Privacy.Register(m.Customers.Sections()...)
	m.Privacy.Register(notify.Sections(m.Store)...)
	m.Privacy.Register(m.Lenses.Sections()...)
	m.Privacy.Register(catalog.Sections(m.Store)...)
	m.Privacy.Register(auth.Sections(m.Store)...)
	m.Privacy.Register(audit.Sections(m.Store)...)
	if m.Config.FirebaseProject != "" {
		v, err := firebaseid.New(ctx, m.Config.FirebaseProject, m.Config.FirebaseCreds)
		if err != nil {
			return err
		}
		m.Customers.Firebase = v
	}
	return nil
}

// openHTTP builds the app and mounts the surfaces of this instance's roles.
func (m *Main) openHTTP() error {
	app, err := web.NewApp(web.Config{CORSOrigins: m.Config.CORSOrigins, TrustedProxies: m.Config.TrustedProxies, AccessLog: m.Config.AccessLog,
		ReadTimeout: m.ReadTimeout}, m.Logger, m.metrics)
	if err != nil {
		return err
	}
	m.App = app
	limiter := m.limiter
	authn := &web.Authenticator{
		Tokens: m.Tokens, StaffCookie: console.CookieName, LoginPath: console.LoginPath, Revoked: m.Revoked,
		Staff: func(ctx context.Context, id, session string) (core.Actor, error) {
			a, _, err := m.Shops.Authenticate(ctx, id, session)
			return a, err
		},
		Kiosk: m.Screens.Authenticate, KioskCookie: kiosk.CookieName, KioskPairPath: kiosk.PairPath,
	}
	m.Router = web.NewRouter(app, authn, limiter)
	m.Router.Handle(web.OpsRoutes(m.Store)...)
	if m.Config.Has(RoleAPI) {
		api := &mobileapi.API{Customers: m.Customers, Lenses: m.Lenses, Messages: m.messages, Catalog: m.Catalog, Screens: m.Screens, Visits: m.Visits, Agenda: m.Agenda,
			Limiter: limiter, Limits: m.Limits, SecureCookie: strings.HasPrefix(m.publicURL(), "https://"),
			AppLinks: mobileapi.AppLinks{Chain: m.Shops.Chain, AppleAppIDs: m.Config.AppleAppIDs, AndroidApps: m.Config.AndroidApps}}
		m.Router.Handle(api.Routes()...)
	}
	if m.Config.Has(RoleKiosk) {
		screens := &kiosk.Screens{Screens: m.Screens, Catalog: m.Catalog, Hub: m.Hub, Visits: m.Visits, Chain: m.Shops.Chain, PublicURL: m.publicURL,
			SecureCookie: strings.HasPrefix(m.publicURL(), "https://")}
		con := &console.Console{
			Shops: m.Shops, Customers: m.Customers, Audit: m.auditLog, Catalog: m.Catalog,
			Agenda: m.Agenda, Lenses: m.Lenses, Messages: m.messages, Screens: m.Screens, Visits: m.Visits,
			LoginIP:      m.StaffLoginIP,
			SecureCookie: strings.HasPrefix(m.publicURL(), "https://"),
		}
		m.Router.Handle(screens.Routes()...)
		m.Router.Handle(con.Routes()...)
	}
	app.Use(func(c *fiber.Ctx) error { return core.Errorf(core.ENOTFOUND, "no such route") })
	return nil
}

// openWorker sets up the dispatcher and the periodic jobs of the worker
// role.
func (m *Main) openWorker(ctx context.Context) error {
	if err := m.setupDispatcher(ctx, m.Shops.Zone); err != nil {
		return err
	}
	// Each capability names its own upkeep and how long its data lives.
	m.jobs = &jobs.Runner{Logger: m.Logger, Tasks: slices.Concat(m.Lenses.Jobs(), m.Agenda.Jobs(), m.sessions.Jobs(), m.links.Jobs(),
		m.Revoked.Jobs(), m.limiter.Jobs(), m.Screens.Jobs(), m.Catalog.Jobs(), m.Visits.Jobs(), m.Shops.Jobs())}
	return nil
}

// listen opens the public listener and, unless turned off, the operator's.
func (m *Main) listen() error {
	var err error
	if m.ln, err = net.Listen("tcp", m.Config.HTTPAddr); err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.HTTPAddr, err)
	}
	if m.Config.AdminAddr != "" && m.Config.AdminAddr != "off" {
		if m.adminLn, err = net.Listen("tcp", m.Config.AdminAddr); err != nil {
			return fmt.Errorf("admin listener on %s: %w", m.Config.AdminAddr, err)
		}
		m.admin = &http.Server{Handler: web.AdminHandler(m.metrics), ReadHeaderTimeout: 5 * time.Second}
	}
	return nil
}

// AdminHandler serves the operator listener (metrics, pprof), or is nil
// when it is off.
func (m *Main) AdminHandler() http.Handler {
	if m.admin == nil {
		return nil
	}
	return m.admin.Handler
}

// AdminAddr is the address of the operator listener, or "" when it is off.
func (m *Main) AdminAddr() string {
	if m.adminLn == nil {
		return ""
	}
	return m.adminLn.Addr().String()
}

// Start serves HTTP on the bound listener and starts the workers.
func (m *Main) Start() {
	if m.admin != nil {
		go func() {
			if err := m.admin.Serve(m.adminLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				m.Logger.Warn("admin listener stopped", "err", err)
			}
		}()
	}
	if m.Config.Has(RoleKiosk) {
		// Before serving, so that a screen connecting at once starts
		// where the log ends; on failure screens wait for Run.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := m.Hub.Init(ctx); err != nil {
			m.Logger.Warn("screen events: cannot read the log", "err", err)
		}
		cancel()
	}
	m.served = make(chan error, 1)
	go func() { m.served <- m.App.Listener(m.ln) }()
	if m.Config.Has(RoleKiosk) {
		var hubCtx context.Context
		hubCtx, m.stopHub = context.WithCancel(context.Background())
		m.workers.Add(1)
		go func() {
			defer m.workers.Done()
			m.Hub.Run(hubCtx)
		}()
	}
	var syncCtx context.Context
	syncCtx, m.stopSync = context.WithCancel(context.Background())
	m.workers.Add(1)
	go func() {
		defer m.workers.Done()
		m.syncRevocations(syncCtx)
	}()
	if m.jobs != nil {
		var ctx context.Context
		ctx, m.cancelJobs = context.WithCancel(context.Background())
		m.jobs.Start(ctx)
		m.workers.Add(1)
		go func() {
			defer m.workers.Done()
			m.Dispatcher.Run(ctx)
		}()
	}
}

// syncRevocations reads, every auth.RevocationSyncEvery, the token
// revocations other instances wrote, until ctx ends.
func (m *Main) syncRevocations(ctx context.Context) {
	t := time.NewTicker(auth.RevocationSyncEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := m.Revoked.Sync(ctx); err != nil && ctx.Err() == nil {
				m.Logger.Warn("token revocations not read", "err", err)
			}
		}
	}
}

// pushLive says whether push goes to FCM (or a configured stand-in).
func (m *Main) pushLive() bool {
	return m.Config.FCMEndpoint != "" || (m.Config.FirebaseProject != "" && m.Config.FirebaseCreds != "")
}

// setupDispatcher builds the outbox dispatcher and its channels: push
// through FCM and e-mail through SMTP when configured, logging otherwise;
// SMS and WhatsApp log until a provider is plugged in.
func (m *Main) setupDispatcher(ctx context.Context, zone func(context.Context, string) (*time.Location, error)) error {
	logCh := func(ch core.Channel) notify.Channel { return notify.LogChannel{Name: string(ch), Logger: m.Logger} }
	channels := map[core.Channel]notify.Channel{
		notify.ChannelPush: logCh(notify.ChannelPush), notify.ChannelSMS: logCh(notify.ChannelSMS),
		notify.ChannelEmail: logCh(notify.ChannelEmail), notify.ChannelWhatsApp: logCh(notify.ChannelWhatsApp),
		notify.ChannelInbox: notify.RecordChannel{}, notify.ChannelRecall: notify.RecordChannel{},
	}
	if m.Config.SMTPURL != "" {
		mail, err := email.New(m.Config.SMTPURL, m.Config.MailFrom)
		if err != nil {
			return err
		}
		mail.Logger = m.Logger
		mail.Addresses = m.Customers
		checkCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
		err = mail.Check(checkCtx)
		cancel()
		switch {
		case errors.Is(err, email.ErrUnreachable):
			m.Logger.Warn("the e-mail server is not reachable now: mail waits in the outbox", "reason", err.Error())
		case err != nil:
			return fmt.Errorf("e-mail (VISTA_SMTP_URL): %w", err)
		}
		channels[notify.ChannelEmail] = mail
	}
	if m.pushLive() {
		project := m.Config.FirebaseProject
		if project == "" {
			project = "vista-local"
		}
		client, err := fcm.New(ctx, fcm.Config{ProjectID: project, CredentialsFile: m.Config.FirebaseCreds,
			Endpoint: m.Config.FCMEndpoint, HTTPClient: m.PushHTTPClient})
		if err != nil {
			return err
		}
		push := &fcm.Channel{Devices: m.Store, Client: client, Clock: m.Clock, Logger: m.Logger}
		channels[notify.ChannelPush] = push
		for _, platform := range []string{"android", "ios", "web"} {
			m.metrics.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name:        "vista_push_halted",
				Help:        "1 while push to a platform is halted because FCM rejected its third-party credentials (alert on it).",
				ConstLabels: prometheus.Labels{"platform": platform},
			}, func() float64 {
				if _, halted := push.Halted()[platform]; halted {
					return 1
				}
				return 0
			}))
		}
	}
	rates, err := m.Config.Rates()
	if err != nil {
		return err
	}
	m.Dispatcher = &notify.Dispatcher{
		Rates: rates, Concurrency: m.Config.SendConcurrency,
		Store: m.Store, Channels: channels, Clock: m.Clock, Logger: m.Logger, Owner: "vista-" + core.NewID(),
		Rules: &notify.SendRules{Consents: customer.ConsentCheck{Store: m.Store, Now: m.Clock.Now}, Zone: zone, Default: m.Shops.Default,
			Sent: m.Store, MarketingCap: m.Config.MarketingCap, CapWindow: m.Config.MarketingWindow, Closed: m.Revoked.Closed, Phones: m.Customers},
		Fallback: notify.ServiceFallback,
	}
	return nil
}

// Addr is the address the program listens on (useful with port 0).
func (m *Main) Addr() string {
	if m.ln == nil {
		return ""
	}
	return m.ln.Addr().String()
}

// Close stops accepting connections, lets in-flight requests finish within
// the grace period, stops the workers and closes the store. Close is safe
// to call on a partly opened program.
func (m *Main) Close() error {
	var errs []error
	if m.Hub != nil {
		// Screens' event streams never end by themselves: end them first,
		// so the server's shutdown does not wait out its grace for them
		// (the screens reconnect, to this instance or another).
		m.Hub.Close()
	}
	if m.stopHub != nil {
		m.stopHub()
	}
	switch {
	case m.App != nil && m.served != nil:
		errs = append(errs, m.App.ShutdownWithTimeout(m.Config.ShutdownGrace))
	case m.ln != nil:
		errs = append(errs, m.ln.Close()) // bound, never served
	}
	if m.admin != nil {
		_ = m.admin.Close() // closes the listener when it was serving
	}
	if m.adminLn != nil {
		_ = m.adminLn.Close() // and when it was not
	}
	if m.stopSync != nil {
		m.stopSync()
	}
	if m.cancelJobs != nil {
		m.cancelJobs()
		m.jobs.Wait()
	}
	m.workers.Wait() // the dispatcher records the outcome of sends in flight
	if m.Store != nil {
		errs = append(errs, m.Store.Close())
		m.Store = nil
	}
	return errors.Join(errs...)
}

func (m *Main) setupLogger() {
	if m.Logger != nil {
		return
	}
	var level slog.Level
	_ = level.UnmarshalText([]byte(m.Config.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if m.Config.LogFormat == "json" {
		m.Logger = slog.New(slog.NewJSONHandler(os.Stderr, opts))
	} else {
		m.Logger = slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
}

func (m *Main) openStore(ctx context.Context) error {
	if m.Config.MongoURI != "" {
		db, err := mongo.Open(ctx, m.Config.MongoURI, m.Config.MongoDatabase, m.Logger)
		if err != nil {
			return err
		}
		m.Store = db
	} else {
		if err := writableDir(m.Config.DataDir); err != nil {
			return err
		}
		db, err := sqlite.Open(m.Config.SQLitePath(), m.Logger)
		if err != nil {
			return err
		}
		db.StartMaintenance(time.Hour)
		m.SQLite, m.Store = db, db
	}
	return m.Store.Migrate(ctx)
}

// writableDir makes dir if it is missing and checks that this process may
// write in it (SQLite adds its journal files beside the database), so
// that an operator reads what to fix rather than "unable to open database
// file (14)".
func writableDir(dir string) error {
	explain := func(err error) error {
		if errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("data dir: permission denied on %s: the user running vista must be able to write there (or set VISTA_DATA_DIR)", dir)
		}
		return fmt.Errorf("data dir %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return explain(err)
	}
	f, err := os.CreateTemp(dir, ".vista-write-check-*")
	if err != nil {
		return explain(err)
	}
	f.Close()
	return os.Remove(f.Name())
}

// loadKeys takes the signing keys from the configuration, else from the key
// file, else from (or into) the data dir, generating a key on first start.
func (m *Main) loadKeys() (*auth.Keys, error) {
	if m.Config.JWTKeys != "" {
		return auth.ParseKeys(m.Config.JWTKeys)
	}
	path := m.Config.JWTKeyFile
	if path == "" {
		if m.Config.MongoURI != "" {
			m.Logger.Warn("no VISTA_JWT_KEYS set: using a key kept in the data dir; every instance must share the same keys")
		}
		if err := os.MkdirAll(m.Config.DataDir, 0o750); err != nil {
			return nil, err
		}
		path = filepath.Join(m.Config.DataDir, "jwt-keys")
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			_, text, err := auth.GenerateKeys("k" + m.Clock.Now().Format("20060102"))
			if err != nil {
				return nil, err
			}
			if err := os.WriteFile(path, []byte(text+"\n"), 0o600); err != nil {
				return nil, fmt.Errorf("write generated key: %w", err)
			}
			m.Logger.Info("generated a token signing key", "file", path)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("jwt key file: %w", err)
	}
	return auth.ParseKeys(string(b))
}

func (m *Main) publicURL() string {
	if m.Config.PublicURL != "" {
		return strings.TrimRight(m.Config.PublicURL, "/")
	}
	host, port, err := net.SplitHostPort(m.Addr())
	if err != nil {
		host, port, _ = net.SplitHostPort(m.Config.HTTPAddr)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func (m *Main) describeStore() string {
	if m.SQLite != nil {
		return "SQLite at " + m.SQLite.Path()
	}
	return "MongoDB database " + m.Config.MongoDatabase + " at " + m.Config.Redacted().MongoURI
}

func (m *Main) printBanner() {
	u := m.publicURL()
	w := m.Out
	fmt.Fprintf(w, "\nVista %s is running\n", m.Version)
	if m.Config.Has(RoleKiosk) {
		fmt.Fprintf(w, "  Staff console   %s/console/   (set-up: %s/console/setup, screens and offers: %s/console/offers)\n", u, u, u)
		fmt.Fprintf(w, "  Shop screens    %s/kiosk   (pair with a code from the console; API: %s/kiosk/v1/openapi.json)\n", u, u)
	}
	if m.Config.Has(RoleAPI) {
		fmt.Fprintf(w, "  Mobile API      %s/v1/   (contract: %s/v1/openapi.json)\n", u, u)
		if shops, err := m.Shops.OperatorShops(context.Background()); err == nil && len(shops) > 0 {
			fmt.Fprintf(w, "  Booking page    %s/prenota/%s?src=instagram   (one per shop; widget and links on the console's Agenda)\n", u, shops[0].SlugOrID())
		}
	}
	fmt.Fprintf(w, "  Health          %s/healthz  %s/readyz\n", u, u)
	if a := m.AdminAddr(); a != "" {
		fmt.Fprintf(w, "  Operator        http://%s/metrics  http://%s/debug/pprof/   (VISTA_ADMIN_ADDR)\n", a, a)
	}
	fmt.Fprintf(w, "  Database        %s\n", m.describeStore())
	fmt.Fprintf(w, "  Roles           %s\n", strings.Join(m.Config.Roles, ", "))
	push := "logging only (no Firebase project configured)"
	switch {
	case m.Config.FCMEndpoint != "":
		push = "sent to " + m.Config.FCMEndpoint + " (FCM stand-in, no credentials)"
	case m.Config.FirebaseProject != "" && m.Config.FirebaseCreds != "":
		push = "live via Firebase project " + m.Config.FirebaseProject
	}
	if m.Config.ClockOffset != 0 {
		fmt.Fprintf(w, "  Clock           moved forward by %s (VISTA_CLOCK_OFFSET, demos only)\n", m.Config.ClockOffset)
	}
	mail := "logging only (no VISTA_SMTP_URL)"
	if m.Config.SMTPURL != "" {
		if ch, err := email.New(m.Config.SMTPURL, m.Config.MailFrom); err == nil {
			mail = "live via " + ch.Describe()
		}
	}
	fmt.Fprintf(w, "  Channels        push: %s; e-mail: %s; sms: logging only\n", push, mail)
	if m.Customers.Firebase != nil {
		fmt.Fprintf(w, "  Firebase sign-in  on (project %s)\n", m.Config.FirebaseProject)
	}
	if m.Owner != nil {
		fmt.Fprintf(w, "\n  Demo chain created: two shops (Milano Centro, Roma Prati), their staff, services and products.")
		fmt.Fprintf(w, "\n  Owner login (shown only this once):\n    e-mail    %s\n    password  %s\n", m.Owner.Email, m.Owner.Password)
		PrintLogins(w, m.DemoLogins[1:])
	}
	fmt.Fprintln(w)
}

// PrintLogins lists staff logins, one a line, to be shown once.
func PrintLogins(w io.Writer, logins []demo.Login) {
	if len(logins) == 0 {
		return
	}
	fmt.Fprintf(w, "  Other demo staff (shown only this once):\n")
	for _, l := range logins {
		fmt.Fprintf(w, "    %-40s %-10s %-20s %s\n", l.Email, l.Role, l.ShopID, l.Password)
	}
}
