package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/notify/fcmfake"
)

// deadLetter stores a push message of the customer's that failed for good.
func deadLetter(t *testing.T, m *Main, customerID, shopID, key string) *notify.Message {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	msg := &notify.Message{ID: core.NewID(), CustomerID: customerID, ShopID: shopID, Channel: notify.ChannelPush,
		Purpose: notify.PurposeService, DedupeKey: key, Cause: key, Title: "Le tue lenti stanno per finire", Body: "Apri l'app",
		DueAt: now, Status: notify.StatusPending, CreatedAt: now, UpdatedAt: now}
	if _, err := m.Store.EnqueueMessage(ctx, msg); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Store.ClaimMessages(ctx, "test", now, now.Add(time.Minute), 10); err != nil {
		t.Fatal(err)
	}
	err := m.Store.FinishMessage(ctx, msg.ID, "test", notify.Outcome{Status: notify.StatusDead, Error: "gave up after 8 attempts: unavailable", At: now})
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// TestDeadLettersAreRetriedByTheirShop: a shop's manager sees the shop's
// undelivered messages and can send one again; an assistant cannot, the
// other shop's manager does not even see it, and the retry is audited.
func TestDeadLettersAreRetriedByTheirShop(t *testing.T) {
	m := boot(t, t.TempDir())
	c := client{t, m}
	s := c.signup("dead@example.com", func(b map[string]any) { b["shop_id"] = "shop-milano-centro" })
	msg := deadLetter(t, m, s.Customer.ID, "shop-milano-centro", "dead-1")
	mgr := c.staffLogin("mgr@milano.example", addStaff(t, m, "mgr@milano.example", "manager", "shop-milano-centro"))
	asst := c.staffLogin("asst@milano.example", addStaff(t, m, "asst@milano.example", "assistant", "shop-milano-centro"))
	roma := c.staffLogin("mgr@roma.example", addStaff(t, m, "mgr@roma.example", "manager", "shop-roma-prati"))

	var list struct{ Messages []notify.Message }
	c.want(c.do("GET", "/v1/staff/outbox/dead", nil, bearer(roma)...), 200).json(t, &list)
	if len(list.Messages) != 0 {
		t.Fatalf("Roma's manager sees %d of Milano's dead letters", len(list.Messages))
	}
	c.want(c.do("GET", "/v1/staff/outbox/dead", nil, bearer(asst)...), 403)
	c.want(c.do("POST", "/v1/staff/outbox/"+msg.ID+"/retry", nil, bearer(asst)...), 403)
	c.want(c.do("POST", "/v1/staff/outbox/"+msg.ID+"/retry", nil, bearer(roma)...), 404)
	c.want(c.do("POST", "/v1/staff/outbox/missing/retry", nil, bearer(mgr)...), 404)
	c.want(c.do("GET", "/v1/staff/outbox/dead", nil, bearer(mgr)...), 200).json(t, &list)
	if len(list.Messages) != 1 || list.Messages[0].ID != msg.ID || list.Messages[0].LastError == "" {
		t.Fatalf("Milano's manager sees %+v", list.Messages)
	}

	var retried notify.Message
	c.want(c.do("POST", "/v1/staff/outbox/"+msg.ID+"/retry", nil, bearer(mgr)...), 200).json(t, &retried)
	if retried.Status != notify.StatusPending || retried.Attempts != 0 {
		t.Fatalf("retried message %+v", retried)
	}
	c.want(c.do("POST", "/v1/staff/outbox/"+msg.ID+"/retry", nil, bearer(mgr)...), 409)
	c.want(c.do("GET", "/v1/staff/outbox/dead", nil, bearer(mgr)...), 200).json(t, &list)
	if len(list.Messages) != 0 {
		t.Fatal("still listed as dead after the retry")
	}
	owner := c.staffLogin("titolare@ottica-vista.demo", m.Owner.Password)
	var audit struct{ Entries []map[string]any }
	c.want(c.do("GET", "/v1/staff/audit?customer="+s.Customer.ID, nil, bearer(owner)...), 200).json(t, &audit)
	found := false
	for _, e := range audit.Entries {
		found = found || (e["action"] == "outbox.message_retried" && e["detail"] == msg.ID)
	}
	if !found {
		t.Fatal("the retry is not in the audit log")
	}
}

// TestConsoleRetriesADeadLetterInBrowser: the owner sees an undelivered
// message on the shop's console page and sends it again with one click.
func TestConsoleRetriesADeadLetterInBrowser(t *testing.T) {
	m := boot(t, t.TempDir())
	base := serve(t, m)
	c := client{t, m}
	s := c.signup("dead.browser@example.com", func(b map[string]any) { b["shop_id"] = "shop-milano-centro" })
	msg := deadLetter(t, m, s.Customer.ID, "shop-milano-centro", "dead-browser")
	ctx := browser(t)
	err := steps(ctx,
		chromedp.Navigate(base+"/console/login"),
		chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, "titolare@ottica-vista.demo"),
		chromedp.SendKeys(`#password`, m.Owner.Password),
		chromedp.Submit(`#login`),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "#who")
	if err := steps(ctx, chromedp.Navigate(base+"/console/?shop=shop-milano-centro")); err != nil {
		t.Fatal(err)
	}
	dead := waitText(t, ctx, "#dead")
	if !strings.Contains(dead, "Giulia Rossi") || !strings.Contains(dead, "gave up after 8 attempts") || !strings.Contains(dead, "Riprova") {
		t.Fatalf("dead letters on the page: %q", dead)
	}
	if err := steps(ctx, chromedp.WaitReady(`#dead form button`), chromedp.Click(`#dead form button`)); err != nil {
		t.Fatal(err)
	}
	// The message leaves the dead letters (pending again, or already sent
	// by the running worker) and the page, reloaded, no longer lists it.
	for range 80 {
		got, err := m.Store.Message(context.Background(), msg.ID)
		listed, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#dead") !== null`))
		if err == nil && got.Status != notify.StatusDead && !listed {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	body, _ := chromedp.Run(ctx, chromedp.OuterHTML(`html`))
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	t.Fatalf("the click did not retry the message; at %s: %s", loc, body)
}

// TestConsentIsCheckedWhenSending is T29: a customer who withdraws
// push-marketing consent after a promotion was queued for them gets no
// push, while the customer who kept it does; a service reminder queued for
// the one who withdrew still goes, marketing consent being no business of
// it.
func TestConsentIsCheckedWhenSending(t *testing.T) {
	fake := fcmfake.New()
	defer fake.Close()
	clock := &movable{now: time.Date(2026, 3, 10, 10, 30, 0, 0, time.UTC)} // 11:30 in Milan: no quiet hours
	m := boot(t, t.TempDir(), func(m *Main) { m.Clock = clock.Now; m.Config.FCMEndpoint = fake.URL })
	c := client{t, m}
	ids, tokens := map[string]string{}, map[string]string{}
	for _, who := range []string{"keeps", "withdraws"} {
		s := c.signup(who+"@example.com", func(b map[string]any) {
			b["shop_id"] = "shop-milano-centro"
			b["consents"] = []map[string]any{{"channel": "push", "purpose": "service", "granted": true}, {"channel": "push", "purpose": "marketing", "granted": true}}
			b["consent_text_version"] = "v1"
		})
		ids[who], tokens[who] = s.Customer.ID, s.Tokens.AccessToken
		c.want(c.do("POST", "/v1/me/devices", map[string]string{"token": "fcm-token-" + who + "-0123456789", "platform": "android", "app_version": "1.0.0"},
			bearer(s.Tokens.AccessToken)...), 201)
	}
	ctx := context.Background()
	now := clock.Now()
	var msgs []*notify.Message
	for who, id := range ids {
		msgs = append(msgs, &notify.Message{ID: core.NewID(), CustomerID: id, ShopID: "shop-milano-centro", Channel: notify.ChannelPush,
			Purpose: notify.PurposeMarketing, DedupeKey: "promo-occhiali-sole:" + id, Cause: "promo-occhiali-sole", Title: "Occhiali da sole -20%",
			Body: "Solo questa settimana", DueAt: now, Status: notify.StatusPending, CreatedAt: now, UpdatedAt: now})
		if who == "withdraws" {
			msgs = append(msgs, &notify.Message{ID: core.NewID(), CustomerID: id, ShopID: "shop-milano-centro", Channel: notify.ChannelPush,
				Purpose: notify.PurposeService, DedupeKey: "reminder:" + id, Cause: "lens:reminder", Title: "Le tue lenti stanno per finire",
				Body: "Apri l'app", DueAt: now, Status: notify.StatusPending, CreatedAt: now, UpdatedAt: now})
		}
	}
	if _, err := m.Store.EnqueueMessages(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	c.want(c.do("PUT", "/v1/me/consents", map[string]any{"consents": []map[string]any{{"channel": "push", "purpose": "marketing", "granted": false}},
		"text_version": "v1", "source": "app:settings"}, bearer(tokens["withdraws"])...), 200)

	for range 3 {
		if _, err := m.Dispatcher.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string][]string{}
	for _, r := range fake.Received() {
		got[r.Token] = append(got[r.Token], r.Title)
	}
	if len(got["fcm-token-keeps-0123456789"]) != 1 || got["fcm-token-keeps-0123456789"][0] != "Occhiali da sole -20%" {
		t.Fatalf("the customer who kept consent got %v", got["fcm-token-keeps-0123456789"])
	}
	if w := got["fcm-token-withdraws-0123456789"]; len(w) != 1 || w[0] != "Le tue lenti stanno per finire" {
		t.Fatalf("the customer who withdrew got %v, want only the service reminder", w)
	}
	promo, err := m.Store.Message(ctx, msgs[indexOf(msgs, ids["withdraws"], notify.PurposeMarketing)].ID)
	if err != nil {
		t.Fatal(err)
	}
	if promo.Status != notify.StatusSkipped || !strings.Contains(promo.LastError, "no consent for push/marketing") {
		t.Fatalf("withdrawn promotion %+v", promo)
	}
}

func indexOf(msgs []*notify.Message, customerID, purpose string) int {
	for i, m := range msgs {
		if m.CustomerID == customerID && m.Purpose == purpose {
			return i
		}
	}
	return -1
}
