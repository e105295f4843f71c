package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/app"
	"github.com/vista-optical/vista/backend/app/apptest"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/notify/fcmfake"
)

// TestConsentIsCheckedWhenSending is T29: a customer who withdraws
// push-marketing consent after a promotion was queued for them gets no
// push, while the customer who kept it does; a service reminder queued for
// the one who withdrew still goes, marketing consent being no business of
// it.
func TestConsentIsCheckedWhenSending(t *testing.T) {
	fake := fcmfake.New()
	defer fake.Close()
	clock := apptest.NewClock(time.Date(2026, 3, 10, 10, 30, 0, 0, time.UTC)) // 11:30 in Milan: no quiet hours
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) { m.Clock = clock.Now; m.Config.FCMEndpoint = fake.URL })
	c := apptest.Client{T: t, M: m}
	ids, tokens := map[string]string{}, map[string]string{}
	for _, who := range []string{"keeps", "withdraws"} {
		s := c.Signup(who+"@example.com", func(b map[string]any) {
			b["shop_id"] = "shop-milano-centro"
			b["consents"] = []map[string]any{{"channel": "push", "purpose": "service", "granted": true}, {"channel": "push", "purpose": "marketing", "granted": true}}
			b["consent_text_version"] = "v1"
		})
		ids[who], tokens[who] = s.Customer.ID, s.Tokens.AccessToken
		c.Want(c.Do("POST", "/v1/me/devices", map[string]string{"token": "fcm-token-" + who + "-0123456789", "platform": "android", "app_version": "1.0.0"},
			apptest.Bearer(s.Tokens.AccessToken)...), 201)
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
	c.Want(c.Do("PUT", "/v1/me/consents", map[string]any{"consents": []map[string]any{{"channel": "push", "purpose": "marketing", "granted": false}},
		"text_version": "v1", "source": "app:settings"}, apptest.Bearer(tokens["withdraws"])...), 200)

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

func indexOf(msgs []*notify.Message, customerID string, purpose core.Purpose) int {
	for i, m := range msgs {
		if m.CustomerID == customerID && m.Purpose == purpose {
			return i
		}
	}
	return -1
}
