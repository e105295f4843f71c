package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
)

func newMessage(customer, key string, due time.Time) *notify.Message {
	return &notify.Message{
		ID: core.NewID(), CustomerID: customer, Channel: notify.ChannelPush, Purpose: notify.PurposeService,
		DedupeKey: key, Cause: "lens_runs_out:" + key, Title: "Le tue lenti stanno per finire", Body: "Apri l'app",
		Data: map[string]string{"link": "vista://lenses"}, DueAt: due, Status: notify.StatusPending, CreatedAt: base, UpdatedAt: base,
	}
}

func testOutboxEnqueue(t *testing.T, e Engine) {
	ctx := context.Background()
	var created atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := e.EnqueueMessage(ctx, newMessage("c1", "c1:supply1:runs_out_14:2026-04-01", base))
			if err != nil {
				t.Error(err)
			}
			if ok {
				created.Add(1)
			}
		}()
	}
	wg.Wait()
	if created.Load() != 1 {
		t.Fatalf("%d messages stored for one dedupe key, want 1", created.Load())
	}
	m := newMessage("c1", "other-key", base)
	ok, err := e.EnqueueMessage(ctx, m)
	must(t, err)
	got, err := e.Message(ctx, m.ID)
	must(t, err)
	if !ok || got.Data["link"] != "vista://lenses" || got.Status != notify.StatusPending || !got.DueAt.Equal(base) {
		t.Fatalf("stored %+v", got)
	}
	_, err = e.Message(ctx, "missing")
	wantCode(t, err, core.ENOTFOUND)
}

func testOutboxClaim(t *testing.T, e Engine) {
	ctx := context.Background()
	for i := range 5 {
		_, err := e.EnqueueMessage(ctx, newMessage("c1", fmt.Sprintf("due-%d", i), base.Add(time.Duration(i)*time.Second)))
		must(t, err)
	}
	_, err := e.EnqueueMessage(ctx, newMessage("c1", "later", base.Add(time.Hour)))
	must(t, err)

	now := base.Add(10 * time.Second)
	got, err := e.ClaimMessages(ctx, "w1", now, now.Add(time.Minute), 3)
	must(t, err)
	if len(got) != 3 || got[0].DedupeKey != "due-0" || got[0].Status != notify.StatusSending || got[0].Attempts != 1 || got[0].LeaseOwner != "w1" {
		t.Fatalf("first claim = %+v", got)
	}
	rest, err := e.ClaimMessages(ctx, "w2", now, now.Add(time.Minute), 10)
	must(t, err)
	if len(rest) != 2 {
		t.Fatalf("second claim got %d, want the 2 due and unleased", len(rest))
	}
	none, err := e.ClaimMessages(ctx, "w3", now, now.Add(time.Minute), 10)
	must(t, err)
	if len(none) != 0 {
		t.Fatalf("claimed %d messages already leased or not due", len(none))
	}

	// Outcomes: sent, retry later, dead.
	must(t, e.FinishMessage(ctx, got[0].ID, "w1", notify.Outcome{Status: notify.StatusSent, At: now}))
	retryAt := now.Add(5 * time.Minute)
	must(t, e.FinishMessage(ctx, got[1].ID, "w1", notify.Outcome{Status: notify.StatusPending, RetryAt: retryAt, Error: "503", At: now}))
	must(t, e.FinishMessage(ctx, got[2].ID, "w1", notify.Outcome{Status: notify.StatusDead, Error: "payload rejected", At: now}))
	wantCode(t, e.FinishMessage(ctx, rest[0].ID, "w1", notify.Outcome{Status: notify.StatusSent, At: now}), core.ECONFLICT)
	wantCode(t, e.FinishMessage(ctx, "missing", "w1", notify.Outcome{Status: notify.StatusSent, At: now}), core.ENOTFOUND)
	for _, m := range rest {
		must(t, e.FinishMessage(ctx, m.ID, "w2", notify.Outcome{Status: notify.StatusSkipped, Error: "no consent", At: now}))
	}

	sent, _ := e.Message(ctx, got[0].ID)
	if sent.Status != notify.StatusSent || sent.SentAt == nil || sent.LeaseOwner != "" {
		t.Fatalf("sent message = %+v", sent)
	}
	retry, _ := e.Message(ctx, got[1].ID)
	if retry.Status != notify.StatusPending || !retry.DueAt.Equal(retryAt) || retry.LastError != "503" {
		t.Fatalf("retried message = %+v", retry)
	}
	if early, _ := e.ClaimMessages(ctx, "w4", retryAt.Add(-time.Second), retryAt, 10); len(early) != 0 {
		t.Fatalf("a message was claimed before its retry time: %+v", early)
	}
	again, err := e.ClaimMessages(ctx, "w4", retryAt, retryAt.Add(time.Minute), 1)
	must(t, err)
	if len(again) != 1 || again[0].ID != retry.ID || again[0].Attempts != 2 {
		t.Fatalf("retry claim = %+v", again)
	}
	dead, err := e.MessagesByStatus(ctx, notify.StatusDead, 10)
	must(t, err)
	if len(dead) != 1 || dead[0].LastError != "payload rejected" {
		t.Fatalf("dead letters = %+v", dead)
	}
}

