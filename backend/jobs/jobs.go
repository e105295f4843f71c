// Package jobs runs Vista's background work in the worker role. Every task
// keeps its state in the database and is safe to run on several instances
// at once, so a crash or a restart loses nothing and needs no coordination.
package jobs

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Task is periodic work. Run must be idempotent: two instances may run it
// at the same time.
type Task struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context) error
}

// Every is a task that runs run every period.
func Every(name string, period time.Duration, run func(ctx context.Context) error) Task {
	return Task{Name: name, Every: period, Run: run}
}

// Purge is a task that removes, every period, what has been kept longer
// than keep: purge is given now minus keep.
func Purge(name string, period time.Duration, now func() time.Time, keep time.Duration,
	purge func(ctx context.Context, before time.Time) (int, error)) Task {
	return Every(name, period, func(ctx context.Context) error {
		_, err := purge(ctx, now().Add(-keep))
		return err
	})
}

// Runner runs tasks until its context ends.
type Runner struct {
	Tasks  []Task
	Logger *slog.Logger
	wg     sync.WaitGroup
}

// Start runs every task once now and then every Every, until ctx is done.
func (r *Runner) Start(ctx context.Context) {
	for _, t := range r.Tasks {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			tick := time.NewTicker(t.Every)
			defer tick.Stop()
			for {
				r.runOnce(ctx, t)
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
			}
		}()
	}
}

// Wait blocks until every task loop has returned after its context ended.
func (r *Runner) Wait() { r.wg.Wait() }

func (r *Runner) runOnce(ctx context.Context, t Task) {
	if ctx.Err() != nil {
		return
	}
	start := time.Now()
	if err := t.Run(ctx); err != nil && ctx.Err() == nil {
		r.Logger.Warn("job failed", "job", t.Name, "err", err)
		return
	}
	r.Logger.Debug("job done", "job", t.Name, "duration_ms", time.Since(start).Milliseconds())
}
