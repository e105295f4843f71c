package notify

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/vista-optical/vista/backend/core"
)

// Delivery is what a channel reports for one message.
type Delivery struct {
	// Status is StatusSent, StatusSkipped (Reason says why), StatusDead, or
	// StatusPending to retry (after RetryAfter, when the channel knows).
	Status     string
	RetryAfter time.Duration
	Reason     string
	// Deferred marks a StatusPending where nothing was tried (push to the
	// customer's platform is halted): it waits RetryAfter and the attempt
	// does not count towards MaxAttempts.
	Deferred bool
}

// Channel sends messages of one kind.
type Channel interface {
	Deliver(ctx context.Context, m *Message) Delivery
}

// Rules decide at send time whether and when a message may go: consent for
// its channel and purpose, quiet hours in the shop's time zone. A nil Rules
// lets everything through.
type Rules interface {
	// Check returns ok=false with a reason when the message must not be
	// sent at all, or a later time when it must wait (quiet hours).
	Check(ctx context.Context, m *Message, now time.Time) (ok bool, reason string, notBefore time.Time, err error)
}

// Dispatcher sends due outbox messages. Several dispatchers, in one process
// or many, share the outbox safely: each message is leased to one of them.
type Dispatcher struct {
	Store    Store
	Channels map[core.Channel]Channel
	Rules    Rules
	Clock    core.Clock
	Logger   *slog.Logger
	// Owner names this dispatcher in leases; unique per process.
	Owner string
	// Lease is how long a claimed message stays ours. A worker starts a
	// send only while at least twice SendTimeout of the lease is left (the
	// send, then as long again for its outcome to be committed), so a
	// message is never sent by a dispatcher whose lease may end before the
	// outcome is written: on a loaded machine a claimed message that waited
	// too long in the queue is left for the next claim instead of being
	// sent twice.
	Lease time.Duration
	// SendTimeout bounds one send; 0 means a quarter of the lease.
	SendTimeout time.Duration
	// Batch is how many messages one claim takes; Concurrency how many
	// sends run at once.
	Batch, Concurrency int
	// MaxAttempts is the number of attempts before a message is dead.
	MaxAttempts int
	// Backoff is the base of the exponential backoff: attempt n waits a
	// random time in [Backoff·2ⁿ⁻¹/2, Backoff·2ⁿ⁻¹], capped at MaxBackoff.
	Backoff, MaxBackoff time.Duration
	// Idle is how long to wait when nothing is due.
	Idle time.Duration
	// CommitEvery bounds a group commit of outcomes; CommitDelay is how
	// long a group waits for more outcomes before it is written (negative:
	// not at all). Half a millisecond costs a reminder nothing and, at
	// thousands of messages a second, makes groups big enough that commits
	// stop dominating.
	CommitEvery int
	CommitDelay time.Duration
	// Rates caps, per channel, how many messages a second this dispatcher
	// hands to it (an SMS provider's contract, a share of the FCM quota);
	// a channel without a rate is not limited. The cap holds in every
	// one-second window.
	Rates map[core.Channel]float64
	// Fallback is the next channel to try when a service message cannot go
	// out on its own (no consent, no device): push, then SMS, then
	// WhatsApp, then a phone recall by staff. A fallback is queued on the
	// first channel of the chain the rules allow (consent, a phone number),
	// so a recall nobody may make never reaches the shop's list.
	Fallback map[core.Channel]core.Channel

	limits map[core.Channel]*pace // from Rates, shared by every run
}

// ServiceFallback is the fixed fallback order of service reminders.
var ServiceFallback = map[core.Channel]core.Channel{ChannelPush: ChannelSMS, ChannelSMS: ChannelWhatsApp, ChannelWhatsApp: ChannelRecall}

