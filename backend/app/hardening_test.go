package app

import (
	"context"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/audit"
	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
	"github.com/vista-optical/vista/backend/demo"
	"github.com/vista-optical/vista/backend/notify"
)

// validBodies are bodies each customer write route would accept, so that
// a route whose guard let an old token through would create something.
var validBodies = map[string]any{
	"PATCH /v1/me":                    map[string]any{"first_name": "Giulia"},
	"PUT /v1/me/consents":             map[string]any{"consents": []map[string]any{{"channel": "push", "purpose": "service", "granted": true}}, "text_version": "v1", "source": "app"},
	"POST /v1/me/devices":             map[string]any{"token": "device-token-0123456789", "platform": "android", "app_version": "1.0"},
	"POST /v1/me/family":              map[string]any{"first_name": "Luca", "last_name": "Rossi", "birth_date": "2016-05-01", "relation": "child"},
	"POST /v1/me/lenses":              lensBody(time.Now()),
	"PATCH /v1/me/lenses/:id":         map[string]any{"boxes": 2},
	"POST /v1/me/lenses/:id/reorder":  map[string]any{"note": "per favore"},
	"POST /v1/me/messages/:id/read":   nil,
	"POST /v1/me/messages/:id/opened": nil,
}

func lensBody(today time.Time) map[string]any {
	return map[string]any{"eye": "both", "brand": "Alcon", "product": "Total30", "modality": "monthly", "boxes": 1, "lenses_per_box": 2,
		"start_date": today.AddDate(0, 0, -20).Format(time.DateOnly)}
}

// TestErasedTokenIsRefusedEverywhere: after DELETE /v1/me the access token
// the app still holds is refused on every customer route of the table, and
// nothing is created for the erased account (issue 7 defect 1, T39); on a
// second instance too, once it has read the revocation.
func TestErasedTokenIsRefusedEverywhere(t *testing.T) {
	dir := t.TempDir()
	m := boot(t, dir)
	other := boot(t, dir, func(m *Main) { m.Config.Demo = false })
	c := client{t, m}
	s := c.signup("erase-me@example.com", func(b map[string]any) { b["shop_id"] = "shop-milano-centro" })
	tok := s.Tokens.AccessToken
	var supply struct{ ID string }
	c.want(c.do("POST", "/v1/me/lenses", lensBody(time.Now()), bearer(tok)...), 201).json(t, &supply)
	c.want(client{t, other}.do("GET", "/v1/me/lenses", nil, bearer(tok)...), 200) // the other instance knows the token

	c.want(c.do("DELETE", "/v1/me", nil, bearer(tok)...), 204)
	must(t, other.Revoked.Sync(context.Background())) // what its sync loop does every second

	routes := 0
	for _, inst := range []*Main{m, other} {
		ic := client{t, inst}
		for _, rt := range inst.Router.Routes() {
			if rt.Auth.Realm != "customer" {
				continue
			}
			key := rt.Method + " " + rt.Path
			path := strings.NewReplacer(":id", supply.ID, ":token", "device-token-0123456789").Replace(rt.Path)
			body, ok := validBodies[key]
			if !ok && (rt.Method == "POST" || rt.Method == "PUT" || rt.Method == "PATCH") {
				t.Errorf("%s: no valid body in the test's table: add one", key)
			}
			r := ic.do(rt.Method, path, body, bearer(tok)...)
			if r.Status != http.StatusUnauthorized {
				t.Errorf("%s with the erased account's token: %d, want 401 (%s)", key, r.Status, r.Body)
			}
			routes++
		}
	}
	if routes < 40 {
		t.Fatalf("walked %d customer routes on two instances; the table has more", routes)
	}
	ctx := context.Background()
	id := s.Customer.ID
	supplies, _ := m.Store.Supplies(ctx, id)
	family, _ := m.Store.FamilyMembers(ctx, id)
	devices, _ := m.Store.Devices(ctx, id)
	msgs, _ := m.Store.CustomerMessages(ctx, id, core.Page{Limit: 100})
	res, _ := m.Store.CustomerReservations(ctx, id)
	if n := len(supplies) + len(family) + len(devices) + len(msgs) + len(res); n != 0 {
		t.Fatalf("%d rows held for the erased account (supplies %d, family %d, devices %d, messages %d, reservations %d)",
			n, len(supplies), len(family), len(devices), len(msgs), len(res))
	}
	// The reminder scan and the send-time rules know the account is gone.
	if _, ok := m.Customers.Locale(ctx, id); ok {
		t.Fatal("Locale reports the erased account as reachable")
	}
}

