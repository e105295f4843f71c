// Package console is the staff console: its pages (server-rendered, in
// Italian first) and the staff JSON API under /v1/staff. Every route
// declares the least role it needs; shop scope is enforced by the router
// for :shop routes and by the services for the objects they load.
package console

import (
	"context"
	"embed"
	"html/template"
	"net/url"
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
	"github.com/vista-optical/vista/backend/shop"
	"github.com/vista-optical/vista/backend/web"
)

//go:embed templates/*.html
var templates embed.FS

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
	Catalog   catalog.Store
	Services  booking.Store
	Lenses    *lens.Service
	Messages  *notify.Messages
	Reserve   catalog.ReservationStore
	Limiter   *ratelimit.Limiter
	// LoginIP and LoginAccount limit sign-in attempts.
	LoginIP, LoginAccount ratelimit.Limit
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
	c.tmpl = template.Must(template.New("").Funcs(template.FuncMap{"pager": pagerOf}).ParseFS(templates, "templates/*.html"))
	ip := []ratelimit.Limit{c.LoginIP}
	return []web.Route{
		{Method: "POST", Path: "/v1/staff/auth/login", Auth: web.Public, Handler: c.apiLogin, Limits: ip},
		{Method: "POST", Path: "/v1/staff/auth/logout", Auth: web.Staff(core.RoleAssistant), Handler: c.apiLogout},
		{Method: "GET", Path: "/v1/staff/me", Auth: web.Staff(core.RoleAssistant), Handler: c.apiMe},
		{Method: "GET", Path: "/v1/staff/shops", Auth: web.Staff(core.RoleAssistant), Handler: c.apiShops},
		{Method: "GET", Path: "/v1/staff/shops/:shop/customers", Auth: web.Staff(core.RoleAssistant), Handler: c.apiShopCustomers},
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
		{Method: "POST", Path: "/console/outbox/:id/retry", Auth: web.StaffPage(core.RoleManager), Handler: sameOrigin(c.retryPage)},
	}
}

func (c *Console) apiLogin(ctx *fiber.Ctx) error {
	var in struct {
		Email    string `json:"email" validate:"required,max=254"`
		Password string `json:"password" validate:"required,max=128"`
	}
	if err := web.Decode(ctx, &in); err != nil {
		return err
	}
	if err := c.Customers.Validator.Struct(in); err != nil {
		return err
	}
	uncount, err := c.Limiter.Attempt(ctx.UserContext(), c.LoginAccount, core.NormalizeEmail(in.Email))
	if err != nil {
		return err
	}
	s, err := c.Shops.Login(ctx.UserContext(), in.Email, in.Password)
	if !core.IsCode(err, core.EUNAUTHORIZED) {
		uncount(ctx.UserContext()) // only failed passwords count
	}
	if err != nil {
		return err
	}
	ctx.Set(fiber.HeaderCacheControl, "no-store")
	return ctx.JSON(s)
}

// apiLogout ends the staff session of the token it is called with, at once.
func (c *Console) apiLogout(ctx *fiber.Ctx) error {
	if err := c.Shops.Logout(ctx.UserContext()); err != nil {
		return err
	}
	return ctx.SendStatus(fiber.StatusNoContent)
}

func (c *Console) apiMe(ctx *fiber.Ctx) error {
	m, err := c.Shops.Me(ctx.UserContext())
	if err != nil {
		return err
	}
	return ctx.JSON(m)
}

func (c *Console) apiShops(ctx *fiber.Ctx) error {
	list, err := c.Shops.VisibleShops(ctx.UserContext())
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"shops": list})
}

func (c *Console) apiShopCustomers(ctx *fiber.Ctx) error {
	limit, err := web.LimitQuery(ctx, 50, 200)
	if err != nil {
		return err
	}
	after := ctx.Query("after")
	if len(after) > 64 {
		return core.Invalid("after is not a customer id", core.FieldError{Field: "after", Message: "must be the next_after value of a previous page"})
	}
	list, next, err := c.Customers.ListForStaff(ctx.UserContext(), ctx.Params("shop"), customer.Page{After: after, Limit: limit})
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"customers": list, "next_after": next})
}

func (c *Console) apiCustomer(ctx *fiber.Ctx) error {
	cu, err := c.Customers.GetForStaff(ctx.UserContext(), ctx.Params("id"))
	if err != nil {
		return err
	}
	return ctx.JSON(cu)
}