func (d *Dispatcher) defaults() {
	if d.Lease == 0 {
		d.Lease = 2 * time.Minute
	}
	if d.SendTimeout <= 0 || d.SendTimeout > d.Lease/2 {
		d.SendTimeout = d.Lease / 4
	}
	if d.Batch == 0 {
		d.Batch = 200
	}
	if d.Concurrency == 0 {
		d.Concurrency = 50
	}
	if d.MaxAttempts == 0 {
		d.MaxAttempts = 8
	}
	if d.Backoff == 0 {
		d.Backoff = 30 * time.Second
	}
	if d.MaxBackoff == 0 {
		d.MaxBackoff = 6 * time.Hour
	}
	if d.Idle == 0 {
		d.Idle = time.Second
	}
	if d.CommitEvery == 0 {
		d.CommitEvery = d.Concurrency
	}
	if d.CommitDelay == 0 {
		d.CommitDelay = 500 * time.Microsecond
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.limits == nil {
		d.limits = map[core.Channel]*pace{}
		for ch, r := range d.Rates {
			if r > 0 {
				d.limits[ch] = newPace(r, d.Concurrency)
			}
		}
	}
	if d.Owner == "" {
		d.Owner = core.NewID()
	}
}

// Run dispatches until ctx ends. A stop lets the sends in flight, and the
// messages already claimed, finish and records their outcome (graceful),
// so a restart sends none of them again.
func (d *Dispatcher) Run(ctx context.Context) {
	d.defaults()
	if _, err := d.start(ctx).run(ctx, true); err != nil {
		d.Logger.Warn("last outcomes not recorded", "err", err)
	}
}

// RunOnce claims one batch of due messages, sends them and records every
// outcome, and returns how many messages it handled.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	d.defaults()
	return d.start(ctx).run(ctx, false)
}

func (d *Dispatcher) handle(ctx, stop context.Context, m *Message) record {
	now := d.Clock.Now()
	out := Outcome{At: now}
	if d.Rules != nil {
		ok, reason, notBefore, err := d.Rules.Check(ctx, m, now)
		switch {
		case err != nil:
			out.Status, out.RetryAt, out.Error = StatusPending, now.Add(d.backoff(1)), "rules: "+err.Error()
			return record{m: m, out: out}
		case !ok:
			out.Status, out.Error = StatusSkipped, reason
			if reason != ReasonClosed {
				d.fallback(ctx, m, now)
			}
			return record{m: m, out: out}
		case notBefore.After(now):
			out.Status, out.RetryAt, out.Error, out.Deferred = StatusPending, notBefore, reason, true
			return record{m: m, out: out}
		}
	}
	ch, ok := d.Channels[m.Channel]
	if !ok {
		out.Status, out.Error = StatusDead, "no channel "+string(m.Channel)
		return record{m: m, out: out}
	}
	if p := d.limits[m.Channel]; p != nil {
		release, wait, err := p.turn(stop, m, now, 2*d.SendTimeout)
		if err != nil {
			// No turn for it now: back in the outbox without spending an
			// attempt, until about when one frees up (or at once, at stop).
			out.Status, out.RetryAt, out.Deferred = StatusPending, now.Add(wait), true
			out.Error = "put back: " + err.Error()
			return record{m: m, out: out}
		}
		defer release()
	}
	sendCtx, cancel := context.WithTimeout(ctx, d.SendTimeout)
	res := ch.Deliver(sendCtx, m)
	cancel()
	out.At = d.Clock.Now()
	out.Status, out.Error = res.Status, res.Reason
	if res.Status == StatusSkipped {
		d.fallback(ctx, m, out.At)
	}
	switch {
	case res.Status == StatusPending && res.Deferred:
		out.RetryAt, out.Deferred = out.At.Add(res.RetryAfter), true
	case res.Status == StatusPending:
		if m.Attempts >= d.MaxAttempts {
			out.Status = StatusDead
			out.Error = "gave up after " + strconv.Itoa(m.Attempts) + " attempts: " + res.Reason
		} else {
			out.RetryAt = out.At.Add(max(res.RetryAfter, d.backoff(m.Attempts)))
			// Every failed attempt is told (the dead letter, at error, when
			// it is recorded): the id, the channel and why, never the content.
			d.Logger.Warn("delivery failed; will retry", "message_id", m.ID, "channel", m.Channel, "attempt", m.Attempts,
				"retry_at", out.RetryAt, "reason", res.Reason)
		}
	}
	return record{m: m, out: out}
}

