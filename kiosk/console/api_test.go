package console_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/app"
	"github.com/vista-optical/vista/backend/app/apptest"
	"github.com/vista-optical/vista/backend/audit"
	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
	"github.com/vista-optical/vista/backend/demo"
	"github.com/vista-optical/vista/backend/notify"
)

func TestStaffShopScope(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	milano, roma := "shop-milano-centro", "shop-roma-prati"
	inMilano := c.Signup("milano@example.com", func(b map[string]any) { b["shop_id"] = milano })
	inRoma := c.Signup("roma@example.com", func(b map[string]any) { b["shop_id"] = roma })

	asstPw := apptest.AddStaff(t, m, "asst@milano.example", core.RoleAssistant, milano)
	asst := c.StaffLogin("asst@milano.example", asstPw)
	owner := apptest.OwnerLogin(t, m)

	var list struct{ Customers []map[string]any }
	c.Want(c.Do("GET", "/v1/staff/shops/"+milano+"/customers", nil, apptest.Bearer(asst)...), 200).JSON(t, &list)
	if len(list.Customers) != 1 || list.Customers[0]["id"] != inMilano.Customer.ID {
		t.Fatalf("assistant's own shop list = %v", list.Customers)
	}
	c.Want(c.Do("GET", "/v1/staff/shops/"+roma+"/customers", nil, apptest.Bearer(asst)...), 404)
	c.Want(c.Do("GET", "/v1/staff/customers/"+inRoma.Customer.ID, nil, apptest.Bearer(asst)...), 404)
	c.Want(c.Do("GET", "/v1/staff/consents/"+inRoma.Customer.ID, nil, apptest.Bearer(asst)...), 404)
	c.Want(c.Do("GET", "/v1/staff/customers/"+inMilano.Customer.ID, nil, apptest.Bearer(asst)...), 200)
	c.Want(c.Do("GET", "/v1/staff/audit", nil, apptest.Bearer(asst)...), 403)

	c.Want(c.Do("GET", "/v1/staff/shops/"+roma+"/customers", nil, apptest.Bearer(owner)...), 200)
	c.Want(c.Do("GET", "/v1/staff/customers/"+inRoma.Customer.ID, nil, apptest.Bearer(owner)...), 200)

	// The assistant's read of a customer is in the audit log, by id only.
	var entries struct{ Entries []map[string]any }
	c.Want(c.Do("GET", "/v1/staff/audit?customer="+inMilano.Customer.ID, nil, apptest.Bearer(owner)...), 200).JSON(t, &entries)
	found := false
	for _, e := range entries.Entries {
		if e["action"] == "customer.viewed" && e["actor_role"] == "assistant" {
			found = true
		}
	}
	if !found {
		t.Fatalf("staff read not audited: %v", entries.Entries)
	}
}

