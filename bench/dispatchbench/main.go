// Command dispatchbench measures push dispatch through the whole outbox
// path (SQLite outbox, lease claims, send-time rules off, FCM channel,
// group-committed outcomes) next to the Firebase Admin SDK sending the same
// messages directly with SendEach in batches of 500, over the same HTTP
// client, to the same fake FCM server on 127.0.0.1, in one run.
//
// The outbox path pays, per message, one claim and one outcome in
// SQLite; BenchmarkOutboxCycle in backend/store/sqlite measures that share
// alone, in CPU time.
//
//	go run ./bench/dispatchbench -n 20000 -rounds 5
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"sync/atomic"
	"time"

	firebase "firebase.google.com/go/v4"
	"firebase.google.com/go/v4/messaging"
	"google.golang.org/api/option"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/notify/fcm"
	"github.com/vista-optical/vista/backend/notify/fcmfake"
	"github.com/vista-optical/vista/backend/store/mongo"
	"github.com/vista-optical/vista/backend/store/sqlite"
)

type oneDevice struct{}

func (oneDevice) Devices(_ context.Context, id string) ([]*customer.Device, error) {
	return []*customer.Device{{Token: "token-" + id, CustomerID: id, LastSeenAt: time.Now()}}, nil
}
func (oneDevice) DeleteDevice(context.Context, string, string) error { return nil }

func main() {
	n := flag.Int("n", 20000, "messages per run")
	rounds := flag.Int("rounds", 3, "rounds; medians are reported")
	conc := flag.Int("concurrency", 50, "dispatcher concurrency (the SDK's SendEach runs 50)")
	flag.IntVar(&batch, "batch", 0, "messages per claim (0: the dispatcher's default)")
	noop := flag.Bool("outbox-only", false, "also time the outbox with a channel that sends nothing (its own ceiling)")
	flag.IntVar(&commitEvery, "commit-every", 0, "group commit size (0: the dispatcher's default)")
	flag.DurationVar(&commitDelay, "commit-delay", 0, "group commit delay (0: the dispatcher's default; negative: none)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the outbox runs here")
	latency := flag.Duration("latency", 0, "hold each FCM answer back this long, as a real network would (0: answer at once)")
	flag.Parse()
	fake := fcmfake.New()
	defer fake.Close()
	fake.SetLatency(*latency)
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second}}

	// Each round times both, one after the other, so that the ratio of a
	// round compares runs a few seconds apart on a machine whose speed
	// drifts; the ratio reported is the median of the rounds' ratios.
	var direct, outbox, ratio []float64
	for r := 1; r <= *rounds; r++ {
		if *cpuprofile != "" {
			profile = *cpuprofile + ".direct"
		}
		d := runDirect(fake, hc, *n)
		profile = *cpuprofile
		o := runOutbox(fake, hc, *n, *conc)
		profile = ""
		direct, outbox, ratio = append(direct, d), append(outbox, o), append(ratio, o/d)
		fmt.Fprintf(os.Stderr, "round %d  direct SendEach %8.0f msg/s   outbox %8.0f msg/s   %3.0f%%\n", r, d, o, o/d*100)
	}
	if *noop {
		var only []float64
		for range *rounds {
			var sent atomic.Int64
			if *cpuprofile != "" {
				profile = *cpuprofile + ".outbox-only"
			}
			only = append(only, runOutboxWith(*n, *conc, nopChannel{&sent}, func() int { return int(sent.Load()) }))
			profile = ""
		}
		fmt.Printf("%-44s %10.0f msg/s\n", "outbox alone (channel sends nothing)", median(only))
	}
	md, mo := median(direct), median(outbox)
	fmt.Printf("\nmedians of %d rounds, %d messages each, fake FCM on 127.0.0.1 answering after %v\n", *rounds, *n, *latency)
	fmt.Printf("%-44s %10.0f msg/s\n", "SDK SendEach, batches of 500 (reference)", md)
	fmt.Printf("%-44s %10.0f msg/s\n", "vista outbox → dispatcher → FCM channel", mo)
	fmt.Printf("\noutbox reaches %.0f%% of the direct rate (median of the rounds' ratios; target ≥ 80%%) at %.0f msg/s (target ≥ 10,000)\n", median(ratio)*100, mo)
}

func runDirect(fake *fcmfake.Server, hc *http.Client, n int) float64 {
	ctx := context.Background()
	app, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: "bench"},
		option.WithEndpoint(fake.URL+"/v1"), option.WithoutAuthentication(), option.WithHTTPClient(hc))
	must(err)
	client, err := app.Messaging(ctx)
	must(err)
	msgs := make([]*messaging.Message, n)
	for i := range msgs {
		m := &notify.Message{ID: core.NewID(), CustomerID: fmt.Sprintf("c%d", i), Cause: "bench", Title: "Novità", Body: "Apri l'app"}
		msgs[i] = fcm.Build(m, "token-direct")
	}
	defer startProfile()()
	start := time.Now()
	for i := 0; i < n; i += 500 {
		br, err := client.SendEach(ctx, msgs[i:min(i+500, n)])
		must(err)
		if br.FailureCount > 0 {
			panic(fmt.Sprintf("%d failures", br.FailureCount))
		}
	}
	return float64(n) / time.Since(start).Seconds()
}

