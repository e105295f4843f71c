package console

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/shop"
	"github.com/vista-optical/vista/backend/web"
)

// The console writes opening hours as text, one day or date a line:
//
//	lun 09:00-13:00 15:00-19:30
//	2026-12-25 chiuso
//	12-07 chiuso Sant'Ambrogio
//	festivi aperto
//
// Weekdays in Italian or English; "chiuso" or "closed" for a closed date,
// with an optional note after it; MM-DD for a day closed every year (the
// patron saint); Italy's public holidays are closed unless "festivi
// aperto" (or "holidays open").
var dayNames = map[string]string{"lun": "mon", "mar": "tue", "mer": "wed", "gio": "thu", "ven": "fri", "sab": "sat", "dom": "sun"}

const maxHoursText = 8 << 10

// hoursTexts are parseHours' messages, by language.
var hoursTexts = map[string]map[string]string{
	"it": {
		"line":          "riga %d: %s",
		"too_long":      "il testo è troppo lungo",
		"holidays":      "%q: scrivi \"festivi aperto\" o \"festivi chiuso\"",
		"span":          "%q non è nella forma HH:MM-HH:MM",
		"yearly":        "%s è un giorno chiuso ogni anno: scrivi %s chiuso, oppure una data AAAA-MM-GG per altri orari",
		"day":           "%q non è un giorno della settimana (lun … dom) né una data AAAA-MM-GG o MM-GG",
		"absence_date":  "scrivi il primo giorno e, se sono più giorni, l'ultimo (24/12/2026 31/12/2026), poi una nota",
		"weekdays_only": "qui vanno solo i giorni della settimana (lun … dom); le assenze hanno il loro campo",
		"absence_span":  "l'ultimo giorno viene prima del primo, o l'assenza dura più di un anno",
		"absence_note":  "la nota supera i 200 caratteri",
		"absence_many":  "al massimo 60 assenze: togli quelle passate",
	},
	"en": {
		"line":          "line %d: %s",
		"too_long":      "the text is too long",
		"holidays":      "%q: write \"holidays open\" or \"holidays closed\"",
		"span":          "%q is not HH:MM-HH:MM",
		"yearly":        "%s is a day closed every year: write %s closed, or a date YYYY-MM-DD for other hours",
		"day":           "%q is neither a weekday (mon … sun) nor a date YYYY-MM-DD or MM-DD",
		"absence_date":  "write the first day and, for several days, the last (2026-12-24 2026-12-31), then a note",
		"weekdays_only": "only weekdays (mon … sun) go here; absences have their own field",
		"absence_span":  "the last day comes before the first, or the absence lasts over a year",
		"absence_note":  "the note is over 200 characters",
		"absence_many":  "at most 60 absences: remove past ones",
	},
}

// parseHours reads the console's opening hours text; its problems are
// in lang.
func parseHours(text, lang string) (shop.Hours, error) {
	h := shop.Hours{Weekly: map[string][]shop.Span{}}
	t := hoursTexts[lang]
	if t == nil {
		t = hoursTexts["en"]
	}
	bad := func(line int, key string, args ...any) error {
		msg := fmt.Sprintf(t[key], args...)
		if line > 0 {
			msg = fmt.Sprintf(t["line"], line, msg)
		}
		return core.Invalid("the opening hours are not valid", core.FieldError{Field: "hours", Message: msg})
	}
	if len(text) > maxHoursText {
		return h, bad(0, "too_long")
	}
	for i, line := range strings.Split(text, "\n") {
		words := strings.Fields(line)
		if len(words) == 0 {
			continue
		}
		day := strings.ToLower(words[0])
		if en, ok := dayNames[day]; ok {
			day = en
		}
		if day == "festivi" || day == "holidays" {
			switch v := strings.ToLower(strings.Join(words[1:], " ")); v {
			case "aperto", "open":
				h.OpenOnHolidays = true
			case "chiuso", "closed":
				h.OpenOnHolidays = false
			default:
				return h, bad(i+1, "holidays", v)
			}
			continue
		}
		var spans []shop.Span
		closed, note := false, ""
		for k, w := range words[1:] {
			if lw := strings.ToLower(w); lw == "chiuso" || lw == "closed" {
				closed, note = true, strings.Join(words[k+2:], " ")
				break
			}
			open, close, ok := strings.Cut(w, "-")
			if !ok {
				return h, bad(i+1, "span", w)
			}
			spans = append(spans, shop.Span{Open: open, Close: close})
		}
		switch {
		case slices.Contains(shop.Weekdays, day):
			h.Weekly[day] = spans
		case len(day) == 10 && day[4] == '-':
			h.Exceptions = append(h.Exceptions, shop.Exception{Date: day, Closed: closed || len(spans) == 0, Spans: spans, Note: note})
		case len(day) == 5 && day[2] == '-' && len(spans) == 0:
			h.Closures = append(h.Closures, shop.Closure{Date: day, Note: note})
		case len(day) == 5 && day[2] == '-':
			return h, bad(i+1, "yearly", day, day)
		default:
			return h, bad(i+1, "day", words[0])
		}
	}
	return h, nil
}

