package lens

import (
	"context"
	"time"

	"github.com/vista-optical/vista/backend/jobs"
)

// Jobs are the reminders lenses send: supplies running out, eye exams due.
func (s *Service) Jobs() []jobs.Task {
	return []jobs.Task{
		jobs.Every("lens_reminders", time.Minute, func(ctx context.Context) error {
			_, err := s.Scan(ctx)
			return err
		}),
		jobs.Every("eye_exam_reminders", time.Minute, func(ctx context.Context) error {
			_, err := s.ScanExams(ctx)
			return err
		}),
	}
}
