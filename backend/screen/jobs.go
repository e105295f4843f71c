package screen

import (
	"time"

	"github.com/vista-optical/vista/backend/jobs"
)

// EventRetention is how long the screens' event log keeps an event: a
// screen that was off longer starts again from its content.
const EventRetention = 24 * time.Hour

// Jobs are the screens' upkeep: old events and proof of play go.
func (s *Service) Jobs() []jobs.Task {
	return []jobs.Task{
		jobs.Purge("purge_screen_events", time.Hour, s.Clock.Now, EventRetention, s.Store.PurgeEvents),
		jobs.Purge("purge_proof_of_play", time.Hour, s.Clock.Now, PlayRetention, s.Store.PurgePlays),
	}
}