// TestStaffLogoutEndsTheSession: the console's sign-out ends the session
// on the server, so a replayed cookie opens nothing and its token is
// refused by the staff API; an API sign-out ends its token; a console left
// idle for two hours needs a new sign-in (issue 7 defect 5).
func TestStaffLogoutEndsTheSession(t *testing.T) {
	clock := &movable{now: time.Now().UTC()}
	m := boot(t, t.TempDir(), func(m *Main) { m.Clock = clock.Now })
	c := client{t, m}
	form := func(password string) string {
		return url.Values{"email": {demo.OwnerEmail}, "password": {password}, "next": {"/console/"}}.Encode()
	}
	signIn := func() string {
		t.Helper()
		r := c.want(c.do("POST", "/console/login", form(m.Owner.Password), "Content-Type", "application/x-www-form-urlencoded"), 303)
		for _, ck := range (&http.Response{Header: r.Header}).Cookies() {
			if ck.Name == "vista_staff" && ck.Value != "" {
				return ck.Value
			}
		}
		t.Fatal("no session cookie after sign-in")
		return ""
	}
	cookie := signIn()
	c.want(c.do("GET", "/console/", nil, "Cookie", "vista_staff="+cookie), 200)
	c.want(c.do("GET", "/v1/staff/me", nil, bearer(cookie)...), 200)

	c.want(c.do("POST", "/console/logout", nil, "Cookie", "vista_staff="+cookie), 303)
	if r := c.do("GET", "/console/", nil, "Cookie", "vista_staff="+cookie); r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/console/login") {
		t.Fatalf("replayed cookie after sign-out: %d %s, want a redirect to sign-in", r.Status, r.Header.Get("Location"))
	}
	c.want(c.do("GET", "/v1/staff/me", nil, bearer(cookie)...), 401)

	tok := c.staffLogin(demo.OwnerEmail, m.Owner.Password)
	c.want(c.do("POST", "/v1/staff/auth/logout", nil, bearer(tok)...), 204)
	c.want(c.do("GET", "/v1/staff/me", nil, bearer(tok)...), 401)

	// Idle: used an hour later it lives on; two hours after that it ends.
	tok = c.staffLogin(demo.OwnerEmail, m.Owner.Password)
	clock.Add(time.Hour)
	c.want(c.do("GET", "/v1/staff/me", nil, bearer(tok)...), 200)
	clock.Add(2*time.Hour + time.Minute)
	c.want(c.do("GET", "/v1/staff/me", nil, bearer(tok)...), 401)

}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestNoAcceptedBodyBreaksALaterRead: random bodies on every create and
// update route that takes a date or a count; whatever is accepted, the
// owner's list, their export and the staff views keep answering 200
// (issue 7 defect 2: a yearly supply starting 9999-12-31 made them 500 for
// good).
func TestNoAcceptedBodyBreaksALaterRead(t *testing.T) {
	m := boot(t, t.TempDir())
	c := client{t, m}
	owner := ownerLogin(t, m)
	s := c.signup("dates@example.com", func(b map[string]any) { b["shop_id"] = "shop-milano-centro" })
	tok := s.Tokens.AccessToken
	rng := rand.New(rand.NewPCG(7, uint64(time.Now().UnixNano())))
	today := time.Now()
	day := func(lo, hi int) string { return today.AddDate(0, 0, lo+rng.IntN(hi-lo)).Format(time.DateOnly) }
	modalities := []string{"daily", "two_weekly", "monthly", "quarterly", "yearly"}
	reads := []string{"/v1/me/lenses", "/v1/me/export", "/v1/me/family"}
	accepted := map[string]int{}
	var supplies []string
	for i := range 200 {
		var r response
		var route string
		switch i % 4 {
		case 0:
			route = "POST /v1/me/lenses"
			r = c.do("POST", "/v1/me/lenses", map[string]any{"eye": "both", "brand": "B", "product": "P",
				"modality": modalities[rng.IntN(len(modalities))], "boxes": 1 + rng.IntN(55), "lenses_per_box": []int{1, 2, 6, 30, 90, 400, 401}[rng.IntN(7)],
				"start_date": day(-365*8, 365*3), "wear_days_per_week": rng.IntN(8)}, bearer(tok)...)
			if r.Status == 201 {
				var v struct{ ID string }
				r.json(t, &v)
				supplies = append(supplies, v.ID)
			}
		case 1:
			if len(supplies) == 0 {
				continue
			}
			route = "PATCH /v1/me/lenses/:id"
			r = c.do("PATCH", "/v1/me/lenses/"+supplies[rng.IntN(len(supplies))], map[string]any{
				"start_date": day(-365*8, 365*3), "boxes": 1 + rng.IntN(55)}, bearer(tok)...)
		case 2:
			route = "PUT /v1/staff/customers/:id/exams"
			r = c.do("PUT", "/v1/staff/customers/"+s.Customer.ID+"/exams", map[string]any{"due_on": day(-365*30, 365*30)}, bearer(owner)...)
		case 3:
			route = "POST /v1/me/family"
			r = c.do("POST", "/v1/me/family", map[string]any{"first_name": "F", "last_name": "R", "relation": "child",
				"birth_date": day(-365*200, 365*5)}, bearer(tok)...)
			if r.Status == 201 { // keep the family under its cap
				var f struct{ ID string }
				r.json(t, &f)
				c.want(c.do("DELETE", "/v1/me/family/"+f.ID, nil, bearer(tok)...), 204)
			}
		}
		switch {
		case r.Status >= 500:
			t.Fatalf("%s answered %d: %s", route, r.Status, r.Body)
		case r.Status < 300:
			accepted[route]++
		case r.Status != 422:
			t.Fatalf("%s answered %d, want 2xx or 422: %s", route, r.Status, r.Body)
		}
		for _, p := range reads {
			c.want(c.do("GET", p, nil, bearer(tok)...), 200)
		}
		for _, p := range []string{"/lenses", "/exams", ""} {
			c.want(c.do("GET", "/v1/staff/customers/"+s.Customer.ID+p, nil, bearer(owner)...), 200)
		}
	}
	for _, route := range []string{"POST /v1/me/lenses", "PATCH /v1/me/lenses/:id", "PUT /v1/staff/customers/:id/exams", "POST /v1/me/family"} {
		if accepted[route] == 0 {
			t.Errorf("%s accepted nothing in 200 tries: the test tries nothing real", route)
		}
	}
	// The year-10000 supply of the issue is refused with a field error.
	p := c.want(c.do("POST", "/v1/me/lenses", map[string]any{"eye": "both", "brand": "B", "product": "P", "modality": "yearly",
		"boxes": 1, "lenses_per_box": 2, "start_date": "9999-12-31"}, bearer(tok)...), 422).problem(t)
	if !strings.Contains(fmt.Sprint(p["errors"]), "start_date") {
		t.Fatalf("no start_date field error: %v", p)
	}
}

