package shop

import (
	"fmt"
	"slices"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/aa"
	"github.com/rickar/cal/v2/it"

	"github.com/vista-optical/vista/backend/core"
)

// Span is an opening period of a day in the shop's local time, "09:00" to
// "13:00". A break is the gap between two spans.
type Span struct {
	Open  string `json:"open"`
	Close string `json:"close"`
}

// Exception replaces the weekly hours on one date: closed (a holiday), or
// other spans (a Sunday opening before Christmas).
type Exception struct {
	Date   string `json:"date"` // YYYY-MM-DD, local
	Closed bool   `json:"closed"`
	Spans  []Span `json:"spans,omitempty"`
	Note   string `json:"note,omitempty"`
}

// Closure is a day the shop closes every year, "MM-DD": its town's patron
// saint (Sant'Ambrogio in Milan, 12-07), a local feast.
type Closure struct {
	Date string `json:"date"`
	Note string `json:"note,omitempty"`
}

// Hours are a shop's opening hours: spans per weekday ("mon" … "sun"),
// exceptions by date, the shop's own yearly closing days, and Italy's
// public holidays, closed unless OpenOnHolidays.
type Hours struct {
	Weekly         map[string][]Span `json:"weekly"`
	Exceptions     []Exception       `json:"exceptions,omitempty"`
	Closures       []Closure         `json:"closures,omitempty"`
	OpenOnHolidays bool              `json:"open_on_holidays,omitempty"`
}

// holidays are Italy's national public holidays: those of
// github.com/rickar/cal (Easter Monday computed, 4 October from 2026) and
// Easter Sunday, which it leaves out as a Sunday.
var holidays = &cal.Calendar{Holidays: append(slices.Clone(it.Holidays), aa.Easter.Clone(&cal.Holiday{Name: "Pasqua", Type: cal.ObservancePublic})),
	Cacheable: true}

// Holiday names the public holiday on the local date of t in loc, if any.
func Holiday(t time.Time, loc *time.Location) (string, bool) {
	local := t.In(loc)
	day := time.Date(local.Year(), local.Month(), local.Day(), 12, 0, 0, 0, time.UTC)
	if actual, _, h := holidays.IsHoliday(day); actual {
		return h.Name, true
	}
	return "", false
}

// Weekdays are the keys of Hours.Weekly, Monday first.
var Weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// Bounds on what hours may hold.
const (
	maxSpansPerDay = 4
	maxExceptions  = 100
	maxClosures    = 20
	maxNote        = 200
)

func weekdayKey(d time.Weekday) string { return Weekdays[(int(d)+6)%7] }

