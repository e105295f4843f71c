package mobileapi

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/ratelimit"
	"github.com/vista-optical/vista/backend/shop"
	"github.com/vista-optical/vista/backend/validate"
	"github.com/vista-optical/vista/backend/web"
)

// bookingPageRoutes are the public booking page /prenota/{slug}: plain
// server-rendered forms (no script needed) to pick a service, a day and
// a slot and confirm as a guest; its confirmation page with the .ics;
// and the widget a shop's website embeds.
func (a *API) bookingPageRoutes() []web.Route {
	guestIP, slotsIP := []ratelimit.Limit{a.Limits.GuestBookingIP}, []ratelimit.Limit{a.Limits.SlotsIP}
	return []web.Route{
		{Method: "GET", Path: "/prenota/b/:token", Auth: web.Public, Handler: a.confirmationPage, Limits: manageIP},
		{Method: "POST", Path: "/prenota/b/:token/annulla", Auth: web.Public, Handler: a.cancelPage, Limits: manageIP},
		{Method: "GET", Path: "/prenota/:slug/widget.js", Auth: web.Public, Handler: a.widget, Cache: "public, max-age=3600", Limits: slotsIP},
		{Method: "GET", Path: "/prenota/:slug", Auth: web.Public, Handler: a.bookingPage, Limits: slotsIP},
		{Method: "POST", Path: "/prenota/:slug", Auth: web.Public, Handler: a.bookingSubmit, Limits: guestIP},
	}
}

// pageDays is how many days the page offers at once.
const pageDays = 14

// touch is where a visitor of the page came from: ?src= (or ?source=)
// naming a touchpoint, and the utm_* parameters, carried through every
// step of the page.
type touch struct {
	Source string
	UTM    map[string]string
}

func touchOf(get func(string) string) touch {
	t := touch{Source: "website"}
	for _, k := range []string{"src", "source"} {
		if v := strings.ToLower(get(k)); slices.Contains(booking.Sources, v) {
			t.Source = v
			break
		}
	}
	for _, k := range booking.UTMKeys {
		if v := strings.TrimSpace(get(k)); v != "" && len(v) <= 100 && !validate.HasControl(v) {
			if t.UTM == nil {
				t.UTM = map[string]string{}
			}
			t.UTM[k] = v
		}
	}
	return t
}

// query is the page's own query string with the touchpoint, language
// and extra.
func (t touch) query(lang string, extra ...string) template.URL {
	q := url.Values{}
	q.Set("src", t.Source)
	for k, v := range t.UTM {
		q.Set(k, v)
	}
	if lang == "en" {
		q.Set("lang", "en")
	}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] != "" {
			q.Set(extra[i], extra[i+1])
		}
	}
	return template.URL("?" + q.Encode())
}

type dayLink struct {
	Date, Label string
	Free        int
	Href        template.URL
}

type slotOption struct {
	Value, Label string
}

type bookingView struct {
	Lang, Slug, Error string
	T                 map[string]string
	Shop              *shop.Shop
	Touch             touch
	Services          []*serviceLink
	Service           *booking.Offering
	ServiceName       string
	Days              []dayLink
	Day, DayLabel     string
	Slots             []slotOption
	Key               string
	Back, Next, Other template.URL
	Form              url.Values
	Embed             bool
}

type serviceLink struct {
	Name string
	Min  int
	Href template.URL
}

// bookingLang is the booking page's language: Italian unless ?lang=en
// (or the form's lang) asks for English.
func bookingLang(c *fiber.Ctx) string {
	if c.Query("lang") == "en" || c.FormValue("lang") == "en" {
		return "en"
	}
	return "it"
}

// bookingPage is /prenota/{slug}: the services; a service's next days
// with free slots; a day's slots and the contact form.
func (a *API) bookingPage(c *fiber.Ctx) error {
	return a.renderBooking(c, "", url.Values{})
}

