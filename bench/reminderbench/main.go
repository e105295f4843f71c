// Command reminderbench measures the lens reminder scan on SQLite: N
// supplies of which 1% are due, timed for the whole scan (find the due
// supplies, enqueue push + inbox reminders, advance each supply). It runs
// twice, with N and N/10 supplies and the same number due, to show that
// the time follows what is due, not the table.
//
//	go run ./bench/reminderbench -n 1000000
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
	"github.com/vista-optical/vista/backend/lens"
	"github.com/vista-optical/vista/backend/store/sqlite"
)

func main() {
	n := flag.Int("n", 1000000, "supplies in the big run")
	flag.Parse()
	due := *n / 100
	small := scan(*n/10, due)
	big := scan(*n, due)
	fmt.Printf("\nreminder scan, %d supplies due (2 messages each)\n", due)
	fmt.Printf("%-28s %10s\n", "supplies in the table", "scan time")
	fmt.Printf("%-28d %10s\n", *n/10, small.Round(time.Millisecond))
	fmt.Printf("%-28d %10s\n", *n, big.Round(time.Millisecond))
	fmt.Printf("\n%d supplies: %s (target < 2 s); 10× the table costs %.2f× the time\n", *n, big.Round(time.Millisecond), big.Seconds()/small.Seconds())
}

func scan(total, due int) time.Duration {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "reminderbench-")
	must(err)
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(filepath.Join(dir, "v.db"), nil)
	must(err)
	defer db.Close()
	must(db.Migrate(ctx))

	// Supplies belong to `due` customers (each has one due supply and many
	// that are not).
	for i := range due {
		must(db.CreateCustomer(ctx, &customer.Customer{ID: fmt.Sprintf("c%07d", i), Status: customer.StatusActive, Locale: "it",
			CreatedAt: time.Now(), UpdatedAt: time.Now()}))
	}
	settings := lens.DefaultSettings()
	now := time.Date(2026, 3, 17, 12, 0, 0, 0, time.UTC)
	// Due supplies: a monthly pair opened 27 days ago, so the 3-days-before
	// reminder (10:00 Rome today) is due. The others are far from theirs.
	dueStart := now.AddDate(0, 0, -27).Format(time.DateOnly)
	farStart := now.AddDate(0, 0, -1).Format(time.DateOnly)
	batch := make([]*lens.Supply, 0, 50000)
	flush := func() {
		must(db.ImportSupplies(ctx, batch))
		batch = batch[:0]
	}
	for i := range total {
		start := farStart
		if i%(total/due) == 0 {
			start = dueStart
		}
		s := &lens.Supply{ID: core.NewID(), CustomerID: fmt.Sprintf("c%07d", i%due), Eye: "both", Brand: "Alcon", Product: "Total30",
			Modality: lens.Monthly, Boxes: 1, LensesPerBox: 2, StartDate: start, WearDaysPerWeek: 7, CreatedAt: now, UpdatedAt: now}
		rs := lens.Schedule(s.Usage(), settings)
		p, _ := lens.Compute(s.Usage(), s.Usage().Start)
		s.RunsOutOn = p.RunsOutOn.Format(time.DateOnly)
		if start == dueStart {
			at := rs[len(rs)-1].At // the 3-days-before reminder, earlier today
			s.NextReminderAt = &at
		} else if r, ok := lens.Next(rs, now); ok {
			s.NextReminderAt = &r.At
		}
		batch = append(batch, s)
		if len(batch) == cap(batch) {
			flush()
		}
	}
	flush()
	svc := &lens.Service{Store: db, Outbox: db, Clock: func() time.Time { return now }, Logger: slog.New(slog.DiscardHandler),
		Settings: lens.FixedSettings(settings)}
	started := time.Now()
	n, err := svc.Scan(ctx)
	elapsed := time.Since(started)
	must(err)
	if n != 2*due {
		panic(fmt.Sprintf("enqueued %d, want %d", n, 2*due))
	}
	fmt.Fprintf(os.Stderr, "%d supplies, %d due: %d messages enqueued in %s\n", total, due, n, elapsed.Round(time.Millisecond))
	return elapsed
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