func minutes(hhmm string) (int, bool) {
	t, err := time.Parse("15:04", hhmm)
	if err != nil || len(hhmm) != 5 {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

func checkSpans(field string, spans []Span) *core.FieldError {
	if len(spans) > maxSpansPerDay {
		return &core.FieldError{Field: field, Code: "too_many", Param: fmt.Sprint(maxSpansPerDay), Message: fmt.Sprintf("at most %d opening periods a day", maxSpansPerDay)}
	}
	last := -1
	for i, sp := range spans {
		open, ok1 := minutes(sp.Open)
		close, ok2 := minutes(sp.Close)
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case !ok1 || !ok2:
			return &core.FieldError{Field: f, Code: "invalid_time", Message: "times are HH:MM, 00:00 to 23:59"}
		case close <= open:
			return &core.FieldError{Field: f, Code: "closes_before_open", Message: "must close after it opens"}
		case open < last:
			return &core.FieldError{Field: f, Code: "overlap", Message: "periods must be in order and not overlap"}
		}
		last = close
	}
	return nil
}

// Check reports the first thing wrong with h, as a field error under
// "hours".
func (h Hours) Check() *core.FieldError {
	for day, spans := range h.Weekly {
		if !slices.Contains(Weekdays, day) {
			return &core.FieldError{Field: "hours.weekly." + day, Code: "not_allowed", Message: "days are mon, tue, wed, thu, fri, sat, sun"}
		}
		if fe := checkSpans("hours.weekly."+day, spans); fe != nil {
			return fe
		}
	}
	if len(h.Exceptions) > maxExceptions {
		return &core.FieldError{Field: "hours.exceptions", Code: "too_many", Param: fmt.Sprint(maxExceptions), Message: fmt.Sprintf("at most %d exceptions", maxExceptions)}
	}
	if len(h.Closures) > maxClosures {
		return &core.FieldError{Field: "hours.closures", Code: "too_many", Param: fmt.Sprint(maxClosures), Message: fmt.Sprintf("at most %d closing days a year", maxClosures)}
	}
	yearly := map[string]bool{}
	for i, c := range h.Closures {
		f := fmt.Sprintf("hours.closures[%d]", i)
		// A leap year holds every MM-DD there is.
		if _, err := time.Parse(time.DateOnly, "2028-"+c.Date); err != nil || len(c.Date) != 5 {
			return &core.FieldError{Field: f + ".date", Code: "invalid_day_of_year", Message: "must be a day of the year MM-DD, e.g. 12-07"}
		}
		if yearly[c.Date] {
			return &core.FieldError{Field: f + ".date", Code: "duplicate_date", Message: "one closing day per date"}
		}
		if len([]rune(c.Note)) > maxNote {
			return &core.FieldError{Field: f + ".note", Code: "too_long", Param: fmt.Sprint(maxNote), Message: fmt.Sprintf("at most %d characters", maxNote)}
		}
		yearly[c.Date] = true
	}
	seen := map[string]bool{}
	for i, e := range h.Exceptions {
		f := fmt.Sprintf("hours.exceptions[%d]", i)
		d, err := time.Parse(time.DateOnly, e.Date)
		switch {
		case err != nil || d.Year() < 2000 || d.Year() > 2100:
			return &core.FieldError{Field: f + ".date", Code: "invalid_date", Message: "must be a date YYYY-MM-DD between 2000 and 2100"}
		case seen[e.Date]:
			return &core.FieldError{Field: f + ".date", Code: "duplicate_date", Message: "one exception per date"}
		case e.Closed && len(e.Spans) > 0:
			return &core.FieldError{Field: f, Code: "closed_with_periods", Message: "a closed day has no opening periods"}
		case len([]rune(e.Note)) > maxNote:
			return &core.FieldError{Field: f + ".note", Code: "too_long", Param: fmt.Sprint(maxNote), Message: fmt.Sprintf("at most %d characters", maxNote)}
		}
		seen[e.Date] = true
		if fe := checkSpans(f+".spans", e.Spans); fe != nil {
			return fe
		}
	}
	return nil
}

// SpansOn returns the opening periods of the local date of t in loc: the
// exception for that date if there is one (an opening on a holiday
// too); else none on a yearly closing day or, unless the shop opens on
// them, a public holiday; else the weekday's.
func (h Hours) SpansOn(t time.Time, loc *time.Location) []Span {
	local := t.In(loc)
	date := local.Format(time.DateOnly)
	for _, e := range h.Exceptions {
		if e.Date == date {
			return e.Spans
		}
	}
	for _, c := range h.Closures {
		if c.Date == date[5:] {
			return nil
		}
	}
	if !h.OpenOnHolidays {
		if _, ok := Holiday(t, loc); ok {
			return nil
		}
	}
	return h.Weekly[weekdayKey(local.Weekday())]
}

// OpenAt reports whether the shop is open at t, in its time zone loc.
func (h Hours) OpenAt(t time.Time, loc *time.Location) bool {
	local := t.In(loc)
	now := local.Hour()*60 + local.Minute()
	for _, sp := range h.SpansOn(t, loc) {
		open, _ := minutes(sp.Open)
		close, _ := minutes(sp.Close)
		if now >= open && now < close {
			return true
		}
	}
	return false
}