// TestConsoleFormsRefuseOtherSites: a console form posted from another
// site is refused and changes nothing, the sign-in form included (login
// CSRF); from the console itself it works (issue 7 defect 6).
func TestConsoleFormsRefuseOtherSites(t *testing.T) {
	m := boot(t, t.TempDir())
	c := client{t, m}
	form := url.Values{"email": {demo.OwnerEmail}, "password": {m.Owner.Password}, "next": {"/console/"}}.Encode()
	ct := "application/x-www-form-urlencoded"
	for _, h := range [][]string{
		{"Origin", "https://evil.example"},
		{"Sec-Fetch-Site", "cross-site"},
		{"Sec-Fetch-Site", "same-site"},
		{"Origin", "null"},
	} {
		r := c.want(c.do("POST", "/console/login", form, "Content-Type", ct, h[0], h[1]), 403)
		if strings.Contains(r.Header.Get("Set-Cookie"), "vista_staff=") {
			t.Fatalf("a cross-site sign-in (%s: %s) set the session cookie", h[0], h[1])
		}
	}
	r := c.want(c.do("POST", "/console/login", form, "Content-Type", ct, "Origin", "http://example.com", "Sec-Fetch-Site", "same-origin"), 303)
	var cookie string
	for _, ck := range (&http.Response{Header: r.Header}).Cookies() {
		if ck.Name == "vista_staff" {
			cookie = ck.Value
		}
	}
	// A signed-in browser lured to another site: the retry and sign-out
	// forms refuse it, and the session lives on.
	c.want(c.do("POST", "/console/outbox/any/retry", nil, "Cookie", "vista_staff="+cookie, "Origin", "https://evil.example"), 403)
	c.want(c.do("POST", "/console/logout", nil, "Cookie", "vista_staff="+cookie, "Sec-Fetch-Site", "cross-site"), 403)
	c.want(c.do("GET", "/console/", nil, "Cookie", "vista_staff="+cookie), 200)
}

