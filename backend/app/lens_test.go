package app

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/lens"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/notify/fcmfake"
)

// movable is a clock a test moves by hand.
type movable struct {
	mu  sync.Mutex
	now time.Time
}

func (c *movable) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *movable) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestLensReminderEndToEnd is the "done when": a customer signs up,
// registers a device, adds a monthly supply that runs out in 10 days; with
// the worker's clock moved forward the fake FCM server receives the
// reminder once, the inbox shows it, the timeline records it, and reorder
// creates a reservation staff can see.
func TestLensReminderEndToEnd(t *testing.T) {
	fake := fcmfake.New()
	defer fake.Close()
	clock := &movable{now: time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)}
	m := boot(t, t.TempDir(), func(m *Main) {
		m.Clock = clock.Now
		m.Config.FCMEndpoint = fake.URL
	})
	c := client{t, m}
	s := c.signup("anna@example.com", func(b map[string]any) {
		b["shop_id"] = "shop-milano-centro"
		b["consents"] = []map[string]any{{"channel": "push", "purpose": "service", "granted": true}}
		b["consent_text_version"] = "v1"
	})
	tok := bearer(s.Tokens.AccessToken)
	c.want(c.do("POST", "/v1/me/devices", map[string]string{"token": "fcm-token-anna-0123456789", "platform": "android", "app_version": "1.0.0"}, tok...), 201)

	// A monthly pair opened 20 days ago: it runs out in 10 days.
	var supply map[string]any
	c.want(c.do("POST", "/v1/me/lenses", map[string]any{"eye": "both", "brand": "Alcon", "product": "Total30", "modality": "monthly",
		"boxes": 1, "lenses_per_box": 2, "start_date": "2026-02-18"}, tok...), 201).json(t, &supply)
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
	var again session
	c.want(c.do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": s.Tokens.RefreshToken}), 200).json(t, &again)
	tok = bearer(again.Tokens.AccessToken)
	var inbox struct{ Messages []map[string]any }
	c.want(c.do("GET", "/v1/me/messages", nil, tok...), 200).json(t, &inbox)
	if len(inbox.Messages) != 1 || inbox.Messages[0]["data"].(map[string]any)["supply_id"] != supply["id"] {
		t.Fatalf("inbox = %v", inbox.Messages)
	}
	msgID := inbox.Messages[0]["id"].(string)
	c.want(c.do("POST", "/v1/me/messages/"+msgID+"/read", nil, tok...), 204)
	c.want(c.do("POST", "/v1/me/messages/"+got[0].Data["message_id"]+"/opened", nil, tok...), 204)

	owner := ownerLogin(t, m)
	var timeline struct{ Messages []map[string]any }
	c.want(c.do("GET", "/v1/staff/customers/"+s.Customer.ID+"/timeline", nil, bearer(owner)...), 200).json(t, &timeline)
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
	c.want(c.do("POST", "/v1/me/lenses/"+supply["id"].(string)+"/reorder", map[string]string{"note": "ritiro sabato"}, tok...), 201)
	var res struct{ Reservations []map[string]any }
	c.want(c.do("GET", "/v1/staff/shops/shop-milano-centro/reservations", nil, bearer(owner)...), 200).json(t, &res)
	if len(res.Reservations) != 1 || res.Reservations[0]["supply_id"] != supply["id"] || res.Reservations[0]["kind"] != "lens_reorder" {
		t.Fatalf("reservations = %v", res.Reservations)
	}

	// Staff reads of lens data are audited.
	c.want(c.do("GET", "/v1/staff/customers/"+s.Customer.ID+"/lenses", nil, bearer(owner)...), 200)
	var audit struct{ Entries []map[string]any }
	c.want(c.do("GET", "/v1/staff/audit?customer="+s.Customer.ID, nil, bearer(owner)...), 200).json(t, &audit)
	found := false
	for _, e := range audit.Entries {
		found = found || e["action"] == "lens.supplies_viewed"
	}
	if !found {
		t.Fatal("staff read of lens data not audited")
	}

	// Operators can alert on a halted push platform.
	metrics := string(c.want(c.admin("/metrics"), 200).Body)
	if !strings.Contains(metrics, `vista_push_halted{platform="ios"} 0`) {
		t.Fatal("no vista_push_halted gauge for iOS in /metrics")
	}
}