func formatHours(h shop.Hours, lang string) string {
	var b strings.Builder
	names := shop.Weekdays
	if lang == "it" {
		names = []string{"lun", "mar", "mer", "gio", "ven", "sab", "dom"}
	}
	closed := map[string]string{"it": "chiuso", "en": "closed"}[lang]
	for i, d := range shop.Weekdays {
		spans, ok := h.Weekly[d]
		if !ok {
			continue
		}
		b.WriteString(names[i])
		for _, s := range spans {
			b.WriteString(" " + s.Open + "-" + s.Close)
		}
		if len(spans) == 0 {
			b.WriteString(" " + closed)
		}
		b.WriteString("\n")
	}
	for _, e := range h.Exceptions {
		b.WriteString(e.Date)
		for _, s := range e.Spans {
			b.WriteString(" " + s.Open + "-" + s.Close)
		}
		if e.Closed {
			b.WriteString(" " + closed)
			if e.Note != "" {
				b.WriteString(" " + e.Note)
			}
		}
		b.WriteString("\n")
	}
	for _, c := range h.Closures {
		b.WriteString(strings.TrimSpace(c.Date + " " + closed + " " + c.Note))
		b.WriteString("\n")
	}
	if h.OpenOnHolidays {
		b.WriteString(map[string]string{"it": "festivi aperto", "en": "holidays open"}[lang] + "\n")
	}
	return b.String()
}

// setupPage shows the chain's set-up: its settings (owner), its shops and
// its staff, with the forms that change them.
func (c *Console) setupPage(ctx *fiber.Ctx) error {
	return c.renderSetup(ctx, texts[lang(ctx)]["done_"+ctx.Query("done")], "", nil)
}

func (c *Console) renderSetup(ctx *fiber.Ctx, notice, problem string, failed *failedForm) error {
	uctx := ctx.UserContext()
	m, err := c.Shops.Me(uctx)
	if err != nil {
		return err
	}
	shops, err := c.Shops.VisibleShops(uctx)
	if err != nil {
		return err
	}
	members, err := c.Shops.StaffList(uctx)
	if err != nil {
		return err
	}
	chain, err := c.Shops.Chain(uctx)
	if err != nil {
		return err
	}
	hours := map[string]string{}
	for _, s := range shops {
		hours[s.ID] = formatHours(s.Hours, lang(ctx))
	}
	services, err := c.Agenda.StaffOfferings(uctx)
	if err != nil {
		return err
	}
	agendas := map[string]*booking.Practitioner{}
	for _, s := range shops {
		ps, err := c.Agenda.ShopPractitioners(uctx, s.ID)
		if err != nil {
			return err
		}
		for _, p := range ps {
			agendas[p.StaffID] = p
		}
	}
	return c.render(ctx, "setup.html", page{Staff: m, Shops: shops, Members: members, Chain: chain, Hours: hours,
		Notice: notice, Error: problem, Failed: failed, Services: services, Agendas: agendas})
}

// serviceInputs are the inputs of a service's form.
var serviceInputs = []string{"shop_id", "code", "name", "name_en", "duration_min", "buffer_before_min", "buffer_after_min",
	"min_notice_min", "max_ahead_days", "cancel_notice_min", "daily_cap", "skills", "active"}

// skills are who may perform a service.
var skills = []string{"optometrist", "contact_lens", "assistant"}