// TestLoginLimitSlidesAndCountsFailuresOnly: ten failures just before a
// window boundary still lock the account just after it (the fixed window
// let 20 through in 4 s); successful sign-ins count nothing; the lock
// lifts once the failures age out of the fifteen minutes (issue 7 defect
// 8, T07).
func TestLoginLimitSlidesAndCountsFailuresOnly(t *testing.T) {
	start := time.Now().UTC().Truncate(15 * time.Minute).Add(15*time.Minute - 2*time.Second) // two seconds before a boundary
	clock := &movable{now: start}
	m := boot(t, t.TempDir(), func(m *Main) { m.Clock = clock.Now })
	c := client{t, m}
	c.signup("slide@example.com")
	login := func(password string) int {
		return c.do("POST", "/v1/auth/login", map[string]string{"email": "slide@example.com", "password": password}).Status
	}
	for i := range 30 {
		if s := login("correct horse battery"); s != 200 {
			t.Fatalf("successful sign-in %d: %d", i, s)
		}
	}
	for i := range 10 {
		if s := login("wrong password!"); s != 401 {
			t.Fatalf("failure %d after 30 successes: %d, want 401 (successes must not count)", i+1, s)
		}
	}
	clock.Add(4 * time.Second) // past the boundary of a fixed window
	r := c.do("POST", "/v1/auth/login", map[string]string{"email": "slide@example.com", "password": "wrong password!"})
	if r.Status != 429 {
		t.Fatalf("11th failure across a window boundary: %d, want 429", r.Status)
	}
	after, _ := strconv.Atoi(r.Header.Get("Retry-After"))
	if after < 14*60 || after > 16*60 {
		t.Fatalf("Retry-After %q, want about fifteen minutes", r.Header.Get("Retry-After"))
	}
	for range 20 { // hammering a locked account does not extend its lock
		login("wrong password!")
	}
	clock.Add(time.Duration(after) * time.Second)
	if s := login("correct horse battery"); s != 200 {
		t.Fatalf("after Retry-After the owner signs in: %d, want 200", s)
	}
}

