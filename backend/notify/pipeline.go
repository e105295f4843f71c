package notify

import (
	"cmp"
	"context"
	"sync"
	"time"
)

// A pipeline is one loop that owns the store and Concurrency workers that
// send. Each turn of the loop is one store write: the outcomes that
// arrived while the last write ran, and a claim when the queue of claimed
// messages runs low — so SQLite pays one commit, one fsync, per turn, not
// per message or per claim, and a lone outcome waits for no timer.
//
// A worker takes a message, sends it and waits until its outcome is
// committed before it takes the next, so at most Concurrency sends are
// ever unrecorded: a crash forgets at most that many, which are resent
// after their lease under the same collapse tag. Claimed messages waiting
// in the queue have not been sent; a crash only delays them to their
// lease end. Workers live as long as the pipeline, so their stacks, grown
// once by the push client, are not grown again per message.
type pipeline struct {
	d    *Dispatcher
	stop context.Context // cancelled at stop: a message still waiting for its turn under a rate is put back
	work context.Context // never cancelled: started sends finish and are recorded
	jobs chan *Message   // claimed, not yet taken by a worker
	out  chan record     // outcomes; closed once every worker is done
}

func (d *Dispatcher) start(ctx context.Context) *pipeline {
	p := &pipeline{d: d, stop: ctx, work: context.WithoutCancel(ctx), jobs: make(chan *Message, d.Batch), out: make(chan record, d.Concurrency)}
	var wg sync.WaitGroup
	wg.Add(d.Concurrency)
	for range d.Concurrency {
		go func() {
			defer wg.Done()
			done := make(chan struct{}, 1)
			for m := range p.jobs {
				if !d.leaseLeft(m) {
					// Stale: the lease ends before a send and its outcome
					// could be written. Nothing is sent or recorded; the
					// message is claimed again (by us or another) at its
					// lease end, so it is delayed, never lost or doubled.
					continue
				}
				r := d.handle(p.work, p.stop, m)
				r.done = done
				p.out <- r
				<-done
			}
		}()
	}
	go func() { wg.Wait(); close(p.out) }()
	return p
}

// leaseLeft reports whether m's lease leaves time to send it and record the
// outcome: twice SendTimeout.
func (d *Dispatcher) leaseLeft(m *Message) bool {
	return m.LeaseUntil == nil || m.LeaseUntil.Sub(d.Clock.Now()) >= 2*d.SendTimeout
}

type record struct {
	m    *Message
	out  Outcome
	done chan<- struct{}
}

// run turns the loop until ctx ends (forever) or, when !forever, after one
// claim, then drains: workers finish what was claimed and every outcome is
// written. It returns how many messages it claimed and the first write
// error.
//
// Each turn is in one of these states; every turn that writes carries the
// outcomes gathered so far:
//
//	state     when                                          the turn
//	claiming  queue at most half full, not idle, not closed claims what fills the queue
//	waiting   nothing to claim and no outcome in hand       blocks for an outcome, the idle timer or the stop
//	idle      the last claim found nothing, or a write      claims nothing until d.Idle has passed
//	          failed
//	closing   ctx ended; or !forever and it claimed once,   closes jobs: workers finish what they hold,
//	          or found nothing                              the loop keeps writing their outcomes
//	done      out closed: every worker has finished         returns
func (p *pipeline) run(ctx context.Context, forever bool) (int, error) {
	d := p.d
	var (
		batch    []record
		claimed  int
		firstErr error
		idle     <-chan time.Time // set after a claim found nothing: no claim until it fires
		stop     = ctx.Done()
		closed   bool
	)
	for {
		if !closed && (ctx.Err() != nil || (!forever && (claimed > 0 || idle != nil))) {
			close(p.jobs) // no more claims: stopping, or a single pass has claimed or found nothing
			closed, stop = true, nil
		}
		want := 0
		if !closed && idle == nil {
			want = p.room()
		}
		if want == 0 && len(batch) == 0 {
			select {
			case r, ok := <-p.out:
				if !ok {
					return claimed, firstErr
				}
				batch = append(batch, r)
			case <-idle:
				idle = nil
				continue
			case <-stop:
				continue
			}
		}
		batch = p.gather(batch)
		msgs, err := p.write(batch, want)
		if err != nil && len(batch) > 0 {
			firstErr = cmp.Or(firstErr, err)
		}
		if err != nil && idle == nil {
			idle = time.After(d.Idle) // the database is failing: pause the claims
		}
		batch = batch[:0]
		p.queue(msgs)
		claimed += len(msgs)
		if err == nil && want > 0 && len(msgs) == 0 {
			idle = time.After(d.Idle)
		}
	}
}

// queue hands claimed messages to the senders. It never blocks: what was
// claimed fits the room, and only the run loop sends.
func (p *pipeline) queue(msgs []*Message) {
	for _, m := range msgs {
		p.jobs <- m
	}
}

// room is how many messages to claim: the queue's free room once it is
// at most half full, else none (claims come in batches, not one by one).
func (p *pipeline) room() int {
	if len(p.jobs) > cap(p.jobs)/2 {
		return 0
	}
	return cap(p.jobs) - len(p.jobs)
}

// write records the batch's outcomes and claims up to want messages, in
// one write, then lets the batch's senders go on.
func (p *pipeline) write(batch []record, want int) ([]*Message, error) {
	d := p.d
	fs := make([]Finish, len(batch))
	for i, r := range batch {
		fs[i] = Finish{ID: r.m.ID, Outcome: r.out}
	}
	now := d.Clock.Now()
	lost, msgs, err := d.Store.FinishAndClaim(p.work, d.Owner, fs, now, now.Add(d.Lease), want)
	if err != nil {
		d.Logger.Warn("dispatch write failed; unrecorded messages are claimed again when their lease ends",
			"outcomes", len(fs), "err", err)
	} else {
		d.recorded(p.work, batch, lost)
	}
	for _, r := range batch {
		r.done <- struct{}{}
	}
	return msgs, err
}

// gather adds to batch the outcomes that have already arrived, up to
// CommitEvery, waiting up to CommitDelay for more when one is set.
func (p *pipeline) gather(batch []record) []record {
	d := p.d
	var deadline <-chan time.Time
	if d.CommitDelay > 0 && len(batch) > 0 {
		deadline = time.After(d.CommitDelay)
	}
	for len(batch) < d.CommitEvery {
		select {
		case r, ok := <-p.out:
			if !ok {
				return batch
			}
			batch = append(batch, r)
			continue
		default:
		}
		if deadline == nil {
			return batch
		}
		select {
		case r, ok := <-p.out:
			if !ok {
				return batch
			}
			batch = append(batch, r)
		case <-deadline:
			return batch
		}
	}
	return batch
}

// recorded logs what a write just recorded: leases lost, dead letters.
func (d *Dispatcher) recorded(ctx context.Context, batch []record, lost []string) {
	for _, id := range lost {
		// Another dispatcher took over after our lease expired; it records.
		d.Logger.Warn("outcome not recorded: lease lost", "message_id", id)
	}
	for _, r := range batch {
		if r.out.Status == StatusDead {
			d.Logger.Error("message dead-lettered", "message_id", r.m.ID, "channel", r.m.Channel, "reason", r.out.Error)
		}
	}
}