// serviceSubmit creates a bookable service (new) or changes one: what it
// is called, how long it takes with its buffers, who performs it, how
// far ahead and how late it can be booked or cancelled.
func (c *Console) serviceSubmit(ctx *fiber.Ctx) error {
	form := "service-new"
	if id := ctx.Params("id"); id != "" {
		form = "service-" + id
	}
	num := func(name string) int {
		n, err := strconv.Atoi(strings.TrimSpace(ctx.FormValue(name)))
		if err != nil {
			return -1 // out of every bound: refused with the field's message
		}
		return n
	}
	active := ctx.FormValue("active") == "1"
	in := booking.OfferingInput{ShopID: ctx.FormValue("shop_id"), Code: strings.TrimSpace(ctx.FormValue("code")), Name: ctx.FormValue("name"),
		NameEN: ctx.FormValue("name_en"), DurationMin: num("duration_min"), BufferBeforeMin: num("buffer_before_min"),
		BufferAfterMin: num("buffer_after_min"), MinNoticeMin: num("min_notice_min"), MaxAheadDays: num("max_ahead_days"),
		CancelNoticeMin: num("cancel_notice_min"), DailyCap: num("daily_cap"), Active: &active}
	for _, v := range ctx.Request().PostArgs().PeekMulti("skills") {
		in.Skills = append(in.Skills, string(v))
	}
	err := web.Valid(&in)
	if err == nil {
		_, err = c.Agenda.SaveOffering(ctx.UserContext(), ctx.Params("id"), in)
	}
	if err != nil {
		return c.formFailed(ctx, form, serviceInputs, err)
	}
	return c.backToSetup(ctx, "service")
}

// serviceForm is one service's form on the set-up page (a new one when
// Service is nil): what it shows, as stored or as typed.
type serviceForm struct {
	T       map[string]string
	Service *booking.Offering
	ID      string
	Shops   []*shop.Shop
	Skills  []string
	page    page
	stored  map[string]string
}

func serviceFormOf(p page, s *booking.Offering) serviceForm {
	f := serviceForm{T: p.T, Service: s, ID: "service-new", Shops: p.Shops, Skills: skills, page: p, stored: map[string]string{
		"duration_min": "30", "buffer_before_min": "0", "buffer_after_min": "0", "min_notice_min": "120", "max_ahead_days": "60",
		"cancel_notice_min": "1440", "daily_cap": "0", "active": "1"}}
	if p.Staff != nil && p.Staff.ShopID != "" {
		f.stored["shop_id"] = p.Staff.ShopID
	}
	if s != nil {
		f.ID = "service-" + s.ID
		active := ""
		if s.Active {
			active = "1"
		}
		f.stored = map[string]string{"shop_id": s.ShopID, "code": s.Code, "name": s.Name, "name_en": s.NameEN,
			"duration_min": strconv.Itoa(s.DurationMin), "buffer_before_min": strconv.Itoa(s.BufferBeforeMin),
			"buffer_after_min": strconv.Itoa(s.BufferAfterMin), "min_notice_min": strconv.Itoa(s.MinNoticeMin),
			"max_ahead_days": strconv.Itoa(s.MaxAheadDays), "cancel_notice_min": strconv.Itoa(s.CancelNoticeMin),
			"daily_cap": strconv.Itoa(s.DailyCap), "active": active}
	}
	return f
}

// V is the value input name shows: as typed if this form failed.
func (f serviceForm) V(name string) string { return f.page.Val(f.ID, name, f.stored[name]) }

// E is the message next to input name, if this form failed on it.
func (f serviceForm) E(name string) string { return f.page.Err(f.ID, name) }

// Has reports whether the service is performed by skill (as ticked if
// the form failed).
func (f serviceForm) Has(skill string) bool {
	if ticked, ok := f.page.Ticked(f.ID, "skills", skill); ok {
		return ticked
	}
	return f.Service != nil && slices.Contains(f.Service.Skills, skill)
}

// Numbers are the service's numeric inputs with their labels, in the
// order a manager thinks of them.
func (f serviceForm) Numbers() [][2]string {
	return [][2]string{{"duration_min", f.T["svc_duration"]}, {"buffer_before_min", f.T["svc_buffer_before"]},
		{"buffer_after_min", f.T["svc_buffer_after"]}, {"min_notice_min", f.T["svc_notice"]}, {"max_ahead_days", f.T["svc_ahead"]},
		{"cancel_notice_min", f.T["svc_cancel"]}, {"daily_cap", f.T["svc_cap"]}}
}

