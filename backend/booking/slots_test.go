package booking

import (
	"strings"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/shop"
)

var rome, _ = time.LoadLocation("Europe/Rome")

func local(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, rome)
	if err != nil {
		panic(err)
	}
	return t
}

func starts(slots []Slot) string {
	var out []string
	for _, s := range slots {
		out = append(out, s.Start.Format("15:04"))
	}
	return strings.Join(out, " ")
}

func TestSlots(t *testing.T) {
	week := []shop.Span{{Open: "09:00", Close: "11:00"}, {Open: "15:00", Close: "16:00"}}
	hours := shop.Hours{Weekly: map[string][]shop.Span{"mon": week, "tue": week, "wed": week, "thu": week, "fri": week, "sat": week},
		Exceptions: []shop.Exception{{Date: "2026-12-08", Closed: true}, {Date: "2026-12-13", Spans: []shop.Span{{Open: "10:00", Close: "11:00"}}}}}
	exam := &Offering{ID: "svc-exam", DurationMin: 30, BufferAfterMin: 10, MaxAheadDays: 60, Skills: []string{SkillOptometrist}}
	opt := &Practitioner{StaffID: "opt", Skills: []string{SkillOptometrist}}
	asst := &Practitioner{StaffID: "asst", Skills: []string{SkillAssistant}}
	booked := func(staff, svc string, start time.Time, min, before, after int) *Booking {
		return &Booking{StaffID: staff, ServiceID: svc, Day: start.Format(time.DateOnly), Start: start, End: start.Add(time.Duration(min) * time.Minute),
			HoldStart: start.Add(-time.Duration(before) * time.Minute), HoldEnd: start.Add(time.Duration(min+after) * time.Minute), Status: StatusBooked}
	}
	now := local("2026-12-01 08:00")
	cases := []struct {
		name  string
		day   string
		svc   *Offering
		staff []*Practitioner
		busy  []*Booking
		now   time.Time
		want  string
	}{
		{name: "opening hours with a break", day: "2026-12-02", want: "09:00 09:15 09:30 09:45 10:00 10:15 10:30 15:00 15:15 15:30"},
		{name: "only staff with the skill", day: "2026-12-02", staff: []*Practitioner{asst}, want: ""},
		{name: "holiday", day: "2026-12-08", want: ""},
		{name: "extra Sunday opening", day: "2026-12-13", want: "10:00 10:15 10:30"},
		{name: "closed Sunday", day: "2026-12-06", want: ""},
		{name: "minimum notice", day: "2026-12-01", now: local("2026-12-01 08:50"), svc: &Offering{ID: "svc-exam", DurationMin: 30, MinNoticeMin: 60, MaxAheadDays: 60, Skills: []string{SkillOptometrist}},
			want: "10:00 10:15 10:30 15:00 15:15 15:30"},
		{name: "how far ahead", day: "2027-02-01", want: ""},
		// A 30-minute exam at 10:00 holds 10:00–10:40 with its buffer; a new
		// exam needs its own 10 minutes after it.
		{name: "buffers of both bookings", day: "2026-12-02", busy: []*Booking{booked("opt", "svc-exam", local("2026-12-02 10:00"), 30, 0, 10)},
			want: "09:00 09:15 15:00 15:15 15:30"},
		{name: "buffer before", day: "2026-12-02", svc: &Offering{ID: "svc-cl", DurationMin: 30, BufferBeforeMin: 15, MaxAheadDays: 60, Skills: []string{SkillOptometrist}},
			busy: []*Booking{booked("opt", "svc-exam", local("2026-12-02 10:00"), 30, 0, 0)}, want: "09:00 09:15 09:30 15:00 15:15 15:30"},
		{name: "cancelled bookings free their time", day: "2026-12-02", busy: []*Booking{func() *Booking {
			b := booked("opt", "svc-exam", local("2026-12-02 10:00"), 30, 0, 10)
			b.Status = StatusCancelled
			return b
		}()}, want: "09:00 09:15 09:30 09:45 10:00 10:15 10:30 15:00 15:15 15:30"},
		{name: "daily cap", day: "2026-12-02", svc: &Offering{ID: "svc-exam", DurationMin: 30, MaxAheadDays: 60, DailyCap: 1, Skills: []string{SkillOptometrist}},
			busy: []*Booking{booked("other", "svc-exam", local("2026-12-02 15:00"), 30, 0, 0)}, want: ""},
		{name: "absence", day: "2026-12-02", staff: []*Practitioner{{StaffID: "opt", Skills: []string{SkillOptometrist},
			Absences: []Absence{{From: "2026-12-01", To: "2026-12-02"}}}}, want: ""},
		{name: "staff hours within the shop's", day: "2026-12-02", staff: []*Practitioner{{StaffID: "opt", Skills: []string{SkillOptometrist},
			Hours: map[string][]shop.Span{"wed": {{Open: "10:00", Close: "18:00"}}}}}, want: "10:00 10:15 10:30 15:00 15:15 15:30"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := Plan{Loc: rome, Hours: hours, Service: c.svc, Staff: c.staff, Busy: c.busy, Now: c.now, From: c.day, To: c.day}
			if p.Service == nil {
				p.Service = exam
			}
			if p.Staff == nil {
				p.Staff = []*Practitioner{opt, asst}
			}
			if p.Now.IsZero() {
				p.Now = now
			}
			p.Duration = time.Duration(p.Service.DurationMin) * time.Minute
			if got := starts(p.Slots()); got != c.want {
				t.Fatalf("slots %q, want %q", got, c.want)
			}
		})
	}
}