// TestPerCustomerCaps: one account cannot hold hundreds of devices or
// family members, nor flood its shop with reorder requests for one supply
// (issue 7 defect 7, OWASP API4/API6).
func TestPerCustomerCaps(t *testing.T) {
	m := boot(t, t.TempDir())
	c := client{t, m}
	s := c.signup("caps@example.com", func(b map[string]any) { b["shop_id"] = "shop-milano-centro" })
	tok := bearer(s.Tokens.AccessToken)
	for i := range 12 {
		c.want(c.do("POST", "/v1/me/devices", map[string]any{"token": fmt.Sprintf("device-token-%020d", i), "platform": "android", "app_version": "1"}, tok...), 201)
	}
	var devs struct{ Devices []struct{ Token string } }
	c.want(c.do("GET", "/v1/me/devices", nil, tok...), 200).json(t, &devs)
	if len(devs.Devices) != 5 {
		t.Fatalf("%d devices kept, want the 5 most recent", len(devs.Devices))
	}
	for _, d := range devs.Devices {
		if d.Token < fmt.Sprintf("device-token-%020d", 7) {
			t.Fatalf("kept %s, an older device than the five newest", d.Token)
		}
	}
	for i := range 10 {
		c.want(c.do("POST", "/v1/me/family", map[string]any{"first_name": fmt.Sprint("F", i), "last_name": "R", "relation": "child", "birth_date": "2015-01-01"}, tok...), 201)
	}
	c.want(c.do("POST", "/v1/me/family", map[string]any{"first_name": "X", "last_name": "R", "relation": "child", "birth_date": "2015-01-01"}, tok...), 409).problem(t)

	var sp struct{ ID string }
	c.want(c.do("POST", "/v1/me/lenses", lensBody(time.Now()), tok...), 201).json(t, &sp)
	var first, again struct{ ID string }
	c.want(c.do("POST", "/v1/me/lenses/"+sp.ID+"/reorder", nil, tok...), 201).json(t, &first)
	for range 5 {
		c.want(c.do("POST", "/v1/me/lenses/"+sp.ID+"/reorder", nil, tok...), 200).json(t, &again)
		if again.ID != first.ID {
			t.Fatalf("a repeated reorder made %s, want the open request %s", again.ID, first.ID)
		}
	}
	res, err := m.Store.CustomerReservations(context.Background(), s.Customer.ID)
	must(t, err)
	if len(res) != 1 {
		t.Fatalf("%d reservations for one supply, want 1", len(res))
	}
}

// TestSmallHardening: token and profile answers are not cacheable; the
// staff consent view tells time by the service clock (issue 7 defect 10).
func TestSmallHardening(t *testing.T) {
	clock := &movable{now: time.Now().UTC().Add(30 * 24 * time.Hour)} // a clock moved on, as VISTA_CLOCK_OFFSET does
	m := boot(t, t.TempDir(), func(m *Main) { m.Clock = clock.Now })
	c := client{t, m}
	s := c.signup("small@example.com", func(b map[string]any) {
		b["shop_id"] = "shop-milano-centro"
		b["consents"] = []map[string]any{{"channel": "sms", "purpose": "service", "granted": true}}
		b["consent_text_version"] = "v1"
	})
	for _, r := range []response{
		c.do("POST", "/v1/auth/login", map[string]string{"email": "small@example.com", "password": "correct horse battery"}),
		c.do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": s.Tokens.RefreshToken}),
		c.do("GET", "/v1/me", nil, bearer(s.Tokens.AccessToken)...),
		c.do("GET", "/v1/me/export", nil, bearer(s.Tokens.AccessToken)...),
	} {
		if r.Status != 200 || r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("status %d, Cache-Control %q: want 200 and no-store", r.Status, r.Header.Get("Cache-Control"))
		}
	}
	var view struct {
		At       time.Time
		Consents []struct {
			Channel, Purpose string
			Granted          bool
		}
	}
	c.want(c.do("GET", "/v1/staff/consents/"+s.Customer.ID, nil, bearer(ownerLogin(t, m))...), 200).json(t, &view)
	if view.At.Before(clock.Now().Add(-time.Minute)) {
		t.Fatalf("consent view at %v, want the service clock's %v", view.At, clock.Now())
	}
	granted := false
	for _, cs := range view.Consents {
		granted = granted || (cs.Channel == "sms" && cs.Purpose == "service" && cs.Granted)
	}
	if !granted {
		t.Fatal("the consent given at sign-up is missing from the default view")
	}
}

