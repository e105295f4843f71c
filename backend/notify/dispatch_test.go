package notify_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/notify/fcm"
	"github.com/vista-optical/vista/backend/notify/fcmfake"
	"github.com/vista-optical/vista/backend/store/sqlite"
	"github.com/vista-optical/vista/backend/store/sqlite/sqlitetest"
)

// consents fakes the customers' consents and which of them Vista holds a
// phone number for.
type consents struct {
	mu      sync.Mutex
	granted map[string]bool
	phones  map[string]bool
}

func (c *consents) Granted(_ context.Context, id string, ch core.Channel, p core.Purpose) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.granted[id+"/"+string(ch)+"/"+string(p)], nil
}

func (c *consents) HasPhone(_ context.Context, id string) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.phones[id], nil
}

type env struct {
	db       *sqlite.DB
	fake     *fcmfake.Server
	d        *notify.Dispatcher
	now      time.Time
	consents *consents
	sms      *recorder
	push     *fcm.Channel
}

type recorder struct {
	mu   sync.Mutex
	sent []string
}

func (r *recorder) Deliver(_ context.Context, m *notify.Message) notify.Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, m.CustomerID)
	return notify.Delivery{Status: notify.StatusSent}
}

func setup(t *testing.T) *env {
	t.Helper()
	db := sqlitetest.Open(t)
	fake := fcmfake.New()
	t.Cleanup(fake.Close)
	client, err := fcm.New(context.Background(), fcm.Config{ProjectID: "vista-test", Endpoint: fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	push := &fcm.Channel{Devices: db, Client: client, Logger: slog.New(slog.DiscardHandler)}
	e := &env{db: db, fake: fake, push: push, consents: &consents{granted: map[string]bool{}, phones: map[string]bool{}}, sms: &recorder{},
		now: time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)}
	clock := core.Clock(func() time.Time { return e.now })
	push.Clock = clock
	rome, _ := time.LoadLocation("Europe/Rome")
	e.d = &notify.Dispatcher{
		Store: db, Clock: clock, Logger: slog.New(slog.DiscardHandler), Owner: "test",
		Channels: map[core.Channel]notify.Channel{
			notify.ChannelPush:   push,
			notify.ChannelSMS:    e.sms,
			notify.ChannelRecall: e.sms,
		},
		Rules:    &notify.SendRules{Consents: e.consents, Phones: e.consents, Default: rome, Sent: db, MarketingCap: 2},
		Fallback: notify.ServiceFallback,
		Backoff:  time.Second, MaxAttempts: 3,
	}
	return e
}

func (e *env) customer(t *testing.T, id string, tokens ...string) {
	t.Helper()
	ctx := context.Background()
	err := e.db.CreateCustomer(ctx, &customer.Customer{ID: id, Email: id + "@example.com", Status: customer.StatusActive, Locale: "it", CreatedAt: e.now, UpdatedAt: e.now})
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range tokens {
		if err := e.db.UpsertDevice(ctx, &customer.Device{Token: tok, CustomerID: id, Platform: "android", AppVersion: "1", CreatedAt: e.now, LastSeenAt: e.now}); err != nil {
			t.Fatal(err)
		}
	}
	e.consents.granted[id+"/push/service"] = true
}

func (e *env) device(t *testing.T, customerID, platform, token string) {
	t.Helper()
	err := e.db.UpsertDevice(context.Background(), &customer.Device{Token: token, CustomerID: customerID, Platform: platform, AppVersion: "1", CreatedAt: e.now, LastSeenAt: e.now})
	if err != nil {
		t.Fatal(err)
	}
}

func (e *env) enqueue(t *testing.T, customerID, key string) *notify.Message {
	t.Helper()
	m := &notify.Message{ID: core.NewID(), CustomerID: customerID, Channel: notify.ChannelPush, Purpose: notify.PurposeService,
		DedupeKey: key, Cause: "lens_runs_out:" + key, Title: "Le tue lenti stanno per finire", Body: "Dettagli nell'app",
		DueAt: e.now, Status: notify.StatusPending, CreatedAt: e.now, UpdatedAt: e.now}
	if _, err := e.db.EnqueueMessage(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	return m
}

func (e *env) status(t *testing.T, id string) *notify.Message {
	t.Helper()
	m, err := e.db.Message(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDispatchSends(t *testing.T) {
	e := setup(t)
	e.customer(t, "c1", "token-c1-a", "token-c1-b")
	m := e.enqueue(t, "c1", "k1")
	if n, err := e.d.RunOnce(context.Background()); err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	if got := e.status(t, m.ID); got.Status != notify.StatusSent || got.SentAt == nil {
		t.Fatalf("message %+v", got)
	}
	rec := e.fake.Received()
	if len(rec) != 2 || rec[0].AndroidTag != fcm.CollapseTag(m.Cause, "c1") {
		t.Fatalf("FCM received %+v, want both devices with the collapse tag", rec)
	}
}

func TestInvalidTokenRemovedAfterOneSend(t *testing.T) {
	e := setup(t)
	e.customer(t, "c1", "token-dead-0000", "token-live-0000")
	e.fake.FailToken("token-dead-0000", fcmfake.Failure{Code: fcmfake.Unregistered})
	m := e.enqueue(t, "c1", "k1")
	_, _ = e.d.RunOnce(context.Background())
	devs, _ := e.db.Devices(context.Background(), "c1")
	if len(devs) != 1 || devs[0].Token != "token-live-0000" {
		t.Fatalf("devices after send: %+v", devs)
	}
	if got := e.status(t, m.ID); got.Status != notify.StatusSent {
		t.Fatalf("message %+v", got)
	}
	e.enqueue(t, "c1", "k2")
	before := e.fake.Requests()
	_, _ = e.d.RunOnce(context.Background())
	if e.fake.Requests()-before != 1 {
		t.Fatal("the removed token was targeted again")
	}
}

// T25: THIRD_PARTY_AUTH_ERROR (APNs credentials rejected) deletes no
// token, halts push to iOS while Android goes on, and resumes after a
// probe once the credentials work again.
func TestThirdPartyAuthErrorHaltsThatPlatform(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	e.customer(t, "c1", "token-c1-android")
	e.device(t, "c1", "ios", "token-c1-ios")
	e.customer(t, "c2")
	e.device(t, "c2", "ios", "token-c2-ios")
	e.customer(t, "c3", "token-c3-android")
	auth := fcmfake.Failure{Code: fcmfake.ThirdPartyAuthError}
	e.fake.FailToken("token-c1-ios", auth)
	e.fake.FailToken("token-c2-ios", auth)

	m1 := e.enqueue(t, "c1", "k1")
	_, _ = e.d.RunOnce(ctx)
	if got := e.status(t, m1.ID); got.Status != notify.StatusSent {
		t.Fatalf("c1 has Android: message %+v", got)
	}
	if until, ok := e.push.Halted()["ios"]; !ok || !until.Equal(e.now.Add(fcm.HaltFor)) {
		t.Fatalf("halted = %v, want ios until now+%v", e.push.Halted(), fcm.HaltFor)
	}

	m2, m3 := e.enqueue(t, "c2", "k2"), e.enqueue(t, "c3", "k3")
	before := e.fake.Requests()
	_, _ = e.d.RunOnce(ctx)
	if n := e.fake.Requests() - before; n != 1 {
		t.Fatalf("%d requests while iOS is halted, want 1 (c3's Android)", n)
	}
	got2 := e.status(t, m2.ID)
	if got2.Status != notify.StatusPending || got2.DueAt.Before(e.now.Add(fcm.HaltFor)) || got2.Attempts != 0 {
		t.Fatalf("c2 (iOS only) message %+v, want pending until the halt ends", got2)
	}
	if got := e.status(t, m3.ID); got.Status != notify.StatusSent {
		t.Fatalf("c3 (Android) message %+v", got)
	}
	for _, c := range []string{"c1", "c2"} {
		if devs, _ := e.db.Devices(ctx, c); !hasPlatform(devs, "ios") {
			t.Fatalf("%s lost its iOS token: %+v", c, devs)
		}
	}

	e.fake.FailToken("token-c2-ios", fcmfake.Failure{}) // the APNs key is fixed
	e.now = e.now.Add(fcm.HaltFor)
	_, _ = e.d.RunOnce(ctx)
	if got := e.status(t, m2.ID); got.Status != notify.StatusSent {
		t.Fatalf("after the halt the probe should deliver: %+v", got)
	}
	if len(e.push.Halted()) != 0 {
		t.Fatalf("still halted: %v", e.push.Halted())
	}
}

// T30 at run time: a push whose lock-screen text reveals health data, or
// whose payload exceeds FCM's 4 KiB, is refused loudly, never sent.
func TestPushRefusesHealthDataAndOversize(t *testing.T) {
	e := setup(t)
	e.customer(t, "c1", "token-c1-0000")
	ctx := context.Background()
	var ids []string
	for i, text := range [][2]string{{"Le tue lenti toriche stanno per finire", "Dettagli nell'app"}, {"Novità", strings.Repeat("x", 5000)}} {
		m := &notify.Message{ID: core.NewID(), CustomerID: "c1", Channel: notify.ChannelPush, Purpose: notify.PurposeService,
			DedupeKey: fmt.Sprintf("k%d", i), Cause: "test", Title: text[0], Body: text[1],
			DueAt: e.now, Status: notify.StatusPending, CreatedAt: e.now, UpdatedAt: e.now}
		if _, err := e.db.EnqueueMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	_, _ = e.d.RunOnce(ctx)
	if n := e.fake.Requests(); n != 0 {
		t.Fatalf("%d requests reached FCM", n)
	}
	for _, id := range ids {
		if got := e.status(t, id); got.Status != notify.StatusDead || got.LastError == "" {
			t.Fatalf("message %+v, want dead with a reason", got)
		}
	}
}

// T26: a configured send rate holds in every one-second window, and a
// stop puts back what was waiting for its turn instead of sending it.
func TestSendRateIsNeverExceeded(t *testing.T) {
	if testing.Short() {
		t.Skip("sends for two seconds")
	}
	e := setup(t)
	e.now = time.Now().UTC() // the rate is paced in real time: so is this dispatcher
	e.d.Clock, e.push.Clock = core.SystemClock, core.SystemClock
	e.d.Rules = nil
	e.d.Rates = map[core.Channel]float64{notify.ChannelPush: 500}
	ctx := context.Background()
	var msgs []*notify.Message
	for i := range 1100 {
		id := fmt.Sprintf("c%04d", i)
		e.customer(t, id, "token-"+id)
		msgs = append(msgs, &notify.Message{ID: core.NewID(), CustomerID: id, Channel: notify.ChannelPush, Purpose: notify.PurposeMarketing,
			DedupeKey: "rate:" + id, Cause: "promo", Title: "Novità", Body: "Apri l'app", DueAt: e.now, Status: notify.StatusPending,
			CreatedAt: e.now, UpdatedAt: e.now})
	}
	if _, err := e.db.EnqueueMessages(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	timed := &timedChannel{next: e.d.Channels[notify.ChannelPush]}
	e.d.Channels[notify.ChannelPush] = timed
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { e.d.Run(runCtx); close(done) }()
	deadline := time.Now().Add(time.Minute)
	for e.fake.Count() < 1000 {
		if time.Now().After(deadline) {
			stop()
			<-done
			t.Fatalf("%d sends after a minute at 500/s", e.fake.Count())
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	<-done
	// Counted where the dispatcher hands messages to FCM's client. Turns
	// are spaced exactly, but the goroutines waiting for them wake a little
	// late or early (more under -race), so 1% over is allowed for that (the
	// dispatcher aims 1% under). Arrivals at FCM bunch after any pause of
	// the process and after the first connections are dialled, so they are
	// only counted.
	for i, j := 0, 0; j < len(timed.at); j++ {
		for timed.at[j].Sub(timed.at[i]) >= time.Second {
			i++
		}
		if n := j - i + 1; n > 505 {
			t.Fatalf("%d sends within one second at a rate of 500/s", n)
		}
	}
	if span := timed.at[len(timed.at)-1].Sub(timed.at[0]); float64(len(timed.at)-1)/span.Seconds() > 500 {
		t.Fatalf("%d sends in %v: over 500/s", len(timed.at), span)
	}
	rec := e.fake.Received()
	sent, _ := e.db.CountMessages(ctx, notify.StatusSent)
	pending, _ := e.db.CountMessages(ctx, notify.StatusPending)
	if sent != len(rec) || sent+pending != len(msgs) || pending == 0 {
		t.Fatalf("after the stop: %d sent (%d at FCM), %d pending, of %d", sent, len(rec), pending, len(msgs))
	}
}

// A slow channel under its rate (SMS at 5/s) does not hold every sender:
// push messages queued behind a hundred SMS go out at once, while the SMS
// keep their pace.
func TestSlowChannelDoesNotHoldTheOthers(t *testing.T) {
	e := setup(t)
	e.now = time.Now().UTC()
	e.d.Clock, e.push.Clock = core.SystemClock, core.SystemClock
	e.d.Rules, e.d.Concurrency, e.d.Idle = nil, 8, 50*time.Millisecond
	e.d.Rates = map[core.Channel]float64{notify.ChannelSMS: 5}
	ctx := context.Background()
	var msgs []*notify.Message
	add := func(id string, ch core.Channel, due time.Time) {
		msgs = append(msgs, &notify.Message{ID: core.NewID(), CustomerID: id, Channel: ch, Purpose: notify.PurposeService,
			DedupeKey: string(ch) + ":" + id, Cause: "hol", Title: "t", Body: "b", DueAt: due, Status: notify.StatusPending, CreatedAt: e.now, UpdatedAt: e.now})
	}
	for i := range 100 {
		add(fmt.Sprintf("s%03d", i), notify.ChannelSMS, e.now.Add(-time.Minute)) // first in line
	}
	for i := range 300 {
		id := fmt.Sprintf("p%03d", i)
		e.customer(t, id, "token-"+id)
		add(id, notify.ChannelPush, e.now)
	}
	if _, err := e.db.EnqueueMessages(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { e.d.Run(runCtx); close(done) }()
	defer func() { stop(); <-done }()
	start := time.Now()
	for e.fake.Count() < 300 {
		if time.Since(start) > 10*time.Second { // held behind the SMS it would take 20 s
			t.Fatalf("%d of 300 pushes after 10 s: the SMS pace holds the senders", e.fake.Count())
		}
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(start)
	e.sms.mu.Lock()
	sms := len(e.sms.sent)
	e.sms.mu.Unlock()
	if max := int(5*elapsed.Seconds()) + 2; sms > max {
		t.Fatalf("%d SMS in %v at 5/s", sms, elapsed)
	}
	t.Logf("300 pushes behind 100 SMS in %v; %d SMS meanwhile", elapsed, sms)
}

// timedChannel records when each message is handed to the next channel.
type timedChannel struct {
	next notify.Channel
	mu   sync.Mutex
	at   []time.Time
}

func (c *timedChannel) Deliver(ctx context.Context, m *notify.Message) notify.Delivery {
	c.mu.Lock()
	c.at = append(c.at, time.Now())
	c.mu.Unlock()
	return c.next.Deliver(ctx, m)
}

func hasPlatform(devs []*customer.Device, p string) bool {
	for _, d := range devs {
		if d.Platform == p {
			return true
		}
	}
	return false
}

func TestRetryAfterIsHonoured(t *testing.T) {
	e := setup(t)
	e.customer(t, "c1", "token-c1-0000")
	e.fake.FailNext(fcmfake.Failure{Code: fcmfake.Unavailable, RetryAfter: "7"})
	m := e.enqueue(t, "c1", "k1")
	_, _ = e.d.RunOnce(context.Background())
	got := e.status(t, m.ID)
	if got.Status != notify.StatusPending || got.DueAt.Before(e.now.Add(7*time.Second)) {
		t.Fatalf("after 503 Retry-After 7: %+v (now %v)", got, e.now)
	}
	e.now = got.DueAt.Add(-time.Second)
	if n, _ := e.d.RunOnce(context.Background()); n != 0 {
		t.Fatal("retried before Retry-After")
	}
	e.now = got.DueAt
	_, _ = e.d.RunOnce(context.Background())
	if got := e.status(t, m.ID); got.Status != notify.StatusSent || got.Attempts != 2 {
		t.Fatalf("after the wait: %+v", got)
	}
}

func TestNoConsentIsNotSentAndSaysWhy(t *testing.T) {
	e := setup(t)
	e.customer(t, "c1", "token-c1-0000")
	e.consents.granted["c1/push/service"] = false
	m := e.enqueue(t, "c1", "k1")
	m.Purpose = notify.PurposeMarketing
	mk := &notify.Message{ID: core.NewID(), CustomerID: "c1", Channel: notify.ChannelPush, Purpose: notify.PurposeMarketing,
		DedupeKey: "promo", Cause: "promo", Title: "Saldi", Body: "x", DueAt: e.now, Status: notify.StatusPending, CreatedAt: e.now, UpdatedAt: e.now}
	_, _ = e.db.EnqueueMessage(context.Background(), mk)
	_, _ = e.d.RunOnce(context.Background())
	got := e.status(t, mk.ID)
	if got.Status != notify.StatusSkipped || got.LastError != "no consent for push/marketing" {
		t.Fatalf("marketing without consent: %+v", got)
	}
	if len(e.fake.Received()) != 0 {
		t.Fatal("FCM received a message without consent")
	}
}

// TestServiceFallbackFollowsConsent: a service reminder that push cannot
// carry goes on to the first channel of the chain the customer consented
// to and Vista holds the address for; a channel refused is passed over,
// and a phone recall is queued for staff only for a customer with a phone
// number who agreed to be called.
func TestServiceFallbackFollowsConsent(t *testing.T) {
	e := setup(t)
	for id, grants := range map[string][]string{
		"sms":          {"sms", "phone-number"},
		"call":         {"phone", "phone-number"},
		"nothing":      {"phone-number"},
		"call-nophone": {"phone"},
		"sms-nophone":  {"sms", "phone"},
	} {
		e.customer(t, id) // no device: push skips
		for _, g := range grants {
			if g == "phone-number" {
				e.consents.phones[id] = true
			} else {
				e.consents.granted[id+"/"+g+"/service"] = true
			}
		}
		e.enqueue(t, id, "k-"+id)
	}
	for range 4 {
		_, _ = e.d.RunOnce(context.Background())
	}
	want := map[string]string{
		"sms":          "push:skipped sms:sent",
		"call":         "push:skipped recall:sent",
		"nothing":      "push:skipped",
		"call-nophone": "push:skipped",
		"sms-nophone":  "push:skipped",
	}
	for id, w := range want {
		list, err := e.db.CustomerMessages(context.Background(), id, core.Page{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i := len(list) - 1; i >= 0; i-- {
			got = append(got, string(list[i].Channel)+":"+list[i].Status)
		}
		if strings.Join(got, " ") != w {
			t.Errorf("%s: outbox holds %q, want %q", id, got, w)
		}
	}
	if len(e.sms.sent) != 2 {
		t.Fatalf("SMS and recall channels were handed %v, want the sms and call customers once each", e.sms.sent)
	}
}

func TestQuietHoursDeferTo9InShopTime(t *testing.T) {
	e := setup(t)
	e.customer(t, "c1", "token-c1-0000")
	rome, _ := time.LoadLocation("Europe/Rome")
	e.now = time.Date(2026, 3, 10, 22, 30, 0, 0, rome).UTC()
	m := e.enqueue(t, "c1", "k1")
	_, _ = e.d.RunOnce(context.Background())
	got := e.status(t, m.ID)
	want := time.Date(2026, 3, 11, 9, 0, 0, 0, rome)
	if got.Status != notify.StatusPending || !got.DueAt.Equal(want) || got.Attempts != 0 {
		t.Fatalf("deferred to %v (%s, %d attempts), want %v and no attempt spent", got.DueAt.In(rome), got.Status, got.Attempts, want)
	}
	if len(e.fake.Received()) != 0 {
		t.Fatal("sent during quiet hours")
	}
}

func TestQuietUntilAcrossDST(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	cases := []struct{ now, want string }{
		{"2026-03-28 23:00", "2026-03-29 09:00"}, // the night clocks go forward
		{"2026-10-25 02:30", "2026-10-25 09:00"}, // the night clocks go back
		{"2026-10-25 10:00", "2026-10-25 10:00"}, // not quiet
		{"2026-06-01 08:59", "2026-06-01 09:00"},
		{"2026-06-01 21:00", "2026-06-02 09:00"},
	}
	for _, c := range cases {
		now, _ := time.ParseInLocation("2006-01-02 15:04", c.now, rome)
		want, _ := time.ParseInLocation("2006-01-02 15:04", c.want, rome)
		if got := notify.QuietUntil(now, rome, 21, 9); !got.Equal(want) {
			t.Errorf("QuietUntil(%s) = %v, want %s", c.now, got.In(rome), c.want)
		}
	}
}

func TestDeadAfterMaxAttempts(t *testing.T) {
	e := setup(t)
	e.customer(t, "c1", "token-c1-0000")
	e.fake.FailToken("token-c1-0000", fcmfake.Failure{Code: fcmfake.Internal})
	m := e.enqueue(t, "c1", "k1")
	for i := range 3 {
		_, _ = e.d.RunOnce(context.Background())
		got := e.status(t, m.ID)
		if i < 2 {
			if got.Status != notify.StatusPending {
				t.Fatalf("attempt %d: %+v", i+1, got)
			}
			wait := got.DueAt.Sub(e.now)
			base := time.Second << i
			if wait < base/2 || wait > base {
				t.Fatalf("attempt %d waits %v, want within [%v, %v]", i+1, wait, base/2, base)
			}
			e.now = got.DueAt
		}
	}
	dead, _ := e.db.MessagesByStatus(context.Background(), notify.StatusDead, 10)
	if len(dead) != 1 || dead[0].ID != m.ID {
		t.Fatalf("dead letters %+v", dead)
	}
}

func TestMarketingFrequencyCap(t *testing.T) {
	e := setup(t)
	e.customer(t, "c1", "token-c1-0000")
	e.consents.granted["c1/push/marketing"] = true
	var ids []string
	for i := range 3 {
		m := &notify.Message{ID: core.NewID(), CustomerID: "c1", Channel: notify.ChannelPush, Purpose: notify.PurposeMarketing,
			DedupeKey: fmt.Sprintf("promo-%d", i), Cause: fmt.Sprintf("promo-%d", i), Title: "Saldi", Body: "x",
			DueAt: e.now.Add(time.Duration(i) * time.Second), Status: notify.StatusPending, CreatedAt: e.now, UpdatedAt: e.now}
		_, _ = e.db.EnqueueMessage(context.Background(), m)
		ids = append(ids, m.ID)
	}
	e.d.Batch = 1 // one at a time, as a campaign spread over days would arrive
	for range 3 {
		e.now = e.now.Add(time.Hour)
		_, _ = e.d.RunOnce(context.Background())
	}
	if got := e.status(t, ids[2]); got.Status != notify.StatusSkipped || got.LastError != "marketing frequency cap reached" {
		t.Fatalf("third marketing message: %+v", got)
	}
	if n := len(e.fake.Received()); n != 2 {
		t.Fatalf("FCM received %d marketing messages, cap is 2", n)
	}
}

// countingChannel counts deliveries per message.
type countingChannel struct {
	mu sync.Mutex
	n  map[string]int
	// both, when set, holds every send until each dispatcher has made
	// one, so that the two really share the outbox however the machine
	// schedules them (a busy CI box once let one drain it alone).
	both  *sync.WaitGroup
	first sync.Once
}

func (c *countingChannel) Deliver(_ context.Context, m *notify.Message) notify.Delivery {
	c.mu.Lock()
	c.n[m.ID]++
	c.mu.Unlock()
	if c.both != nil {
		c.first.Do(c.both.Done)
		done := make(chan struct{})
		go func() { c.both.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
		}
	}
	time.Sleep(100 * time.Microsecond) // a send takes a while
	return notify.Delivery{Status: notify.StatusSent}
}

// T24: two dispatchers in two processes' worth of handles on one database
// hand every message to its channel exactly once.
func TestTwoDispatchersNeverShareAMessage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v.db")
	var dbs []*sqlite.DB
	for range 2 {
		db, err := sqlite.Open(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs = append(dbs, db)
	}
	ctx := context.Background()
	if err := dbs[0].Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	const total = 3000
	var msgs []*notify.Message
	for i := range total {
		id := fmt.Sprintf("c%05d", i)
		msgs = append(msgs, &notify.Message{ID: core.NewID(), CustomerID: id, Channel: notify.ChannelPush, Purpose: notify.PurposeService,
			DedupeKey: "race:" + id, Cause: "race", Title: "t", Body: "b", DueAt: now, Status: notify.StatusPending, CreatedAt: now, UpdatedAt: now})
	}
	if _, err := dbs[0].EnqueueMessages(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	var both sync.WaitGroup
	both.Add(2)
	chs := []*countingChannel{{n: map[string]int{}, both: &both}, {n: map[string]int{}, both: &both}}
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for i, db := range dbs {
		d := &notify.Dispatcher{Store: db, Clock: core.SystemClock, Owner: fmt.Sprintf("d%d", i), Concurrency: 16, Batch: 64,
			Idle: 5 * time.Millisecond, Channels: map[core.Channel]notify.Channel{notify.ChannelPush: chs[i]}}
		wg.Add(1)
		go func() { defer wg.Done(); d.Run(runCtx) }()
	}
	deadline := time.Now().Add(time.Minute)
	for {
		sent, err := dbs[1].CountMessages(ctx, notify.StatusSent)
		if err != nil {
			t.Fatal(err)
		}
		if sent == total {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d sent after a minute", sent, total)
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	wg.Wait()
	all := map[string]int{}
	for i, ch := range chs {
		if len(ch.n) == 0 {
			t.Fatalf("dispatcher %d delivered nothing: no race was run", i)
		}
		for id, n := range ch.n {
			all[id] += n
		}
	}
	if len(all) != total {
		t.Fatalf("%d messages delivered, want %d", len(all), total)
	}
	for id, n := range all {
		if n != 1 {
			t.Fatalf("message %s delivered %d times", id, n)
		}
	}
	t.Logf("%d and %d messages delivered by the two dispatchers, each once", len(chs[0].n), len(chs[1].n))
}
