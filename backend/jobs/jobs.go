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
