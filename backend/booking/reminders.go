package booking

import (
	"context"
	"time"

	"github.com/vista-optical/vista/backend/notify"
)

// nextReminder is the first of the 24-hour and 2-hour reminders of a
// booking starting at start still ahead of now.
func nextReminder(start, now time.Time) *time.Time {
	for _, d := range []time.Duration{24 * time.Hour, 2 * time.Hour} {
		if t := start.Add(-d); t.After(now) {
			return &t
		}
	}
	return nil
}

// Remind enqueues every booking reminder whose time has come (24 hours
// and 2 hours before), once: each with a dedupe key of its booking, kind
// and start, then the booking's next reminder moved on conditionally. It
// returns how many messages it enqueued.
func (a *Agenda) Remind(ctx context.Context, outbox interface {
	EnqueueMessages(ctx context.Context, ms []*notify.Message) (int, error)
}) (int, error) {
	now := a.Clock.Now()
	total := 0
	for {
		due, err := a.Store.DueBookingReminders(ctx, now, 500)
		if err != nil || len(due) == 0 {
			return total, err
		}
		var msgs []*notify.Message
		rs := make([]Reminder, 0, len(due))
		for _, b := range due {
			sv, err1 := a.Store.Offering(ctx, b.ServiceID)
			sh, err2 := a.Shops.Shop(ctx, b.ShopID)
			if err1 == nil && err2 == nil && b.Start.After(now) {
				kind := "reminder-2h"
				if b.Start.Sub(*b.RemindAt) >= 24*time.Hour {
					kind = "reminder-24h"
				}
				msgs = append(msgs, a.notice(ctx, b, sv, sh, kind, now)...)
			}
			rs = append(rs, Reminder{Booking: b, Prev: *b.RemindAt, Next: nextReminder(b.Start, now)})
		}
		n, err := outbox.EnqueueMessages(ctx, msgs)
		if err != nil {
			return total, err
		}
		total += n
		if _, err := a.Store.AdvanceBookingReminders(ctx, rs); err != nil {
			return total, err
		}
	}
}
