package auth

import (
	"time"

	"github.com/vista-optical/vista/backend/jobs"
)

// LinkRetention is how long a used or expired one-time link is kept, so
// that a second click is told the link was used rather than unknown.
const LinkRetention = 24 * time.Hour

// Jobs are the sessions' upkeep: refresh tokens past their expiry go.
func (s *Sessions) Jobs() []jobs.Task {
	return []jobs.Task{jobs.Purge("purge_expired_refresh_tokens", time.Hour, s.Clock.Now, 0, s.Store.PurgeRefreshTokens)}
}

// Jobs are the links' upkeep.
func (l *Links) Jobs() []jobs.Task {
	return []jobs.Task{jobs.Purge("purge_expired_links", time.Hour, l.Clock.Now, LinkRetention, l.Store.PurgeLinks)}
}

// Jobs are the revocations' upkeep: a revocation matters while a token it
// ends can still be presented (RefreshTTL); closed accounts stay.
func (r *Revocations) Jobs() []jobs.Task {
	return []jobs.Task{jobs.Purge("purge_revocations", time.Hour, r.Clock.Now, RefreshTTL, r.Store.PurgeRevocations)}
}
