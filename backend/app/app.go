// Package app is the Vista program: its configuration, the wiring of every
// capability over the chosen store, the surfaces of the instance's roles,
// the workers, and a clean start and stop. Command vista is its command
// line; tests boot it on port 0 with a temporary data dir (see apptest).
package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

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
	"github.com/vista-optical/vista/backend/privacy"
	"github.com/vista-optical/vista/backend/ratelimit"
	"github.com/vista-optical/vista/backend/screen"
	"github.com/vista-optical/vista/backend/shop"
	"github.com/vista-optical/vista/backend/store"
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
	m.Shops = &shop.Service{Validator: validator, Store: m.Store, Sessions: m.Store, Media: m.Store, Default: loc, Tokens: m.Tokens, Passwords: m.passwords, Clock: m.Clock,
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
	m.Catalog = &catalog.Service{Validator: validator, Store: m.Store, Reservations: m.Store, Promotions: m.Store, Shops: m.Store, Media: m.Store, Clock: m.Clock}
	m.Hub = screen.NewHub(m.Store, ScreenPoll, m.Logger)
	m.Hub.MaxStreams = m.Config.ScreenStreams
	m.Screens = &screen.Service{Validator: validator, Store: m.Store, Catalog: m.Catalog, Tokens: m.Tokens, Limiter: m.limiter, Customers: m.Store,
		Consents: customer.ConsentCheck{Store: m.Store, Now: m.Clock.Now}, Outbox: m.Store, Clock: m.Clock, Appended: m.Hub.Wake}
	m.Visits = &visit.Service{Validator: validator, Store: m.Store, Tokens: m.Tokens, Limiter: m.limiter, Shops: m.Store, Kiosks: m.Store, Clock: m.Clock,
		PublicURL: m.publicURL, Screens: m.Screens, Customers: m.Customers, Retention: m.Config.VisitRetention}
	m.Agenda = &booking.Agenda{Store: m.Store, Shops: m.Store, Tokens: m.Tokens, Clock: m.Clock, PublicURL: m.publicURL, Validator: validator,
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
