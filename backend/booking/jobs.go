package booking

import (
	"context"
	"time"

	"github.com/vista-optical/vista/backend/jobs"
)

// ClaimRetention is how long a slot's claim outlives its booking's end:
// long enough for any retry of the booking to find it.
const ClaimRetention = 24 * time.Hour

// Jobs are the agenda's upkeep: reminders before appointments, held slots
// whose time ran out, old claims, and guests kept longer than
// GuestRetention after their appointment.
func (a *Agenda) Jobs() []jobs.Task {
	return []jobs.Task{
		jobs.Every("booking_reminders", time.Minute, func(ctx context.Context) error {
			_, err := a.Remind(ctx, a.Outbox)
			return err
		}),
		jobs.Purge("purge_booking_claims", time.Hour, a.Clock.Now, ClaimRetention, a.Store.PurgeClaims),
		jobs.Purge("expire_booking_holds", time.Hour, a.Clock.Now, 0, a.Store.CancelExpiredHolds),
		jobs.Purge("forget_guests", time.Hour, a.Clock.Now, a.GuestRetention, a.Store.ForgetGuests),
	}
}
