package visit

import (
	"context"

	"github.com/vista-optical/vista/backend/privacy"
)

// Sections are the visits' part of a customer's export and erasure: the
// visits linked to them, with what the screens recorded in each.
func (s *Service) Sections() []privacy.Section {
	return []privacy.Section{{
		Name: "visits", Collections: []string{"visits", "visit_events", "visit_codes", "visit_preferences"},
		Export: func(ctx context.Context, id string) (any, error) {
			vs, err := s.views(ctx, id)
			if err != nil {
				return nil, err
			}
			greet, err := s.Store.Greets(ctx, id)
			return map[string]any{"visits": vs, "settings": Settings{GreetOnScreens: greet}}, err
		},
		Erase: s.Store.DeleteCustomerVisits,
	}}
}