// apiConsents reconstructs a customer's consents at ?at= (RFC 3339; now by
// default) from the event log, with the events as proof.
func (c *Console) apiConsents(ctx *fiber.Ctx) error {
	var at time.Time // now, by the service's clock
	if s := ctx.Query("at"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return core.Invalid("at is not a time", core.FieldError{Field: "at", Message: "must be an RFC 3339 time, such as 2026-11-23T10:00:00Z"})
		}
		at = t
	}
	state, events, at, err := c.Customers.ConsentsAtForStaff(ctx.UserContext(), ctx.Params("id"), at)
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"at": at, "consents": state, "events": events})
}

// apiAudit lists audit entries by customer, actor and time, oldest first,
// a page at a time (owners only).
func (c *Console) apiAudit(ctx *fiber.Ctx) error {
	p, err := web.PageQuery(ctx, 500, 5000)
	if err != nil {
		return err
	}
	f := audit.Filter{CustomerID: ctx.Query("customer"), ActorID: ctx.Query("actor")}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if s := ctx.Query(name); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return core.Invalid(name+" is not a time", core.FieldError{Field: name, Message: "must be an RFC 3339 time"})
			}
			*dst = t
		}
	}
	list, next, err := c.Audit.Entries(ctx.UserContext(), f, p)
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"entries": list, "next_after": next})
}

func (c *Console) apiServices(ctx *fiber.Ctx) error {
	list, err := c.Services.Services(ctx.UserContext())
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"services": list})
}

func (c *Console) apiProducts(ctx *fiber.Ctx) error {
	list, err := c.Catalog.Products(ctx.UserContext())
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"products": list})
}

// apiLenses lists a customer's lens supplies (health data: audited).
func (c *Console) apiLenses(ctx *fiber.Ctx) error {
	list, err := c.Lenses.ForStaff(ctx.UserContext(), ctx.Params("id"))
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"lenses": list})
}

// apiAddLens records a supply sold at the counter.
func (c *Console) apiAddLens(ctx *fiber.Ctx) error {
	var in lens.SupplyInput
	if err := web.Decode(ctx, &in); err != nil {
		return err
	}
	v, err := c.Lenses.AddForStaff(ctx.UserContext(), ctx.Params("id"), in)
	if err != nil {
		return err
	}
	return ctx.Status(fiber.StatusCreated).JSON(v)
}

// apiExams lists a customer's eye-exam due dates (health data: audited).
func (c *Console) apiExams(ctx *fiber.Ctx) error {
	list, err := c.Lenses.ExamsForStaff(ctx.UserContext(), ctx.Params("id"))
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"exams": list})
}

// apiRecordExam sets when a customer's (or family member's) eye exam is due.
func (c *Console) apiRecordExam(ctx *fiber.Ctx) error {
	var in lens.ExamInput
	if err := web.Decode(ctx, &in); err != nil {
		return err
	}
	e, err := c.Lenses.RecordExam(ctx.UserContext(), ctx.Params("id"), in)
	if err != nil {
		return err
	}
	return ctx.JSON(e)
}

// apiTimeline lists what Vista sent the customer, newest first.
func (c *Console) apiTimeline(ctx *fiber.Ctx) error {
	p, err := web.PageQuery(ctx, 50, 200)
	if err != nil {
		return err
	}
	list, next, err := c.Messages.Timeline(ctx.UserContext(), ctx.Params("id"), p)
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"messages": list, "next_after": next})
}

func (c *Console) apiReservations(ctx *fiber.Ctx) error {
	p, err := web.PageQuery(ctx, 50, 200)
	if err != nil {
		return err
	}
	list, next, err := c.reservations(ctx.UserContext(), ctx.Params("shop"), p)
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"reservations": list, "next_after": next})
}

// apiRecalls lists the phone calls staff should make.
func (c *Console) apiRecalls(ctx *fiber.Ctx) error {
	p, err := web.PageQuery(ctx, 50, 200)
	if err != nil {
		return err
	}
	list, next, err := c.Messages.Recalls(ctx.UserContext(), ctx.Params("shop"), p)
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"recalls": list, "next_after": next})
}

