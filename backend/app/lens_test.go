package app_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/app"
	"github.com/vista-optical/vista/backend/app/apptest"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/lens"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/notify/fcmfake"
)

// TestLensReminderEndToEnd is the "done when": a customer signs up,
// registers a device, adds a monthly supply that runs out in 10 days; with
// the worker's clock moved forward the fake FCM server receives the
// reminder once, the inbox shows it, the timeline records it, and reorder
// creates a reservation staff can see.
func TestLensReminderEndToEnd(t *testing.T) {
	fake := fcmfake.New()
	defer fake.Close()
	clock := apptest.NewClock(time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC))
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) {
		m.Clock = clock.Now
		m.Config.FCMEndpoint = fake.URL
	})
	c := apptest.Client{T: t, M: m}
	s := c.Signup("anna@example.com", func(b map[string]any) {
		b["shop_id"] = "shop-milano-centro"
		b["consents"] = []map[string]any{{"channel": "push", "purpose": "service", "granted": true}}
		b["consent_text_version"] = "v1"
	})
	tok := apptest.Bearer(s.Tokens.AccessToken)
	c.Want(c.Do("POST", "/v1/me/devices", map[string]string{"token": "fcm-token-anna-0123456789", "platform": "android", "app_version": "1.0.0"}, tok...), 201)

	// A monthly pair opened 20 days ago: it runs out in 10 days.
	var supply map[string]any
	c.Want(c.Do("POST", "/v1/me/lenses", map[string]any{"eye": "both", "brand": "Alcon", "product": "Total30", "modality": "monthly",
		"boxes": 1, "lenses_per_box": 2, "start_date": "2026-02-18"}, tok...), 201).JSON(t, &supply)
	if supply["runs_out_on"] != "2026-03-20" || supply["days_left"].(float64) != 10 || supply["next_reminder_at"] == nil {
		t.Fatalf("supply = %v", supply)
	}
	ctx := context.Background()
	if n, err := m.Lenses.Scan(ctx); err != nil || n != 0 {
		t.Fatalf("scan today enqueued %d (%v); nothing is due yet", n, err)
	}

	clock.Add(8 * 24 * time.Hour) // 3 days before running out, after 10:00 Rome
	for range 2 {                 // the scan runs twice: still one reminder
		if _, err := m.Lenses.Scan(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		if _, err := m.Dispatcher.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got := fake.Received()
	if len(got) != 1 {
		t.Fatalf("FCM received %d messages, want 1: %+v", len(got), got)
	}
	if got[0].Title != "Le tue lenti stanno per finire" || strings.Contains(got[0].Title+got[0].Body, "Total30") || got[0].AndroidTag == "" {
		t.Fatalf("push = %+v", got[0])
	}

	// Eight days on, the access token has expired: the app signs in again.
	var again apptest.Session
	c.Want(c.Do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": s.Tokens.RefreshToken}), 200).JSON(t, &again)
	tok = apptest.Bearer(again.Tokens.AccessToken)
	var inbox struct{ Messages []map[string]any }
	c.Want(c.Do("GET", "/v1/me/messages", nil, tok...), 200).JSON(t, &inbox)
	if len(inbox.Messages) != 1 || inbox.Messages[0]["data"].(map[string]any)["supply_id"] != supply["id"] {
		t.Fatalf("inbox = %v", inbox.Messages)
	}
	msgID := inbox.Messages[0]["id"].(string)
	c.Want(c.Do("POST", "/v1/me/messages/"+msgID+"/read", nil, tok...), 204)
	c.Want(c.Do("POST", "/v1/me/messages/"+got[0].Data["message_id"]+"/opened", nil, tok...), 204)

	owner := apptest.OwnerLogin(t, m)
	var timeline struct{ Messages []map[string]any }
	c.Want(c.Do("GET", "/v1/staff/customers/"+s.Customer.ID+"/timeline", nil, apptest.Bearer(owner)...), 200).JSON(t, &timeline)
	sent := 0
	for _, msg := range timeline.Messages {
		if msg["status"] == "sent" {
			sent++
		}
	}
	if sent != 2 { // the push and the inbox entry
		t.Fatalf("timeline = %v", timeline.Messages)
	}

	// Reorder from the reminder: staff of the shop see the request.
	c.Want(c.Do("POST", "/v1/me/lenses/"+supply["id"].(string)+"/reorder", map[string]string{"note": "ritiro sabato"}, tok...), 201)
	var res struct{ Reservations []map[string]any }
	c.Want(c.Do("GET", "/v1/staff/shops/shop-milano-centro/reservations", nil, apptest.Bearer(owner)...), 200).JSON(t, &res)
	if len(res.Reservations) != 1 || res.Reservations[0]["supply_id"] != supply["id"] || res.Reservations[0]["kind"] != "lens_reorder" {
		t.Fatalf("reservations = %v", res.Reservations)
	}

	// Staff reads of lens data are audited.
	c.Want(c.Do("GET", "/v1/staff/customers/"+s.Customer.ID+"/lenses", nil, apptest.Bearer(owner)...), 200)
	var audit struct{ Entries []map[string]any }
	c.Want(c.Do("GET", "/v1/staff/audit?customer="+s.Customer.ID, nil, apptest.Bearer(owner)...), 200).JSON(t, &audit)
	found := false
	for _, e := range audit.Entries {
		found = found || e["action"] == "lens.supplies_viewed"
	}
	if !found {
		t.Fatal("staff read of lens data not audited")
	}

	// Operators can alert on a halted push platform.
	metrics := string(c.Want(c.Admin("/metrics"), 200).Body)
	if !strings.Contains(metrics, `vista_push_halted{platform="ios"} 0`) {
		t.Fatal("no vista_push_halted gauge for iOS in /metrics")
	}
}

// TestReminderScanRace: two instances scanning one database at the same
// moment enqueue each reminder once (T23).
func TestReminderScanRace(t *testing.T) {
	dir := t.TempDir()
	clock := apptest.NewClock(time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC))
	m1 := apptest.Boot(t, dir, func(m *app.Main) { m.Clock = clock.Now })
	m2 := apptest.Boot(t, dir, func(m *app.Main) { m.Clock = clock.Now; m.Config.Demo = false })
	c := apptest.Client{T: t, M: m1}
	for i := range 20 {
		s := c.Signup(fmt.Sprintf("c%d@example.com", i))
		c.Want(c.Do("POST", "/v1/me/lenses", map[string]any{"eye": "both", "brand": "Alcon", "product": "Total30", "modality": "monthly",
			"boxes": 1, "lenses_per_box": 2, "start_date": "2026-02-18"}, apptest.Bearer(s.Tokens.AccessToken)...), 201)
	}
	clock.Add(8 * 24 * time.Hour)
	var wg sync.WaitGroup
	var total atomic.Int64
	for _, m := range []*app.Main{m1, m2, m1, m2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := m.Lenses.Scan(context.Background())
			if err != nil {
				t.Error(err)
			}
			total.Add(int64(n))
		}()
	}
	wg.Wait()
	if total.Load() != 40 { // 20 supplies × (push + inbox)
		t.Fatalf("%d messages enqueued by four racing scans, want 40", total.Load())
	}
}

