package console

import (
	"embed"
	"net/url"
	"strings"
	"time"

	"github.com/vista-optical/vista/backend/booking"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
	"github.com/vista-optical/vista/backend/screen"
	"github.com/vista-optical/vista/backend/shop"
)

//go:embed templates/*.html
var templates embed.FS

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
	T    map[string]string
	Lang string
	// Here is the page's own name ("home", "agenda"), marked in the header.
	Here  string
	Error string
	Email string
	Next  string
	Staff *shop.Staff
	Shops []*shop.Shop
	Shop  *shop.Shop
	Rows  []*customer.Customer
	// Query is what was typed in the customers' search box; Searched
	// whether Rows are its results.
	Query    string
	Searched bool
	// Duplicates are the records that may be the customer just created.
	Duplicates []*customer.Customer
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
	// The set-up page: the chain, its staff, each shop's hours as text.
	Chain   *shop.Chain
	Members []*shop.Staff
	// Agendas are the staff members' skills, hours and absences, by id.
	Agendas map[string]*booking.Practitioner
	Hours   map[string]string
	Notice  string
	// Failed is the form the service refused, to show again as typed.
	Failed *failedForm
	// Mode is the password page's job: change, invite, reset, forgot.
	Mode string
	// The offers page: the shop's screens and offers, the catalog to pick
	// from, a new pairing code, and an offer being previewed.
	Kiosks []*screen.Kiosk
	// The offers page's catalog: the chain's promotions, the categories
	// a promotion may name, and what a refused import said.
	Promotions []catalog.Promotion
	Categories []string
	Import     *catalog.ImportResult
	// Names say what a screen shows ("offer:<id>") in words.
	Names    map[string]string
	Offers   []*screen.Offer
	Products []*catalog.Product
	Code     string
	Preview  *screen.OfferInput
	Reach    int
	Picked   map[string]bool
	Until    string
	App      bool
	// Weekdays are the days an offer's schedule may name; PickedDays
	// those ticked.
	Weekdays   []string
	PickedDays map[string]bool
	// Checkins are who is or was in the shop today.
	Checkins []Checkin
	// The agenda page: a shop's day, and its booking page snippets.
	Day      string
	DayLabel string // Day as a heading says it: "mercoledì 9 dicembre"
	// The agenda's booking form: the shop's services, the one chosen and
	// its free times that day.
	Services  []*booking.Offering
	Service   *booking.Offering
	FreeTimes []freeTime
	Agenda    []*booking.AgendaEntry
	Widget    *booking.Widget
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
	p.Here = strings.TrimSuffix(name, ".html")
	var b strings.Builder
	if err := c.tmpl.ExecuteTemplate(&b, name, p); err != nil {
		return core.Internal(err)
	}
	ctx.Type("html", "utf-8")
	return ctx.SendString(b.String())
}

func (c *Console) loginPage(ctx *fiber.Ctx) error {
	return c.render(ctx, "login.html", page{Next: safeNext(ctx.Query("next")), Notice: texts[lang(ctx)]["done_"+ctx.Query("done")]})
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
	s, err := c.Shops.Login(ctx.UserContext(), email, password)
	if core.IsCode(err, core.ETOOMANY) {
		return fail(fiber.StatusTooManyRequests, "too_many")
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
	if s.MustChangePassword {
		return ctx.Redirect("/console/password?lang="+lang(ctx), fiber.StatusSeeOther)
	}
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

func (c *Console) home(ctx *fiber.Ctx) error { return c.homeWith(ctx, page{}) }

// homeWith renders the home page over base (a form's notice or refusal).
func (c *Console) homeWith(ctx *fiber.Ctx, base page) error {
	uctx := ctx.UserContext()
	a, _ := core.ActorFrom(uctx)
	m, err := c.Shops.Me(uctx)
	if err != nil {
		return err
	}
	if m.MustChangePassword { // an operator's generated password is changed first
		return ctx.Redirect("/console/password?lang="+lang(ctx), fiber.StatusSeeOther)
	}
	shops, err := c.Shops.VisibleShops(uctx)
	if err != nil {
		return err
	}
	p := base
	p.Staff, p.Shops, p.More, p.Paged = m, shops, map[string]string{}, map[string]bool{}
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
	var next string
	p.Rows, next, err = c.Customers.ListForStaff(uctx, p.Shop.ID, after("customers"))
	if err != nil {
		return err
	}
	link("customers", next)
	loc := p.Shop.Location()
	names := map[string]string{}
	name := func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		names[id] = c.Customers.LabelForStaff(uctx, id)
		return names[id]
	}
	rs, next, err := c.Catalog.ShopReservations(uctx, p.Shop.ID, after("reservations"))
	if err != nil {
		return err
	}
	link("reservations", next)
	for _, r := range rs {
		what := p.T["kind_"+r.Kind]
		if what == "" {
			what = r.Kind
		}
		if r.Note != "" {
			what += ": " + r.Note
		}
		p.Reservations = append(p.Reservations, row{Name: name(r.CustomerID), What: what, When: r.CreatedAt.In(loc)})
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
			p.Dead = append(p.Dead, row{ID: d.ID, Name: name(d.CustomerID), What: string(d.Channel) + " · " + d.LastError, When: d.UpdatedAt.In(loc)})
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
