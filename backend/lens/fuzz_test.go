package lens

import (
	"testing"
	"time"
)

// FuzzSchedule drives the supply arithmetic with any input the API
// accepts (and a little beyond): it must never panic, never run out
// before it starts, keep reminders in time order at the shop's hour, and
// stay within what a customer can have bought.
func FuzzSchedule(f *testing.F) {
	f.Add("both", uint8(2), uint8(1), uint16(2), int32(0), uint8(7))
	f.Add("right", uint8(0), uint8(50), uint16(400), int32(-4000), uint8(1))
	f.Add("left", uint8(4), uint8(50), uint16(400), int32(3650), uint8(5))
	modalities := []Modality{Daily, TwoWeekly, Monthly, Quarterly, Yearly}
	st := DefaultSettings()
	f.Fuzz(func(t *testing.T, eye string, mod, boxes uint8, perBox uint16, startDay int32, wear uint8) {
		u := Usage{
			Eye: eye, Modality: modalities[int(mod)%len(modalities)], Boxes: int(boxes), LensesPerBox: int(perBox),
			Start:           time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(startDay%40000)),
			WearDaysPerWeek: int(wear),
		}
		p, err := Compute(u, u.Start)
		if err != nil {
			if Schedule(u, st) != nil {
				t.Fatal("a schedule for an invalid supply")
			}
			return
		}
		if p.RunsOutOn.Before(u.Start) {
			t.Fatalf("runs out on %v, before its start %v", p.RunsOutOn, u.Start)
		}
		if err := CheckDuration(u); err != nil {
			return // refused by the service before any schedule is made
		}
		rs := Schedule(u, st)
		if len(rs) > MaxSupplyDays {
			t.Fatalf("%d reminders", len(rs))
		}
		for i, r := range rs {
			if i > 0 && r.At.Before(rs[i-1].At) {
				t.Fatal("reminders out of order")
			}
			if local := r.At.In(st.Location); local.Hour() != st.HourLocal {
				t.Fatalf("reminder at %v, not %d:00 shop time", local, st.HourLocal)
			}
		}
	})
}