// TestEyeExamReminder: staff record when an exam is due; 30 days before,
// at 10:00 shop time, the customer gets a reminder to book it.
func TestEyeExamReminder(t *testing.T) {
	fake := fcmfake.New()
	defer fake.Close()
	clock := apptest.NewClock(time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC))
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) { m.Clock = clock.Now; m.Config.FCMEndpoint = fake.URL })
	c := apptest.Client{T: t, M: m}
	s := c.Signup("anna@example.com", func(b map[string]any) {
		b["shop_id"] = "shop-milano-centro"
		b["consents"] = []map[string]any{{"channel": "push", "purpose": "service", "granted": true}}
		b["consent_text_version"] = "v1"
	})
	c.Want(c.Do("POST", "/v1/me/devices", map[string]string{"token": "fcm-token-anna-0123456789", "platform": "ios", "app_version": "1.0.0"}, apptest.Bearer(s.Tokens.AccessToken)...), 201)
	asst := apptest.AddStaff(t, m, "asst@milano.example", "assistant", "shop-milano-centro")
	staff := c.StaffLogin("asst@milano.example", asst)
	c.Want(c.Do("PUT", "/v1/staff/customers/"+s.Customer.ID+"/exams", map[string]string{"due_on": "2026-05-01"}, apptest.Bearer(staff)...), 200)
	c.Want(c.Do("PUT", "/v1/staff/customers/"+s.Customer.ID+"/exams", map[string]string{"due_on": "yesterday"}, apptest.Bearer(staff)...), 422)

	ctx := context.Background()
	clock.Add(21 * 24 * time.Hour) // 31 March: not yet
	if n, _ := m.Lenses.ScanExams(ctx); n != 0 {
		t.Fatalf("reminder %d days early", 1)
	}
	clock.Add(24 * time.Hour) // 1 April, 10:00 Rome has passed
	if n, err := m.Lenses.ScanExams(ctx); err != nil || n != 2 {
		t.Fatalf("ScanExams = %d, %v", n, err)
	}
	if n, _ := m.Lenses.ScanExams(ctx); n != 0 {
		t.Fatal("second scan enqueued again")
	}
	for range 2 {
		_, _ = m.Dispatcher.RunOnce(ctx)
	}
	got := fake.Received()
	if len(got) != 1 || got[0].Title != "È ora del controllo della vista" {
		t.Fatalf("FCM received %+v", got)
	}
}

