package ratelimit

import (
	"time"

	"github.com/vista-optical/vista/backend/jobs"
)

// Jobs are the limiter's upkeep: windows that have ended go.
func (l *Limiter) Jobs() []jobs.Task {
	return []jobs.Task{jobs.Purge("purge_rate_windows", 10*time.Minute, l.Clock.Now, 0, l.Store.PurgeRates)}
}