// agendaForm is the form of one staff member's agenda on the set-up page:
// what they perform, when they work, when they are away.
type agendaForm struct {
	T      map[string]string
	ID     string
	Member *shop.Staff
	Skills []string
	page   page
	p      *booking.Practitioner
	Lang   string
}

func agendaFormOf(p page, m *shop.Staff) agendaForm {
	return agendaForm{T: p.T, ID: "agenda-" + m.ID, Member: m, Skills: skills, page: p, p: p.Agendas[m.ID], Lang: p.Lang}
}

// Hours is the member's weekly hours as the form writes them; "" works
// the shop's hours.
func (f agendaForm) Hours() string {
	stored := ""
	if f.p != nil && f.p.Hours != nil {
		stored = formatHours(shop.Hours{Weekly: f.p.Hours}, f.Lang)
	}
	return f.page.Val(f.ID, "hours", stored)
}

// Absences are the member's absences, one a line: from, to, note.
func (f agendaForm) Absences() string {
	var b strings.Builder
	if f.p != nil {
		for _, a := range f.p.Absences {
			b.WriteString(dayOf(a.From, f.Lang) + " " + dayOf(a.To, f.Lang))
			if a.Note != "" {
				b.WriteString(" " + a.Note)
			}
			b.WriteString("\n")
		}
	}
	return f.page.Val(f.ID, "absences", b.String())
}

// E is the message next to input name, if this form failed on it.
func (f agendaForm) E(name string) string { return f.page.Err(f.ID, name) }

// Open reports whether the form shows unfolded: it failed, or it was
// just saved.
func (f agendaForm) Open() bool { return f.page.FailedIs(f.ID) }

// Has reports whether the member performs skill (as ticked if the form
// failed).
func (f agendaForm) Has(skill string) bool {
	if ticked, ok := f.page.Ticked(f.ID, "skills", skill); ok {
		return ticked
	}
	return f.p != nil && slices.Contains(f.p.Skills, skill)
}

// dayOf writes an ISO date as the page's language reads it: 24/12/2026.
func dayOf(iso, lang string) string {
	d, err := time.Parse(time.DateOnly, iso)
	if err != nil || lang != "it" {
		return iso
	}
	return d.Format("02/01/2006")
}

// Bounds of the absences text area: its size, and its lines (as the
// agenda keeps at most 60 absences).
const (
	maxAbsenceText = 8 << 10
	maxAbsences    = 60
)

// parseAbsences reads one absence a line: a day, or a first and a last
// day (24/12/2026 or 2026-12-24), then an optional note.
func parseAbsences(text, lang string) ([]booking.Absence, error) {
	t := hoursTexts[lang]
	if t == nil {
		t = hoursTexts["en"]
	}
	bad := func(line int, msg string) error {
		return core.Invalid("the absences are not valid", core.FieldError{Field: "absences", Message: fmt.Sprintf(t["line"], line, msg)})
	}
	if len(text) > maxAbsenceText {
		return nil, core.Invalid("the absences are not valid", core.FieldError{Field: "absences", Code: "too_long", Message: t["too_long"]})
	}
	var out []booking.Absence
	for i, line := range strings.Split(text, "\n") {
		words := strings.Fields(line)
		if len(words) == 0 {
			continue
		}
		from, ok := isoDay(words[0])
		if !ok {
			return nil, bad(i+1, t["absence_date"])
		}
		a := booking.Absence{From: from, To: from}
		rest := words[1:]
		if len(rest) > 0 {
			if to, ok := isoDay(strings.TrimPrefix(rest[0], "-")); ok {
				a.To, rest = to, rest[1:]
			}
		}
		a.Note = strings.Join(rest, " ")
		from2, _ := time.Parse(time.DateOnly, a.From)
		to2, _ := time.Parse(time.DateOnly, a.To)
		switch {
		case from2.Year() < 2000 || to2.Year() > 2100 || to2.Before(from2) || to2.Sub(from2) > 366*24*time.Hour:
			return nil, bad(i+1, t["absence_span"])
		case len([]rune(a.Note)) > 200:
			return nil, bad(i+1, t["absence_note"])
		case len(out) == maxAbsences:
			return nil, bad(i+1, t["absence_many"])
		}
		out = append(out, a)
	}
	return out, nil
}