// TestControlCharactersAndRequestIDs: names and free texts with control or
// text-direction characters are refused with a field error and store
// nothing; a client's X-Request-ID is kept only when short and safe.
func TestControlCharactersAndRequestIDs(t *testing.T) {
	m := boot(t, t.TempDir())
	c := client{t, m}
	s := c.signup("ctrl@example.com")
	tok := bearer(s.Tokens.AccessToken)
	for _, bad := range []string{"Giu\x00lia", "Giulia\r\nX-Evil: 1", "Giulia\u202egnp.exe", "Giu\u2066lia", "Tab\there"} {
		p := c.want(c.do("PATCH", "/v1/me", map[string]any{"first_name": bad}, tok...), 422).problem(t)
		if !strings.Contains(fmt.Sprint(p["errors"]), "first_name") {
			t.Fatalf("%q: no first_name field error: %v", bad, p)
		}
		c.want(c.do("POST", "/v1/me/family", map[string]any{"first_name": "Luca", "last_name": bad, "relation": "child", "birth_date": "2015-01-01"}, tok...), 422)
		b := signupBody(core.NewID() + "@example.com")
		b["last_name"] = bad
		c.want(c.do("POST", "/v1/auth/signup", b), 422)
	}
	var me struct {
		FirstName string `json:"first_name"`
	}
	c.want(c.do("GET", "/v1/me", nil, tok...), 200).json(t, &me)
	if me.FirstName != "Giulia" {
		t.Fatalf("first name is %q after refused changes", me.FirstName)
	}
	if got := c.do("GET", "/healthz", nil, "X-Request-ID", "abc-123").Header.Get("X-Request-ID"); got != "abc-123" {
		t.Fatalf("a safe request id came back as %q", got)
	}
	for _, bad := range []string{strings.Repeat("a", 65), "id with spaces", "<script>", "id\x01"} {
		if got := c.do("GET", "/healthz", nil, "X-Request-ID", bad).Header.Get("X-Request-ID"); got == bad || got == "" {
			t.Fatalf("unsafe request id %q came back as %q, want a new one", bad, got)
		}
	}
}

// TestContentLengthWithTransferEncodingIsRefused: a request carrying both
// framing headers is refused and its connection closed (RFC 9112 §6.3),
// whichever comes first.
func TestContentLengthWithTransferEncodingIsRefused(t *testing.T) {
	m := boot(t, t.TempDir())
	base := serve(t, m)
	addr := strings.TrimPrefix(base, "http://")
	for _, headers := range []string{
		"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
		"transfer-encoding: chunked\r\ncontent-length: 5\r\n",
	} {
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
		must(t, err)
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		req := "POST /v1/auth/login HTTP/1.1\r\nHost: vista\r\nContent-Type: application/json\r\n" + headers + "\r\n0\r\n\r\n" +
			"GET /healthz HTTP/1.1\r\nHost: vista\r\n\r\n"
		_, err = conn.Write([]byte(req))
		must(t, err)
		all, _ := io.ReadAll(conn) // ends when the server closes the connection
		conn.Close()
		text := string(all)
		if !strings.HasPrefix(text, "HTTP/1.1 400") {
			t.Fatalf("%q: answered %q, want 400", headers, strings.SplitN(text, "\r\n", 2)[0])
		}
		if strings.Count(text, "HTTP/1.1 ") != 1 {
			t.Fatalf("%q: the connection served a second request after the refusal:\n%s", headers, text)
		}
	}
}

