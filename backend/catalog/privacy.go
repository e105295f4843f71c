package catalog

import (
	"context"

	"github.com/vista-optical/vista/backend/privacy"
)

// Sections are the catalog's part of a customer's export and erasure: their
// click & collect requests.
func Sections(s ReservationStore) []privacy.Section {
	return []privacy.Section{{
		Name: "reservations", Collections: []string{"reservations"},
		Export: func(ctx context.Context, id string) (any, error) { return s.CustomerReservations(ctx, id) },
		Erase:  s.DeleteCustomerReservations,
	}}
}
