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

// TestHolidaysAndClosingDays: Italy's public holidays close every shop
// (Easter Monday computed), a shop's yearly closing day closes it, an
// exception for the date opens it, and a shop may choose to open on
// holidays.
func TestHolidaysAndClosingDays(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	day := func(s string) time.Time {
		d, err := time.ParseInLocation(time.DateOnly+" 15:04", s+" 10:00", rome)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	open := []Span{{Open: "09:00", Close: "19:00"}}
	weekly := map[string][]Span{"mon": open, "tue": open, "wed": open, "thu": open, "fri": open, "sat": open}
	milan := Hours{Weekly: weekly, Closures: []Closure{{Date: "12-07", Note: "Sant'Ambrogio"}}}
	for date, want := range map[string]bool{
		"2026-12-04": true,  // a Friday
		"2026-12-07": false, // Sant'Ambrogio, Milan's own
		"2026-12-08": false, // Immacolata
		"2026-12-24": true,
		"2026-12-25": false, "2026-12-26": false, // Natale, Santo Stefano (a Saturday)
		"2027-01-01": false, "2027-01-06": false,
		"2026-04-06": false, "2027-03-29": false, // Easter Mondays
		"2027-03-30": true,
		"2027-04-26": true, // the Monday after 25 April (a Sunday in 2027): not a holiday
		"2027-06-02": false, "2027-08-16": true, "2027-11-01": false,
		"2027-10-04": false, // San Francesco, a holiday again from 2026
	} {
		if got := len(milan.SpansOn(day(date), rome)) > 0; got != want {
			t.Errorf("%s: open %v, want %v", date, got, want)
		}
	}
	if name, ok := Holiday(day("2027-03-29"), rome); !ok || name != "Pasquetta" {
		t.Errorf("Holiday(Easter Monday 2027) = %q, %v", name, ok)
	}
	milan.Exceptions = []Exception{{Date: "2026-12-08", Spans: []Span{{Open: "10:00", Close: "18:00"}}}}
	if len(milan.SpansOn(day("2026-12-08"), rome)) != 1 {
		t.Error("an exception does not open the shop on a holiday")
	}
	milan.Exceptions, milan.OpenOnHolidays = nil, true
	if len(milan.SpansOn(day("2026-12-08"), rome)) != 1 || len(milan.SpansOn(day("2026-12-07"), rome)) != 0 {
		t.Error("open on holidays: want 8 December open and the shop's own closing day still closed")
	}
	for _, bad := range []Hours{
		{Closures: []Closure{{Date: "02-30"}}},
		{Closures: []Closure{{Date: "2026-12-07"}}},
		{Closures: []Closure{{Date: "12-07"}, {Date: "12-07"}}},
		{Closures: make([]Closure, maxClosures+1)},
	} {
		if bad.Check() == nil {
			t.Errorf("%+v accepted", bad.Closures)
		}
	}
	if fe := (Hours{Closures: []Closure{{Date: "02-29", Note: "leap"}}}).Check(); fe != nil {
		t.Errorf("02-29 refused: %v", fe)
	}
}