func (a *API) renderBooking(c *fiber.Ctx, problem string, form url.Values) error {
	ctx := c.UserContext()
	lang := bookingLang(c)
	get := func(k string) string {
		if v := form.Get(k); v != "" {
			return v
		}
		return c.Query(k)
	}
	v := bookingView{Lang: lang, Slug: c.Params("slug"), T: bookingTexts[lang], Touch: touchOf(get), Error: problem, Form: form,
		Key: auth.RandomSecret(16), Embed: get("embed") == "1"}
	sh, svcs, err := a.Agenda.ShopOfferings(ctx, v.Slug)
	if err != nil {
		return err
	}
	v.Shop = sh
	v.Other = v.Touch.query(map[string]string{"it": "en", "en": "it"}[lang], "service", get("service"), "day", get("day"), "embed", get("embed"))
	loc := sh.Location()
	i := slices.IndexFunc(svcs, func(s *booking.Offering) bool { return s.ID == get("service") })
	if i < 0 {
		for _, s := range svcs {
			v.Services = append(v.Services, &serviceLink{Name: s.NameIn(lang), Min: s.DurationMin, Href: v.Touch.query(lang, "service", s.ID, "embed", get("embed"))})
		}
		return page(c, v)
	}
	sv := svcs[i]
	v.Service, v.ServiceName = sv, sv.NameIn(lang)
	v.Back = v.Touch.query(lang, "embed", get("embed"))
	today := a.Agenda.Today(loc)
	from := today.Format(time.DateOnly)
	if f := get("from"); f != "" {
		if d, err := time.ParseInLocation(time.DateOnly, f, loc); err == nil && !d.Before(today.AddDate(0, 0, -1)) {
			from = f
		}
	}
	if day := get("day"); day != "" {
		av, err := a.Agenda.Availability(ctx, booking.Query{Shop: sh.ID, Service: sv.ID, From: day, To: day})
		if err == nil {
			d, _ := time.ParseInLocation(time.DateOnly, day, loc)
			v.Day, v.DayLabel = day, booking.DayName(d, loc, lang)
			for _, s := range av.Slots {
				v.Slots = append(v.Slots, slotOption{Value: s.Start.Format(time.RFC3339), Label: s.Start.In(loc).Format("15:04")})
			}
			v.Back = v.Touch.query(lang, "service", sv.ID, "embed", get("embed"))
			return page(c, v)
		}
	}
	start, _ := time.ParseInLocation(time.DateOnly, from, loc)
	to := start.AddDate(0, 0, pageDays-1).Format(time.DateOnly)
	av, err := a.Agenda.Availability(ctx, booking.Query{Shop: sh.ID, Service: sv.ID, From: from, To: to})
	if err != nil {
		return err
	}
	free := map[string]int{}
	for _, s := range av.Slots {
		free[s.Start.In(loc).Format(time.DateOnly)]++
	}
	for d := start; d.Format(time.DateOnly) <= to; d = d.AddDate(0, 0, 1) {
		date := d.Format(time.DateOnly)
		if free[date] > 0 {
			v.Days = append(v.Days, dayLink{Date: date, Label: booking.DayName(d, loc, lang), Free: free[date], Href: v.Touch.query(lang, "service", sv.ID, "day", date, "embed", get("embed"))})
		}
	}
	v.Next = v.Touch.query(lang, "service", sv.ID, "from", start.AddDate(0, 0, pageDays).Format(time.DateOnly), "embed", get("embed"))
	return page(c, v)
}

func page(c *fiber.Ctx, v bookingView) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	if v.Embed {
		web.Embeddable(c)
	}
	return bookingT.Execute(c.Response().BodyWriter(), v)
}

