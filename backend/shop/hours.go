package shop

import (
	"fmt"
	"slices"
	"time"

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

// Hours are a shop's opening hours: spans per weekday ("mon" … "sun"),
// and exceptions by date.
type Hours struct {
	Weekly     map[string][]Span `json:"weekly"`
	Exceptions []Exception       `json:"exceptions,omitempty"`
}

// Weekdays are the keys of Hours.Weekly, Monday first.
var Weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// Bounds on what hours may hold.
const (
	maxSpansPerDay = 4
	maxExceptions  = 100
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
		return &core.FieldError{Field: field, Message: fmt.Sprintf("at most %d opening periods a day", maxSpansPerDay)}
	}
	last := -1
	for i, sp := range spans {
		open, ok1 := minutes(sp.Open)
		close, ok2 := minutes(sp.Close)
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case !ok1 || !ok2:
			return &core.FieldError{Field: f, Message: "times are HH:MM, 00:00 to 23:59"}
		case close <= open:
			return &core.FieldError{Field: f, Message: "must close after it opens"}
		case open < last:
			return &core.FieldError{Field: f, Message: "periods must be in order and not overlap"}
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
			return &core.FieldError{Field: "hours.weekly." + day, Message: "days are mon, tue, wed, thu, fri, sat, sun"}
		}
		if fe := checkSpans("hours.weekly."+day, spans); fe != nil {
			return fe
		}
	}
	if len(h.Exceptions) > maxExceptions {
		return &core.FieldError{Field: "hours.exceptions", Message: fmt.Sprintf("at most %d exceptions", maxExceptions)}
	}
	seen := map[string]bool{}
	for i, e := range h.Exceptions {
		f := fmt.Sprintf("hours.exceptions[%d]", i)
		d, err := time.Parse(time.DateOnly, e.Date)
		switch {
		case err != nil || d.Year() < 2000 || d.Year() > 2100:
			return &core.FieldError{Field: f + ".date", Message: "must be a date YYYY-MM-DD between 2000 and 2100"}
		case seen[e.Date]:
			return &core.FieldError{Field: f + ".date", Message: "one exception per date"}
		case e.Closed && len(e.Spans) > 0:
			return &core.FieldError{Field: f, Message: "a closed day has no opening periods"}
		case len([]rune(e.Note)) > maxNote:
			return &core.FieldError{Field: f + ".note", Message: fmt.Sprintf("at most %d characters", maxNote)}
		}
		seen[e.Date] = true
		if fe := checkSpans(f+".spans", e.Spans); fe != nil {
			return fe
		}
	}
	return nil
}

// SpansOn returns the opening periods of the local date of t in loc: the
// exception for that date if there is one, else the weekday's.
func (h Hours) SpansOn(t time.Time, loc *time.Location) []Span {
	local := t.In(loc)
	date := local.Format(time.DateOnly)
	for _, e := range h.Exceptions {
		if e.Date == date {
			return e.Spans
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
