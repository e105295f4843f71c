package lens

import (
	"strings"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/notify"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestCompute(t *testing.T) {
	cases := []struct {
		name      string
		u         Usage
		today     string
		runsOut   string
		daysLeft  int
		replaceOn string // "" for none
	}{
		{"daily, both eyes, 90-pack, every day",
			Usage{BothEyes, Daily, 1, 90, day("2026-01-01"), 7}, "2026-01-01", "2026-02-15", 45, ""},
		{"daily, one eye lasts twice as long",
			Usage{RightEye, Daily, 1, 90, day("2026-01-01"), 7}, "2026-01-01", "2026-04-01", 90, ""},
		{"daily, 5 days a week, whole weeks",
			Usage{BothEyes, Daily, 1, 20, day("2026-01-05"), 5}, "2026-01-05", "2026-01-19", 14, ""},
		{"daily, 5 days a week, partial week",
			Usage{BothEyes, Daily, 1, 24, day("2026-01-05"), 5}, "2026-01-05", "2026-01-21", 16, ""},
		{"daily, odd lens left over is not a pair",
			Usage{BothEyes, Daily, 1, 31, day("2026-01-01"), 7}, "2026-01-10", "2026-01-16", 6, ""},
		{"daily across a leap day",
			Usage{BothEyes, Daily, 2, 30, day("2028-02-01"), 7}, "2028-02-01", "2028-03-02", 30, ""},
		{"daily, already run out",
			Usage{BothEyes, Daily, 1, 30, day("2026-01-01"), 7}, "2026-03-01", "2026-01-16", 0, ""},
		{"monthly, both eyes, 6-pack = 3 months",
			Usage{BothEyes, Monthly, 1, 6, day("2026-01-01"), 7}, "2026-01-10", "2026-04-01", 81, "2026-01-31"},
		{"monthly, wear days do not stretch a reusable lens",
			Usage{BothEyes, Monthly, 1, 6, day("2026-01-01"), 3}, "2026-01-10", "2026-04-01", 81, "2026-01-31"},
		{"monthly, second pair in use",
			Usage{BothEyes, Monthly, 1, 6, day("2026-01-01"), 7}, "2026-02-05", "2026-04-01", 55, "2026-03-02"},
		{"monthly, on the replacement day the next pair starts",
			Usage{BothEyes, Monthly, 1, 6, day("2026-01-01"), 7}, "2026-01-31", "2026-04-01", 60, "2026-03-02"},
		{"monthly, boxes added to a running supply",
			Usage{BothEyes, Monthly, 2, 6, day("2026-01-01"), 7}, "2026-02-05", "2026-06-30", 145, "2026-03-02"},
		{"monthly across February of a leap year",
			Usage{LeftEye, Monthly, 1, 3, day("2028-02-01"), 7}, "2028-02-15", "2028-05-01", 76, "2028-03-02"},
		{"two-weekly, one eye",
			Usage{LeftEye, TwoWeekly, 1, 6, day("2026-03-01"), 7}, "2026-03-01", "2026-05-24", 84, "2026-03-15"},
		{"quarterly pair",
			Usage{BothEyes, Quarterly, 1, 2, day("2026-01-01"), 7}, "2026-01-01", "2026-04-01", 90, "2026-04-01"},
		{"yearly, run out: no replacement date",
			Usage{BothEyes, Yearly, 1, 2, day("2024-01-01"), 7}, "2026-01-01", "2024-12-31", 0, ""},
		{"start in the future counts from the start",
			Usage{BothEyes, Monthly, 1, 2, day("2026-02-01"), 7}, "2026-01-20", "2026-03-03", 42, "2026-03-03"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Compute(c.u, day(c.today))
			if err != nil {
				t.Fatal(err)
			}
			if got := p.RunsOutOn.Format(time.DateOnly); got != c.runsOut {
				t.Errorf("runs out on %s, want %s", got, c.runsOut)
			}
			if p.DaysLeft != c.daysLeft {
				t.Errorf("days left %d, want %d", p.DaysLeft, c.daysLeft)
			}
			got := ""
			if p.ReplacePairOn != nil {
				got = p.ReplacePairOn.Format(time.DateOnly)
			}
			if got != c.replaceOn {
				t.Errorf("replace pair on %q, want %q", got, c.replaceOn)
			}
		})
	}
}

