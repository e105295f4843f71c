package auth

import (
	"context"
	"sync"
	"time"

	"github.com/vista-optical/vista/backend/core"
)

// Revocation ends every token of a subject (a customer, a staff member)
// issued up to ValidAfter. Closed marks an account that is gone for good
// (erased): nothing may be sent to it or recorded for it any more.
type Revocation struct {
	Subject    string
	ValidAfter time.Time
	Closed     bool
	// RecordedAt is when the revocation was written; instances read the
	// revocations recorded since they last looked.
	RecordedAt time.Time
}

// RevocationStore keeps revocations, one per subject, in the database that
// every instance shares.
type RevocationStore interface {
	// SaveRevocation stores r, replacing the subject's earlier one; a
	// subject once closed stays closed.
	SaveRevocation(ctx context.Context, r *Revocation) error
	// RevocationsSince returns the revocations recorded at or after t,
	// oldest first.
	RevocationsSince(ctx context.Context, t time.Time) ([]*Revocation, error)
	// PurgeRevocations deletes revocations recorded before t that are not
	// Closed, and returns how many went.
	PurgeRevocations(ctx context.Context, before time.Time) (int, error)
}

// Revocations is each instance's copy of the revocations, so that the
// guards of every request check them without a database read. A revoke on
// this instance applies at once; one on another instance once Sync has
// read it (every second or so: see RevocationSyncEvery).
type Revocations struct {
	Store RevocationStore
	Clock core.Clock
	// Instants are the tokens' (Tokens.Instants), so that a token signed
	// on this instance after a revocation is valid and one signed before
	// it is not, within one clock tick too. Nil: instants of Clock.
	Instants *Instants

	mu    sync.RWMutex
	by    map[string]Revocation
	since time.Time // the next Sync reads from here (less the overlap)
}

// RevocationSyncEvery is how often an instance reads the revocations
// written by the others: the longest a token revoked elsewhere still works
// here.
const RevocationSyncEvery = time.Second

// syncOverlap re-reads a little of what the last Sync saw, for writes that
// committed late or clocks a little apart between instances.
const syncOverlap = 5 * time.Second

// Revoke ends every token of subject issued until now, on every instance;
// with closed, the account is gone for good.
func (r *Revocations) Revoke(ctx context.Context, subject string, closed bool) error {
	now := r.instants().Boundary()
	rev := Revocation{Subject: subject, ValidAfter: now, Closed: closed, RecordedAt: now}
	if err := r.Store.SaveRevocation(ctx, &rev); err != nil {
		return err
	}
	r.apply(rev)
	return nil
}

// Sync reads the revocations recorded since the last Sync (all of them the
// first time).
func (r *Revocations) Sync(ctx context.Context) error {
	r.mu.RLock()
	from := r.since
	r.mu.RUnlock()
	if !from.IsZero() {
		from = from.Add(-syncOverlap)
	}
	list, err := r.Store.RevocationsSince(ctx, from)
	if err != nil {
		return err
	}
	for _, rev := range list {
		r.apply(*rev)
	}
	r.mu.Lock()
	if last := r.Clock.Now(); last.After(r.since) {
		r.since = last
	}
	for _, rev := range list {
		if rev.RecordedAt.After(r.since) {
			r.since = rev.RecordedAt
		}
	}
	r.mu.Unlock()
	return nil
}

func (r *Revocations) apply(rev Revocation) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.by == nil {
		r.by = map[string]Revocation{}
	}
	old, ok := r.by[rev.Subject]
	if ok {
		rev.Closed = rev.Closed || old.Closed
		if old.ValidAfter.After(rev.ValidAfter) {
			rev.ValidAfter = old.ValidAfter
		}
	}
	r.by[rev.Subject] = rev
}

func (r *Revocations) instants() *Instants {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Instants == nil {
		r.Instants = &Instants{Clock: r.Clock}
	}
	return r.Instants
}

// Valid reports whether a token of subject issued at issuedAt
// (Claims.Issued) still counts: one issued after the subject's
// revocation does, one issued before it does not. Tokens with whole
// seconds only (older than iat_us) issued in the second of a revocation
// are refused.
func (r *Revocations) Valid(subject string, issuedAt time.Time) bool {
	if r == nil {
		return true
	}
	r.mu.RLock()
	rev, ok := r.by[subject]
	r.mu.RUnlock()
	if !ok {
		return true
	}
	return !rev.Closed && issuedAt.After(rev.ValidAfter)
}

// Closed reports whether subject's account is gone for good.
func (r *Revocations) Closed(subject string) bool {
	if r == nil {
		return false
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.by[subject].Closed
}
