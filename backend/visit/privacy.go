package visit

import (
	"context"

	"github.com/vista-optical/vista/backend/privacy"
)

// Sections are the visits' part of a customer's export and erasure: the
// visits linked to them, with what the screens recorded in each.
func (s *Service) Sections() []privacy.Section {
	return []privacy.Section{{
		Name: "visits", Collections: []string{"visits", "visit_events", "visit_codes"},
		Export: func(ctx context.Context, id string) (any, error) { return s.views(ctx, id) },
		Erase:  s.Store.DeleteCustomerVisits,
	}}
}