// TestSlotsAcrossDST: on the last Sunday of March the hour 02:00–03:00
// does not exist in Rome, on the last Sunday of October it happens twice;
// slots are instants, so the first day has fewer and the second more, and
// each carries the offset in force.
func TestSlotsAcrossDST(t *testing.T) {
	night := []shop.Span{{Open: "01:00", Close: "04:00"}}
	day := []shop.Span{{Open: "09:00", Close: "10:00"}}
	hours := shop.Hours{Weekly: map[string][]shop.Span{"sat": day, "sun": night, "mon": day}}
	svc := &Offering{ID: "svc", DurationMin: 30, MaxAheadDays: 365, Skills: []string{SkillOptometrist}}
	staff := []*Practitioner{{StaffID: "opt", Skills: []string{SkillOptometrist}}}
	plan := func(from, to string) []Slot {
		return Plan{Loc: rome, Hours: hours, Service: svc, Duration: 30 * time.Minute, Staff: staff, Now: local("2026-01-01 00:00"), From: from, To: to}.Slots()
	}
	offsets := func(slots []Slot) string {
		var out []string
		for _, s := range slots {
			out = append(out, s.Start.Format("15:04Z07:00"))
		}
		return strings.Join(out, " ")
	}
	march := plan("2026-03-28", "2026-03-30")
	want := "09:00+01:00 09:15+01:00 09:30+01:00 " +
		"01:00+01:00 01:15+01:00 01:30+01:00 01:45+01:00 03:00+02:00 03:15+02:00 03:30+02:00 " +
		"09:00+02:00 09:15+02:00 09:30+02:00"
	if got := offsets(march); got != want {
		t.Fatalf("March:\n got %s\nwant %s", got, want)
	}
	october := plan("2026-10-25", "2026-10-25")
	if len(october) != 15 {
		t.Fatalf("October night has %d slots, want 15 (four hours): %s", len(october), offsets(october))
	}
	if got := offsets(october[4:8]); got != "02:00+02:00 02:15+02:00 02:30+02:00 02:45+02:00" {
		t.Fatalf("October, first 02:00: %s", got)
	}
	if got := offsets(october[7:9]); got != "02:45+02:00 02:00+01:00" {
		t.Fatalf("October, second 02:00: %s", got)
	}
	for _, s := range append(march, october...) {
		if s.End.Sub(s.Start) != 30*time.Minute {
			t.Fatalf("slot %s lasts %s", s.Start, s.End.Sub(s.Start))
		}
	}
}

// BenchmarkSlots is the pure part of an availability request: 60 days,
// 5 staff, a busy agenda (half the time booked).
func BenchmarkSlots(b *testing.B) {
	week := []shop.Span{{Open: "09:00", Close: "13:00"}, {Open: "15:00", Close: "19:30"}}
	hours := shop.Hours{Weekly: map[string][]shop.Span{"mon": week, "tue": week, "wed": week, "thu": week, "fri": week, "sat": week}}
	svc := &Offering{ID: "svc", DurationMin: 30, BufferAfterMin: 10, MaxAheadDays: 90, Skills: []string{SkillOptometrist}}
	var staff []*Practitioner
	var busy []*Booking
	from := local("2026-12-01 00:00")
	for i := range 5 {
		id := string(rune('a' + i))
		staff = append(staff, &Practitioner{StaffID: id, Skills: []string{SkillOptometrist}})
		for d := range 60 {
			for h := 9; h < 19; h += 2 {
				s := from.AddDate(0, 0, d).Add(time.Duration(h) * time.Hour)
				busy = append(busy, &Booking{StaffID: id, ServiceID: "svc", Day: s.Format(time.DateOnly), Start: s, End: s.Add(time.Hour),
					HoldStart: s, HoldEnd: s.Add(70 * time.Minute), Status: StatusBooked})
			}
		}
	}
	p := Plan{Loc: rome, Hours: hours, Service: svc, Duration: 30 * time.Minute, Staff: staff, Busy: busy, Now: from, From: "2026-12-01", To: "2027-01-29"}
	b.ReportAllocs()
	for b.Loop() {
		if len(p.Slots()) == 0 {
			b.Fatal("no slots")
		}
	}
}

// TestLongDay: headings say the day in words, the year only when it is
// not this one.
func TestLongDay(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct{ day, locale, want string }{
		{"2026-12-09", "it", "mercoledì 9 dicembre"},
		{"2026-12-09", "en", "Wednesday 9 December"},
		{"2027-01-01", "it", "venerdì 1 gennaio 2027"},
		{"2026-12-09", "fr", "mercoledì 9 dicembre"},
		{"nope", "it", "nope"},
	} {
		if got := LongDay(c.day, now, c.locale); got != c.want {
			t.Errorf("LongDay(%s, %s) = %q, want %q", c.day, c.locale, got, c.want)
		}
	}
}
