package notify

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/vista-optical/vista/backend/core"
)

// Delivery is what a channel reports for one message.
type Delivery struct {
	// Status is StatusSent, StatusSkipped (Reason says why), StatusDead, or
	// StatusPending to retry (after RetryAfter, when the channel knows).
	Status     string
	RetryAfter time.Duration
	Reason     string
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

// Timeline records what was sent to a customer, for the single customer
// view. A nil Timeline records nothing.
type Timeline interface {
	Append(ctx context.Context, m *Message, at time.Time) error
}

// Dispatcher sends due outbox messages. Several dispatchers, in one process
// or many, share the outbox safely: each message is leased to one of them.
type Dispatcher struct {
	Store    Store
	Channels map[string]Channel
	Rules    Rules
	Timeline Timeline
	Clock    core.Clock
	Logger   *slog.Logger
	// Owner names this dispatcher in leases; unique per process.
	Owner string
	// Lease is how long a claimed message stays ours; it must exceed the
	// slowest send (the push client's timeout).
	Lease time.Duration
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
	// CommitEvery and CommitDelay bound a group commit of outcomes.
	CommitEvery int
	CommitDelay time.Duration
	// Fallback is the next channel to try when a service message cannot go
	// out on its own (no consent, no device): push, then SMS, then
	// WhatsApp, then a phone recall by staff, each only where consented.
	Fallback map[string]string
}

// ServiceFallback is the fixed fallback order of service reminders.
var ServiceFallback = map[string]string{ChannelPush: ChannelSMS, ChannelSMS: ChannelWhatsApp, ChannelWhatsApp: ChannelRecall}

func (d *Dispatcher) defaults() {
	if d.Lease == 0 {
		d.Lease = 2 * time.Minute
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
		d.CommitDelay = 2 * time.Millisecond
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Owner == "" {
		d.Owner = core.NewID()
	}
}

// Run dispatches until ctx ends. It claims the next batch while the last
// one is still being sent, so the pipeline never drains between batches.
// A stop lets the sends in flight finish and records their outcome
// (graceful), so a restart sends none of them again.
func (d *Dispatcher) Run(ctx context.Context) {
	d.defaults()
	p := d.pipeline(ctx)
	for ctx.Err() == nil {
		n, err := p.claim(ctx)
		if err != nil {
			d.Logger.Warn("claim failed", "err", err)
		}
		if n == 0 || err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(d.Idle):
			}
		}
	}
	if err := p.close(); err != nil {
		d.Logger.Warn("last outcomes not recorded", "err", err)
	}
}

// RunOnce claims one batch of due messages, sends them and records every
// outcome, and returns how many messages it handled.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	d.defaults()
	p := d.pipeline(ctx)
	n, err := p.claim(ctx)
	if cerr := p.close(); err == nil {
		err = cerr
	}
	return n, err
}

// pipeline sends claimed messages with at most Concurrency of them
// unrecorded at any time: a send holds its slot from before the request
// until its outcome is committed. A crash therefore forgets at most
// Concurrency sends, which are resent after their lease under the same
// collapse tag. Outcomes are group-committed — one transaction per
// CommitEvery outcomes or CommitDelay — so SQLite pays one fsync per
// group, not per message. Sends already started finish, and their
// outcomes are recorded, even when the caller's context ends.
type pipeline struct {
	d        *Dispatcher
	work     context.Context
	rec      chan<- record
	recorded <-chan error
	slots    chan struct{}
	wg       sync.WaitGroup
}

func (d *Dispatcher) pipeline(ctx context.Context) *pipeline {
	work := context.WithoutCancel(ctx)
	rec, recorded := d.startRecorder(work)
	return &pipeline{d: d, work: work, rec: rec, recorded: recorded, slots: make(chan struct{}, d.Concurrency)}
}

// claim leases one batch and starts sending it; it returns once every
// message of the batch has a slot.
func (p *pipeline) claim(ctx context.Context) (int, error) {
	d := p.d
	now := d.Clock.Now()
	msgs, err := d.Store.ClaimMessages(ctx, d.Owner, now, now.Add(d.Lease), d.Batch)
	if err != nil || len(msgs) == 0 {
		return 0, err
	}
	for _, m := range msgs {
		p.slots <- struct{}{}
		p.wg.Add(1)
		go func() {
			defer func() { <-p.slots; p.wg.Done() }()
			r := d.handle(p.work, m)
			r.done = make(chan struct{})
			p.rec <- r
			<-r.done
		}()
	}
	return len(msgs), nil
}

