package lens

import (
	"context"

	"github.com/vista-optical/vista/backend/privacy"
)

// Sections are lens data's part of a customer's export and erasure: the
// supplies they or staff recorded and the eye-exam due dates.
func (s *Service) Sections() []privacy.Section {
	return []privacy.Section{
		{
			Name: "lenses", Collections: []string{"lens_supplies"},
			Export: func(ctx context.Context, id string) (any, error) { return s.Store.Supplies(ctx, id) },
			Erase:  s.Store.DeleteSupplies,
		},
		{
			Name: "eye_exams", Collections: []string{"eye_exams"},
			Export: func(ctx context.Context, id string) (any, error) { return s.Exams.Exams(ctx, id) },
			Erase:  s.Exams.DeleteExams,
		},
	}
}
