package lens

import (
	"sort"
	"time"
)

// Reminder kinds.
const (
	KindRunsOut = "runs_out" // some days before a supply runs out
	KindReplace = "replace"  // the day a reusable pair must be replaced
)

// Reminder is one planned reminder of a supply.
type Reminder struct {
	Kind string
	// Date is the day the reminder is about (the run-out or the replacement
	// day); with the kind and supply it makes the dedupe key.
	Date time.Time
	// DaysBefore is how many days before Date it is sent.
	DaysBefore int
	// At is when it is sent: HourLocal on Date − DaysBefore, shop time.
	At time.Time
}

// Settings are a shop's reminder settings.
type Settings struct {
	// RunsOutDaysBefore lists how many days before running out to remind.
	RunsOutDaysBefore []int
	// ReplaceDay reminds on each replacement day of a reusable pair.
	ReplaceDay bool
	// HourLocal is the local hour reminders go out at.
	HourLocal int
	Location  *time.Location
}

// DefaultSettings: 14 and 3 days before running out, on the replacement
// day, at 10:00 in Europe/Rome.
func DefaultSettings() Settings {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		rome = time.UTC
	}
	return Settings{RunsOutDaysBefore: []int{14, 3}, ReplaceDay: true, HourLocal: 10, Location: rome}
}

// Schedule returns every reminder of a supply, in time order. It is pure.
func Schedule(u Usage, st Settings) []Reminder {
	p, err := Compute(u, u.Start)
	if err != nil {
		return nil
	}
	var out []Reminder
	at := func(day time.Time, before int) time.Time {
		d := day.AddDate(0, 0, -before)
		return time.Date(d.Year(), d.Month(), d.Day(), st.HourLocal, 0, 0, 0, st.Location).UTC()
	}
	for _, b := range st.RunsOutDaysBefore {
		out = append(out, Reminder{Kind: KindRunsOut, Date: p.RunsOutOn, DaysBefore: b, At: at(p.RunsOutOn, b)})
	}
	if st.ReplaceDay && u.Modality.Reusable() {
		start := Date(u.Start, time.UTC)
		for d := start.AddDate(0, 0, u.Modality.PeriodDays()); d.Before(p.RunsOutOn); d = d.AddDate(0, 0, u.Modality.PeriodDays()) {
			out = append(out, Reminder{Kind: KindReplace, Date: d, At: at(d, 0)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// SendingHour is the first HourLocal o'clock, shop time, strictly after t.
func SendingHour(t time.Time, st Settings) time.Time {
	local := t.In(st.Location)
	at := time.Date(local.Year(), local.Month(), local.Day(), st.HourLocal, 0, 0, 0, st.Location)
	if !at.After(t) {
		d := local.AddDate(0, 0, 1)
		at = time.Date(d.Year(), d.Month(), d.Day(), st.HourLocal, 0, 0, 0, st.Location)
	}
	return at.UTC()
}

// Upcoming is when the next reminder of a schedule goes, after t: the next
// one planned, or — for a supply entered after its reminder dates, that
// has not run out yet — a catch-up at the next sending hour, so that a
// customer who registers a box running out in two days still hears of
// it. ok is false when nothing is left to remind.
func Upcoming(rs []Reminder, t time.Time, st Settings) (time.Time, bool) {
	if r, ok := Next(rs, t); ok {
		return r.At, true
	}
	if r, ok := catchUp(rs, t, st); ok {
		return SendingHour(t, st), !r.Date.IsZero()
	}
	return time.Time{}, false
}

// catchUp returns the most recent reminder already past at t whose day has
// not gone by at the next sending hour.
func catchUp(rs []Reminder, t time.Time, st Settings) (Reminder, bool) {
	at := SendingHour(t, st)
	day := Date(at, st.Location)
	var found Reminder
	ok := false
	for _, r := range rs {
		if !r.At.After(t) && !r.Date.Before(day) {
			found, ok = r, true
		}
	}
	return found, ok
}

// Next returns the first reminder of the schedule due strictly after t,
// and false when none is left.
func Next(rs []Reminder, t time.Time) (Reminder, bool) {
	for _, r := range rs {
		if r.At.After(t) {
			return r, true
		}
	}
	return Reminder{}, false
}
