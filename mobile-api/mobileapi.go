// Package mobileapi is the /v1 JSON API of the customer app: sign-up and
// sign-in, the profile, consents, devices, export and erasure. Its contract
// is the OpenAPI document served at /v1/openapi.json, which a test keeps in
// step with the route table.
package mobileapi

import (
	"bytes"
	_ "embed"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
	"github.com/vista-optical/vista/backend/lens"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/privacy"
	"github.com/vista-optical/vista/backend/ratelimit"
	"github.com/vista-optical/vista/backend/screen"
	"github.com/vista-optical/vista/backend/visit"
	"github.com/vista-optical/vista/backend/web"
)

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI 3.1 document of the mobile API.
func OpenAPI() []byte { return openAPI }

// Limits are the rate limits of the sign-in routes, per client address
// (IP) and per account.
type Limits struct {
	SignupIP, SignupAccount   ratelimit.Limit
	LoginIP, LoginAccount     ratelimit.Limit
	RefreshIP, RefreshAccount ratelimit.Limit
	// LinkIP bounds the routes that send or redeem an e-mailed link
	// (the service bounds e-mails per address).
	LinkIP ratelimit.Limit
	// GuestBookingIP bounds the bookings one address makes without an
	// account (bots hoarding slots).
	GuestBookingIP ratelimit.Limit
	// SlotsIP bounds the public agenda reads of one address (counted in
	// memory: they are many and cheap).
	SlotsIP ratelimit.Limit
}

// DefaultLimits are the limits in production.
func DefaultLimits() Limits {
	return Limits{
		SignupIP:       ratelimit.Limit{Name: "signup", Max: 20, Window: time.Hour},
		SignupAccount:  ratelimit.Limit{Name: "signup:acct", Max: 5, Window: time.Hour},
		LoginIP:        ratelimit.Limit{Name: "login", Max: 100, Window: 15 * time.Minute},
		LoginAccount:   ratelimit.Limit{Name: "login:acct", Max: 10, Window: 15 * time.Minute},
		RefreshIP:      ratelimit.Limit{Name: "refresh", Max: 120, Window: time.Minute},
		RefreshAccount: ratelimit.Limit{Name: "refresh:acct", Max: 10, Window: time.Minute},
		LinkIP:         ratelimit.Limit{Name: "account-link", Max: 30, Window: 15 * time.Minute},
		GuestBookingIP: ratelimit.Limit{Name: "booking-guest", Max: 20, Window: time.Hour},
		SlotsIP:        ratelimit.Limit{Name: "booking-slots", Max: 300, Window: time.Minute, Local: true},
	}
}

// API serves the customer app.
type API struct {
	Customers *customer.Service
	Lenses    *lens.Service
	Messages  *notify.Messages
	Catalog   *catalog.Service
	Screens   *screen.Service
	Visits    *visit.Service
	Agenda    *booking.Agenda
	AppLinks  AppLinks
	// SecureCookie marks the landing page's cookie Secure (HTTPS).
	SecureCookie bool
	Limiter      *ratelimit.Limiter
	Limits       Limits
}

