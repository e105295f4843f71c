// Package lens follows a customer's contact lenses (LAC): supplies, the
// arithmetic of when a supply runs out and when a reusable pair must be
// replaced, and the reminders that follow from it.
package lens

import (
	"fmt"
	"time"
)

// Modality is how long one lens is worn before it is thrown away.
type Modality string

// The modalities, with their replacement period in days.
const (
	Daily     Modality = "daily"
	TwoWeekly Modality = "two_weekly"
	Monthly   Modality = "monthly"
	Quarterly Modality = "quarterly"
	Yearly    Modality = "yearly"
	RightEye           = "right"
	LeftEye            = "left"
	BothEyes           = "both"
)

// PeriodDays is the replacement period of a modality in calendar days,
// counted from the day a lens is opened; zero for an unknown modality.
func (m Modality) PeriodDays() int {
	switch m {
	case Daily:
		return 1
	case TwoWeekly:
		return 14
	case Monthly:
		return 30
	case Quarterly:
		return 90
	case Yearly:
		return 365
	}
	return 0
}

// Reusable reports whether a lens is worn on more than one day.
func (m Modality) Reusable() bool { return m.PeriodDays() > 1 }

// Usage is what the arithmetic needs to know about a supply.
type Usage struct {
	Eye          string   // right, left or both
	Modality     Modality //
	Boxes        int      // boxes bought, including boxes added later
	LensesPerBox int      //
	Start        time.Time
	// WearDaysPerWeek is how many days a week the lenses are worn (1–7).
	// Daily lenses are used only on those days; reusable lenses age by
	// calendar day from opening, worn or not.
	WearDaysPerWeek int
}

// Plan is what the app shows about a supply on a given day. Dates are
// calendar dates (midnight UTC).
type Plan struct {
	// RunsOutOn is the first day on which the customer has no lens left
	// to put in.
	RunsOutOn time.Time
	// DaysLeft counts days from today to RunsOutOn (zero once run out).
	DaysLeft int
	// ReplacePairOn is when the pair in use must be thrown away, for
	// reusable modalities; nil for daily lenses or once run out.
	ReplacePairOn *time.Time
}

// Date truncates t to its calendar date in loc, as midnight UTC, so that
// date arithmetic is by whole days whatever the time zone and DST.
func Date(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// MaxSupplyDays is the longest a supply may last: five years. Longer is a
// typing mistake in boxes or lenses per box, and would plan reminders for
// decades (and dates past what JSON can carry).
const MaxSupplyDays = 5 * 366

// CheckDuration returns an error when u, valid otherwise, would last more
// than MaxSupplyDays.
func CheckDuration(u Usage) error {
	p, err := Compute(u, u.Start)
	if err != nil {
		return err
	}
	if days := int(p.RunsOutOn.Sub(Date(u.Start, time.UTC)).Hours() / 24); days > MaxSupplyDays {
		return fmt.Errorf("this supply would last %d years: check boxes and lenses per box", days/365)
	}
	return nil
}

// Compute returns the plan of u as seen on day today (a calendar date).
func Compute(u Usage, today time.Time) (Plan, error) {
	period := u.Modality.PeriodDays()
	switch {
	case period == 0:
		return Plan{}, fmt.Errorf("unknown modality %q", u.Modality)
	case u.Boxes < 1 || u.LensesPerBox < 1:
		return Plan{}, fmt.Errorf("boxes and lenses per box must be at least 1")
	case u.WearDaysPerWeek < 1 || u.WearDaysPerWeek > 7:
		return Plan{}, fmt.Errorf("wearing days per week must be 1–7")
	}
	perUse := 1
	switch u.Eye {
	case BothEyes:
		perUse = 2
	case RightEye, LeftEye:
	default:
		return Plan{}, fmt.Errorf("unknown eye %q", u.Eye)
	}
	start := Date(u.Start, time.UTC)
	today = Date(today, time.UTC)
	uses := u.Boxes * u.LensesPerBox / perUse // lenses (or pairs) to open, one after the other

	var p Plan
	if u.Modality.Reusable() {
		p.RunsOutOn = start.AddDate(0, 0, uses*period)
		if today.Before(p.RunsOutOn) {
			elapsed := max(0, int(today.Sub(start).Hours()/24))
			next := start.AddDate(0, 0, (elapsed/period+1)*period)
			p.ReplacePairOn = &next
		}
	} else {
		// Wearing days are the first WearDaysPerWeek days of each week
		// from the start; the supply lasts uses wearing days.
		weeks, rest := uses/u.WearDaysPerWeek, uses%u.WearDaysPerWeek
		p.RunsOutOn = start.AddDate(0, 0, weeks*7+rest)
	}
	if d := int(p.RunsOutOn.Sub(today).Hours() / 24); d > 0 {
		p.DaysLeft = d
	}
	return p, nil
}