// isoDay reads 24/12/2026, 24.12.2026 or 2026-12-24 as 2026-12-24.
func isoDay(s string) (string, bool) {
	for _, layout := range []string{"02/01/2006", "2/1/2006", "02.01.2006", time.DateOnly} {
		if d, err := time.Parse(layout, s); err == nil {
			return d.Format(time.DateOnly), true
		}
	}
	return "", false
}

// agendaInputs are the inputs of a staff member's agenda form.
var agendaInputs = []string{"skills", "hours", "absences"}

// agendaSubmit saves a staff member's skills, weekly hours (none: the
// shop's) and absences.
func (c *Console) agendaSubmit(ctx *fiber.Ctx) error {
	form := "agenda-" + ctx.Params("id")
	in := booking.PractitionerInput{}
	for _, v := range ctx.Request().PostArgs().PeekMulti("skills") {
		in.Skills = append(in.Skills, string(v))
	}
	if text := strings.TrimSpace(ctx.FormValue("hours")); text != "" {
		h, err := parseHours(text, lang(ctx))
		if err == nil && (len(h.Exceptions) > 0 || len(h.Closures) > 0) {
			err = core.Invalid("the hours are not valid", core.FieldError{Field: "hours", Message: hoursTexts[lang(ctx)]["weekdays_only"]})
		}
		if err != nil {
			return c.formFailed(ctx, form, agendaInputs, err)
		}
		in.Hours = h.Weekly
	}
	abs, err := parseAbsences(ctx.FormValue("absences"), lang(ctx))
	if err == nil {
		in.Absences = abs
		err = web.Valid(&in)
	}
	if err == nil {
		_, err = c.Agenda.SavePractitioner(ctx.UserContext(), ctx.Params("id"), in)
	}
	if err != nil {
		return c.formFailed(ctx, form, agendaInputs, err)
	}
	return c.backToSetup(ctx, "agenda")
}

// The set-up page's forms and their inputs.
var (
	chainInputs  = []string{"name", "ios_url", "android_url", "default_locale", "apple_app_ids", "android_apps", "colour", "accent"}
	shopInputs   = []string{"name", "slug", "city", "address", "phone", "time_zone", "hours"}
	inviteInputs = []string{"name", "email", "role", "shop_id"}
)

// formFailed shows the set-up page again when err is a problem the user
// can fix: the form named form as it was typed (its inputs), each wrong
// field's message next to it. Any other error goes on.
func (c *Console) formFailed(ctx *fiber.Ctx, form string, inputs []string, err error) error {
	msg, fields, ok := problemOf(err, lang(ctx), inputs)
	if !ok {
		return err
	}
	ctx.Status(fiber.StatusUnprocessableEntity)
	return c.renderSetup(ctx, "", msg, &failedForm{ID: form, Typed: typedValues(ctx, inputs), Fields: fields})
}

// formProblem is the text of an error a form's user can fix (invalid
// input, a right they lack, a collision) in the page's language, each
// field's message in it; ok is false for any other.
func formProblem(ctx *fiber.Ctx, err error) (string, bool) {
	msg, _, ok := problemOf(err, lang(ctx), nil)
	return msg, ok
}

func (c *Console) backToSetup(ctx *fiber.Ctx, notice string) error {
	return ctx.Redirect("/console/setup?"+url.Values{"lang": {lang(ctx)}, "done": {notice}}.Encode(), fiber.StatusSeeOther)
}

// chainSubmit saves the chain's settings; its logo stays unless the form
// asks to take it away.
func (c *Console) chainSubmit(ctx *fiber.Ctx) error {
	old, err := c.Shops.Chain(ctx.UserContext())
	if err != nil {
		return err
	}
	in := shop.Chain{Name: ctx.FormValue("name"), IOSURL: ctx.FormValue("ios_url"), AndroidURL: ctx.FormValue("android_url"),
		DefaultLocale: ctx.FormValue("default_locale"), AppleAppIDs: lines(ctx.FormValue("apple_app_ids")),
		AndroidApps: lines(ctx.FormValue("android_apps")), Colour: ctx.FormValue("colour"), Accent: ctx.FormValue("accent"), LogoURL: old.LogoURL}
	if ctx.FormValue("remove_logo") == "1" {
		in.LogoURL = ""
	}
	if _, err := c.Shops.SaveChain(ctx.UserContext(), in); err != nil {
		return c.formFailed(ctx, "chain", chainInputs, err)
	}
	return c.backToSetup(ctx, "chain")
}