// Routes is the route table of the mobile API.
func (a *API) Routes() []web.Route {
	l := a.Limits
	return append([]web.Route{
		{Method: "GET", Path: "/v1/openapi.json", Auth: web.Public, Handler: serveOpenAPI},
		{Method: "POST", Path: "/v1/auth/signup", Auth: web.Public, Handler: a.signup, Limits: []ratelimit.Limit{l.SignupIP}, OpenAPI: true},
		{Method: "POST", Path: "/v1/auth/login", Auth: web.Public, Handler: a.login, Limits: []ratelimit.Limit{l.LoginIP}, OpenAPI: true},
		{Method: "POST", Path: "/v1/auth/refresh", Auth: web.Public, Handler: a.refresh, Limits: []ratelimit.Limit{l.RefreshIP}, OpenAPI: true},
		{Method: "POST", Path: "/v1/auth/logout", Auth: web.Public, Handler: a.logout, Limits: []ratelimit.Limit{l.RefreshIP}, OpenAPI: true},
		{Method: "POST", Path: "/v1/auth/firebase", Auth: web.Public, Handler: a.firebase, Limits: []ratelimit.Limit{l.LoginIP}, OpenAPI: true},
		{Method: "POST", Path: "/v1/auth/password/forgot", Auth: web.Public, Handler: a.forgot, Limits: []ratelimit.Limit{l.LinkIP}, OpenAPI: true},
		{Method: "POST", Path: "/v1/auth/password/reset", Auth: web.Public, Handler: a.reset, Limits: []ratelimit.Limit{l.LinkIP}, OpenAPI: true},
		{Method: "POST", Path: "/v1/auth/email/confirm", Auth: web.Public, Handler: a.confirmEmail, Limits: []ratelimit.Limit{l.LinkIP}, OpenAPI: true},
		{Method: "GET", Path: "/reset", Auth: web.Public, Handler: accountPage("reset")},
		{Method: "GET", Path: "/confirm-email", Auth: web.Public, Handler: accountPage("confirm")},
		{Method: "GET", Path: "/account.js", Auth: web.Public, Handler: accountScript, Cache: "public, max-age=3600"},
		{Method: "GET", Path: "/v1/me", Auth: web.Customer, Handler: a.me, OpenAPI: true},
		{Method: "PATCH", Path: "/v1/me", Auth: web.Customer, Handler: a.updateMe, OpenAPI: true},
		{Method: "DELETE", Path: "/v1/me", Auth: web.Customer, Handler: a.eraseMe, OpenAPI: true},
		{Method: "GET", Path: "/v1/me/export", Auth: web.Customer, Handler: a.export, OpenAPI: true},
		{Method: "GET", Path: "/v1/me/consents", Auth: web.Customer, Handler: a.consents, OpenAPI: true},
		{Method: "PUT", Path: "/v1/me/consents", Auth: web.Customer, Handler: a.setConsents, OpenAPI: true},
		{Method: "GET", Path: "/v1/me/devices", Auth: web.Customer, Handler: a.devices, OpenAPI: true},
		{Method: "POST", Path: "/v1/me/devices", Auth: web.Customer, Handler: a.addDevice, OpenAPI: true},
		{Method: "DELETE", Path: "/v1/me/devices/:token", Auth: web.Customer, Handler: a.removeDevice, OpenAPI: true},
		{Method: "GET", Path: "/v1/me/family", Auth: web.Customer, Handler: a.family, OpenAPI: true},
		{Method: "POST", Path: "/v1/me/family", Auth: web.Customer, Handler: a.addFamily, OpenAPI: true},
		{Method: "DELETE", Path: "/v1/me/family/:id", Auth: web.Customer, Handler: a.removeFamily, OpenAPI: true},
		{Method: "GET", Path: "/v1/me/lenses", Auth: web.Customer, Handler: a.lenses, OpenAPI: true},
		{Method: "POST", Path: "/v1/me/lenses", Auth: web.Customer, Handler: a.addLens, OpenAPI: true},
		{Method: "GET", Path: "/v1/me/lenses/:id", Auth: web.Customer, Handler: a.lens, OpenAPI: true},
		{Method: "PATCH", Path: "/v1/me/lenses/:id", Auth: web.Customer, Handler: a.updateLens, OpenAPI: true},
		{Method: "DELETE", Path: "/v1/me/lenses/:id", Auth: web.Customer, Handler: a.deleteLens, OpenAPI: true},
		{Method: "POST", Path: "/v1/me/lenses/:id/reorder", Auth: web.Customer, Handler: a.reorder, OpenAPI: true},
		{Method: "GET", Path: "/v1/me/messages", Auth: web.Customer, Handler: a.messages, OpenAPI: true},
		{Method: "POST", Path: "/v1/me/messages/:id/read", Auth: web.Customer, Handler: a.markMessage("read"), OpenAPI: true},
		{Method: "POST", Path: "/v1/me/messages/:id/opened", Auth: web.Customer, Handler: a.markMessage("opened"), OpenAPI: true},
	}, slices.Concat(a.catalogRoutes(), a.visitRoutes(), a.landingRoutes(), a.bookingRoutes(), a.bookingPageRoutes())...)
}

func serveOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "application/vnd.oai.openapi+json;version=3.1")
	return c.Send(openAPI)
}

func (a *API) signup(c *fiber.Ctx) error {
	var in customer.SignupInput
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	if err := a.Limiter.Hit(c.UserContext(), a.Limits.SignupAccount, core.NormalizeEmail(in.Email)); err != nil {
		return err
	}
	s, err := a.Customers.Signup(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(s)
}

// Credentials are an e-mail and a password.
type Credentials struct {
	Email    string `json:"email" validate:"required,max=254"`
	Password string `json:"password" validate:"required,max=128"`
}

func (a *API) login(c *fiber.Ctx) error {
	var in Credentials
	if err := web.DecodeValid(c, &in); err != nil {
		return err
	}
	s, err := a.Customers.Login(c.UserContext(), in.Email, in.Password)
	if err != nil {
		return err
	}
	return c.JSON(s)
}

// RefreshInput carries a refresh token.
type RefreshInput struct {
	RefreshToken string `json:"refresh_token" validate:"required,max=256"`
}

func (a *API) refresh(c *fiber.Ctx) error {
	var in RefreshInput
	if err := web.DecodeValid(c, &in); err != nil {
		return err
	}
	if err := a.Limiter.Hit(c.UserContext(), a.Limits.RefreshAccount, auth.HashRefresh(in.RefreshToken)[:16]); err != nil {
		return err
	}
	pair, err := a.Customers.Refresh(c.UserContext(), in.RefreshToken)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"tokens": pair})
}

