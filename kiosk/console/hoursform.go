package console

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/shop"
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
