package console

import (
	"reflect"
	"testing"

	"github.com/vista-optical/vista/backend/shop"
)

// TestHoursText: yearly closing days with their note, and a shop that
// opens on holidays, read and write back.
func TestHoursText(t *testing.T) {
	h, err := parseHours("lun 09:00-19:00\n12-07 chiuso Sant'Ambrogio\n2026-12-31 chiuso Inventario\nfestivi aperto", "it")
	if err != nil {
		t.Fatal(err)
	}
	want := shop.Hours{Weekly: map[string][]shop.Span{"mon": {{Open: "09:00", Close: "19:00"}}},
		Exceptions: []shop.Exception{{Date: "2026-12-31", Closed: true, Note: "Inventario"}},
		Closures:   []shop.Closure{{Date: "12-07", Note: "Sant'Ambrogio"}}, OpenOnHolidays: true}
	if !reflect.DeepEqual(h, want) {
		t.Fatalf("parsed %+v, want %+v", h, want)
	}
	if got := formatHours(h, "it"); got != "lun 09:00-19:00\n2026-12-31 chiuso Inventario\n12-07 chiuso Sant'Ambrogio\nfestivi aperto\n" {
		t.Fatalf("written %q", got)
	}
	for _, bad := range []string{"12-07 09:00-12:00", "festivi forse", "7/12 chiuso"} {
		if _, err := parseHours(bad, "it"); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// FuzzParseHours: the opening-hours text comes from a form. Whatever it
// holds, parsing never panics, and hours that parse and pass the shop's
// check read back the same after being written out again.
func FuzzParseHours(f *testing.F) {
	for _, s := range []string{
		"lun 09:00-13:00 15:00-19:30\nsab 09:00-19:00\n2026-12-25 chiuso",
		"mon 09:00-12:00\nsun closed\n2026-12-24 10:00-13:00",
		"12-07 chiuso Sant'Ambrogio\nfestivi aperto\n2026-12-31 chiuso  inventario  annuale",
		"02-30 chiuso", "12-07 09:00-12:00", "festivi forse",
		"", "\n\n", "dom", "2026-13-40 chiuso", "mar 9-10", "lun 10:00-09:00", "ven 08:00-12:00 11:00-13:00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		h, err := parseHours(text, "it")
		if err != nil || h.Check() != nil {
			return
		}
		for _, lang := range []string{"it", "en"} {
			again, err := parseHours(formatHours(h, lang), lang)
			if err != nil {
				t.Fatalf("%q: written out in %s it no longer parses: %v", text, lang, err)
			}
			if len(h.Weekly) == 0 && len(again.Weekly) == 0 {
				again.Weekly = h.Weekly
			}
			if !reflect.DeepEqual(normal(h), normal(again)) {
				t.Fatalf("%q: read back as %+v, want %+v", text, again, h)
			}
		}
	})
}

// normal makes empty and missing span lists alike, as the text does.
func normal(h shop.Hours) shop.Hours {
	out := shop.Hours{Weekly: map[string][]shop.Span{}, Closures: h.Closures, OpenOnHolidays: h.OpenOnHolidays}
	for d, spans := range h.Weekly {
		if len(spans) == 0 {
			spans = nil
		}
		out.Weekly[d] = spans
	}
	for _, e := range h.Exceptions {
		if len(e.Spans) == 0 {
			e.Spans = nil
		}
		out.Exceptions = append(out.Exceptions, e)
	}
	return out
}