// TestStaffWritesAsATable: who may change what of a customer or a shop,
// by role and shop, for every staff write route.
func TestStaffWritesAsATable(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	const milano, roma = "shop-milano-centro", "shop-roma-prati"
	owner := apptest.OwnerLogin(t, m)
	mgrA := c.StaffLogin("mgr.a@table.example", apptest.AddStaff(t, m, "mgr.a@table.example", core.RoleManager, milano))
	asstA := c.StaffLogin("asst.a@table.example", apptest.AddStaff(t, m, "asst.a@table.example", core.RoleAssistant, milano))
	mgrB := c.StaffLogin("mgr.b@table.example", apptest.AddStaff(t, m, "mgr.b@table.example", core.RoleManager, roma))
	cu := c.Signup("table@example.com", func(b map[string]any) { b["shop_id"] = milano }).Customer.ID
	dead := apptest.DeadLetter(t, m, cu, milano, "table-dead")
	settings := map[string]any{"runs_out_days_before": []int{7}, "replace_day": true, "hour_local": 10}
	exam := map[string]any{"due_on": time.Now().AddDate(1, 0, 0).Format(time.DateOnly)}
	supply := apptest.LensBody(time.Now())

	c.Run(t, []apptest.Scenario{
		{Name: "assistant sets no reminder settings", Method: "PUT", Path: "/v1/staff/shops/" + milano + "/reminder-settings", Body: settings, Token: asstA, Status: 403},
		{Name: "manager of another shop does not see it", Method: "PUT", Path: "/v1/staff/shops/" + milano + "/reminder-settings", Body: settings, Token: mgrB, Status: 404},
		{Name: "manager sets its shop's settings", Method: "PUT", Path: "/v1/staff/shops/" + milano + "/reminder-settings", Body: settings, Token: mgrA, Status: 200, Contains: []string{`"hour_local":10`}},
		{Name: "bad settings name the field", Method: "PUT", Path: "/v1/staff/shops/" + milano + "/reminder-settings", Body: map[string]any{"runs_out_days_before": []int{7}, "hour_local": 3}, Token: owner, Status: 422, Field: "hour_local"},
		{Name: "another shop's manager records no exam", Method: "PUT", Path: "/v1/staff/customers/" + cu + "/exams", Body: exam, Token: mgrB, Status: 404},
		{Name: "an assistant records an exam", Method: "PUT", Path: "/v1/staff/customers/" + cu + "/exams", Body: exam, Token: asstA, Status: 200},
		{Name: "another shop's manager sells no lenses to the customer", Method: "POST", Path: "/v1/staff/customers/" + cu + "/lenses", Body: supply, Token: mgrB, Status: 404},
		{Name: "an assistant records a supply sold at the counter", Method: "POST", Path: "/v1/staff/customers/" + cu + "/lenses", Body: supply, Token: asstA, Status: 201},
		{Name: "an assistant retries nothing", Method: "POST", Path: "/v1/staff/outbox/" + dead.ID + "/retry", Token: asstA, Status: 403},
		{Name: "another shop's manager does not see the message", Method: "POST", Path: "/v1/staff/outbox/" + dead.ID + "/retry", Token: mgrB, Status: 404},
		{Name: "the shop's manager retries it", Method: "POST", Path: "/v1/staff/outbox/" + dead.ID + "/retry", Token: mgrA, Status: 200, Contains: []string{`"status":"pending"`}},
		{Name: "a second retry conflicts", Method: "POST", Path: "/v1/staff/outbox/" + dead.ID + "/retry", Token: owner, Status: 409},
	})
}

// TestStaffLogoutEndsTheSession: the console's sign-out ends the session
// on the server, so a replayed cookie opens nothing and its token is
// refused by the staff API; an API sign-out ends its token; a console left
// idle for two hours needs a new sign-in (issue 7 defect 5).
func TestStaffLogoutEndsTheSession(t *testing.T) {
	clock := apptest.NewClock(time.Now().UTC())
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) { m.Clock = clock.Now })
	c := apptest.Client{T: t, M: m}
	form := func(password string) string {
		return url.Values{"email": {demo.OwnerEmail}, "password": {password}, "next": {"/console/"}}.Encode()
	}
	signIn := func() string {
		t.Helper()
		r := c.Want(c.Do("POST", "/console/login", form(m.Owner.Password), "Content-Type", "application/x-www-form-urlencoded"), 303)
		for _, ck := range (&http.Response{Header: r.Header}).Cookies() {
			if ck.Name == "vista_staff" && ck.Value != "" {
				return ck.Value
			}
		}
		t.Fatal("no apptest.Session cookie after sign-in")
		return ""
	}
	cookie := signIn()
	c.Want(c.Do("GET", "/console/", nil, "Cookie", "vista_staff="+cookie), 200)
	c.Want(c.Do("GET", "/v1/staff/me", nil, apptest.Bearer(cookie)...), 200)

	c.Want(c.Do("POST", "/console/logout", nil, "Cookie", "vista_staff="+cookie), 303)
	if r := c.Do("GET", "/console/", nil, "Cookie", "vista_staff="+cookie); r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/console/login") {
		t.Fatalf("replayed cookie after sign-out: %d %s, want a redirect to sign-in", r.Status, r.Header.Get("Location"))
	}
	c.Want(c.Do("GET", "/v1/staff/me", nil, apptest.Bearer(cookie)...), 401)

	tok := c.StaffLogin(demo.OwnerEmail, m.Owner.Password)
	c.Want(c.Do("POST", "/v1/staff/auth/logout", nil, apptest.Bearer(tok)...), 204)
	c.Want(c.Do("GET", "/v1/staff/me", nil, apptest.Bearer(tok)...), 401)

	// Idle: used an hour later it lives on; two hours after that it ends.
	tok = c.StaffLogin(demo.OwnerEmail, m.Owner.Password)
	clock.Add(time.Hour)
	c.Want(c.Do("GET", "/v1/staff/me", nil, apptest.Bearer(tok)...), 200)
	clock.Add(2*time.Hour + time.Minute)
	c.Want(c.Do("GET", "/v1/staff/me", nil, apptest.Bearer(tok)...), 401)

}