func TestComputeRejects(t *testing.T) {
	for _, u := range []Usage{
		{BothEyes, "weekly", 1, 6, day("2026-01-01"), 7},
		{BothEyes, Daily, 0, 30, day("2026-01-01"), 7},
		{BothEyes, Daily, 1, 30, day("2026-01-01"), 8},
		{"nose", Daily, 1, 30, day("2026-01-01"), 7},
	} {
		if _, err := Compute(u, day("2026-01-01")); err == nil {
			t.Errorf("Compute(%+v) accepted", u)
		}
	}
}

func TestDateIgnoresDST(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	// 00:30 on the morning after the spring change is still that date in Rome.
	at := time.Date(2026, 3, 29, 0, 30, 0, 0, rome)
	if got := Date(at, rome).Format(time.DateOnly); got != "2026-03-29" {
		t.Fatal(got)
	}
}

// TestScheduleAcrossDST: reminders go out at 10:00 Rome on the days the
// clocks change, neither skipped nor doubled (T23).
func TestScheduleAcrossDST(t *testing.T) {
	st := DefaultSettings()
	rome := st.Location
	cases := []struct {
		start         string
		runsOutMinus3 string
	}{
		{"2026-03-02", "2026-03-29"}, // monthly pair runs out 1 April; 3 days before is the spring change
		{"2026-09-28", "2026-10-25"}, // runs out 28 October; 3 days before is the autumn change
	}
	for _, c := range cases {
		u := Usage{BothEyes, Monthly, 1, 2, day(c.start), 7}
		rs := Schedule(u, st)
		var found []Reminder
		for _, r := range rs {
			if r.Kind == KindRunsOut && r.DaysBefore == 3 {
				found = append(found, r)
			}
		}
		if len(found) != 1 {
			t.Fatalf("%d three-day reminders", len(found))
		}
		local := found[0].At.In(rome)
		if local.Format("2006-01-02 15:04") != c.runsOutMinus3+" 10:00" {
			t.Errorf("reminder at %s, want %s 10:00 Rome", local.Format("2006-01-02 15:04 MST"), c.runsOutMinus3)
		}
	}
	// A reusable supply of 6 pairs has 5 replacement reminders and 2 run-out ones.
	rs := Schedule(Usage{BothEyes, Monthly, 1, 12, day("2026-01-01"), 7}, st)
	if len(rs) != 7 {
		t.Fatalf("%d reminders, want 7", len(rs))
	}
	for i := 1; i < len(rs); i++ {
		if rs[i].At.Before(rs[i-1].At) {
			t.Fatal("schedule not in time order")
		}
	}
}

// TestReminderTextsHoldNoHealthData: what a lock screen shows names no
// lens, brand or condition, in either language (T30).
func TestReminderTextsHoldNoHealthData(t *testing.T) {
	sp := &Supply{ID: "s1", CustomerID: "c1", Brand: "Acuvue", Product: "Oasys for Astigmatism", Modality: Monthly}
	brands := []string{"acuvue", "oasys"}
	for _, locale := range []string{"it", "en", "fr"} {
		for _, kind := range []string{KindRunsOut, KindReplace} {
			m := reminderMessage(sp, Reminder{Kind: kind, Date: day("2026-04-01"), DaysBefore: 3}, "push", day("2026-03-29"), locale)
			if err := notify.CheckLockScreen(m.Title, m.Body); err != nil {
				t.Errorf("%s/%s reminder: %v", locale, kind, err)
			}
			text := strings.ToLower(m.Title + " " + m.Body)
			for _, b := range brands {
				if strings.Contains(text, b) {
					t.Errorf("%s/%s reminder text %q names the brand %q", locale, kind, text, b)
				}
			}
			if len(m.Title)+len(m.Body) > 400 {
				t.Errorf("text too long for a lock screen")
			}
		}
	}
	if en := reminderMessage(sp, Reminder{Kind: KindRunsOut, Date: day("2026-04-01")}, "push", day("2026-03-29"), "en"); en.Title != "Your lenses are running out" {
		t.Fatalf("English title %q", en.Title)
	}
}