func TestLensesAreOwnedAndValidated(t *testing.T) {
	m := boot(t, t.TempDir())
	c := client{t, m}
	a := c.signup("a@example.com")
	b := c.signup("b@example.com")
	var sup map[string]any
	c.want(c.do("POST", "/v1/me/lenses", map[string]any{"eye": "left", "brand": "Acuvue", "product": "Oasys", "modality": "two_weekly",
		"boxes": 1, "lenses_per_box": 6, "start_date": "2026-01-01"}, bearer(b.Tokens.AccessToken)...), 201).json(t, &sup)
	id := sup["id"].(string)
	for _, r := range []struct{ method, path string }{
		{"GET", "/v1/me/lenses/" + id}, {"DELETE", "/v1/me/lenses/" + id}, {"POST", "/v1/me/lenses/" + id + "/reorder"},
	} {
		c.want(c.do(r.method, r.path, nil, bearer(a.Tokens.AccessToken)...), http.StatusNotFound)
	}
	c.want(c.do("PATCH", "/v1/me/lenses/"+id, map[string]any{"boxes": 2}, bearer(a.Tokens.AccessToken)...), http.StatusNotFound)
	var patched map[string]any
	c.want(c.do("PATCH", "/v1/me/lenses/"+id, map[string]any{"boxes": 2}, bearer(b.Tokens.AccessToken)...), 200).json(t, &patched)
	if patched["runs_out_on"] != "2026-06-18" {
		t.Fatalf("boxes added: runs out %v, want 2026-06-18", patched["runs_out_on"])
	}
	c.want(c.do("POST", "/v1/me/lenses", map[string]any{"eye": "nose", "brand": "x", "product": "y", "modality": "weekly",
		"boxes": 0, "lenses_per_box": 6, "start_date": "soon"}, bearer(b.Tokens.AccessToken)...), 422)
	// Fifty boxes of 400 yearly lenses for one eye would last 20,000 years.
	var tooLong struct {
		Errors []struct{ Field, Message string } `json:"errors"`
	}
	c.want(c.do("POST", "/v1/me/lenses", map[string]any{"eye": "right", "brand": "x", "product": "y", "modality": "yearly",
		"boxes": 50, "lenses_per_box": 400, "start_date": "2026-01-01"}, bearer(b.Tokens.AccessToken)...), 422).json(t, &tooLong)
	if len(tooLong.Errors) != 1 || tooLong.Errors[0].Field != "boxes" {
		t.Fatalf("too long a supply: %+v", tooLong)
	}
	c.want(c.do("PATCH", "/v1/me/lenses/"+id, map[string]any{"boxes": 50, "lenses_per_box": 400}, bearer(b.Tokens.AccessToken)...), 422)

	// Family: a child's supply, and another customer cannot use the child.
	var kid map[string]any
	c.want(c.do("POST", "/v1/me/family", map[string]any{"first_name": "Luca", "last_name": "Rossi", "birth_date": "2016-09-01", "relation": "child"},
		bearer(b.Tokens.AccessToken)...), 201).json(t, &kid)
	child := map[string]any{"member_id": kid["id"], "eye": "both", "brand": "CooperVision", "product": "MiSight", "modality": "daily",
		"boxes": 1, "lenses_per_box": 90, "start_date": "2026-01-01"}
	c.want(c.do("POST", "/v1/me/lenses", child, bearer(b.Tokens.AccessToken)...), 201)
	c.want(c.do("POST", "/v1/me/lenses", child, bearer(a.Tokens.AccessToken)...), 422)
	c.want(c.do("DELETE", "/v1/me/family/"+kid["id"].(string), nil, bearer(a.Tokens.AccessToken)...), 404)
}

