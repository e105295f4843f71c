package shop

import (
	"testing"
	"time"
)

func TestHoursOpenAtAcrossBreaksExceptionsAndDST(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	week := []Span{{"09:00", "13:00"}, {"15:00", "19:30"}}
	h := Hours{Weekly: map[string][]Span{"sun": week, "mon": week, "sat": {{"09:00", "19:00"}}},
		Exceptions: []Exception{{Date: "2026-12-28", Closed: true}, {Date: "2026-03-29", Spans: []Span{{"10:00", "12:00"}}}}}
	if fe := h.Check(); fe != nil {
		t.Fatal(fe)
	}
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, rome)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UTC()
	}
	for _, c := range []struct {
		when string
		open bool
	}{
		{"2026-12-21 08:59", false}, {"2026-12-21 09:00", true}, {"2026-12-21 13:00", false}, // a Monday and its break
		{"2026-12-21 14:30", false}, {"2026-12-21 19:29", true}, {"2026-12-21 19:30", false},
		{"2026-12-22 10:00", false},                             // Tuesday: no hours
		{"2026-12-28 10:00", false},                             // a Monday closed by exception
		{"2026-03-29 11:30", true}, {"2026-03-29 15:30", false}, // the Sunday clocks go forward: its own hours
		{"2026-10-25 09:30", true}, // the Sunday clocks go back: local time still
	} {
		if got := h.OpenAt(at(c.when), rome); got != c.open {
			t.Errorf("OpenAt(%s) = %v, want %v", c.when, got, c.open)
		}
	}
}

func TestHoursCheckRefusesWhatCannotBeRead(t *testing.T) {
	for name, h := range map[string]Hours{
		"unknown day":    {Weekly: map[string][]Span{"lunedi": {{"09:00", "10:00"}}}},
		"not a time":     {Weekly: map[string][]Span{"mon": {{"9", "10:00"}}}},
		"closes first":   {Weekly: map[string][]Span{"mon": {{"10:00", "09:00"}}}},
		"overlap":        {Weekly: map[string][]Span{"mon": {{"09:00", "13:00"}, {"12:00", "14:00"}}}},
		"too many spans": {Weekly: map[string][]Span{"mon": {{"01:00", "02:00"}, {"03:00", "04:00"}, {"05:00", "06:00"}, {"07:00", "08:00"}, {"09:00", "10:00"}}}},
		"bad date":       {Exceptions: []Exception{{Date: "25/12/2026", Closed: true}}},
		"far date":       {Exceptions: []Exception{{Date: "9999-12-25", Closed: true}}},
		"twice":          {Exceptions: []Exception{{Date: "2026-12-25", Closed: true}, {Date: "2026-12-25", Closed: true}}},
		"closed w/hours": {Exceptions: []Exception{{Date: "2026-12-25", Closed: true, Spans: []Span{{"09:00", "10:00"}}}}},
	} {
		if h.Check() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