func (c *Console) reservations(ctx context.Context, shopID string, p core.Page) ([]*catalog.Reservation, string, error) {
	return core.Paged(p, func(p core.Page) ([]*catalog.Reservation, error) { return c.Reserve.ShopReservations(ctx, shopID, p) },
		func(r *catalog.Reservation) core.Cursor { return core.Cursor{At: r.CreatedAt, ID: r.ID} })
}

// apiReminderSettings returns a shop's reminder settings (the defaults when
// it has none of its own).
func (c *Console) apiReminderSettings(ctx *fiber.Ctx) error {
	s, err := c.Lenses.ReminderSettings(ctx.UserContext(), ctx.Params("shop"))
	if err != nil {
		return err
	}
	return ctx.JSON(s)
}

// apiSaveReminderSettings changes a shop's reminder settings.
func (c *Console) apiSaveReminderSettings(ctx *fiber.Ctx) error {
	var in lens.ShopSettings
	if err := web.Decode(ctx, &in); err != nil {
		return err
	}
	s, err := c.Lenses.SaveReminderSettings(ctx.UserContext(), ctx.Params("shop"), in)
	if err != nil {
		return err
	}
	return ctx.JSON(s)
}

// apiDeadLetters lists messages that failed for good, newest first. Owners
// see the whole chain; managers their shop's.
func (c *Console) apiDeadLetters(ctx *fiber.Ctx) error {
	p, err := web.PageQuery(ctx, 50, 200)
	if err != nil {
		return err
	}
	list, next, err := c.Messages.DeadLetters(ctx.UserContext(), "", p)
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"messages": list, "next_after": next})
}

// apiRetry sends a dead message again, from a fresh start.
func (c *Console) apiRetry(ctx *fiber.Ctx) error {
	m, err := c.Messages.Retry(ctx.UserContext(), ctx.Params("id"))
	if err != nil {
		return err
	}
	return ctx.JSON(m)
}

// retryPage is the console's retry button: it retries, then shows the
// shop's page again.
func (c *Console) retryPage(ctx *fiber.Ctx) error {
	m, err := c.Messages.Retry(ctx.UserContext(), ctx.Params("id"))
	if core.IsCode(err, core.ECONFLICT) { // a colleague retried it first: the page shows where it is
		return ctx.Redirect("/console/?lang="+lang(ctx), fiber.StatusSeeOther)
	}
	if err != nil {
		return err
	}
	return ctx.Redirect("/console/?shop="+url.QueryEscape(m.ShopID)+"&lang="+lang(ctx), fiber.StatusSeeOther)
}

// page is what every console template receives.
type page struct {
	T     map[string]string
	Lang  string
	Error string
	Email string
	Next  string
	Staff *shop.Staff
	Shops []*shop.Shop
	Shop  *shop.Shop
	Rows  []*customer.Customer
	// Dead are the shop's undelivered messages (managers and owners).
	Dead []row
	// Reservations and Recalls are the shop's to-do lists.
	Reservations []row
	Recalls      []row
	// More holds, per list, the link to its next page; Paged the lists
	// shown past their first page, and First the link back to the start.
	More  map[string]string
	Paged map[string]bool
	First string
}

// pager is what the pager template needs to link one list's pages.
type pager struct {
	List, Next, First string
	Paged             bool
	T                 map[string]string
}

func pagerOf(p page, list string) pager {
	return pager{List: list, Next: p.More[list], First: p.First, Paged: p.Paged[list], T: p.T}
}

// row is one line of a to-do list: who, what, when.
type row struct {
	ID   string
	Name string
	What string
	When time.Time
}

func (c *Console) render(ctx *fiber.Ctx, name string, p page) error {
	p.Lang = lang(ctx)
	p.T = texts[p.Lang]
	var b strings.Builder
	if err := c.tmpl.ExecuteTemplate(&b, name, p); err != nil {
		return core.Internal(err)
	}
	ctx.Set(fiber.HeaderCacheControl, "no-store")
	ctx.Type("html", "utf-8")
	return ctx.SendString(b.String())
}

func (c *Console) loginPage(ctx *fiber.Ctx) error {
	return c.render(ctx, "login.html", page{Next: safeNext(ctx.Query("next"))})
}