// testOutboxLeaseExpiry: a dispatcher that dies keeps its messages only
// until the lease ends; then another claims them, and the dead one can no
// longer record an outcome.
func testOutboxLeaseExpiry(t *testing.T, e Engine) {
	ctx := context.Background()
	_, err := e.EnqueueMessage(ctx, newMessage("c1", "k", base))
	must(t, err)
	got, err := e.ClaimMessages(ctx, "dead-worker", base, base.Add(30*time.Second), 10)
	must(t, err)
	if len(got) != 1 {
		t.Fatal("not claimed")
	}
	if still, _ := e.ClaimMessages(ctx, "w2", base.Add(29*time.Second), base.Add(time.Minute), 10); len(still) != 0 {
		t.Fatal("claimed while the lease was valid")
	}
	taken, err := e.ClaimMessages(ctx, "w2", base.Add(30*time.Second), base.Add(time.Minute), 10)
	must(t, err)
	if len(taken) != 1 || taken[0].LeaseOwner != "w2" || taken[0].Attempts != 2 {
		t.Fatalf("expired lease not reclaimed: %+v", taken)
	}
	wantCode(t, e.FinishMessage(ctx, got[0].ID, "dead-worker", notify.Outcome{Status: notify.StatusSent, At: base}), core.ECONFLICT)
	must(t, e.FinishMessage(ctx, got[0].ID, "w2", notify.Outcome{Status: notify.StatusSent, At: base}))
}