// TestStaffListsArePaged: every staff list, in the API and on the
// console's page, shows a page at a time with a way to the next, so a
// shop's real requests are never pushed out of view by the newest 50
// (issue 7 defect 7). Walking the pages yields every item once.
func TestStaffListsArePaged(t *testing.T) {
	m := boot(t, t.TempDir())
	c := client{t, m}
	ctx := context.Background()
	owner := ownerLogin(t, m)
	const shop, n = "shop-milano-centro", 55
	now := time.Now().UTC().Truncate(time.Millisecond)
	who := &customer.Customer{ID: core.NewID(), Email: "many@example.com", FirstName: "Molti", LastName: "Messaggi", Status: customer.StatusActive,
		ShopID: shop, Locale: "it", CreatedAt: now, UpdatedAt: now}
	must(t, m.Store.CreateCustomer(ctx, who))
	for i := range n {
		at := now.Add(-time.Duration(i/4) * time.Second) // four to a second: ties broken by id
		must(t, m.Store.CreateCustomer(ctx, &customer.Customer{ID: core.NewID(), Email: fmt.Sprintf("c%d@example.com", i), FirstName: "Cliente", LastName: strconv.Itoa(i),
			Status: customer.StatusActive, ShopID: shop, Locale: "it", CreatedAt: at, UpdatedAt: at}))
		must(t, m.Store.CreateReservation(ctx, &catalog.Reservation{ID: core.NewID(), CustomerID: who.ID, ShopID: shop, Kind: "lens_reorder",
			Status: "requested", Note: fmt.Sprintf("richiesta %d", i), CreatedAt: at}))
		for _, ch := range []string{notify.ChannelRecall, notify.ChannelPush} {
			_, err := m.Store.EnqueueMessage(ctx, &notify.Message{ID: core.NewID(), CustomerID: who.ID, ShopID: shop, Channel: ch, Purpose: notify.PurposeService,
				DedupeKey: fmt.Sprintf("%s-%d", ch, i), Title: "Promemoria", Body: "b", DueAt: at, Status: notify.StatusPending, CreatedAt: at, UpdatedAt: at})
			must(t, err)
		}
	}
	claimed, err := m.Store.ClaimMessages(ctx, "test", now, now.Add(time.Minute), 2*n)
	must(t, err)
	for _, msg := range claimed {
		out := notify.Outcome{Status: notify.StatusSent, At: now}
		if msg.Channel == notify.ChannelPush {
			out = notify.Outcome{Status: notify.StatusDead, Error: "gave up", At: msg.CreatedAt}
		}
		must(t, m.Store.FinishMessage(ctx, msg.ID, "test", out))
	}
	var customers struct{ Customers []any }
	c.want(c.do("GET", "/v1/staff/shops/"+shop+"/customers?limit=200", nil, bearer(owner)...), 200).json(t, &customers)
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
			c.want(c.do("GET", u, nil, bearer(owner)...), 200).json(t, &page)
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
		must(t, m.Store.AppendAudit(ctx, &audit.Entry{ID: core.NewID(), At: now.Add(time.Duration(i/4) * time.Second), ActorKind: "staff",
			ActorID: "someone", Action: "customer.viewed", CustomerID: "audited-customer"}))
	}
	walk("/v1/staff/audit?customer=audited-customer", "entries", n)

	for _, q := range []string{"limit=0", "limit=201", "limit=ten", "after=%21%21", "after=" + strings.Repeat("x", 300)} {
		p := c.want(c.do("GET", "/v1/staff/shops/"+shop+"/reservations?"+q, nil, bearer(owner)...), 422).problem(t)
		field := strings.SplitN(q, "=", 2)[0]
		if errs, _ := p["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["field"] != field {
			t.Errorf("%s: problem %v, want a field error on %s", q, p, field)
		}
	}
	c.want(c.do("GET", "/v1/staff/shops/"+shop+"/customers?limit=500", nil, bearer(owner)...), 422)

	// The console's page: 50 of each list, a link to the rest.
	rows := func(body, table string) int {
		i := strings.Index(body, `<table id="`+table+`">`)
		if i < 0 {
			return 0
		}
		return strings.Count(body[i:i+strings.Index(body[i:], "</table>")], "<tr>") - 1
	}
	cookie := []string{"Cookie", "vista_staff=" + owner}
	first := string(c.want(c.do("GET", "/console/?shop="+shop, nil, cookie...), 200).Body)
	for list, want := range map[string]int{"customers": total, "reservations": n, "recalls": n, "dead": n} {
		if got := rows(first, list); got != 50 {
			t.Errorf("console %s: %d rows on the first page, want 50", list, got)
		}
		link := regexp.MustCompile(`id="` + list + `-pages">.*?<a class="next" href="([^"]+)"`).FindStringSubmatch(first)
		if link == nil {
			t.Errorf("console %s: no link to the next page", list)
			continue
		}
		second := string(c.want(c.do("GET", html.UnescapeString(link[1]), nil, cookie...), 200).Body)
		if got := rows(second, list); got != want-50 {
			t.Errorf("console %s: %d rows on the second page, want %d", list, got, want-50)
		}
		if strings.Contains(second, `id="`+list+`-pages"><a class="next"`) || !strings.Contains(second, `id="`+list+`-pages"><a href=`) {
			t.Errorf("console %s: the last page should link back to the start and nowhere further", list)
		}
	}
}