func (c *Console) loginSubmit(ctx *fiber.Ctx) error {
	email, password, next := ctx.FormValue("email"), ctx.FormValue("password"), safeNext(ctx.FormValue("next"))
	fail := func(status int, msg string) error {
		ctx.Status(status)
		return c.render(ctx, "login.html", page{Error: texts[lang(ctx)][msg], Email: email, Next: next})
	}
	if len(email) > 254 || len(password) > 128 || email == "" || password == "" {
		return fail(fiber.StatusUnprocessableEntity, "bad_credentials")
	}
	uncount, err := c.Limiter.Attempt(ctx.UserContext(), c.LoginAccount, core.NormalizeEmail(email))
	if err != nil {
		return fail(fiber.StatusTooManyRequests, "too_many")
	}
	s, err := c.Shops.Login(ctx.UserContext(), email, password)
	if !core.IsCode(err, core.EUNAUTHORIZED) {
		uncount(ctx.UserContext()) // only failed passwords count
	}
	if core.IsCode(err, core.EUNAUTHORIZED) {
		return fail(fiber.StatusUnauthorized, "bad_credentials")
	} else if err != nil {
		return err
	}
	ctx.Cookie(&fiber.Cookie{
		Name: CookieName, Value: s.Token, Path: "/", Expires: s.ExpiresAt,
		HTTPOnly: true, Secure: c.SecureCookie, SameSite: fiber.CookieSameSiteStrictMode,
	})
	return ctx.Redirect(next, fiber.StatusSeeOther)
}

func (c *Console) logout(ctx *fiber.Ctx) error {
	if err := c.Shops.LogoutToken(ctx.UserContext(), ctx.Cookies(CookieName)); err != nil {
		return err
	}
	ctx.Cookie(&fiber.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(0, 0),
		HTTPOnly: true, Secure: c.SecureCookie, SameSite: fiber.CookieSameSiteStrictMode})
	return ctx.Redirect(LoginPath, fiber.StatusSeeOther)
}

// homePage is how many items each list of the console's home page shows;
// a link leads to the next page.
const homePage = 50

func (c *Console) home(ctx *fiber.Ctx) error {
	uctx := ctx.UserContext()
	a, _ := core.ActorFrom(uctx)
	m, err := c.Shops.Me(uctx)
	if err != nil {
		return err
	}
	shops, err := c.Shops.VisibleShops(uctx)
	if err != nil {
		return err
	}
	p := page{Staff: m, Shops: shops, More: map[string]string{}, Paged: map[string]bool{}}
	if len(shops) == 0 {
		return c.render(ctx, "home.html", p)
	}
	p.Shop = shops[0]
	for _, s := range shops {
		if s.ID == ctx.Query("shop") {
			p.Shop = s
		}
	}
	// Each list pages on its own: ?<list>=<cursor> shows the page after
	// it, the other lists their first page. A cursor that does not read
	// (an old bookmark) shows the first page.
	after := func(list string) core.Page {
		c, err := core.ParseCursor(ctx.Query(list))
		if err == nil && !c.IsZero() {
			p.Paged[list] = true
		}
		return core.Page{After: c, Limit: homePage}
	}
	link := func(list, next string) {
		if next != "" {
			p.More[list] = "/console/?" + url.Values{"shop": {p.Shop.ID}, "lang": {lang(ctx)}, list: {next}}.Encode()
		}
	}
	p.First = "/console/?" + url.Values{"shop": {p.Shop.ID}, "lang": {lang(ctx)}}.Encode()
	custAfter := ctx.Query("customers")
	if len(custAfter) > 64 {
		custAfter = ""
	}
	p.Paged["customers"] = custAfter != ""
	var next string
	if p.Rows, next, err = c.Customers.ListForStaff(uctx, p.Shop.ID, customer.Page{After: custAfter, Limit: homePage}); err != nil {
		return err
	}
	link("customers", next)
	loc, lerr := time.LoadLocation(p.Shop.TimeZone)
	if lerr != nil {
		loc = time.UTC
	}
	names := map[string]string{}
	name := func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		names[id] = c.Customers.LabelForStaff(uctx, id)
		return names[id]
	}
	rs, next, err := c.reservations(uctx, p.Shop.ID, after("reservations"))
	if err != nil {
		return err
	}
	link("reservations", next)
	for _, r := range rs {
		p.Reservations = append(p.Reservations, row{Name: name(r.CustomerID), What: r.Note, When: r.CreatedAt.In(loc)})
	}
	ms, next, err := c.Messages.Recalls(uctx, p.Shop.ID, after("recalls"))
	if err != nil {
		return err
	}
	link("recalls", next)
	for _, m := range ms {
		p.Recalls = append(p.Recalls, row{Name: name(m.CustomerID), What: m.Title, When: m.CreatedAt.In(loc)})
	}
	if a.Role.AtLeast(core.RoleManager) {
		dead, next, err := c.Messages.DeadLetters(uctx, p.Shop.ID, after("dead"))
		if err != nil {
			return err
		}
		link("dead", next)
		for _, d := range dead {
			p.Dead = append(p.Dead, row{ID: d.ID, Name: name(d.CustomerID), What: d.Channel + " · " + d.LastError, When: d.UpdatedAt.In(loc)})
		}
	}
	return c.render(ctx, "home.html", p)
}

