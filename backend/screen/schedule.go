package screen

import (
	"fmt"
	"slices"
	"time"

	"github.com/vista-optical/vista/backend/core"
)

var weekdays = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// Check reports what is wrong with s, as a field error under field.
func (s Schedule) Check(field string) *core.FieldError {
	if len(s.Weekdays) > 7 {
		return &core.FieldError{Field: field + ".weekdays", Code: "too_many", Message: "must have at most 7 items"}
	}
	for _, d := range s.Weekdays {
		if !slices.Contains(weekdays, d) {
			return &core.FieldError{Field: field + ".weekdays", Code: "not_allowed", Message: "must be among mon, tue, wed, thu, fri, sat, sun"}
		}
	}
	if (s.From == "") != (s.To == "") {
		return &core.FieldError{Field: field + ".to", Code: "required", Message: "from and to go together"}
	}
	for _, f := range []struct{ name, v string }{{"from", s.From}, {"to", s.To}} {
		if _, ok := minuteOfDay(f.v); f.v != "" && !ok {
			return &core.FieldError{Field: field + "." + f.name, Code: "invalid_time", Message: "must be a time written HH:MM, such as 09:00"}
		}
	}
	if s.From != "" && s.From == s.To {
		return &core.FieldError{Field: field + ".to", Code: "invalid", Message: "must differ from from"}
	}
	return nil
}

// Holds reports whether s allows showing at t, in the shop's zone loc. A
// window spanning midnight belongs to the day it starts on: a Friday
// 19:30–09:00 loop runs into Saturday morning.
func (s Schedule) Holds(t time.Time, loc *time.Location) bool {
	local := t.In(loc)
	day := local
	if s.From != "" {
		from, _ := minuteOfDay(s.From)
		to, _ := minuteOfDay(s.To)
		now := local.Hour()*60 + local.Minute()
		switch {
		case from < to:
			if now < from || now >= to {
				return false
			}
		case now >= from: // the evening part of a window past midnight
		case now < to: // its morning part: yesterday's window
			day = local.AddDate(0, 0, -1)
		default:
			return false
		}
	}
	return len(s.Weekdays) == 0 || slices.Contains(s.Weekdays, weekdays[day.Weekday()])
}

func minuteOfDay(s string) (int, bool) {
	var h, m int
	if len(s) != 5 {
		return 0, false
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil || h > 23 || m > 59 || h < 0 || m < 0 {
		return 0, false
	}
	return h*60 + m, true
}
