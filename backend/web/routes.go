package web

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/ratelimit"
)

// Auth is the auth class of a route: who may call it. Every route declares
// one; there is no default.
type Auth struct {
	Realm core.ActorKind // anyone, customer, staff or kiosk
	Role  core.Role      // least staff role, for staff routes
	Page  bool           // a console page: signed in by cookie, sent to the login page otherwise
}

// The auth classes.
var (
	Public   = Auth{Realm: core.ActorAnyone}
	Customer = Auth{Realm: core.ActorCustomer}
	Kiosk    = Auth{Realm: core.ActorKiosk}
	// KioskPage is the class of display pages: signed in by the kiosk
	// cookie, sent to pairing otherwise.
	KioskPage = Auth{Realm: core.ActorKiosk, Page: true}
)

// Staff is the class of staff API routes open to role and above.
func Staff(role core.Role) Auth { return Auth{Realm: core.ActorStaff, Role: role} }

// StaffPage is the class of console pages open to role and above.
func StaffPage(role core.Role) Auth { return Auth{Realm: core.ActorStaff, Role: role, Page: true} }

func (a Auth) String() string {
	s := string(a.Realm)
	if a.Role != "" {
		s += ":" + string(a.Role)
	}
	if a.Page {
		s += ":page"
	}
	return s
}

// Route is one entry of the route table.
type Route struct {
	Method  string
	Path    string
	Auth    Auth
	Handler fiber.Handler
	// Limits are rate limits checked before the handler, keyed by client IP.
	Limits []ratelimit.Limit
	// OpenAPI marks routes that belong to the mobile API contract.
	OpenAPI bool
	// Cache is the Cache-Control of a public route whose answer is the
	// same for everyone (a script, a product's QR code). Every other
	// answer — signed in, carrying a token, an error — is "no-store", set
	// here and nowhere else.
	Cache string
}

// NoStore is the Cache-Control of every route without Route.Cache.
const NoStore = "no-store"

// Authenticator turns credentials into actors for each realm.
type Authenticator struct {
	Tokens *auth.Tokens
	// Staff loads the staff member and session behind a verified staff
	// token, so that deactivation, role changes and sign-out apply at once.
	Staff func(ctx context.Context, staffID, sessionID string) (core.Actor, error)
	// Revoked holds the customers whose tokens ended before they expire
	// (erasure, a password reset): checked in memory on every request.
	Revoked *auth.Revocations
	// StaffCookie is the name of the console's session cookie.
	StaffCookie string
	// LoginPath is where console pages send a visitor who is not signed in.
	LoginPath string
	// Kiosk loads the kiosk behind a verified device token, so that a
	// revoked screen is refused at once.
	Kiosk func(ctx context.Context, kioskID string) (core.Actor, error)
	// KioskCookie is the display page's cookie holding its device token;
	// KioskPairPath is where a display page without one is sent.
	KioskCookie   string
	KioskPairPath string
}

// Router mounts routes on a Fiber app and remembers them, so tests can check
// that every route has an auth class and is documented.
type Router struct {
	app     *fiber.App
	authn   *Authenticator
	limiter *ratelimit.Limiter
	routes  []Route
}

// NewRouter returns a router that mounts on app.
func NewRouter(app *fiber.App, authn *Authenticator, limiter *ratelimit.Limiter) *Router {
	return &Router{app: app, authn: authn, limiter: limiter}
}

// Handle mounts routes. It panics on a route without an auth class: that is
// a programming error caught by the first test run.
func (r *Router) Handle(routes ...Route) {
	for _, rt := range routes {
		if rt.Auth.Realm == "" {
			panic(fmt.Sprintf("route %s %s has no auth class", rt.Method, rt.Path))
		}
		if rt.Cache != "" && (rt.Auth.Realm != core.ActorAnyone || strings.Contains(rt.Path, ":token")) {
			panic(fmt.Sprintf("route %s %s is signed in or carries a token: it may not be cached", rt.Method, rt.Path))
		}
		cache := cmp.Or(rt.Cache, NoStore)
		handlers := []fiber.Handler{func(c *fiber.Ctx) error {
			c.Set(fiber.HeaderCacheControl, cache)
			return c.Next()
		}}
		for _, l := range rt.Limits {
			handlers = append(handlers, ByIP(r.limiter, l))
		}
		handlers = append(handlers, r.guard(rt.Auth), rt.Handler)
		r.app.Add(rt.Method, rt.Path, handlers...)
		r.routes = append(r.routes, rt)
	}
}