// sameOrigin guards a console form (every state-changing console request,
// sign-in included, which would otherwise let another site sign a browser
// in as someone else): a browser says where a request comes from in
// Sec-Fetch-Site, or in Origin, and only the console's own origin may post.
// A request with neither header is not from a browser, which is what a
// cross-site forgery needs, and passes.
func sameOrigin(next fiber.Handler) fiber.Handler {
	return func(ctx *fiber.Ctx) error {
		site := ctx.Get("Sec-Fetch-Site")
		if site != "" && site != "same-origin" && site != "none" {
			return core.Errorf(core.EFORBIDDEN, "this form can only be sent from the console itself")
		}
		// A browser that says Sec-Fetch-Site is believed; the console's
		// no-referrer policy makes its own forms send "Origin: null".
		if origin := ctx.Get(fiber.HeaderOrigin); origin != "" && site == "" {
			u, err := url.Parse(origin)
			if err != nil || u.Host == "" || !strings.EqualFold(u.Host, ctx.Get(fiber.HeaderHost)) {
				return core.Errorf(core.EFORBIDDEN, "this form can only be sent from the console itself")
			}
		}
		return next(ctx)
	}
}

// safeNext keeps a post-login redirect inside the console.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/console/") && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return "/console/"
}

func lang(ctx *fiber.Ctx) string {
	if l := ctx.Query("lang"); l == "en" || l == "it" {
		return l
	}
	if strings.HasPrefix(strings.ToLower(ctx.Get(fiber.HeaderAcceptLanguage)), "en") {
		return "en"
	}
	return "it"
}

var texts = map[string]map[string]string{
	"it": {
		"title": "Console Vista", "login_title": "Accedi alla console", "email": "E-mail", "password": "Password",
		"submit": "Accedi", "bad_credentials": "E-mail o password non corretti.", "too_many": "Troppi tentativi: riprova tra qualche minuto.",
		"hello": "Ciao", "role_owner": "titolare", "role_manager": "responsabile", "role_assistant": "assistente",
		"customers": "Clienti", "shops": "Negozi", "none": "Nessun cliente registrato in questo negozio.", "logout": "Esci",
		"name": "Nome", "since": "Cliente dal",
		"dead": "Messaggi non consegnati", "retry": "Riprova",
		"reservations": "Richieste di riordino", "recalls": "Richiami telefonici", "note": "Nota", "reason": "Motivo",
		"when": "Quando", "nothing": "Niente da fare.", "next_page": "Successivi →", "first_page": "← Dall'inizio",
	},
	"en": {
		"title": "Vista console", "login_title": "Sign in to the console", "email": "E-mail", "password": "Password",
		"submit": "Sign in", "bad_credentials": "E-mail or password is not correct.", "too_many": "Too many attempts: try again in a few minutes.",
		"hello": "Hello", "role_owner": "owner", "role_manager": "manager", "role_assistant": "assistant",
		"customers": "Customers", "shops": "Shops", "none": "No customers registered in this shop yet.", "logout": "Sign out",
		"name": "Name", "since": "Customer since",
		"dead": "Undelivered messages", "retry": "Retry",
		"reservations": "Reorder requests", "recalls": "Phone recalls", "note": "Note", "reason": "Reason",
		"when": "When", "nothing": "Nothing to do.", "next_page": "Next →", "first_page": "← Back to the start",
	},
}
