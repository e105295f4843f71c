package console

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/shop"
)

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
		_, err = c.Agenda.SavePractitioner(ctx.UserContext(), ctx.Params("id"), in)
	}
	if err != nil {
		return c.formFailed(ctx, form, agendaInputs, err)
	}
	return c.backToSetup(ctx, "agenda")
}