// TestRemindersAcrossDSTWithReplicasAndRestarts is T23: three scheduler
// replicas on one database scan every hour through both clock changes of
// 2026, while five of them are restarted at random moments. Every reminder
// the schedule holds is enqueued exactly once per channel — none skipped,
// none doubled — and each at 10:00 Rome, summer time or not.
func TestRemindersAcrossDSTWithReplicasAndRestarts(t *testing.T) {
	if testing.Short() {
		t.Skip("hour-by-hour simulation of two months around each clock change")
	}
	dir := t.TempDir()
	clock := apptest.NewClock(time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC))
	start := func(demo bool) *app.Main {
		return apptest.Boot(t, dir, func(m *app.Main) { m.Clock = clock.Now; m.Config.Demo = demo; m.Limits.SignupIP.Max = 1000 })
	}
	replicas := []*app.Main{start(true), start(false), start(false)}
	c := apptest.Client{T: t, M: replicas[0]}
	var customers []string
	created := map[string]time.Time{} // customer → when their supplies were added
	add := func(prefix string, supplies []map[string]any) {
		for i, sp := range supplies {
			s := c.Signup(fmt.Sprintf("%s%d@example.com", prefix, i))
			c.Want(c.Do("POST", "/v1/me/lenses", sp, apptest.Bearer(s.Tokens.AccessToken)...), 201)
			customers = append(customers, s.Customer.ID)
			created[s.Customer.ID] = clock.Now()
		}
	}
	supply := func(modality string, perBox int, startDate string) map[string]any {
		return map[string]any{"eye": "both", "brand": "Alcon", "product": "Test", "modality": modality,
			"boxes": 1, "lenses_per_box": perBox, "start_date": startDate}
	}
	// Spring: run-outs, their 3- and 14-day reminders and two-weekly
	// replacements fall on and around Sunday 29 March.
	var spring []map[string]any
	for d := 26; d <= 31+4; d++ {
		day := time.Date(2026, 2, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		spring = append(spring, supply("monthly", 2, day), supply("daily", 60, day))
	}
	spring = append(spring, supply("two_weekly", 6, "2026-03-01"), supply("two_weekly", 6, "2026-03-02"))
	add("spring", spring)

	rng := rand.New(rand.NewPCG(2026, 23))
	restarts := map[int]bool{}
	for len(restarts) < 5 {
		restarts[rng.IntN(2600)] = true
	}
	step := 0
	run := func(until time.Time) {
		for clock.Now().Before(until) {
			clock.Add(time.Hour)
			// At a restart step one replica stops while it scans: its scan
			// fails half-way (like a crash), a new one takes its place.
			dying := -1
			if restarts[step] {
				dying = rng.IntN(len(replicas))
			}
			var wg sync.WaitGroup
			for i, m := range replicas {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := m.Lenses.Scan(context.Background()); err != nil && i != dying {
						t.Error(err)
					}
				}()
			}
			if dying >= 0 {
				replicas[dying].Close()
				replicas[dying] = start(false)
			}
			wg.Wait()
			step++
		}
	}
	run(time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC))
	// Autumn: the same around Sunday 25 October.
	clock.Add(time.Date(2026, 9, 20, 0, 0, 0, 0, time.UTC).Sub(clock.Now()))
	var autumn []map[string]any
	for d := 22; d <= 30+2; d++ {
		day := time.Date(2026, 9, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		autumn = append(autumn, supply("monthly", 2, day), supply("daily", 60, day))
	}
	add("autumn", autumn)
	run(time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC))
	if step < 2600 {
		t.Fatalf("only %d hourly steps", step)
	}

	ctx := context.Background()
	m := replicas[0]
	rome, _ := time.LoadLocation("Europe/Rome")
	got, dst := 0, 0
	for _, id := range customers {
		want := map[string]bool{}
		sps, err := m.Store.Supplies(ctx, id)
		if err != nil || len(sps) != 1 {
			t.Fatalf("supplies of %s: %v %v", id, sps, err)
		}
		sp := sps[0]
		for _, r := range lens.Schedule(sp.Usage(), m.Lenses.Settings.For(ctx, sp.ShopID)) {
			if r.At.Before(created[id]) || r.At.After(clock.Now()) {
				continue
			}
			kind := r.Kind
			if r.Kind == lens.KindRunsOut {
				kind = fmt.Sprintf("%s_%d", r.Kind, r.DaysBefore)
			}
			for _, ch := range []core.Channel{notify.ChannelPush, notify.ChannelInbox} {
				want[fmt.Sprintf("%s:%s:%s:%s:%s", id, sp.ID, kind, r.Date.Format(time.DateOnly), ch)] = true
			}
		}
		msgs, err := m.Store.CustomerMessages(ctx, id, core.Page{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, msg := range msgs {
			if !want[msg.DedupeKey] {
				t.Errorf("unexpected or doubled reminder %s", msg.DedupeKey)
			}
			delete(want, msg.DedupeKey)
			if local := msg.CreatedAt.In(rome); local.Hour() != 10 || local.Minute() != 0 {
				t.Errorf("%s enqueued at %s, want 10:00 Rome", msg.DedupeKey, local.Format("2006-01-02 15:04 MST"))
			}
			if d := msg.CreatedAt.In(rome).Format(time.DateOnly); d == "2026-03-29" || d == "2026-10-25" {
				dst++
			}
			got++
		}
		for k := range want {
			t.Errorf("reminder skipped: %s", k)
		}
	}
	if dst == 0 {
		t.Fatal("no reminder fell on a clock-change day: the test lost its point")
	}
	t.Logf("%d hourly apptest.Steps, 3 replicas, 5 restarts: %d reminder messages for %d supplies, %d on clock-change days", step, got, len(customers), dst)
}

// TestLateSupplyIsRemindedAtTheNextSendingHour: a supply entered when it
// runs out in two days (its 14- and 3-day reminders already past) gets a
// reminder at the next 10:00 in Rome instead of none; an exam recorded
// ten days before it is due, the same.
func TestLateSupplyIsRemindedAtTheNextSendingHour(t *testing.T) {
	clock := apptest.NewClock(time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)) // 16:00 in Rome
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) { m.Clock = clock.Now })
	c := apptest.Client{T: t, M: m}
	s := c.Signup("anna@example.com", func(b map[string]any) { b["shop_id"] = "shop-milano-centro" })
	tok := apptest.Bearer(s.Tokens.AccessToken)
	var supply struct {
		RunsOutOn string     `json:"runs_out_on"`
		Next      *time.Time `json:"next_reminder_at"`
	}
	// A monthly pair opened 28 days ago runs out on 12 March.
	c.Want(c.Do("POST", "/v1/me/lenses", map[string]any{"eye": "both", "brand": "Alcon", "product": "Total30", "modality": "monthly",
		"boxes": 1, "lenses_per_box": 2, "start_date": "2026-02-10"}, tok...), 201).JSON(t, &supply)
	want := time.Date(2026, 3, 11, 9, 0, 0, 0, time.UTC) // 10:00 in Rome, the next morning
	if supply.RunsOutOn != "2026-03-12" || supply.Next == nil || !supply.Next.Equal(want) {
		t.Fatalf("supply runs out %s, next reminder %v; want one at %v", supply.RunsOutOn, supply.Next, want)
	}
	ctx := context.Background()
	if n, _ := m.Lenses.Scan(ctx); n != 0 {
		t.Fatalf("%d sent before the sending hour", n)
	}
	clock.Add(18*time.Hour + time.Minute)
	if n, err := m.Lenses.Scan(ctx); err != nil || n == 0 {
		t.Fatalf("scan at the sending hour enqueued %d (%v)", n, err)
	}
	if n, _ := m.Lenses.Scan(ctx); n != 0 {
		t.Fatalf("a second scan enqueued %d more", n)
	}
	msgs, err := m.Store.CustomerMessages(ctx, s.Customer.ID, core.Page{Limit: 10})
	apptest.Must(t, err)
	kinds := map[string]int{}
	for _, msg := range msgs {
		kinds[string(msg.Channel)]++
	}
	if kinds["push"] != 1 || kinds["inbox"] != 1 {
		t.Fatalf("messages = %v, want one push and one inbox entry", kinds)
	}

	owner := apptest.OwnerLogin(t, m)
	var exam struct {
		Next *time.Time `json:"next_reminder_at"`
	}
	due := clock.Now().AddDate(0, 0, 10).Format(time.DateOnly)
	c.Want(c.Do("PUT", "/v1/staff/customers/"+s.Customer.ID+"/exams", map[string]any{"due_on": due}, apptest.Bearer(owner)...), 200).JSON(t, &exam)
	if exam.Next == nil || !exam.Next.Equal(time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("exam due %s: next reminder %v, want the next 10:00 in Rome", due, exam.Next)
	}
}