// TestReminderScanRace: two instances scanning one database at the same
// moment enqueue each reminder once (T23).
func TestReminderScanRace(t *testing.T) {
	dir := t.TempDir()
	clock := &movable{now: time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)}
	m1 := boot(t, dir, func(m *Main) { m.Clock = clock.Now })
	m2 := boot(t, dir, func(m *Main) { m.Clock = clock.Now; m.Config.Demo = false })
	c := client{t, m1}
	for i := range 20 {
		s := c.signup(fmt.Sprintf("c%d@example.com", i))
		c.want(c.do("POST", "/v1/me/lenses", map[string]any{"eye": "both", "brand": "Alcon", "product": "Total30", "modality": "monthly",
			"boxes": 1, "lenses_per_box": 2, "start_date": "2026-02-18"}, bearer(s.Tokens.AccessToken)...), 201)
	}
	clock.Add(8 * 24 * time.Hour)
	var wg sync.WaitGroup
	var total atomic.Int64
	for _, m := range []*Main{m1, m2, m1, m2} {
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
	clock := &movable{now: time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)}
	m := boot(t, t.TempDir(), func(m *Main) { m.Clock = clock.Now; m.Config.FCMEndpoint = fake.URL })
	c := client{t, m}
	s := c.signup("anna@example.com", func(b map[string]any) {
		b["shop_id"] = "shop-milano-centro"
		b["consents"] = []map[string]any{{"channel": "push", "purpose": "service", "granted": true}}
		b["consent_text_version"] = "v1"
	})
	c.want(c.do("POST", "/v1/me/devices", map[string]string{"token": "fcm-token-anna-0123456789", "platform": "ios", "app_version": "1.0.0"}, bearer(s.Tokens.AccessToken)...), 201)
	asst := addStaff(t, m, "asst@milano.example", "assistant", "shop-milano-centro")
	staff := c.staffLogin("asst@milano.example", asst)
	c.want(c.do("PUT", "/v1/staff/customers/"+s.Customer.ID+"/exams", map[string]string{"due_on": "2026-05-01"}, bearer(staff)...), 200)
	c.want(c.do("PUT", "/v1/staff/customers/"+s.Customer.ID+"/exams", map[string]string{"due_on": "yesterday"}, bearer(staff)...), 422)

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

