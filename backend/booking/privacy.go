package booking

import (
	"context"

	"github.com/vista-optical/vista/backend/privacy"
)

// Sections are what bookings add to a customer's export and erasure:
// their bookings (their family's included) and waitlist entries, with the
// claims the bookings held.
func (a *Agenda) Sections() []privacy.Section {
	return []privacy.Section{{
		Name: "bookings", Collections: []string{"bookings", "booking_claims", "waitlist"},
		Export: func(ctx context.Context, id string) (any, error) {
			bs, err := a.allBookings(ctx, id)
			if err != nil {
				return nil, err
			}
			ws, err := a.Store.CustomerWaitlist(ctx, id)
			return map[string]any{"bookings": a.views(ctx, bs), "waitlist": ws}, err
		},
		Erase: a.Store.DeleteCustomerBookings,
	}}
}
