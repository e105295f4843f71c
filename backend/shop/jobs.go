package shop

import (
	"time"

	"github.com/vista-optical/vista/backend/jobs"
)

// Jobs are the shops' upkeep: staff sessions past their longest life go.
func (s *Service) Jobs() []jobs.Task {
	return []jobs.Task{jobs.Purge("purge_ended_sessions", time.Hour, s.Clock.Now, MaxSessionAge, s.Sessions.PurgeStaffSessions)}
}