// TestShopReminderSettingsAndRecalls: a manager changes the shop's reminder
// days; a customer who consented to no digital channel but agreed to be
// called ends up on the shop's phone-recall list, and customers without a
// phone number or that consent are never queued for a call.
func TestShopReminderSettingsAndRecalls(t *testing.T) {
	clock := &movable{now: time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)}
	m := boot(t, t.TempDir(), func(m *Main) { m.Clock = clock.Now })
	c := client{t, m}
	mgr := c.staffLogin("mgr@milano.example", addStaff(t, m, "mgr@milano.example", "manager", "shop-milano-centro"))
	asstPw := addStaff(t, m, "asst@milano.example", "assistant", "shop-milano-centro")
	asst := c.staffLogin("asst@milano.example", asstPw)
	body := map[string]any{"runs_out_days_before": []int{5}, "replace_day": false, "hour_local": 11}
	c.want(c.do("PUT", "/v1/staff/shops/shop-milano-centro/reminder-settings", body, bearer(asst)...), 403)
	c.want(c.do("PUT", "/v1/staff/shops/shop-roma-prati/reminder-settings", body, bearer(mgr)...), 404)
	c.want(c.do("PUT", "/v1/staff/shops/shop-milano-centro/reminder-settings", map[string]any{"runs_out_days_before": []int{}, "hour_local": 3}, bearer(mgr)...), 422)
	c.want(c.do("PUT", "/v1/staff/shops/shop-milano-centro/reminder-settings", body, bearer(mgr)...), 200)

	call := []map[string]any{{"channel": "phone", "purpose": "service", "granted": true}}
	s := c.signup("anna@example.com", func(b map[string]any) { // no digital channel, but a call
		b["shop_id"], b["phone"], b["consents"], b["consent_text_version"] = "shop-milano-centro", "+393331234567", call, "v1"
	})
	noPhone := c.signup("nophone@example.com", func(b map[string]any) {
		b["shop_id"], b["consents"], b["consent_text_version"] = "shop-milano-centro", call, "v1"
		delete(b, "phone")
	})
	noCall := c.signup("nocall@example.com", func(b map[string]any) { b["shop_id"], b["phone"] = "shop-milano-centro", "+393337654321" })
	var sup map[string]any
	supply := map[string]any{"eye": "both", "brand": "Alcon", "product": "Total30", "modality": "monthly",
		"boxes": 1, "lenses_per_box": 2, "start_date": "2026-02-18"}
	c.want(c.do("POST", "/v1/me/lenses", supply, bearer(s.Tokens.AccessToken)...), 201).json(t, &sup)
	c.want(c.do("POST", "/v1/me/lenses", supply, bearer(noPhone.Tokens.AccessToken)...), 201)
	c.want(c.do("POST", "/v1/me/lenses", supply, bearer(noCall.Tokens.AccessToken)...), 201)
	at, _ := time.Parse(time.RFC3339, sup["next_reminder_at"].(string))
	rome, _ := time.LoadLocation("Europe/Rome")
	if got := at.In(rome).Format("2006-01-02 15:04"); got != "2026-03-15 11:00" {
		t.Fatalf("next reminder %s, want 5 days before at 11:00 (the shop's settings)", got)
	}
	clock.Add(5*24*time.Hour + 3*time.Hour) // 15 March, 12:00 Rome
	ctx := context.Background()
	if _, err := m.Lenses.Scan(ctx); err != nil {
		t.Fatal(err)
	}
	for range 6 {
		_, _ = m.Dispatcher.RunOnce(ctx)
	}
	asst = c.staffLogin("asst@milano.example", asstPw) // a new shift: the clock moved five days
	var recalls struct{ Recalls []map[string]any }
	c.want(c.do("GET", "/v1/staff/shops/shop-milano-centro/recalls", nil, bearer(asst)...), 200).json(t, &recalls)
	if len(recalls.Recalls) != 1 || recalls.Recalls[0]["customer_id"] != s.Customer.ID {
		t.Fatalf("recalls = %v", recalls.Recalls)
	}
	for _, id := range []string{noPhone.Customer.ID, noCall.Customer.ID} {
		list, err := m.Store.CustomerMessages(ctx, id, core.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, msg := range list {
			if msg.Channel == notify.ChannelRecall {
				t.Errorf("a recall was queued for %s (%s)", id, msg.Status)
			}
		}
		if len(list) == 0 {
			t.Errorf("no reminder was attempted for %s", id)
		}
	}
	c.want(c.do("GET", "/v1/staff/shops/shop-roma-prati/recalls", nil, bearer(asst)...), 404)
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
	clock := &movable{now: time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC)}
	start := func(demo bool) *Main {
		return boot(t, dir, func(m *Main) { m.Clock = clock.Now; m.Config.Demo = demo; m.Limits.SignupIP.Max = 1000 })
	}
	replicas := []*Main{start(true), start(false), start(false)}
	c := client{t, replicas[0]}
	var customers []string
	created := map[string]time.Time{} // customer → when their supplies were added
	add := func(prefix string, supplies []map[string]any) {
		for i, sp := range supplies {
			s := c.signup(fmt.Sprintf("%s%d@example.com", prefix, i))
			c.want(c.do("POST", "/v1/me/lenses", sp, bearer(s.Tokens.AccessToken)...), 201)
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
		for _, r := range lens.Schedule(sp.Usage(), m.Lenses.Settings(ctx, sp.ShopID)) {
			if r.At.Before(created[id]) || r.At.After(clock.Now()) {
				continue
			}
			kind := r.Kind
			if r.Kind == lens.KindRunsOut {
				kind = fmt.Sprintf("%s_%d", r.Kind, r.DaysBefore)
			}
			for _, ch := range []string{notify.ChannelPush, notify.ChannelInbox} {
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
	t.Logf("%d hourly steps, 3 replicas, 5 restarts: %d reminder messages for %d supplies, %d on clock-change days", step, got, len(customers), dst)
}
