package app_test

import (
	"slices"
	"testing"

	"github.com/vista-optical/vista/backend/app/apptest"
)

// TestWorkerRunsEveryCapabilitysUpkeep: the worker's tasks are the
// capabilities' own lists, each named once, and none of the upkeep the
// program layer used to run by hand is lost.
func TestWorkerRunsEveryCapabilitysUpkeep(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	names := m.JobNames()
	for _, want := range []string{"lens_reminders", "eye_exam_reminders", "booking_reminders", "purge_booking_claims", "expire_booking_holds",
		"forget_guests", "purge_expired_refresh_tokens", "purge_expired_links", "purge_revocations", "purge_rate_windows",
		"purge_screen_events", "purge_proof_of_play", "purge_touches", "purge_anonymous_visits", "purge_ended_sessions"} {
		if !slices.Contains(names, want) {
			t.Errorf("the worker does not run %s: %v", want, names)
		}
	}
	sorted := slices.Sorted(slices.Values(names))
	if len(slices.Compact(sorted)) != len(names) {
		t.Errorf("a task is named twice: %v", names)
	}
}