// TestConsoleFormsRefuseOtherSites: a console form posted from another
// site is refused and changes nothing, the sign-in form included (login
// CSRF); from the console itself it works (issue 7 defect 6).
func TestConsoleFormsRefuseOtherSites(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	form := url.Values{"email": {demo.OwnerEmail}, "password": {m.Owner.Password}, "next": {"/console/"}}.Encode()
	ct := "application/x-www-form-urlencoded"
	for _, h := range [][]string{
		{"Origin", "https://evil.example"},
		{"Sec-Fetch-Site", "cross-site"},
		{"Sec-Fetch-Site", "same-site"},
		{"Origin", "null"},
	} {
		r := c.Want(c.Do("POST", "/console/login", form, "Content-Type", ct, h[0], h[1]), 403)
		if strings.Contains(r.Header.Get("Set-Cookie"), "vista_staff=") {
			t.Fatalf("a cross-site sign-in (%s: %s) set the apptest.Session cookie", h[0], h[1])
		}
	}
	r := c.Want(c.Do("POST", "/console/login", form, "Content-Type", ct, "Origin", "http://example.com", "Sec-Fetch-Site", "same-origin"), 303)
	var cookie string
	for _, ck := range (&http.Response{Header: r.Header}).Cookies() {
		if ck.Name == "vista_staff" {
			cookie = ck.Value
		}
	}
	// A signed-in browser lured to another site: the retry and sign-out
	// forms refuse it, and the session lives on.
	c.Want(c.Do("POST", "/console/outbox/any/retry", nil, "Cookie", "vista_staff="+cookie, "Origin", "https://evil.example"), 403)
	c.Want(c.Do("POST", "/console/logout", nil, "Cookie", "vista_staff="+cookie, "Sec-Fetch-Site", "cross-site"), 403)
	c.Want(c.Do("GET", "/console/", nil, "Cookie", "vista_staff="+cookie), 200)
}