// lines are the non-blank lines of a text area, trimmed.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// logoSubmit stores the uploaded picture as the chain's logo.
func (c *Console) logoSubmit(ctx *fiber.Ctx) error {
	data, err := uploaded(ctx)
	if err != nil {
		return err
	}
	if _, err := c.Shops.SetLogo(ctx.UserContext(), data); err != nil {
		return c.formFailed(ctx, "logo", []string{"image"}, err)
	}
	return c.backToSetup(ctx, "logo")
}

func (c *Console) shopSubmit(ctx *fiber.Ctx) error {
	form := "new-shop"
	if id := ctx.Params("shop"); id != "" {
		form = "shop-" + id
	}
	hours, err := parseHours(ctx.FormValue("hours"), lang(ctx))
	if err != nil {
		return c.formFailed(ctx, form, shopInputs, err)
	}
	in := shop.ShopInput{Slug: strings.TrimSpace(ctx.FormValue("slug")), Name: strings.TrimSpace(ctx.FormValue("name")),
		City: strings.TrimSpace(ctx.FormValue("city")), Address: strings.TrimSpace(ctx.FormValue("address")),
		Phone: strings.TrimSpace(ctx.FormValue("phone")), TimeZone: strings.TrimSpace(ctx.FormValue("time_zone")), Hours: hours}
	if in.TimeZone == "" {
		in.TimeZone = "Europe/Rome"
	}
	if err := web.Valid(&in); err != nil {
		return c.formFailed(ctx, form, shopInputs, err)
	}
	if id := ctx.Params("shop"); id != "" {
		_, err = c.Shops.UpdateShop(ctx.UserContext(), id, in)
	} else {
		_, err = c.Shops.CreateShop(ctx.UserContext(), in)
	}
	if err != nil {
		return c.formFailed(ctx, form, shopInputs, err)
	}
	return c.backToSetup(ctx, "shop")
}

func (c *Console) inviteSubmit(ctx *fiber.Ctx) error {
	in := shop.InviteInput{Email: strings.TrimSpace(ctx.FormValue("email")), Name: strings.TrimSpace(ctx.FormValue("name")),
		Role: core.Role(ctx.FormValue("role")), ShopID: ctx.FormValue("shop_id")}
	if err := web.Valid(&in); err != nil {
		return c.formFailed(ctx, "invite", inviteInputs, err)
	}
	if _, err := c.Shops.Invite(ctx.UserContext(), in); err != nil {
		return c.formFailed(ctx, "invite", inviteInputs, err)
	}
	return c.backToSetup(ctx, "invited")
}

// memberSubmit is a staff row's buttons: deactivate, reactivate, send the
// invitation again.
func (c *Console) memberSubmit(ctx *fiber.Ctx) error {
	id := ctx.Params("id")
	var err error
	switch ctx.FormValue("action") {
	case "deactivate", "reactivate":
		active := ctx.FormValue("action") == "reactivate"
		_, err = c.Shops.ChangeStaff(ctx.UserContext(), id, shop.StaffChange{Active: &active})
	case "resend":
		err = c.Shops.ResendInvite(ctx.UserContext(), id)
	default:
		err = core.Invalid("unknown action", core.FieldError{Field: "action", Message: "must be deactivate, reactivate or resend"})
	}
	if err != nil {
		return c.formFailed(ctx, "staff", nil, err)
	}
	return c.backToSetup(ctx, "staff")
}

func (c *Console) passwordPage(ctx *fiber.Ctx) error {
	return c.render(ctx, "password.html", page{Mode: "change"})
}

