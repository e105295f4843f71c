package booking

import (
	"slices"
	"sort"
	"time"

	"github.com/vista-optical/vista/backend/shop"
)

// Interval is a stretch of time [Start, End).
type Interval struct{ Start, End time.Time }

// Slot is a free start for a service, with the staff who could take it.
type Slot struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	StaffIDs []string  `json:"staff_ids"`
}

// Plan is everything free slots are computed from; computing them reads
// nothing else, so one availability request costs a few range reads and
// this pure function.
type Plan struct {
	Loc      *time.Location
	Hours    shop.Hours
	Service  *Service
	Duration time.Duration
	// Staff are the shop's agendas; those without the service's skills
	// are left out.
	Staff []*Practitioner
	// Busy holds the active bookings of the shop.
	Busy []*Booking
	Now  time.Time
	// From and To are local dates, inclusive.
	From, To string
}

// Window is the first and last start a service can be booked at now:
// its minimum notice and how far ahead it opens.
func Window(s *Service, now time.Time, loc *time.Location) (earliest, latest time.Time) {
	earliest = now.Add(time.Duration(s.MinNoticeMin) * time.Minute)
	y, m, d := now.In(loc).Date()
	latest = time.Date(y, m, d+s.MaxAheadDays+1, 0, 0, 0, 0, loc)
	return earliest, latest
}

// at is the instant of local clock time hh:mm on date in loc. A time that
// does not exist (the hour skipped in March) moves forward; one that
// exists twice (October) is its first occurrence.
func at(y int, m time.Month, d, minute int, loc *time.Location) time.Time {
	return time.Date(y, m, d, minute/60, minute%60, 0, 0, loc)
}

func minuteOf(hhmm string) int {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		return -1
	}
	return t.Hour()*60 + t.Minute()
}

// intersect returns the parts of a covered by some span of b (minutes of
// the day).
func intersect(a, b [][2]int) [][2]int {
	var out [][2]int
	for _, x := range a {
		for _, y := range b {
			lo, hi := max(x[0], y[0]), min(x[1], y[1])
			if lo < hi {
				out = append(out, [2]int{lo, hi})
			}
		}
	}
	return out
}

func spanMinutes(spans []shop.Span) [][2]int {
	out := make([][2]int, 0, len(spans))
	for _, s := range spans {
		o, c := minuteOf(s.Open), minuteOf(s.Close)
		if o >= 0 && c > o {
			out = append(out, [2]int{o, c})
		}
	}
	return out
}

// Slots returns the free slots of the plan, by start. A start is free for
// a staff member with the skills when the appointment lies inside both
// the shop's and their hours that day, they are not away, it respects the
// service's notice and window, and the appointment with its buffers
// overlaps nothing they hold (other bookings with their own buffers).
// Days at the service's daily cap have none. Every instant is computed in
// the shop's zone, so the days DST changes are right.
func (p Plan) Slots() []Slot {
	from, err1 := time.ParseInLocation(time.DateOnly, p.From, p.Loc)
	to, err2 := time.ParseInLocation(time.DateOnly, p.To, p.Loc)
	if err1 != nil || err2 != nil || p.Service == nil {
		return nil
	}
	earliest, latest := Window(p.Service, p.Now, p.Loc)
	before := time.Duration(p.Service.BufferBeforeMin) * time.Minute
	after := time.Duration(p.Service.BufferAfterMin) * time.Minute

	busy := map[string][]Interval{}
	perDay := map[string]int{}
	for _, b := range p.Busy {
		if !b.Active() {
			continue
		}
		busy[b.StaffID] = append(busy[b.StaffID], Interval{b.HoldStart, b.HoldEnd})
		if b.ServiceID == p.Service.ID {
			perDay[b.Day]++
		}
	}
	for id, iv := range busy {
		busy[id] = merge(iv)
	}
	var staff []*Practitioner
	for _, s := range p.Staff {
		if s.Can(p.Service.Skills) {
			staff = append(staff, s)
		}
	}

	byStart := map[int64]*Slot{}
	for day := from; !day.After(to); {
		y, m, d := day.Date()
		date := day.Format(time.DateOnly)
		noon := time.Date(y, m, d, 12, 0, 0, 0, p.Loc)
		if p.Service.DailyCap > 0 && perDay[date] >= p.Service.DailyCap {
			day = time.Date(y, m, d+1, 0, 0, 0, 0, p.Loc)
			continue
		}
		shopSpans := spanMinutes(p.Hours.SpansOn(noon, p.Loc))
		for _, st := range staff {
			if st.Away(date) {
				continue
			}
			spans := shopSpans
			if st.Hours != nil {
				spans = intersect(shopSpans, spanMinutes(st.Hours[weekdayKey(noon.Weekday())]))
			}
			for _, sp := range spans {
				open, close := at(y, m, d, sp[0], p.Loc), at(y, m, d, sp[1], p.Loc)
				first := open.Truncate(Step)
				if first.Before(open) {
					first = first.Add(Step)
				}
				for s := first; !s.Add(p.Duration).After(close); s = s.Add(Step) {
					if s.Before(earliest) || !s.Before(latest) {
						continue
					}
					hold := Interval{s.Add(-before), s.Add(p.Duration + after)}
					if clashes(busy[st.StaffID], hold) {
						continue
					}
					k := s.Unix()
					sl := byStart[k]
					if sl == nil {
						sl = &Slot{Start: s.In(p.Loc), End: s.Add(p.Duration).In(p.Loc)}
						byStart[k] = sl
					}
					sl.StaffIDs = append(sl.StaffIDs, st.StaffID)
				}
			}
		}
		day = time.Date(y, m, d+1, 0, 0, 0, 0, p.Loc)
	}
	out := make([]Slot, 0, len(byStart))
	for _, sl := range byStart {
		slices.Sort(sl.StaffIDs)
		sl.StaffIDs = slices.Compact(sl.StaffIDs)
		out = append(out, *sl)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// merge sorts iv and joins overlapping or touching intervals, so that
// both starts and ends are in order.
func merge(iv []Interval) []Interval {
	sort.Slice(iv, func(i, j int) bool { return iv[i].Start.Before(iv[j].Start) })
	out := iv[:0]
	for _, x := range iv {
		if n := len(out); n > 0 && !x.Start.After(out[n-1].End) {
			if x.End.After(out[n-1].End) {
				out[n-1].End = x.End
			}
			continue
		}
		out = append(out, x)
	}
	return out
}

// clashes reports whether hold overlaps one of the merged intervals.
func clashes(iv []Interval, hold Interval) bool {
	i := sort.Search(len(iv), func(i int) bool { return iv[i].End.After(hold.Start) })
	return i < len(iv) && iv[i].Start.Before(hold.End)
}

func weekdayKey(d time.Weekday) string { return shop.Weekdays[(int(d)+6)%7] }
