package catalog

import (
	"time"

	"github.com/vista-optical/vista/backend/jobs"
)

// TouchRetention is how long a product page's visits are counted: a year
// of touchpoints, and a month to compare with.
const TouchRetention = 400 * 24 * time.Hour

// Jobs are the catalog's upkeep: touches older than a year and a month go.
func (s *Service) Jobs() []jobs.Task {
	return []jobs.Task{jobs.Purge("purge_touches", time.Hour, s.Clock.Now, TouchRetention, s.Store.PurgeTouches)}
}