// TestStaffListsArePaged: every staff list, in the API and on the
// console's page, shows a page at a time with a way to the next, so a
// shop's real requests are never pushed out of view by the newest 50
// (issue 7 defect 7). Walking the pages yields every item once.
func TestStaffListsArePaged(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	ctx := context.Background()
	owner := apptest.OwnerLogin(t, m)
	const shop, n = "shop-milano-centro", 55
	now := time.Now().UTC().Truncate(time.Millisecond)
	who := &customer.Customer{ID: core.NewID(), Email: "many@example.com", FirstName: "Molti", LastName: "Messaggi", Status: customer.StatusActive,
		ShopID: shop, Locale: "it", CreatedAt: now, UpdatedAt: now}
	apptest.Must(t, m.Store.CreateCustomer(ctx, who))
	for i := range n {
		at := now.Add(-time.Duration(i/4) * time.Second) // four to a second: ties broken by id
		apptest.Must(t, m.Store.CreateCustomer(ctx, &customer.Customer{ID: core.NewID(), Email: fmt.Sprintf("c%d@example.com", i), FirstName: "Cliente", LastName: strconv.Itoa(i),
			Status: customer.StatusActive, ShopID: shop, Locale: "it", CreatedAt: at, UpdatedAt: at}))
		apptest.Must(t, m.Store.CreateReservation(ctx, &catalog.Reservation{ID: core.NewID(), CustomerID: who.ID, ShopID: shop, Kind: "lens_reorder",
			Status: "requested", Note: fmt.Sprintf("richiesta %d", i), CreatedAt: at}))
		for _, ch := range []core.Channel{notify.ChannelRecall, notify.ChannelPush} {
			_, err := m.Store.EnqueueMessage(ctx, &notify.Message{ID: core.NewID(), CustomerID: who.ID, ShopID: shop, Channel: ch, Purpose: notify.PurposeService,
				DedupeKey: fmt.Sprintf("%s-%d", ch, i), Title: "Promemoria", Body: "b", DueAt: at, Status: notify.StatusPending, CreatedAt: at, UpdatedAt: at})
			apptest.Must(t, err)
		}
	}
	claimed, err := m.Store.ClaimMessages(ctx, "test", now, now.Add(time.Minute), 2*n)
	apptest.Must(t, err)
	for _, msg := range claimed {
		out := notify.Outcome{Status: notify.StatusSent, At: now}
		if msg.Channel == notify.ChannelPush {
			out = notify.Outcome{Status: notify.StatusDead, Error: "gave up", At: msg.CreatedAt}
		}
		apptest.Must(t, m.Store.FinishMessage(ctx, msg.ID, "test", out))
	}
	var customers struct{ Customers []any }
	c.Want(c.Do("GET", "/v1/staff/shops/"+shop+"/customers?limit=200", nil, apptest.Bearer(owner)...), 200).JSON(t, &customers)
	total := len(customers.Customers) // the demo's customers, who, and the n above

	walk := func(path, key string, want int) {
		t.Helper()
		seen := map[string]bool{}
		next, pages := "", 0
		for {
			u := path + "?limit=20"
			if strings.Contains(path, "?") {
				u = path + "&limit=20"
			}
			if next != "" {
				u += "&after=" + url.QueryEscape(next)
			}
			var page map[string]any
			c.Want(c.Do("GET", u, nil, apptest.Bearer(owner)...), 200).JSON(t, &page)
			items, _ := page[key].([]any)
			if len(items) > 20 {
				t.Fatalf("%s: a page of %d", path, len(items))
			}
			for _, it := range items {
				id := it.(map[string]any)["id"].(string)
				if seen[id] {
					t.Fatalf("%s: %s on two pages", path, id)
				}
				seen[id] = true
			}
			pages++
			next, _ = page["next_after"].(string)
			if next == "" {
				break
			}
		}
		if len(seen) != want || pages != (want+19)/20 {
			t.Fatalf("%s: %d items on %d pages, want %d", path, len(seen), pages, want)
		}
	}
	walk("/v1/staff/shops/"+shop+"/customers", "customers", total)
	walk("/v1/staff/shops/"+shop+"/reservations", "reservations", n)
	walk("/v1/staff/shops/"+shop+"/recalls", "recalls", n)
	walk("/v1/staff/outbox/dead", "messages", n)
	walk("/v1/staff/customers/"+who.ID+"/timeline", "messages", 2*n)
	for i := range n {
		apptest.Must(t, m.Store.AppendAudit(ctx, &audit.Entry{ID: core.NewID(), At: now.Add(time.Duration(i/4) * time.Second), ActorKind: "staff",
			ActorID: "someone", Action: "customer.viewed", CustomerID: "audited-customer"}))
	}
	walk("/v1/staff/audit?customer=audited-customer", "entries", n)

	for _, q := range []string{"limit=0", "limit=201", "limit=ten", "after=%21%21", "after=" + strings.Repeat("x", 300)} {
		p := c.Want(c.Do("GET", "/v1/staff/shops/"+shop+"/reservations?"+q, nil, apptest.Bearer(owner)...), 422).Problem(t)
		field := strings.SplitN(q, "=", 2)[0]
		if errs, _ := p["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["field"] != field {
			t.Errorf("%s: problem %v, want a field error on %s", q, p, field)
		}
	}
	c.Want(c.Do("GET", "/v1/staff/shops/"+shop+"/customers?limit=500", nil, apptest.Bearer(owner)...), 422)

	// The console's page: 50 of each list, a link to the rest.
	rows := func(body, table string) int {
		i := strings.Index(body, `<table id="`+table+`">`)
		if i < 0 {
			return 0
		}
		return strings.Count(body[i:i+strings.Index(body[i:], "</table>")], "<tr>") - 1
	}
	cookie := []string{"Cookie", "vista_staff=" + owner}
	first := string(c.Want(c.Do("GET", "/console/?shop="+shop, nil, cookie...), 200).Body)
	for list, want := range map[string]int{"customers": total, "reservations": n, "recalls": n, "dead": n} {
		if got := rows(first, list); got != 50 {
			t.Errorf("console %s: %d rows on the first page, want 50", list, got)
		}
		link := regexp.MustCompile(`id="` + list + `-pages">.*?<a class="next" href="([^"]+)"`).FindStringSubmatch(first)
		if link == nil {
			t.Errorf("console %s: no link to the next page", list)
			continue
		}
		second := string(c.Want(c.Do("GET", html.UnescapeString(link[1]), nil, cookie...), 200).Body)
		if got := rows(second, list); got != want-50 {
			t.Errorf("console %s: %d rows on the second page, want %d", list, got, want-50)
		}
		if strings.Contains(second, `id="`+list+`-pages"><a class="next"`) || !strings.Contains(second, `id="`+list+`-pages"><a href=`) {
			t.Errorf("console %s: the last page should link back to the start and nowhere further", list)
		}
	}
}

