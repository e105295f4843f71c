// Package console is the staff console: its pages (server-rendered, in
// Italian first) and the staff JSON API under /v1/staff. Every route
// declares the least role it needs; shop scope is enforced by the router
// for :shop routes and by the services for the objects they load.
package console

import (
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/audit"
	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
	"github.com/vista-optical/vista/backend/lens"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/ratelimit"
	"github.com/vista-optical/vista/backend/screen"
	"github.com/vista-optical/vista/backend/shop"
	"github.com/vista-optical/vista/backend/validate"
	"github.com/vista-optical/vista/backend/visit"
	"github.com/vista-optical/vista/backend/web"
)

// CookieName is the console's session cookie: the staff token, HttpOnly,
// SameSite=Strict.
const CookieName = "vista_staff"

// LoginPath is the console's sign-in page.
const LoginPath = "/console/login"

// Console serves the staff console and the staff API.
type Console struct {
	Shops     *shop.Service
	Customers *customer.Service
	Audit     *audit.Log
	Catalog   *catalog.Service
	Agenda    *booking.Agenda
	Lenses    *lens.Service
	Messages  *notify.Messages
	Screens   *screen.Service
	Visits    *visit.Service
	// LoginIP limits sign-in attempts per address (shop.Service holds the
	// limit per account).
	LoginIP ratelimit.Limit
	// SecureCookie marks the session cookie Secure (HTTPS deployments).
	SecureCookie bool
	tmpl         *template.Template
}

// DefaultLoginLimits are the staff sign-in limits in production.
func DefaultLoginLimits() (ip, account ratelimit.Limit) {
	return ratelimit.Limit{Name: "staff-login", Max: 100, Window: 15 * time.Minute},
		ratelimit.Limit{Name: "staff-login:acct", Max: 10, Window: 15 * time.Minute}
}

// Routes is the console's route table.
func (c *Console) Routes() []web.Route {
	c.tmpl = template.Must(template.New("").Funcs(template.FuncMap{"pager": pagerOf, "shopForm": shopFormOf, "serviceForm": serviceFormOf, "agendaForm": agendaFormOf,
		"clock":   func(t time.Time, loc *time.Location) string { return t.In(loc).Format("15:04") },
		"local":   func(t time.Time, loc *time.Location, layout string) string { return t.In(loc).Format(layout) },
		"lastDay": func(end time.Time) time.Time { return end.Add(-time.Millisecond) }, // an exclusive end's last day
		"join":    func(l []string) string { return strings.Join(l, "\n") },
		"phone":   validate.DisplayPhone,
		"list":    func(s ...string) []string { return s },
		"euro":    catalog.Euro}).ParseFS(templates, "templates/*.html"))
	ip := []ratelimit.Limit{c.LoginIP}
	return slices.Concat(c.setupRoutes(), c.screenRoutes(), c.offerPageRoutes(), c.checkinRoutes(), c.agendaRoutes(), c.customerRoutes(), []web.Route{
		{Method: "POST", Path: "/v1/staff/auth/login", Auth: web.Public, Handler: c.apiLogin, Limits: ip},
		{Method: "POST", Path: "/v1/staff/auth/logout", Auth: web.Staff(core.RoleAssistant), Handler: c.apiLogout},
		{Method: "GET", Path: "/v1/staff/me", Auth: web.Staff(core.RoleAssistant), Handler: c.apiMe},
		{Method: "GET", Path: "/v1/staff/shops", Auth: web.Staff(core.RoleAssistant), Handler: c.apiShops},
		{Method: "GET", Path: "/v1/staff/shops/:shop/customers", Auth: web.Staff(core.RoleAssistant), Handler: c.apiShopCustomers},
		{Method: "POST", Path: "/v1/staff/customers", Auth: web.Staff(core.RoleAssistant), Handler: c.apiCreateCustomer},
		{Method: "GET", Path: "/v1/staff/customers/:id", Auth: web.Staff(core.RoleAssistant), Handler: c.apiCustomer},
		{Method: "GET", Path: "/v1/staff/consents/:id", Auth: web.Staff(core.RoleAssistant), Handler: c.apiConsents},
		{Method: "GET", Path: "/v1/staff/audit", Auth: web.Staff(core.RoleOwner), Handler: c.apiAudit},
		{Method: "GET", Path: "/v1/staff/services", Auth: web.Staff(core.RoleAssistant), Handler: c.apiServices},
		{Method: "GET", Path: "/v1/staff/customers/:id/lenses", Auth: web.Staff(core.RoleAssistant), Handler: c.apiLenses},
		{Method: "POST", Path: "/v1/staff/customers/:id/lenses", Auth: web.Staff(core.RoleAssistant), Handler: c.apiAddLens},
		{Method: "GET", Path: "/v1/staff/customers/:id/exams", Auth: web.Staff(core.RoleAssistant), Handler: c.apiExams},
		{Method: "PUT", Path: "/v1/staff/customers/:id/exams", Auth: web.Staff(core.RoleAssistant), Handler: c.apiRecordExam},
		{Method: "GET", Path: "/v1/staff/customers/:id/timeline", Auth: web.Staff(core.RoleAssistant), Handler: c.apiTimeline},
		{Method: "GET", Path: "/v1/staff/shops/:shop/reservations", Auth: web.Staff(core.RoleAssistant), Handler: c.apiReservations},
		{Method: "GET", Path: "/v1/staff/shops/:shop/recalls", Auth: web.Staff(core.RoleAssistant), Handler: c.apiRecalls},
		{Method: "GET", Path: "/v1/staff/shops/:shop/reminder-settings", Auth: web.Staff(core.RoleAssistant), Handler: c.apiReminderSettings},
		{Method: "PUT", Path: "/v1/staff/shops/:shop/reminder-settings", Auth: web.Staff(core.RoleManager), Handler: c.apiSaveReminderSettings},
		{Method: "GET", Path: "/v1/staff/outbox/dead", Auth: web.Staff(core.RoleManager), Handler: c.apiDeadLetters},
		{Method: "POST", Path: "/v1/staff/outbox/:id/retry", Auth: web.Staff(core.RoleManager), Handler: c.apiRetry},
		{Method: "GET", Path: "/v1/staff/products", Auth: web.Staff(core.RoleAssistant), Handler: c.apiProducts},

		{Method: "GET", Path: "/", Auth: web.Public, Handler: func(ctx *fiber.Ctx) error { return ctx.Redirect("/console/", fiber.StatusSeeOther) }},
		{Method: "GET", Path: LoginPath, Auth: web.Public, Handler: c.loginPage},
		{Method: "POST", Path: LoginPath, Auth: web.Public, Handler: sameOrigin(c.loginSubmit), Limits: ip},
		{Method: "POST", Path: "/console/logout", Auth: web.Public, Handler: sameOrigin(c.logout)},
		{Method: "GET", Path: "/console/", Auth: web.StaffPage(core.RoleAssistant), Handler: c.home},
		{Method: "POST", Path: "/console/customers", Auth: web.StaffPage(core.RoleAssistant), Handler: sameOrigin(c.counterSubmit)},
		{Method: "POST", Path: "/console/outbox/:id/retry", Auth: web.StaffPage(core.RoleManager), Handler: sameOrigin(c.retryPage)},
	})
}
