package bench_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestEveryBenchmarkRuns runs each load tool's whole path once at a tiny
// size, the way bench/README.md runs it (go run from the module root), so
// a change that breaks one is seen by the test suite and not by the next
// person who measures. The figures of such a run mean nothing.
func TestEveryBenchmarkRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs each tool")
	}
	for _, args := range [][]string{
		{"./bench/bookingbench", "-reads", "5", "-c", "2", "-n", "2", "-rounds", "1"},
		{"./bench/dispatchbench", "-n", "200", "-rounds", "1"},
		{"./bench/httpbench", "-d", "1s", "-c", "4", "-rounds", "1"},
		{"./bench/kioskbench", "-n", "5", "-hold", "10", "-broadcasts", "2", "-products", "50", "-searches", "20"},
		{"./bench/reminderbench", "-n", "2000"},
		{"./bench/searchbench", "-n", "300", "-reads", "5"},
		{"./bench/visitbench", "-n", "5", "-rounds", "1", "-claimers", "2", "-claims", "2"},
	} {
		t.Run(strings.TrimPrefix(args[0], "./bench/"), func(t *testing.T) {
			if args[0] == "./bench/httpbench" {
				if _, err := exec.LookPath("wrk"); err != nil {
					t.Skip("wrk is not installed (bash .ci/test installs it)")
				}
			}
			ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "go", append([]string{"run"}, args...)...)
			cmd.Dir = ".."
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("go run %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			if len(strings.TrimSpace(string(out))) == 0 {
				t.Fatalf("go run %s printed nothing", strings.Join(args, " "))
			}
		})
	}
}