// TestShopReminderSettingsAndRecalls: a manager changes the shop's reminder
// days; a customer who consented to no digital channel but agreed to be
// called ends up on the shop's phone-recall list, and customers without a
// phone number or that consent are never queued for a call.
func TestShopReminderSettingsAndRecalls(t *testing.T) {
	clock := apptest.NewClock(time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC))
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) { m.Clock = clock.Now })
	c := apptest.Client{T: t, M: m}
	mgr := c.StaffLogin("mgr@milano.example", apptest.AddStaff(t, m, "mgr@milano.example", "manager", "shop-milano-centro"))
	asstPw := apptest.AddStaff(t, m, "asst@milano.example", "assistant", "shop-milano-centro")
	asst := c.StaffLogin("asst@milano.example", asstPw)
	body := map[string]any{"runs_out_days_before": []int{5}, "replace_day": false, "hour_local": 11}
	c.Want(c.Do("PUT", "/v1/staff/shops/shop-milano-centro/reminder-settings", body, apptest.Bearer(asst)...), 403)
	c.Want(c.Do("PUT", "/v1/staff/shops/shop-roma-prati/reminder-settings", body, apptest.Bearer(mgr)...), 404)
	c.Want(c.Do("PUT", "/v1/staff/shops/shop-milano-centro/reminder-settings", map[string]any{"runs_out_days_before": []int{}, "hour_local": 3}, apptest.Bearer(mgr)...), 422)
	c.Want(c.Do("PUT", "/v1/staff/shops/shop-milano-centro/reminder-settings", body, apptest.Bearer(mgr)...), 200)

	call := []map[string]any{{"channel": "phone", "purpose": "service", "granted": true}}
	s := c.Signup("anna@example.com", func(b map[string]any) { // no digital channel, but a call
		b["shop_id"], b["phone"], b["consents"], b["consent_text_version"] = "shop-milano-centro", "+393331234567", call, "v1"
	})
	noPhone := c.Signup("nophone@example.com", func(b map[string]any) {
		b["shop_id"], b["consents"], b["consent_text_version"] = "shop-milano-centro", call, "v1"
		delete(b, "phone")
	})
	noCall := c.Signup("nocall@example.com", func(b map[string]any) { b["shop_id"], b["phone"] = "shop-milano-centro", "+393337654321" })
	var sup map[string]any
	supply := map[string]any{"eye": "both", "brand": "Alcon", "product": "Total30", "modality": "monthly",
		"boxes": 1, "lenses_per_box": 2, "start_date": "2026-02-18"}
	c.Want(c.Do("POST", "/v1/me/lenses", supply, apptest.Bearer(s.Tokens.AccessToken)...), 201).JSON(t, &sup)
	c.Want(c.Do("POST", "/v1/me/lenses", supply, apptest.Bearer(noPhone.Tokens.AccessToken)...), 201)
	c.Want(c.Do("POST", "/v1/me/lenses", supply, apptest.Bearer(noCall.Tokens.AccessToken)...), 201)
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
	asst = c.StaffLogin("asst@milano.example", asstPw) // a new shift: the clock moved five days
	var recalls struct{ Recalls []map[string]any }
	c.Want(c.Do("GET", "/v1/staff/shops/shop-milano-centro/recalls", nil, apptest.Bearer(asst)...), 200).JSON(t, &recalls)
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
	c.Want(c.Do("GET", "/v1/staff/shops/shop-roma-prati/recalls", nil, apptest.Bearer(asst)...), 404)
}
