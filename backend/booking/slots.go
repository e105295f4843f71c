package booking

import (
	"cmp"
	"slices"
	"sort"
	"time"

	"github.com/vista-optical/vista/backend/shop"
)

// span is a stretch of time [start, end) in Unix seconds: free slots
// compare thousands of them, and integers compare fastest.
type span struct{ start, end int64 }

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
	Service  *Offering
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
func Window(s *Offering, now time.Time, loc *time.Location) (earliest, latest time.Time) {
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
	g := p.grid()
	busy, perDay := p.holds()
	staff := p.able()
	for day := from; !day.After(to); {
		y, m, d := day.Date()
		date := day.Format(time.DateOnly)
		noon := time.Date(y, m, d, 12, 0, 0, 0, p.Loc)
		day = time.Date(y, m, d+1, 0, 0, 0, 0, p.Loc)
		if p.Service.DailyCap > 0 && perDay[date] >= p.Service.DailyCap {
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
			g.fill(y, m, d, spans, busy[st.StaffID], st.StaffID)
		}
	}
	for i := range g.out {
		slices.Sort(g.out[i].StaffIDs)
		g.out[i].StaffIDs = slices.Compact(g.out[i].StaffIDs)
	}
	slices.SortFunc(g.out, func(a, b Slot) int { return a.Start.Compare(b.Start) })
	return g.out
}

// slotGrid is where the plan's appointments may start, in Unix seconds,
// and the free starts found so far. Starts are found day by day, staff
// member by staff member: they are indexed by instant to gather who is
// free at each.
type slotGrid struct {
	lo, hi, dur, before, after, step int64
	loc                              *time.Location
	out                              []Slot
	index                            map[int64]int
}

func (p Plan) grid() *slotGrid {
	earliest, latest := Window(p.Service, p.Now, p.Loc)
	return &slotGrid{lo: earliest.Unix(), hi: latest.Unix(), dur: int64(p.Duration / time.Second),
		before: int64(p.Service.BufferBeforeMin * 60), after: int64(p.Service.BufferAfterMin * 60),
		step: int64(Step / time.Second), loc: p.Loc, index: map[int64]int{}}
}

// fill adds the starts of one staff member's day: inside spans (minutes
// of the day), in the window, clear of what they hold with the buffers.
func (g *slotGrid) fill(y int, m time.Month, d int, spans [][2]int, held []span, staffID string) {
	for _, sp := range spans {
		open, close := at(y, m, d, sp[0], g.loc).Unix(), at(y, m, d, sp[1], g.loc).Unix()
		first := (open + g.step - 1) / g.step * g.step
		for s := first; s+g.dur <= close; s += g.step {
			if s < g.lo || s >= g.hi || clashes(held, span{s - g.before, s + g.dur + g.after}) {
				continue
			}
			i, ok := g.index[s]
			if !ok {
				i = len(g.out)
				g.index[s] = i
				g.out = append(g.out, Slot{Start: time.Unix(s, 0).In(g.loc), End: time.Unix(s+g.dur, 0).In(g.loc)})
			}
			g.out[i].StaffIDs = append(g.out[i].StaffIDs, staffID)
		}
	}
}

// holds returns what each staff member holds, merged, and how many of
// the plan's service each day already has.
func (p Plan) holds() (map[string][]span, map[string]int) {
	busy := map[string][]span{}
	perDay := map[string]int{}
	for _, b := range p.Busy {
		if !b.ActiveAt(p.Now) {
			continue
		}
		busy[b.StaffID] = append(busy[b.StaffID], span{b.HoldStart.Unix(), b.HoldEnd.Unix()})
		if b.ServiceID == p.Service.ID {
			perDay[b.Day]++
		}
	}
	for id, iv := range busy {
		busy[id] = merge(iv)
	}
	return busy, perDay
}

// able returns the staff with the service's skills.
func (p Plan) able() []*Practitioner {
	var staff []*Practitioner
	for _, s := range p.Staff {
		if s.Can(p.Service.Skills) {
			staff = append(staff, s)
		}
	}
	return staff
}

// merge sorts iv and joins overlapping or touching spans, so that both
// starts and ends are in order.
func merge(iv []span) []span {
	slices.SortFunc(iv, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	out := iv[:0]
	for _, x := range iv {
		if n := len(out); n > 0 && x.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, x.end)
			continue
		}
		out = append(out, x)
	}
	return out
}

// clashes reports whether hold overlaps one of the merged spans.
func clashes(iv []span, hold span) bool {
	i := sort.Search(len(iv), func(i int) bool { return iv[i].end > hold.start })
	return i < len(iv) && iv[i].start < hold.end
}

func weekdayKey(d time.Weekday) string { return shop.Weekdays[(int(d)+6)%7] }
