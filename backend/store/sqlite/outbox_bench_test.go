package sqlite_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/store/sqlite/sqlitetest"
)

// BenchmarkOutboxCycle measures the store's share of dispatching one
// message: claimed in batches of 100, its outcome recorded in groups of
// 20 in the same write as the next claim, as the dispatcher does.
//
//	go test ./backend/store/sqlite -run '^$' -bench OutboxCycle -benchtime 20000x
func BenchmarkOutboxCycle(b *testing.B) {
	ctx := context.Background()
	db := sqlitetest.Open(b)
	now := time.Now().UTC()
	msgs := make([]*notify.Message, b.N)
	for i := range msgs {
		id := fmt.Sprintf("c%07d", i)
		msgs[i] = &notify.Message{ID: core.NewID(), CustomerID: id, Channel: notify.ChannelPush, Purpose: notify.PurposeService,
			DedupeKey: "bench:" + id, Cause: "bench", Title: "Novità", Body: "Apri l'app", Data: map[string]string{"link": "vista://lenses"},
			DueAt: now, Status: notify.StatusPending, CreatedAt: now, UpdatedAt: now}
	}
	if _, err := db.EnqueueMessages(ctx, msgs); err != nil {
		b.Fatal(err)
	}
	const claim, group = 100, 20
	b.ReportAllocs()
	var cpu0 struct{ u, k time.Duration }
	cpu0.u, cpu0.k = cpuTime()
	b.ResetTimer()
	var queue []*notify.Message
	done := 0
	for done < b.N {
		var fs []notify.Finish
		for len(fs) < group && len(queue) > 0 {
			fs = append(fs, notify.Finish{ID: queue[0].ID, Outcome: notify.Outcome{Status: notify.StatusSent, At: now}})
			queue = queue[1:]
		}
		want := 0
		if len(queue) <= claim/2 {
			want = claim - len(queue)
		}
		lost, got, err := db.FinishAndClaim(ctx, "bench", fs, now, now.Add(time.Minute), want)
		if err != nil || len(lost) > 0 {
			b.Fatal(err, lost)
		}
		queue = append(queue, got...)
		done += len(fs)
	}
	b.StopTimer()
	// Wall time includes waiting for fsync; CPU time is what competes
	// with the push client for the cores.
	u, k := cpuTime()
	b.ReportMetric(float64(u-cpu0.u)/float64(b.N), "user-ns/op")
	b.ReportMetric(float64(k-cpu0.k)/float64(b.N), "sys-ns/op")
}

// cpuTime is the user and system CPU time the process has used so far.
func cpuTime() (user, sys time.Duration) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}
