package jobs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/jobs"
)

// TestPurge: a purge task asks to remove what is older than its
// retention, as of the clock, and reports the store's error.
func TestPurge(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	var asked time.Time
	fail := errors.New("disk full")
	task := jobs.Purge("purge_things", time.Hour, func() time.Time { return now }, 24*time.Hour,
		func(_ context.Context, before time.Time) (int, error) { asked = before; return 3, fail })
	if err := task.Run(context.Background()); !errors.Is(err, fail) {
		t.Fatalf("Run = %v, want the store's error", err)
	}
	if !asked.Equal(now.Add(-24*time.Hour)) || task.Name != "purge_things" || task.Every != time.Hour {
		t.Fatalf("asked to purge before %v (task %s every %v)", asked, task.Name, task.Every)
	}
}
