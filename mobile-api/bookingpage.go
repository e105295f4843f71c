package mobileapi

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/url"
	"slices"
	"strings"
	texttemplate "text/template"
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
		Consent: form.Get("consent") == "on", Locale: lang}
	if p := strings.TrimSpace(form.Get("phone")); p != "" {
		e164, ok := validate.NormalizePhone(p, validate.DefaultRegion)
		if !ok {
			c.Status(fiber.StatusUnprocessableEntity)
			return a.renderBooking(c, bookingTexts[lang]["bad_phone"], form)
		}
		g.Phone = e164
	}
	in := booking.GuestBookingInput{Request: booking.Request{ServiceID: form.Get("service"), Start: start, Source: t.Source, UTM: t.UTM}, Guest: g}
	if err := web.Valid(&in); err != nil {
		c.Status(fiber.StatusUnprocessableEntity)
		return a.renderBooking(c, problemText(err), form)
	}
	b, err := a.Agenda.BookAsGuest(c.UserContext(), c.Params("slug"), in, form.Get("key"))
	if err != nil {
		var ce *core.Error
		if !errors.As(err, &ce) || ce.Code == core.EINTERNAL || ce.Code == core.EUNAVAILABLE || ce.Code == core.ENOTFOUND {
			return err
		}
		c.Status(web.StatusOf(ce.Code))
		msg := problemText(err)
		if errors.Is(err, booking.ErrTaken) {
			msg = bookingTexts[lang]["taken"]
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

var widgetT = texttemplate.Must(texttemplate.New("widget").Parse(`(function () {
  var s = document.currentScript, base = new URL(s.src), q = new URLSearchParams();
  q.set("src", s.getAttribute("data-src") || "website");
  q.set("embed", "1");
  if (s.getAttribute("data-lang")) q.set("lang", s.getAttribute("data-lang"));
  new URLSearchParams(location.search).forEach(function (v, k) { if (k.indexOf("utm_") === 0) q.set(k, v); });
  var f = document.createElement("iframe");
  f.src = base.origin + {{.Path}} + "?" + q.toString();
  f.title = "Prenota un appuntamento";
  f.loading = "lazy";
  f.style.cssText = "width:100%;min-height:640px;border:0";
  s.parentNode.insertBefore(f, s.nextSibling);
})();
`))

var bookingTexts = map[string]map[string]string{
	"it": {"title": "Prenota", "pick_service": "Che cosa vuoi prenotare?", "pick_day": "Scegli il giorno", "pick_time": "Scegli l'orario",
		"free": "orari liberi", "minutes": "min", "next": "Giorni successivi", "back": "Indietro", "none": "Nessun orario libero in questi giorni.",
		"no_services": "Questo negozio non ha ancora servizi prenotabili online: chiamaci.",
		"details":     "I tuoi dati", "name": "Nome e cognome", "phone": "Telefono", "email": "E-mail", "either": "Indica un telefono o un'e-mail (o entrambi).",
		"consent": "Acconsento a essere contattato da questo negozio solo per questo appuntamento, ai recapiti indicati.",
		"confirm": "Conferma la prenotazione", "taken": "Questo orario è appena stato preso da qualcun altro: scegline un altro.",
		"pick_slot": "Scegli un orario.", "bad_phone": "Il numero di telefono non è valido.", "confirmed": "Prenotazione confermata",
		"cancelled": "Prenotazione annullata", "calendar": "Aggiungi al calendario (.ics)", "cancel": "Annulla la prenotazione",
		"where": "Dove", "when": "Quando", "what": "Servizio", "keep": "Conserva questa pagina: da qui puoi annullare.", "other": "English",
		"cutoff": "Non è più possibile annullare o spostare online questo appuntamento: chiama il negozio.",
		"sure":   "Vuoi davvero annullare questo appuntamento? Il posto tornerà libero per altri.", "yes_cancel": "Sì, annulla", "no_keep": "No, lo tengo"},
	"en": {"title": "Book", "pick_service": "What would you like to book?", "pick_day": "Pick a day", "pick_time": "Pick a time",
		"free": "free times", "minutes": "min", "next": "Later days", "back": "Back", "none": "No free time on these days.",
		"no_services": "This shop has no services bookable online yet: please call us.",
		"details":     "Your details", "name": "Full name", "phone": "Phone", "email": "E-mail", "either": "Give a phone number or an e-mail address (or both).",
		"consent": "I agree to be contacted by this shop about this appointment only, on the details I gave.",
		"confirm": "Confirm the booking", "taken": "Someone just took this time: please pick another.",
		"pick_slot": "Pick a time.", "bad_phone": "This phone number is not valid.", "confirmed": "Booking confirmed",
		"cancelled": "Booking cancelled", "calendar": "Add to calendar (.ics)", "cancel": "Cancel the booking",
		"where": "Where", "when": "When", "what": "Service", "keep": "Keep this page: you can cancel from here.", "other": "Italiano",
		"cutoff": "This appointment can no longer be cancelled or moved online: please call the shop.",
		"sure":   "Do you really want to cancel this appointment? The time will be free for others.", "yes_cancel": "Yes, cancel", "no_keep": "No, keep it"},
}

const pageStyle = `<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:1rem auto;padding:0 1rem;line-height:1.4}
a{color:#0b4f8a}ul.pick{list-style:none;padding:0}ul.pick li{margin:.4rem 0}ul.pick a{display:block;padding:.7rem;border:1px solid #99a;border-radius:.4rem;text-decoration:none}
fieldset{border:0;padding:0}.slots{display:flex;flex-wrap:wrap;gap:.4rem}.slots label{border:1px solid #99a;border-radius:.4rem;padding:.5rem .7rem}
label.f{display:block;margin:.6rem 0}input[type=text],input[type=tel],input[type=email]{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}
button{width:100%;padding:.8rem;font-size:1.1rem;margin:.8rem 0}.error{color:#a40000;font-weight:600}.ok{color:#0a5c2a}small{color:#445}</style>`

// pageFuncs are what the public pages' templates use besides the
// standard ones.
var pageFuncs = template.FuncMap{"phone": validate.DisplayPhone}

var bookingT = template.Must(template.New("booking").Funcs(pageFuncs).Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.T.title}} · {{.Shop.Name}}</title>` + pageStyle + `</head>
<body>
<header><p><a href="{{.Other}}" hreflang="{{if eq .Lang "en"}}it{{else}}en{{end}}" id="other-lang">{{.T.other}}</a></p>
<h1 id="shop">{{.Shop.Name}}</h1><p>{{.Shop.Address}}{{if .Shop.Phone}} · <a href="tel:{{.Shop.Phone}}">{{phone .Shop.Phone}}</a>{{end}}</p></header>
<main>
{{if .Error}}<p class="error" role="alert" id="problem">{{.Error}}</p>{{end}}
{{if not .Service}}
  <h2>{{.T.pick_service}}</h2>
  {{if .Services}}<ul class="pick" id="services">{{range .Services}}<li><a href="{{.Href}}">{{.Name}} <small>· {{.Min}} {{$.T.minutes}}</small></a></li>{{end}}</ul>
  {{else}}<p>{{.T.no_services}}</p>{{end}}
{{else if not .Day}}
  <h2>{{.ServiceName}}</h2><p><a href="{{.Back}}">← {{.T.back}}</a></p>
  <h3>{{.T.pick_day}}</h3>
  {{if .Days}}<ul class="pick" id="days">{{range .Days}}<li><a href="{{.Href}}" data-date="{{.Date}}">{{.Label}} <small>· {{.Free}} {{$.T.free}}</small></a></li>{{end}}</ul>
  {{else}}<p>{{.T.none}}</p>{{end}}
  <p><a href="{{.Next}}" id="later">{{.T.next}} →</a></p>
{{else}}
  <h2>{{.ServiceName}}</h2><p><a href="{{.Back}}">← {{.T.back}}</a></p>
  <form method="post" id="book">
  <input type="hidden" name="service" value="{{.Service.ID}}"><input type="hidden" name="day" value="{{.Day}}">
  <input type="hidden" name="key" value="{{.Key}}"><input type="hidden" name="src" value="{{.Touch.Source}}">
  <input type="hidden" name="lang" value="{{.Lang}}">{{if .Embed}}<input type="hidden" name="embed" value="1">{{end}}
  {{range $k, $v := .Touch.UTM}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
  <fieldset><legend><h3>{{.T.pick_time}} · {{.DayLabel}}</h3></legend>
  {{if .Slots}}<div class="slots" id="slots">{{range .Slots}}<label><input type="radio" name="slot" value="{{.Value}}" required> {{.Label}}</label>{{end}}</div>
  {{else}}<p>{{.T.none}}</p>{{end}}</fieldset>
  <fieldset><legend><h3>{{.T.details}}</h3></legend>
  <label class="f">{{.T.name}} <input type="text" name="name" required maxlength="100" autocomplete="name" value="{{.Form.Get "name"}}"></label>
  <label class="f">{{.T.phone}} <input type="tel" name="phone" maxlength="32" autocomplete="tel" value="{{.Form.Get "phone"}}"></label>
  <label class="f">{{.T.email}} <input type="email" name="email" maxlength="254" autocomplete="email" value="{{.Form.Get "email"}}"></label>
  <p><small>{{.T.either}}</small></p>
  <label class="f"><input type="checkbox" name="consent" required> {{.T.consent}}</label>
  </fieldset>
  <button type="submit" id="confirm">{{.T.confirm}}</button>
  </form>
{{end}}
</main></body></html>`))

var confirmT = template.Must(template.New("confirm").Funcs(pageFuncs).Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{{if .Cancelled}}{{.T.cancelled}}{{else}}{{.T.confirmed}}{{end}} · {{.Shop.Name}}</title>` + pageStyle + `</head>
<body><main>
{{if .Error}}<p class="error" role="alert" id="problem">{{.Error}}</p>{{end}}
<h1 id="status" class="{{if .Cancelled}}error{{else}}ok{{end}}">{{if .Cancelled}}{{.T.cancelled}}{{else}}{{.T.confirmed}}{{end}}</h1>
<dl><dt>{{.T.what}}</dt><dd id="service">{{.B.ServiceName}}</dd>
<dt>{{.T.when}}</dt><dd id="when">{{.When}}</dd>
<dt>{{.T.where}}</dt><dd>{{.Shop.Name}}, {{.Shop.Address}}{{if .Shop.Phone}} · <a href="tel:{{.Shop.Phone}}">{{phone .Shop.Phone}}</a>{{end}}</dd></dl>
{{if not .Cancelled}}
<p><a id="ics" href="/v1/public/bookings/{{.Token}}/calendar.ics" download="appuntamento.ics">{{.T.calendar}}</a></p>
<p><small>{{.T.keep}}</small></p>
{{if and .CanCancel .Asking}}<div id="ask" role="alertdialog" aria-labelledby="ask-q"><p id="ask-q"><strong>{{.T.sure}}</strong></p>
<form method="post" action="/prenota/b/{{.Token}}/annulla?lang={{.Lang}}{{if .Embed}}&amp;embed=1{{end}}"><input type="hidden" name="sure" value="1"><button type="submit" id="cancel-sure" autofocus>{{.T.yes_cancel}}</button>
<a href="/prenota/b/{{.Token}}?lang={{.Lang}}{{if .Embed}}&amp;embed=1{{end}}" id="keep">{{.T.no_keep}}</a></form></div>
{{else if .CanCancel}}<form method="post" action="/prenota/b/{{.Token}}/annulla?lang={{.Lang}}{{if .Embed}}&amp;embed=1{{end}}"><button type="submit" id="cancel">{{.T.cancel}}</button></form>
{{else}}<p id="call">{{.T.cutoff}}{{if .Shop.Phone}} <a href="tel:{{.Shop.Phone}}">{{phone .Shop.Phone}}</a>{{end}}</p>{{end}}
{{end}}
</main></body></html>`))
