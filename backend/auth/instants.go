package auth

import (
	"sync"
	"time"

	"github.com/vista-optical/vista/backend/core"
)

// Instants hands out the instants at which tokens are issued and
// revocations take effect on one instance: the clock's time, strictly
// increasing, so that of a revocation and a sign-in the later one has the
// later instant even inside one tick of the clock (or with a clock that
// stands still, as in tests). Instances are ordered by their clocks.
type Instants struct {
	Clock core.Clock

	mu   sync.Mutex
	last time.Time
}

// Next returns an issue instant, to the microsecond (what a token
// carries), after every instant handed out before.
func (i *Instants) Next() time.Time { return i.after(time.Microsecond) }

// Boundary returns a revocation instant: after every instant handed out
// before and before every one handed out after, on a whole millisecond
// so that the stores keep it exactly.
func (i *Instants) Boundary() time.Time { return i.after(time.Millisecond) }

// after returns the clock's time rounded up to a whole unit and later
// than every instant handed out before.
func (i *Instants) after(unit time.Duration) time.Time {
	i.mu.Lock()
	defer i.mu.Unlock()
	t := i.Clock.Now()
	if !t.After(i.last) {
		t = i.last.Add(time.Microsecond)
	}
	if r := t.Truncate(unit); !r.Equal(t) {
		t = r.Add(unit)
	}
	i.last = t
	return t
}
