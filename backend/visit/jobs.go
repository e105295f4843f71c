package visit

import (
	"time"

	"github.com/vista-optical/vista/backend/jobs"
)

// Jobs are the visits' upkeep: anonymous visits older than Retention go.
func (s *Service) Jobs() []jobs.Task {
	return []jobs.Task{jobs.Purge("purge_anonymous_visits", time.Hour, s.Clock.Now, s.Retention, s.Store.PurgeAnonymousVisits)}
}