// bookingSubmit books the slot of the form as a guest, then shows the
// confirmation; a problem re-renders the form with it (and the day's
// slots as they are now).
func (a *API) bookingSubmit(c *fiber.Ctx) error {
	lang := bookingLang(c)
	form := url.Values{}
	for _, k := range []string{"service", "day", "slot", "name", "phone", "email", "consent", "key", "src", "embed", "lang"} {
		form.Set(k, c.FormValue(k))
	}
	for _, k := range booking.UTMKeys {
		form.Set(k, c.FormValue(k))
	}
	t := touchOf(form.Get)
	start, err := time.Parse(time.RFC3339, form.Get("slot"))
	if err != nil {
		c.Status(fiber.StatusUnprocessableEntity)
		return a.renderBooking(c, bookingTexts[lang]["pick_slot"], form)
	}
	g := &booking.GuestInput{Name: strings.TrimSpace(form.Get("name")), Email: strings.TrimSpace(form.Get("email")),
		Phone: strings.TrimSpace(form.Get("phone")), Consent: form.Get("consent") == "on", Locale: lang}
	in := booking.GuestBookingInput{Request: booking.Request{ServiceID: form.Get("service"), Start: start, Source: t.Source, UTM: t.UTM}, Guest: g}
	b, err := a.Agenda.BookAsGuest(c.UserContext(), c.Params("slug"), in, form.Get("key"))
	if err != nil {
		var ce *core.Error
		if !errors.As(err, &ce) || ce.Code == core.EINTERNAL || ce.Code == core.EUNAVAILABLE || ce.Code == core.ENOTFOUND {
			return err
		}
		c.Status(web.StatusOf(ce.Code))
		msg := problemText(err)
		switch {
		case errors.Is(err, booking.ErrTaken):
			msg = bookingTexts[lang]["taken"]
		case slices.ContainsFunc(ce.Fields, func(f core.FieldError) bool { return f.Field == "guest.phone" && f.Code == "invalid_phone" }):
			msg = bookingTexts[lang]["bad_phone"]
		}
		form.Del("slot")
		return a.renderBooking(c, msg, form)
	}
	q := url.Values{}
	if lang == "en" {
		q.Set("lang", "en")
	}
	if form.Get("embed") == "1" {
		q.Set("embed", "1")
	}
	to := "/prenota/b/" + b.ManageToken
	if len(q) > 0 {
		to += "?" + q.Encode()
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// problemText is the first field message of err, or its message.
func problemText(err error) string {
	var ce *core.Error
	if errors.As(err, &ce) {
		if len(ce.Fields) > 0 {
			return ce.Fields[0].Field + ": " + ce.Fields[0].Message
		}
		return ce.Message
	}
	return err.Error()
}

type confirmationView struct {
	Lang, Token, When, Error string
	T                        map[string]string
	B                        *booking.Booked
	Shop                     *shop.Shop
	Cancelled, CanCancel     bool
	Embed                    bool
	// Asking: the guest pressed cancel; the page asks them to confirm.
	Asking bool
}

func (a *API) confirmation(c *fiber.Ctx, problem string) error {
	return a.confirmationView(c, problem, false)
}

func (a *API) confirmationView(c *fiber.Ctx, problem string, asking bool) error {
	lang := bookingLang(c)
	b, err := a.Agenda.Guest(c.UserContext(), c.Params("token"))
	if err != nil {
		return err
	}
	sh, err := a.Agenda.ResolveShop(c.UserContext(), b.ShopID)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	embed := c.Query("embed") == "1"
	if embed {
		web.Embeddable(c)
	}
	return confirmT.Execute(c.Response().BodyWriter(), confirmationView{Lang: lang, Token: c.Params("token"), T: bookingTexts[lang], B: b, Shop: sh,
		When: booking.When(b.Start, sh.Location(), lang), Cancelled: b.Status == booking.StatusCancelled, Error: problem,
		CanCancel: a.Agenda.CanChange(c.UserContext(), b.Booking), Embed: embed, Asking: asking})
}

func (a *API) confirmationPage(c *fiber.Ctx) error { return a.confirmation(c, "") }

// cancelPage cancels a guest's booking once they have said so twice: the
// first press of "cancel" asks them to confirm (sure=1), so that a slip
// of the finger does not give their slot away.
func (a *API) cancelPage(c *fiber.Ctx) error {
	if c.FormValue("sure") != "1" {
		return a.confirmationView(c, "", true)
	}
	if _, err := a.Agenda.CancelAsGuest(c.UserContext(), c.Params("token")); err != nil {
		var ce *core.Error
		if !errors.As(err, &ce) || (ce.Code != core.EINVALID && ce.Code != core.ECONFLICT) {
			return err
		}
		c.Status(web.StatusOf(ce.Code))
		msg := ce.Message
		if len(ce.Fields) > 0 && ce.Fields[0].Code == "cutoff" {
			msg = bookingTexts[bookingLang(c)]["cutoff"]
		}
		return a.confirmation(c, msg)
	}
	return a.confirmation(c, "")
}

// widget is the script a shop's website includes to embed the booking
// page: it puts an iframe where the script tag is, carrying the
// touchpoint (website, or data-src) and the host page's utm_* parameters.
func (a *API) widget(c *fiber.Ctx) error {
	sh, err := a.Agenda.ResolveShop(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/javascript; charset=utf-8")
	web.Embeddable(c)
	path, _ := json.Marshal("/prenota/" + url.PathEscape(sh.SlugOrID()))
	return widgetT.Execute(c.Response().BodyWriter(), map[string]string{"Path": string(path)})
}