func (c *Console) passwordSubmit(ctx *fiber.Ctx) error {
	err := c.Shops.ChangePassword(ctx.UserContext(), ctx.FormValue("current_password"), ctx.FormValue("password"))
	if core.IsCode(err, core.EINVALID) {
		ctx.Status(fiber.StatusUnprocessableEntity)
		return c.render(ctx, "password.html", page{Mode: "change", Error: texts[lang(ctx)]["password_rules"]})
	} else if err != nil {
		return err
	}
	return ctx.Redirect("/console/?lang="+lang(ctx), fiber.StatusSeeOther)
}

// linkJS moves the token of an e-mailed link from the URL's fragment into
// the form. It is a file of its own: the pages' Content-Security-Policy
// runs no inline script.
const linkJS = `(function () {
  var t = location.hash.slice(1), f = document.getElementById('token');
  if (t && f) { f.value = t; history.replaceState(null, '', location.pathname + location.search); }
})();
`

func linkScript(ctx *fiber.Ctx) error {
	ctx.Set(fiber.HeaderContentType, "text/javascript; charset=utf-8")
	return ctx.SendString(linkJS)
}

// linkPage is the page an e-mailed link opens: the token stays in the
// URL's fragment (never sent to a server or written to a log) until the
// page's form posts it.
func (c *Console) linkPage(mode string) fiber.Handler {
	return func(ctx *fiber.Ctx) error { return c.render(ctx, "password.html", page{Mode: mode}) }
}

func (c *Console) linkSubmit(mode string) fiber.Handler {
	return func(ctx *fiber.Ctx) error {
		token, password := ctx.FormValue("token"), ctx.FormValue("password")
		var err error
		if mode == "invite" {
			_, err = c.Shops.AcceptInvite(ctx.UserContext(), token, password)
		} else {
			_, err = c.Shops.ResetPassword(ctx.UserContext(), token, password)
		}
		t := texts[lang(ctx)]
		switch {
		case core.IsCode(err, core.EINVALID):
			ctx.Status(fiber.StatusUnprocessableEntity)
			return c.render(ctx, "password.html", page{Mode: mode, Error: t["password_rules"]})
		case core.IsCode(err, core.EGONE), core.IsCode(err, core.EMALFORMED):
			ctx.Status(fiber.StatusGone)
			return c.render(ctx, "password.html", page{Mode: mode, Error: t["link_gone"]})
		case err != nil:
			return err
		}
		return ctx.Redirect(LoginPath+"?"+url.Values{"lang": {lang(ctx)}, "done": {"password"}}.Encode(), fiber.StatusSeeOther)
	}
}

func (c *Console) forgotPage(ctx *fiber.Ctx) error {
	return c.render(ctx, "password.html", page{Mode: "forgot"})
}

func (c *Console) forgotSubmit(ctx *fiber.Ctx) error {
	email := ctx.FormValue("email")
	if len(email) > 254 {
		email = ""
	}
	err := c.Shops.ForgotPassword(ctx.UserContext(), email)
	if core.IsCode(err, core.ETOOMANY) {
		ctx.Status(fiber.StatusTooManyRequests)
		return c.render(ctx, "password.html", page{Mode: "forgot", Error: texts[lang(ctx)]["too_many"]})
	} else if err != nil {
		return err
	}
	return c.render(ctx, "password.html", page{Mode: "forgot", Notice: texts[lang(ctx)]["forgot_sent"]})
}

// shopForm is what the shop fields template needs: one shop (nil for a
// new one), its hours as text, and the page's failed form if it is this.
type shopForm struct {
	T      map[string]string
	Shop   *shop.Shop
	ID     string
	page   page
	stored map[string]string
}

func shopFormOf(p page, s *shop.Shop) shopForm {
	f := shopForm{T: p.T, Shop: s, ID: "new-shop", page: p, stored: map[string]string{"time_zone": "Europe/Rome"}}
	if s != nil {
		f.ID = "shop-" + s.ID
		f.stored = map[string]string{"name": s.Name, "slug": s.Slug, "city": s.City, "address": s.Address,
			"phone": s.Phone, "time_zone": s.TimeZone, "hours": p.Hours[s.ID]}
	}
	return f
}

// V is the value input name shows: as typed if this form failed.
func (f shopForm) V(name string) string { return f.page.Val(f.ID, name, f.stored[name]) }

// E is the message next to input name, if this form failed on it.
func (f shopForm) E(name string) string { return f.page.Err(f.ID, name) }