var (
	profile     string // when set, the timed part of an outbox run is profiled to this file
	batch       int
	commitEvery int
	commitDelay time.Duration
)

type nopChannel struct{ sent *atomic.Int64 }

func (c nopChannel) Deliver(context.Context, *notify.Message) notify.Delivery {
	c.sent.Add(1)
	return notify.Delivery{Status: notify.StatusSent}
}

func runOutbox(fake *fcmfake.Server, hc *http.Client, n, conc int) float64 {
	client, err := fcm.New(context.Background(), fcm.Config{ProjectID: "bench", Endpoint: fake.URL, HTTPClient: hc})
	must(err)
	logger := slog.New(slog.DiscardHandler)
	before := fake.Count()
	return runOutboxWith(n, conc, &fcm.Channel{Devices: oneDevice{}, Client: client, Clock: core.SystemClock, Logger: logger},
		func() int { return fake.Count() - before })
}

// outboxStore is what the bench needs of an engine.
type outboxStore interface {
	notify.Store
	Close() error
}

// openStore opens the outbox on a new temporary SQLite file, or, with
// VISTA_MONGODB_URI set, on a new MongoDB database dropped at Close.
// Figures on a MongoDB wire-protocol peer are that peer's, not MongoDB's.
func openStore(ctx context.Context) outboxStore {
	if uri := os.Getenv("VISTA_MONGODB_URI"); uri != "" {
		db, err := mongo.Open(ctx, uri, "vista_dispatchbench_"+core.NewID(), nil)
		must(err)
		must(db.Migrate(ctx))
		return dropOnClose{db}
	}
	dir, err := os.MkdirTemp("", "dispatchbench-")
	must(err)
	db, err := sqlite.Open(filepath.Join(dir, "v.db"), nil)
	must(err)
	must(db.Migrate(ctx))
	return removeOnClose{db, dir}
}

type dropOnClose struct{ *mongo.DB }

func (d dropOnClose) Close() error { _ = d.Drop(context.Background()); return d.DB.Close() }

type removeOnClose struct {
	*sqlite.DB
	dir string
}

func (r removeOnClose) Close() error { err := r.DB.Close(); os.RemoveAll(r.dir); return err }

// runOutboxWith times n messages through the outbox to push; delivered
// says how many the channel has delivered so far.
func runOutboxWith(n, conc int, push notify.Channel, delivered func() int) float64 {
	ctx := context.Background()
	db := openStore(ctx)
	defer db.Close()
	now := time.Now().UTC()
	msgs := make([]*notify.Message, n)
	for i := range msgs {
		id := fmt.Sprintf("c%06d", i)
		msgs[i] = &notify.Message{ID: core.NewID(), CustomerID: id, Channel: notify.ChannelPush, Purpose: notify.PurposeService,
			DedupeKey: "bench:" + id, Cause: "bench", Title: "Novità", Body: "Apri l'app", DueAt: now, Status: notify.StatusPending,
			CreatedAt: now, UpdatedAt: now}
	}
	_, err := db.EnqueueMessages(ctx, msgs)
	must(err)
	logger := slog.New(slog.DiscardHandler)
	d := &notify.Dispatcher{Store: db, Clock: core.SystemClock, Logger: logger, Owner: "bench", Concurrency: conc, Batch: batch, Idle: 5 * time.Millisecond, CommitEvery: commitEvery, CommitDelay: commitDelay,
		Channels: map[core.Channel]notify.Channel{notify.ChannelPush: push}}
	defer startProfile()()
	start := time.Now()
	runCtx, stop := context.WithCancel(ctx)
	finished := make(chan struct{})
	go func() { d.Run(runCtx); close(finished) }()
	for delivered() < n {
		if time.Since(start) > 5*time.Minute {
			panic("dispatch did not finish in 5 minutes")
		}
		time.Sleep(2 * time.Millisecond)
	}
	elapsed := time.Since(start)
	stop()
	<-finished
	sent, err := db.CountMessages(ctx, notify.StatusSent)
	must(err)
	if sent != n {
		panic(fmt.Sprintf("%d of %d recorded sent", sent, n))
	}
	return float64(n) / elapsed.Seconds()
}

// startProfile starts a CPU profile into the file profile names, if any,
// and returns what stops it.
func startProfile() (stop func()) {
	if profile == "" {
		return func() {}
	}
	f, err := os.Create(profile)
	must(err)
	must(pprof.StartCPUProfile(f))
	return func() { pprof.StopCPUProfile(); f.Close() }
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