// testOutboxClaimRace: dispatchers racing over the same due messages never
// hold the same one.
func testOutboxClaimRace(t *testing.T, e Engine) {
	ctx := context.Background()
	for i := range 200 {
		_, err := e.EnqueueMessage(ctx, newMessage("c1", fmt.Sprintf("k%d", i), base))
		must(t, err)
	}
	var mu sync.Mutex
	seen := map[string]string{}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := fmt.Sprintf("w%d", w)
			for {
				got, err := e.ClaimMessages(ctx, owner, base, base.Add(time.Minute), 7)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, m := range got {
					if prev, dup := seen[m.ID]; dup {
						t.Errorf("message %s claimed by %s and %s", m.ID, prev, owner)
					}
					seen[m.ID] = owner
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 200 {
		t.Fatalf("%d messages claimed, want 200", len(seen))
	}
}

func testOutboxCountSent(t *testing.T, e Engine) {
	ctx := context.Background()
	for i, ch := range []core.Channel{notify.ChannelPush, notify.ChannelSMS, notify.ChannelInbox} {
		m := newMessage("c1", fmt.Sprintf("m%d", i), base)
		m.Channel, m.Purpose = ch, notify.PurposeMarketing
		_, err := e.EnqueueMessage(ctx, m)
		must(t, err)
	}
	got, err := e.ClaimMessages(ctx, "w", base, base.Add(time.Minute), 10)
	must(t, err)
	fs := []notify.Finish{}
	for _, m := range got {
		fs = append(fs, notify.Finish{ID: m.ID, Outcome: notify.Outcome{Status: notify.StatusSent, At: base.Add(time.Hour)}})
	}
	lost, err := e.FinishMessages(ctx, "w", append(fs, notify.Finish{ID: "missing", Outcome: notify.Outcome{Status: notify.StatusSent, At: base}}))
	must(t, err)
	if len(lost) != 1 || lost[0] != "missing" {
		t.Fatalf("lost = %v", lost)
	}
	n, err := e.CountSent(ctx, "c1", notify.PurposeMarketing, base)
	must(t, err)
	if n != 2 { // push and SMS; the inbox entry does not count
		t.Fatalf("CountSent = %d, want 2", n)
	}
	if n, _ := e.CountSent(ctx, "c1", notify.PurposeMarketing, base.Add(2*time.Hour)); n != 0 {
		t.Fatalf("CountSent after the window = %d", n)
	}
	if n, _ := e.CountMessages(ctx, notify.StatusSent); n != 3 {
		t.Fatalf("CountMessages = %d", n)
	}
}

func testOutboxCustomer(t *testing.T, e Engine) {
	ctx := context.Background()
	for i := range 3 {
		_, err := e.EnqueueMessage(ctx, newMessage("c1", fmt.Sprintf("a%d", i), base))
		must(t, err)
	}
	_, err := e.EnqueueMessage(ctx, newMessage("c2", "b", base))
	must(t, err)
	list, err := e.CustomerMessages(ctx, "c1", core.Page{Limit: 10})
	must(t, err)
	if len(list) != 3 {
		t.Fatalf("CustomerMessages = %d", len(list))
	}
	must(t, e.DeleteCustomerMessages(ctx, "c1"))
	list, _ = e.CustomerMessages(ctx, "c1", core.Page{Limit: 10})
	other, _ := e.CustomerMessages(ctx, "c2", core.Page{Limit: 10})
	if len(list) != 0 || len(other) != 1 {
		t.Fatalf("after delete: c1 %d, c2 %d", len(list), len(other))
	}
}

// testOutboxFinishAndClaim: one dispatch cycle records outcomes, then
// claims; a message put back as due in the cycle is claimable in it.
func testOutboxFinishAndClaim(t *testing.T, e Engine) {
	ctx := context.Background()
	for i := range 5 {
		_, err := e.EnqueueMessage(ctx, newMessage("c1", fmt.Sprintf("k%d", i), base.Add(time.Duration(i-10)*time.Second)))
		must(t, err)
	}
	lost, got, err := e.FinishAndClaim(ctx, "w", nil, base, base.Add(time.Minute), 2)
	must(t, err)
	if len(lost) != 0 || len(got) != 2 || got[0].DedupeKey != "k0" || got[1].DedupeKey != "k1" {
		t.Fatalf("first cycle: lost %v, claimed %d", lost, len(got))
	}
	if got[0].Status != notify.StatusSending || got[0].LeaseOwner != "w" || got[0].Attempts != 1 || got[0].Data["link"] != "vista://lenses" {
		t.Fatalf("claimed %+v", got[0])
	}
	fs := []notify.Finish{
		{ID: got[0].ID, Outcome: notify.Outcome{Status: notify.StatusSent, At: base}},
		{ID: got[1].ID, Outcome: notify.Outcome{Status: notify.StatusPending, RetryAt: base, Error: "503", At: base}},
		{ID: "missing", Outcome: notify.Outcome{Status: notify.StatusSent, At: base}},
	}
	lost, again, err := e.FinishAndClaim(ctx, "w", fs, base, base.Add(time.Minute), 10)
	must(t, err)
	if len(lost) != 1 || lost[0] != "missing" {
		t.Fatalf("lost = %v", lost)
	}
	keys := map[string]int{}
	for _, m := range again {
		keys[m.DedupeKey] = m.Attempts
	}
	if len(again) != 4 || keys["k1"] != 2 || keys["k0"] != 0 {
		t.Fatalf("second cycle claimed %v (key → attempts)", keys)
	}
	sent, err := e.Message(ctx, got[0].ID)
	must(t, err)
	if sent.Status != notify.StatusSent || sent.SentAt == nil || !sent.SentAt.Equal(base) {
		t.Fatalf("sent message %+v", sent)
	}
	// A deferred outcome (nothing was tried) gives its attempt back.
	var deferred []notify.Finish
	for _, m := range again {
		deferred = append(deferred, notify.Finish{ID: m.ID, Outcome: notify.Outcome{Status: notify.StatusPending, RetryAt: base, Error: "quiet hours", At: base, Deferred: true}})
	}
	_, third, err := e.FinishAndClaim(ctx, "w", deferred, base, base.Add(time.Minute), 10)
	must(t, err)
	for _, m := range third {
		if m.Attempts != keys[m.DedupeKey] {
			t.Fatalf("%s: %d attempts after a deferral, want %d", m.DedupeKey, m.Attempts, keys[m.DedupeKey])
		}
	}
	if lost, none, err := e.FinishAndClaim(ctx, "w", nil, base, base.Add(time.Minute), 0); err != nil || len(lost) != 0 || len(none) != 0 {
		t.Fatalf("empty cycle: %v %v %v", lost, none, err)
	}
}

// testOutboxDeadLetters: a shop sees its own dead letters, and a retry
// gives a dead message a fresh start — only a dead one.
func testOutboxDeadLetters(t *testing.T, e Engine) {
	ctx := context.Background()
	for i, shop := range []string{"shop-a", "shop-a", "shop-b"} {
		m := newMessage("c1", fmt.Sprintf("d%d", i), base)
		m.ShopID = shop
		_, err := e.EnqueueMessage(ctx, m)
		must(t, err)
	}
	got, err := e.ClaimMessages(ctx, "w", base, base.Add(time.Minute), 10)
	must(t, err)
	for i, m := range got {
		must(t, e.FinishMessage(ctx, m.ID, "w", notify.Outcome{Status: notify.StatusDead, Error: "gave up", At: base.Add(time.Duration(i) * time.Second)}))
	}
	a, err := e.ShopMessagesByStatus(ctx, []string{"shop-a"}, notify.StatusDead, core.Page{Limit: 10})
	must(t, err)
	if len(a) != 2 || a[0].ShopID != "shop-a" || a[0].UpdatedAt.Before(a[1].UpdatedAt) {
		t.Fatalf("shop-a dead letters: %d, newest first?", len(a))
	}
	retried, err := e.RetryMessage(ctx, a[0].ID, base.Add(time.Hour))
	must(t, err)
	if retried.Status != notify.StatusPending || retried.Attempts != 0 || retried.LastError != "" || !retried.DueAt.Equal(base.Add(time.Hour)) {
		t.Fatalf("retried %+v", retried)
	}
	_, err = e.RetryMessage(ctx, a[0].ID, base.Add(time.Hour))
	wantCode(t, err, core.ECONFLICT)
	_, err = e.RetryMessage(ctx, "missing", base)
	wantCode(t, err, core.ENOTFOUND)
	again, err := e.ClaimMessages(ctx, "w", base.Add(time.Hour), base.Add(2*time.Hour), 10)
	must(t, err)
	if len(again) != 1 || again[0].ID != a[0].ID || again[0].Attempts != 1 {
		t.Fatalf("after the retry the claim took %d messages", len(again))
	}
	if left, _ := e.ShopMessagesByStatus(ctx, []string{"shop-a"}, notify.StatusDead, core.Page{Limit: 10}); len(left) != 1 {
		t.Fatalf("%d dead letters left in shop-a", len(left))
	}
}

// testOutboxLeaseOrder: a claimed message's due time is its lease end,
// on every engine, so leases that expired are reclaimed in the order
// they expired, not in the order the messages were first due.
func testOutboxLeaseOrder(t *testing.T, e Engine) {
	ctx := context.Background()
	for i, key := range []string{"first", "second"} {
		_, err := e.EnqueueMessage(ctx, newMessage("c1", key, base.Add(time.Duration(i)*time.Second)))
		must(t, err)
	}
	now := base.Add(2 * time.Second)
	a, err := e.ClaimMessages(ctx, "w1", now, base.Add(10*time.Minute), 1)
	must(t, err)
	b, err := e.ClaimMessages(ctx, "w2", now, base.Add(5*time.Minute), 1)
	must(t, err)
	if len(a) != 1 || len(b) != 1 || a[0].DedupeKey != "first" || b[0].DedupeKey != "second" {
		t.Fatalf("claims %+v %+v", a, b)
	}
	stored, err := e.Message(ctx, a[0].ID)
	must(t, err)
	if !stored.DueAt.Equal(base.Add(10 * time.Minute)) {
		t.Fatalf("leased message due at %s, want its lease end", stored.DueAt)
	}
	later := base.Add(11 * time.Minute)
	again, err := e.ClaimMessages(ctx, "w3", later, later.Add(time.Minute), 1)
	must(t, err)
	if len(again) != 1 || again[0].DedupeKey != "second" {
		t.Fatalf("after both leases expired the first reclaimed is %+v, want the one whose lease ended first", again)
	}
}

// testLimitZero: a limit of zero returns no rows on every engine (MongoDB
// reads 0 as "no limit").
func testLimitZero(t *testing.T, e Engine) {
	ctx := context.Background()
	c := newCustomer(t, e, "zero@example.com", "")
	m := newMessage(c.ID, "inbox-1", base)
	m.Channel, m.Status, m.SentAt = notify.ChannelInbox, notify.StatusSent, &base
	_, err := e.EnqueueMessage(ctx, m)
	must(t, err)
	_, err = e.EnqueueMessage(ctx, newMessage(c.ID, "pending-1", base))
	must(t, err)
	if got, err := e.MessagesByStatus(ctx, notify.StatusPending, 0); err != nil || len(got) != 0 {
		t.Fatalf("MessagesByStatus limit 0 = %d, %v", len(got), err)
	}
	if got, err := e.Inbox(ctx, c.ID, core.Page{}); err != nil || len(got) != 0 {
		t.Fatalf("Inbox limit 0 = %d, %v", len(got), err)
	}
	if got, err := e.CustomerMessages(ctx, c.ID, core.Page{Limit: 0}); err != nil || len(got) != 0 {
		t.Fatalf("CustomerMessages limit 0 = %d, %v", len(got), err)
	}
	if got, err := e.ClaimMessages(ctx, "w", base.Add(time.Hour), base.Add(2*time.Hour), 0); err != nil || len(got) != 0 {
		t.Fatalf("ClaimMessages n 0 = %d, %v", len(got), err)
	}
	if n, _ := e.CountMessages(ctx, notify.StatusSending); n != 0 {
		t.Fatalf("a claim of 0 leased %d", n)
	}
	if got, err := e.DueBookingReminders(ctx, base.Add(time.Hour), 0); err != nil || len(got) != 0 {
		t.Fatalf("DueBookingReminders limit 0 = %d, %v", len(got), err)
	}
}

// testOutboxEnqueueMany: EnqueueMessages stores each dedupe key once,
// within the batch and against what is stored, and counts only the new.
func testOutboxEnqueueMany(t *testing.T, e Engine) {
	ctx := context.Background()
	must(t, errOf(e.EnqueueMessage(ctx, newMessage("c1", "many:stored", base))))
	batch := []*notify.Message{newMessage("c1", "many:1", base), newMessage("c2", "many:2", base), newMessage("c2", "many:2", base),
		newMessage("c1", "many:stored", base)}
	n, err := e.EnqueueMessages(ctx, batch)
	must(t, err)
	if n != 2 {
		t.Fatalf("EnqueueMessages created %d, want 2", n)
	}
	if n, err := e.EnqueueMessages(ctx, batch); err != nil || n != 0 {
		t.Fatalf("the same batch again created %d (%v), want 0", n, err)
	}
	if n, _ := e.CountMessages(ctx, notify.StatusPending); n != 3 {
		t.Fatalf("%d pending messages, want 3", n)
	}
}

func errOf(_ bool, err error) error { return err }