// Routes returns the route table.
func (r *Router) Routes() []Route { return r.routes }

func (r *Router) guard(a Auth) fiber.Handler {
	switch a.Realm {
	case core.ActorAnyone:
		return func(c *fiber.Ctx) error { return c.Next() }
	case core.ActorCustomer:
		return func(c *fiber.Ctx) error {
			claims, err := r.authn.Tokens.Verify(auth.CustomerAccess, bearer(c))
			if err != nil {
				return err
			}
			if !r.authn.Revoked.Valid(claims.Subject, claims.Issued()) {
				return auth.ErrInvalidToken
			}
			c.SetUserContext(core.WithActor(c.UserContext(), core.Actor{Kind: core.ActorCustomer, ID: claims.Subject}))
			return c.Next()
		}
	case core.ActorKiosk:
		return r.kioskGuard(a)
	case core.ActorStaff:
		return r.staffGuard(a)
	}
	panic("unknown auth realm " + string(a.Realm))
}

// kioskGuard checks the device token (bearer, or the display's cookie)
// and that its kiosk is not revoked. A display page without a valid one
// goes back to pairing.
func (r *Router) kioskGuard(a Auth) fiber.Handler {
	return func(c *fiber.Ctx) error {
		raw := bearer(c)
		if raw == "" && r.authn.KioskCookie != "" {
			raw = c.Cookies(r.authn.KioskCookie)
		}
		deny := func(err error) error {
			if a.Page {
				return c.Redirect(r.authn.KioskPairPath, fiber.StatusSeeOther)
			}
			return err
		}
		claims, err := r.authn.Tokens.Verify(auth.KioskDevice, raw)
		if err != nil {
			return deny(err)
		}
		actor := core.Actor{Kind: core.ActorKiosk, ID: claims.Subject, Shop: claims.Shop}
		if r.authn.Kiosk != nil {
			if actor, err = r.authn.Kiosk(c.UserContext(), claims.Subject); err != nil {
				return deny(err)
			}
		}
		c.SetUserContext(core.WithActor(c.UserContext(), actor))
		return c.Next()
	}
}

// staffGuard checks the staff token (bearer for the API, cookie for console
// pages), the role, and — for routes with a :shop parameter — the shop
// scope. It is the one place where staff access is decided; services apply
// the same Actor.CanSeeShop rule to the objects they load.
func (r *Router) staffGuard(a Auth) fiber.Handler {
	return func(c *fiber.Ctx) error {
		raw := bearer(c)
		if a.Page && raw == "" {
			raw = c.Cookies(r.authn.StaffCookie)
		}
		deny := func(err error) error {
			if a.Page {
				return c.Redirect(r.authn.LoginPath+"?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
			}
			return err
		}
		claims, err := r.authn.Tokens.Verify(auth.StaffAccess, raw)
		if err != nil {
			return deny(err)
		}
		actor, err := r.authn.Staff(c.UserContext(), claims.Subject, claims.ID)
		if err != nil {
			return deny(err)
		}
		if !actor.Role.AtLeast(a.Role) {
			return core.Errorf(core.EFORBIDDEN, "your role cannot do this")
		}
		if shop := c.Params("shop"); shop != "" && !actor.CanSeeShop(shop) {
			return core.Errorf(core.ENOTFOUND, "shop not found")
		}
		c.SetUserContext(core.WithActor(c.UserContext(), actor))
		return c.Next()
	}
}

// bearer returns the token of an "Authorization: Bearer" header, or "".
// Oversized values are dropped unread.
func bearer(c *fiber.Ctx) string {
	h := c.Get(fiber.HeaderAuthorization)
	if len(h) > auth.MaxTokenBytes+16 {
		return ""
	}
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}