// close waits for every send and the last commit.
func (p *pipeline) close() error {
	p.wg.Wait()
	close(p.rec)
	return <-p.recorded
}

type record struct {
	m    *Message
	out  Outcome
	done chan struct{}
}

// startRecorder returns the channel outcomes go to, and the channel the
// first write error (or nil) arrives on once the first is closed and drained.
func (d *Dispatcher) startRecorder(ctx context.Context) (chan<- record, <-chan error) {
	in := make(chan record, d.Concurrency)
	recorded := make(chan error, 1)
	go func() {
		var (
			batch    []record
			firstErr error
			timer    = time.NewTimer(time.Hour)
		)
		timer.Stop()
		flush := func() {
			if len(batch) == 0 {
				return
			}
			if err := d.record(ctx, batch); err != nil && firstErr == nil {
				firstErr = err
			}
			for _, r := range batch {
				close(r.done)
			}
			batch = batch[:0]
		}
		for {
			select {
			case r, ok := <-in:
				if !ok {
					flush()
					recorded <- firstErr
					return
				}
				if len(batch) == 0 {
					timer.Reset(d.CommitDelay)
				}
				batch = append(batch, r)
				if len(batch) >= d.CommitEvery {
					timer.Stop()
					flush()
				}
			case <-timer.C:
				flush()
			}
		}
	}()
	return in, recorded
}

func (d *Dispatcher) record(ctx context.Context, batch []record) error {
	fs := make([]Finish, len(batch))
	for i, r := range batch {
		fs[i] = Finish{ID: r.m.ID, Outcome: r.out}
	}
	lost, err := d.Store.FinishMessages(ctx, d.Owner, fs)
	if err != nil {
		d.Logger.Warn("outcomes not recorded; the messages will be claimed again when their lease ends", "count", len(fs), "err", err)
		return err
	}
	for _, id := range lost {
		// Another dispatcher took over after our lease expired; it records.
		d.Logger.Warn("outcome not recorded: lease lost", "message_id", id)
	}
	for _, r := range batch {
		switch r.out.Status {
		case StatusDead:
			d.Logger.Error("message dead-lettered", "message_id", r.m.ID, "channel", r.m.Channel, "reason", r.out.Error)
		case StatusSent:
			if d.Timeline != nil {
				if err := d.Timeline.Append(ctx, r.m, r.out.At); err != nil {
					d.Logger.Warn("timeline not updated", "message_id", r.m.ID, "err", err)
				}
			}
		}
	}
	return nil
}

func (d *Dispatcher) handle(ctx context.Context, m *Message) record {
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
			d.fallback(ctx, m, now)
			return record{m: m, out: out}
		case notBefore.After(now):
			out.Status, out.RetryAt, out.Error = StatusPending, notBefore, reason
			return record{m: m, out: out}
		}
	}
	ch, ok := d.Channels[m.Channel]
	if !ok {
		out.Status, out.Error = StatusDead, "no channel "+m.Channel
		return record{m: m, out: out}
	}
	res := ch.Deliver(ctx, m)
	out.At = d.Clock.Now()
	out.Status, out.Error = res.Status, res.Reason
	if res.Status == StatusSkipped {
		d.fallback(ctx, m, out.At)
	}
	if res.Status == StatusPending {
		if m.Attempts >= d.MaxAttempts {
			out.Status = StatusDead
			out.Error = "gave up after " + strconv.Itoa(m.Attempts) + " attempts: " + res.Reason
		} else {
			out.RetryAt = out.At.Add(max(res.RetryAfter, d.backoff(m.Attempts)))
		}
	}
	return record{m: m, out: out}
}

// fallback enqueues the next channel of a skipped service message. It
// runs before the skip is recorded: if we crash in between, the message is
// claimed again and the fallback's dedupe key keeps it single.
func (d *Dispatcher) fallback(ctx context.Context, m *Message, now time.Time) {
	next, ok := d.Fallback[m.Channel]
	if !ok || m.Purpose != PurposeService {
		return
	}
	f := *m
	f.ID, f.Channel, f.DedupeKey = core.NewID(), next, m.DedupeKey+">"+next
	f.Status, f.Attempts, f.DueAt, f.CreatedAt, f.UpdatedAt = StatusPending, 0, now, now, now
	f.LeaseOwner, f.LeaseUntil, f.LastError, f.SentAt = "", nil, "", nil
	if _, err := d.Store.EnqueueMessage(ctx, &f); err != nil {
		d.Logger.Warn("fallback not enqueued", "message_id", m.ID, "next", next, "err", err)
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