// fallback enqueues a skipped service message again on the first later
// channel of the chain the rules allow now; one they refuse is passed
// over, not queued to be skipped. (If the rules cannot answer, the
// channel is queued and decided at send time.) It runs before the skip is
// recorded: if we crash in between, the message is claimed again and the
// fallback's dedupe key keeps it single.
func (d *Dispatcher) fallback(ctx context.Context, m *Message, now time.Time) {
	if m.Purpose != PurposeService {
		return
	}
	f := *m
	f.Status, f.Attempts, f.DueAt, f.CreatedAt, f.UpdatedAt = StatusPending, 0, now, now, now
	f.LeaseOwner, f.LeaseUntil, f.LastError, f.SentAt = "", nil, "", nil
	for range len(d.Fallback) {
		next, ok := d.Fallback[f.Channel]
		if !ok {
			return
		}
		f.ID, f.Channel, f.DedupeKey = core.NewID(), next, f.DedupeKey+">"+string(next)
		if d.Rules != nil {
			if ok, _, _, err := d.Rules.Check(ctx, &f, now); err == nil && !ok {
				continue
			}
		}
		if _, err := d.Store.EnqueueMessage(ctx, &f); err != nil {
			d.Logger.Warn("fallback not enqueued", "message_id", m.ID, "next", next, "err", err)
		}
		return
	}
}

// backoff is the jittered exponential delay before attempt n+1.
func (d *Dispatcher) backoff(attempt int) time.Duration {
	ceil := d.Backoff << min(max(attempt-1, 0), 20)
	if ceil <= 0 || ceil > d.MaxBackoff {
		ceil = d.MaxBackoff
	}
	return ceil/2 + time.Duration(rand.Int64N(int64(ceil/2)+1))
}

// pace keeps one channel under its rate. At most about a second's worth
// of turns may be waited for at once (five senders for SMS at 5/s, every
// sender for push at 500/s), so a slow channel never holds every sender
// while other messages queue behind it; a message that finds those places
// taken, or whose lease would end before its turn, goes back to the outbox
// deferred, due about when a turn is free.
type pace struct {
	limit   *rate.Limiter
	waiters chan struct{}
	every   time.Duration // one turn

	// The limiter schedules turns exactly, but each waiter wakes when the
	// scheduler gets to it: one woken late would then go out right beside
	// the next on time, and a busy machine would bunch sends past the
	// rate. So a turn is also kept one interval after the previous turn
	// as it was actually taken.
	mu    sync.Mutex
	taken time.Time
}

func newPace(perSecond float64, senders int) *pace {
	// Turns are scheduled exactly, but the goroutines waiting for them
	// wake a little late or early: 1% of margin keeps the cap true as
	// observed, not only as scheduled.
	r := perSecond * 0.99
	w := min(senders, max(1, int(math.Ceil(r))))
	return &pace{limit: rate.NewLimiter(rate.Limit(r), 1), waiters: make(chan struct{}, w), every: time.Duration(float64(time.Second) / r)}
}

// turn waits for m's turn. It fails, saying how long to wait before
// trying again, when every waiter's place is taken, when the turn would
// leave less than reserve of m's lease (now is the dispatcher's clock,
// which leases follow), or when stop ends.
func (p *pace) turn(stop context.Context, m *Message, now time.Time, reserve time.Duration) (release func(), wait time.Duration, err error) {
	select {
	case p.waiters <- struct{}{}:
	default:
		return nil, time.Duration(cap(p.waiters)) * p.every, errors.New("the channel's send rate is taken up")
	}
	ctx := stop
	if m.LeaseUntil != nil {
		var cancel context.CancelFunc
		left := m.LeaseUntil.Sub(now)
		ctx, cancel = context.WithTimeout(stop, left-reserve) // the send and its record need the rest
		defer cancel()
	}
	if err := p.limit.Wait(ctx); err != nil {
		<-p.waiters
		if stop.Err() != nil {
			return nil, 0, errors.New("stopped while waiting for its turn under the send rate")
		}
		return nil, time.Duration(cap(p.waiters)) * p.every, errors.New("its turn under the send rate would come after its lease")
	}
	p.mu.Lock()
	if gap := p.every - time.Since(p.taken); gap > 0 {
		time.Sleep(gap) // holding mu: one turn at a time
	}
	p.taken = time.Now()
	p.mu.Unlock()
	return func() { <-p.waiters }, 0, nil
}