func (a *API) logout(c *fiber.Ctx) error {
	var in RefreshInput
	if err := web.DecodeValid(c, &in); err != nil {
		return err
	}
	if err := a.Customers.Logout(c.UserContext(), in.RefreshToken); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (a *API) firebase(c *fiber.Ctx) error {
	var in customer.FirebaseInput
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	s, err := a.Customers.ExchangeFirebase(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.JSON(s)
}

func (a *API) me(c *fiber.Ctx) error {
	m, err := a.Customers.Me(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(m)
}

func (a *API) updateMe(c *fiber.Ctx) error {
	var in customer.ProfileInput
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	m, err := a.Customers.UpdateMe(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.JSON(m)
}

func (a *API) eraseMe(c *fiber.Ctx) error {
	if err := a.Customers.EraseMe(c.UserContext()); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (a *API) export(c *fiber.Ctx) error {
	e, err := a.Customers.ExportMe(c.UserContext())
	if err != nil {
		return err
	}
	if c.Accepts("application/zip", fiber.MIMEApplicationJSON) == fiber.MIMEApplicationJSON {
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="vista-export.json"`)
		return c.JSON(e)
	}
	var buf bytes.Buffer
	if err := privacy.WriteArchive(&buf, e, e.Sections, e.ExportedAt); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/zip")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="vista-export-`+e.ExportedAt.UTC().Format("2006-01-02")+`.zip"`)
	return c.Send(buf.Bytes())
}

func (a *API) consents(c *fiber.Ctx) error {
	s, err := a.Customers.Consents(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"consents": s})
}

func (a *API) setConsents(c *fiber.Ctx) error {
	var in customer.ConsentInput
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	s, err := a.Customers.SetConsents(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"consents": s})
}

func (a *API) devices(c *fiber.Ctx) error {
	list, err := a.Customers.Devices(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"devices": list})
}

func (a *API) addDevice(c *fiber.Ctx) error {
	var in customer.DeviceInput
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	d, err := a.Customers.AddDevice(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(d)
}

func (a *API) removeDevice(c *fiber.Ctx) error {
	if err := a.Customers.RemoveDevice(c.UserContext(), c.Params("token")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (a *API) family(c *fiber.Ctx) error {
	list, err := a.Customers.FamilyOf(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"family": list})
}

func (a *API) addFamily(c *fiber.Ctx) error {
	var in customer.FamilyInput
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	f, err := a.Customers.AddFamilyMember(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(f)
}

func (a *API) removeFamily(c *fiber.Ctx) error {
	if err := a.Customers.RemoveFamilyMember(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (a *API) lenses(c *fiber.Ctx) error {
	list, err := a.Lenses.List(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"lenses": list})
}

func (a *API) addLens(c *fiber.Ctx) error {
	var in lens.SupplyInput
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	v, err := a.Lenses.Add(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(v)
}

func (a *API) lens(c *fiber.Ctx) error {
	v, err := a.Lenses.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (a *API) updateLens(c *fiber.Ctx) error {
	var in lens.SupplyPatch
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	v, err := a.Lenses.Update(c.UserContext(), c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (a *API) deleteLens(c *fiber.Ctx) error {
	if err := a.Lenses.Delete(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (a *API) reorder(c *fiber.Ctx) error {
	var in struct {
		Note string `json:"note"`
	}
	if len(c.Body()) > 0 {
		if err := web.Decode(c, &in); err != nil {
			return err
		}
	}
	r, created, err := a.Lenses.Reorder(c.UserContext(), c.Params("id"), in.Note)
	if err != nil {
		return err
	}
	if !created {
		return c.JSON(r) // the open request for this supply
	}
	return c.Status(fiber.StatusCreated).JSON(r)
}

func (a *API) messages(c *fiber.Ctx) error {
	p, err := web.PageQuery(c, 50, notify.MaxInboxPage)
	if err != nil {
		return err
	}
	list, next, err := a.Messages.Inbox(c.UserContext(), p)
	if err != nil {
		return err
	}
	out := make([]InboxMessage, 0, len(list))
	for _, m := range list {
		out = append(out, InboxMessage{ID: m.ID, Title: m.Title, Body: m.Body, Data: m.Data, CreatedAt: m.CreatedAt, ReadAt: m.ReadAt, OpenedAt: m.OpenedAt})
	}
	return c.JSON(fiber.Map{"messages": out, "next_after": next})
}

// InboxMessage is what the app shows of a message: no delivery internals.
type InboxMessage struct {
	ID        string            `json:"id"`
	Title     string            `json:"title"`
	Body      string            `json:"body"`
	Data      map[string]string `json:"data,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
	ReadAt    *time.Time        `json:"read_at,omitempty"`
	OpenedAt  *time.Time        `json:"opened_at,omitempty"`
}

func (a *API) markMessage(field string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := a.Messages.Mark(c.UserContext(), c.Params("id"), field); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}
