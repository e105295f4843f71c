package console_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vista-optical/vista/backend/app/apptest"
	"github.com/vista-optical/vista/backend/notify"
)

// TestDeadLettersAreRetriedByTheirShop: a shop's manager sees the shop's
// undelivered messages and can send one again; an assistant cannot, the
// other shop's manager does not even see it, and the retry is audited.
func TestDeadLettersAreRetriedByTheirShop(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	s := c.Signup("dead@example.com", func(b map[string]any) { b["shop_id"] = "shop-milano-centro" })
	msg := apptest.DeadLetter(t, m, s.Customer.ID, "shop-milano-centro", "dead-1")
	mgr := c.StaffLogin("mgr@milano.example", apptest.AddStaff(t, m, "mgr@milano.example", "manager", "shop-milano-centro"))
	asst := c.StaffLogin("asst@milano.example", apptest.AddStaff(t, m, "asst@milano.example", "assistant", "shop-milano-centro"))
	roma := c.StaffLogin("mgr@roma.example", apptest.AddStaff(t, m, "mgr@roma.example", "manager", "shop-roma-prati"))

	var list struct{ Messages []notify.Message }
	c.Want(c.Do("GET", "/v1/staff/outbox/dead", nil, apptest.Bearer(roma)...), 200).JSON(t, &list)
	if len(list.Messages) != 0 {
		t.Fatalf("Roma's manager sees %d of Milano's dead letters", len(list.Messages))
	}
	c.Want(c.Do("GET", "/v1/staff/outbox/dead", nil, apptest.Bearer(asst)...), 403)
	c.Want(c.Do("POST", "/v1/staff/outbox/"+msg.ID+"/retry", nil, apptest.Bearer(asst)...), 403)
	c.Want(c.Do("POST", "/v1/staff/outbox/"+msg.ID+"/retry", nil, apptest.Bearer(roma)...), 404)
	c.Want(c.Do("POST", "/v1/staff/outbox/missing/retry", nil, apptest.Bearer(mgr)...), 404)
	c.Want(c.Do("GET", "/v1/staff/outbox/dead", nil, apptest.Bearer(mgr)...), 200).JSON(t, &list)
	if len(list.Messages) != 1 || list.Messages[0].ID != msg.ID || list.Messages[0].LastError == "" {
		t.Fatalf("Milano's manager sees %+v", list.Messages)
	}

	var retried notify.Message
	c.Want(c.Do("POST", "/v1/staff/outbox/"+msg.ID+"/retry", nil, apptest.Bearer(mgr)...), 200).JSON(t, &retried)
	if retried.Status != notify.StatusPending || retried.Attempts != 0 {
		t.Fatalf("retried message %+v", retried)
	}
	c.Want(c.Do("POST", "/v1/staff/outbox/"+msg.ID+"/retry", nil, apptest.Bearer(mgr)...), 409)
	c.Want(c.Do("GET", "/v1/staff/outbox/dead", nil, apptest.Bearer(mgr)...), 200).JSON(t, &list)
	if len(list.Messages) != 0 {
		t.Fatal("still listed as dead after the retry")
	}
	owner := c.StaffLogin("titolare@ottica-vista.demo", m.Owner.Password)
	var audit struct{ Entries []map[string]any }
	c.Want(c.Do("GET", "/v1/staff/audit?customer="+s.Customer.ID, nil, apptest.Bearer(owner)...), 200).JSON(t, &audit)
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
	m := apptest.Boot(t, t.TempDir())
	base := apptest.Serve(t, m)
	c := apptest.Client{T: t, M: m}
	s := c.Signup("dead.browser@example.com", func(b map[string]any) { b["shop_id"] = "shop-milano-centro" })
	msg := apptest.DeadLetter(t, m, s.Customer.ID, "shop-milano-centro", "dead-browser")
	ctx := apptest.Browser(t)
	err := apptest.Steps(ctx,
		chromedp.Navigate(base+"/console/login"),
		chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, "titolare@ottica-vista.demo"),
		chromedp.SendKeys(`#password`, m.Owner.Password),
		chromedp.Submit(`#login`),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.WaitText(t, ctx, "#who")
	if err := apptest.Steps(ctx, chromedp.Navigate(base+"/console/?shop=shop-milano-centro")); err != nil {
		t.Fatal(err)
	}
	dead := apptest.WaitText(t, ctx, "#dead")
	if !strings.Contains(dead, "Giulia Rossi") || !strings.Contains(dead, "gave up after 8 attempts") || !strings.Contains(dead, "Riprova") {
		t.Fatalf("dead letters on the page: %q", dead)
	}
	if err := apptest.Steps(ctx, chromedp.WaitReady(`#dead form button`), chromedp.Click(`#dead form button`)); err != nil {
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
