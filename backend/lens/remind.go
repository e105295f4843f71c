package lens

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
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

// Scan enqueues every reminder whose time has come, and returns how many
// messages it enqueued. It reads only supplies whose next reminder is due
// (an index range), enqueues each reminder with a dedupe key (customer,
// supply, kind, date) and then moves the supply's next reminder on with a
// conditional update: run twice, or on two instances at once, it enqueues
// every reminder once.
func (s *Service) Scan(ctx context.Context) (int, error) {
	return scan(ctx, s, s.Store.DueSupplies, s.Store.AdvanceReminders, func(sp *Supply, now time.Time) ([]*notify.Message, Advance) {
		locale, ok := s.locale(ctx, sp.CustomerID)
		if !ok { // erased: no reminder now, none planned
			return nil, Advance{ID: sp.ID, Prev: *sp.NextReminderAt}
		}
		m, next := s.remind(ctx, sp, now, locale)
		return m, Advance{ID: sp.ID, Prev: *sp.NextReminderAt, Next: next}
	})
}

// scan is the loop of every reminder scan: read what is due a page at a
// time (an index range), turn each item into its messages and its
// advance, then write the page's messages in one write and its advances
// in another. A crash in between re-enqueues on the next scan, and the
// dedupe keys make that a no-op. It returns how many messages it
// enqueued.
func scan[T any](ctx context.Context, s *Service,
	due func(ctx context.Context, now time.Time, limit int) ([]T, error),
	advance func(ctx context.Context, as []Advance) (int, error),
	each func(item T, now time.Time) ([]*notify.Message, Advance),
) (int, error) {
	now := s.Clock.Now()
	enqueued := 0
	for {
		page, err := due(ctx, now, 500)
		if err != nil || len(page) == 0 {
			return enqueued, err
		}
		var msgs []*notify.Message
		advances := make([]Advance, 0, len(page))
		for _, item := range page {
			m, a := each(item, now)
			msgs = append(msgs, m...)
			advances = append(advances, a)
		}
		n, err := s.Outbox.EnqueueMessages(ctx, msgs)
		if err != nil {
			return enqueued, err
		}
		enqueued += n
		if _, err := advance(ctx, advances); err != nil {
			return enqueued, err
		}
	}
}

// locale is the language a customer's reminders are written in, and
// ok=false for a closed account, which gets none.
func (s *Service) locale(ctx context.Context, customerID string) (string, bool) {
	if s.Customers == nil {
		return "it", true
	}
	return s.Customers.Locale(ctx, customerID)
}

// remind returns the messages a due supply must send now, and its next
// reminder time (nil when none is left).
func (s *Service) remind(ctx context.Context, sp *Supply, now time.Time, locale string) ([]*notify.Message, *time.Time) {
	st := s.Settings.For(ctx, sp.ShopID)
	prev := *sp.NextReminderAt
	rs := Schedule(sp.Usage(), st)
	today := Date(now, st.Location)
	// A catch-up (a time no reminder is planned at) sends what the supply
	// missed before it was entered.
	catchingUp := !slices.ContainsFunc(rs, func(r Reminder) bool { return r.At.Equal(prev) })
	latest := map[string]Reminder{}
	for _, r := range rs {
		if (r.At.Before(prev) && !catchingUp) || r.At.After(now) || r.Date.Before(today) {
			continue
		}
		latest[r.Kind] = r // a late scan sends the most recent reminder of each kind, not a backlog
	}
	var msgs []*notify.Message
	for _, r := range latest {
		for _, ch := range []core.Channel{notify.ChannelPush, notify.ChannelInbox} {
			msgs = append(msgs, reminderMessage(sp, r, ch, now, locale))
		}
	}
	var next *time.Time
	if r, ok := Next(rs, now); ok {
		next = &r.At
	}
	return msgs, next
}

// reminderMessage is the outbox message of one reminder on one channel. Its
// text carries no health data (no lens type, no prescription): details are
// inside the signed-in app.
func reminderMessage(sp *Supply, r Reminder, channel core.Channel, now time.Time, locale string) *notify.Message {
	kind := r.Kind
	if r.Kind == KindRunsOut {
		kind = fmt.Sprintf("%s_%d", r.Kind, r.DaysBefore)
	}
	date := r.Date.Format(time.DateOnly)
	t := reminderTexts[locale]
	if t == nil {
		t = reminderTexts["it"]
	}
	title, body := t["runs_out_title"], t["runs_out_body"]
	if r.Kind == KindReplace {
		title, body = t["replace_title"], t["replace_body"]
	}
	if sp.MemberID != "" {
		title = t["family_title"]
	}
	return &notify.Message{
		ID: core.NewID(), CustomerID: sp.CustomerID, ShopID: sp.ShopID, Channel: channel, Purpose: notify.PurposeService,
		DedupeKey: fmt.Sprintf("%s:%s:%s:%s:%s", sp.CustomerID, sp.ID, kind, date, channel),
		Cause:     fmt.Sprintf("lens:%s:%s:%s", sp.ID, kind, date),
		Title:     title, Body: body,
		Data:  map[string]string{"link": "vista://lenses/" + sp.ID, "supply_id": sp.ID, "actions": "reorder,book_exam", "kind": r.Kind},
		DueAt: now, Status: notify.StatusPending, CreatedAt: now, UpdatedAt: now,
	}
}

// reminderTexts are what a lock screen may show: nothing about the lenses
// themselves (type, brand, prescription), which would be health data.
var reminderTexts = map[string]map[string]string{
	"it": {
		"runs_out_title": "Le tue lenti stanno per finire",
		"runs_out_body":  "Apri l'app per i dettagli: puoi riordinarle nel tuo negozio.",
		"replace_title":  "È ora di cambiare le lenti",
		"replace_body":   "Apri l'app per i dettagli.",
		"family_title":   "Promemoria lenti per la tua famiglia",
		"exam_title":     "È ora del controllo della vista",
		"exam_family":    "Controllo della vista per la tua famiglia",
		"exam_body":      "Prenota la visita dall'app, in pochi secondi.",
	},
	"en": {
		"runs_out_title": "Your lenses are running out",
		"runs_out_body":  "Open the app for details: you can reorder them at your shop.",
		"replace_title":  "Time to change your lenses",
		"replace_body":   "Open the app for details.",
		"family_title":   "Lens reminder for your family",
		"exam_title":     "Time for your eye exam",
		"exam_family":    "Eye exam due in your family",
		"exam_body":      "Book it in the app in a few seconds.",
	},
}
