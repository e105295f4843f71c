package mobileapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/app"
	"github.com/vista-optical/vista/backend/app/apptest"
	"github.com/vista-optical/vista/backend/audit"
	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/core"
)

func TestAccountLifecycle(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}

	s := c.Signup("Giulia.Rossi@Example.com", func(b map[string]any) {
		b["consents"] = []map[string]any{{"channel": "push", "purpose": "service", "granted": true}}
		b["consent_text_version"] = "privacy-it-2026-10"
	})
	if s.Customer.Email != "giulia.rossi@example.com" || s.Tokens.AccessToken == "" || s.Tokens.RefreshToken == "" {
		t.Fatalf("signup apptest.Session = %+v", s)
	}

	var login apptest.Session
	c.Want(c.Do("POST", "/v1/auth/login", map[string]string{"email": "GIULIA.rossi@example.com", "password": "correct horse battery"}), 200).JSON(t, &login)
	if login.Customer.ID != s.Customer.ID {
		t.Fatalf("login gave customer %s, want %s", login.Customer.ID, s.Customer.ID)
	}

	var me map[string]any
	c.Want(c.Do("GET", "/v1/me", nil, apptest.Bearer(login.Tokens.AccessToken)...), 200).JSON(t, &me)
	if me["id"] != s.Customer.ID || me["first_name"] != "Giulia" {
		t.Fatalf("me = %v", me)
	}
	if _, leaked := me["password_hash"]; leaked {
		t.Fatal("password hash leaked in /v1/me")
	}

	// Profile change; unknown fields and mass assignment refused.
	c.Want(c.Do("PATCH", "/v1/me", map[string]any{"first_name": "Giuliana"}, apptest.Bearer(login.Tokens.AccessToken)...), 200)
	c.Want(c.Do("PATCH", "/v1/me", map[string]any{"status": "erased"}, apptest.Bearer(login.Tokens.AccessToken)...), 400)
	c.Want(c.Do("PATCH", "/v1/me", map[string]any{"phone": "12345"}, apptest.Bearer(login.Tokens.AccessToken)...), 422)

	var refreshed struct{ Tokens auth.TokenPair }
	c.Want(c.Do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": login.Tokens.RefreshToken}), 200).JSON(t, &refreshed)
	c.Want(c.Do("GET", "/v1/me", nil, apptest.Bearer(refreshed.Tokens.AccessToken)...), 200)

	c.Want(c.Do("POST", "/v1/auth/logout", map[string]string{"refresh_token": refreshed.Tokens.RefreshToken}), 204)
	c.Want(c.Do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": refreshed.Tokens.RefreshToken}), 401)
	// The first sign-in's session is independent of the second.
	c.Want(c.Do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": s.Tokens.RefreshToken}), 200)
}

func TestSignupRules(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	c.Signup("anna@example.com")

	p := c.Want(c.Do("POST", "/v1/auth/signup", apptest.SignupBody("ANNA@example.com")), 409).Problem(t)
	if p["status"].(float64) != 409 {
		t.Fatalf("problem = %v", p)
	}

	young := apptest.SignupBody("kid@example.com")
	young["birth_date"] = time.Now().AddDate(-13, 0, 0).Format(time.DateOnly)
	p = c.Want(c.Do("POST", "/v1/auth/signup", young), 422).Problem(t)
	if !strings.Contains(p["detail"].(string), "family member") {
		t.Fatalf("under-14 answer does not offer the family-member path: %v", p)
	}
	fourteen := apptest.SignupBody("teen@example.com")
	fourteen["birth_date"] = time.Now().AddDate(-14, 0, -1).Format(time.DateOnly)
	c.Want(c.Do("POST", "/v1/auth/signup", fourteen), 201)

	bad := apptest.SignupBody("not-an-email")
	bad["phone"] = "340 12"
	bad["password"] = "short"
	p = c.Want(c.Do("POST", "/v1/auth/signup", bad), 422).Problem(t)
	fields := map[string]bool{}
	for _, e := range p["errors"].([]any) {
		fields[e.(map[string]any)["field"].(string)] = true
	}
	for _, f := range []string{"email", "phone", "password"} {
		if !fields[f] {
			t.Errorf("no field error for %s in %v", f, p)
		}
	}
	unknownShop := apptest.SignupBody("shopless@example.com")
	unknownShop["shop_id"] = "no-such-shop"
	c.Want(c.Do("POST", "/v1/auth/signup", unknownShop), 422)
}

func TestLoginFailuresLookAlike(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	c.Signup("anna@example.com")
	wrong := c.Want(c.Do("POST", "/v1/auth/login", map[string]string{"email": "anna@example.com", "password": "wrong password!"}), 401).Problem(t)
	unknown := c.Want(c.Do("POST", "/v1/auth/login", map[string]string{"email": "nobody@example.com", "password": "wrong password!"}), 401).Problem(t)
	if wrong["detail"] != unknown["detail"] || wrong["title"] != unknown["title"] || wrong["type"] != unknown["type"] {
		t.Fatalf("wrong password %v differs from unknown e-mail %v", wrong, unknown)
	}
}

func TestRefreshReuseRevokesFamily(t *testing.T) {
	clock := apptest.NewClock(time.Now().UTC())
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) { m.Clock = clock.Now })
	c := apptest.Client{T: t, M: m}
	s := c.Signup("anna@example.com")
	var r2 struct{ Tokens auth.TokenPair }
	c.Want(c.Do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": s.Tokens.RefreshToken}), 200).JSON(t, &r2)
	clock.Add(auth.RefreshGrace + time.Second)
	// Replaying the first token after the grace window (a thief or a stale copy) ends the family…
	c.Want(c.Do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": s.Tokens.RefreshToken}), 401)
	// …so the legitimate newer token no longer works either.
	c.Want(c.Do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": r2.Tokens.RefreshToken}), 401)
	entries, err := m.Store.AuditEntries(context.Background(), audit.Filter{CustomerID: s.Customer.ID})
	if err != nil {
		t.Fatal(err)
	}
	reuse := 0
	for _, e := range entries {
		if e.Action == "session.refresh_reuse_detected" {
			reuse++
		}
	}
	if reuse != 1 {
		t.Fatalf("%d reuse events in the audit log, want 1", reuse)
	}
	c.Want(c.Do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": "vrt_made_up"}), 401)
	// An access token is not a refresh token.
	c.Want(c.Do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": s.Tokens.AccessToken}), 422)
}

// TestConcurrentRefreshesKeepTheSession: an app that retries a refresh
// whose answer was lost, or refreshes from two requests at once, is not
// logged out: inside auth.RefreshGrace every presentation of the parent
// gets the same child, which then refreshes, and no reuse is recorded
// (issue 7 defect 4, T06).
func TestConcurrentRefreshesKeepTheSession(t *testing.T) {
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) { m.Limits.RefreshAccount.Max = 50 }) // 10 a minute per token in production
	c := apptest.Client{T: t, M: m}
	for _, n := range []int{2, 20} {
		s := c.Signup(fmt.Sprintf("refresh-%d@example.com", n))
		children := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var r struct{ Tokens auth.TokenPair }
				resp := c.Do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": s.Tokens.RefreshToken})
				if resp.Status != 200 {
					t.Errorf("refresh %d of %d: %d %s", i, n, resp.Status, resp.Body)
					return
				}
				resp.JSON(t, &r)
				children[i] = r.Tokens.RefreshToken
			}()
		}
		wg.Wait()
		for i, ch := range children {
			if ch == "" || ch != children[0] {
				t.Fatalf("%d concurrent refreshes: child %d is %q, child 0 %q: want the same", n, i, ch, children[0])
			}
		}
		c.Want(c.Do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": children[0]}), 200)
		entries, err := m.Store.AuditEntries(context.Background(), audit.Filter{CustomerID: s.Customer.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Action == "session.refresh_reuse_detected" {
				t.Fatalf("%d concurrent refreshes wrote a reuse event", n)
			}
		}
	}
}

func TestCustomersCannotReachEachOther(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	a := c.Signup("a@example.com")
	b := c.Signup("b@example.com")
	c.Want(c.Do("POST", "/v1/me/devices", map[string]string{"token": "fcm-token-of-b-0123456789", "platform": "android", "app_version": "1.0.0"}, apptest.Bearer(b.Tokens.AccessToken)...), 201)
	// A tries to remove B's device by its token: it is not A's, so 404.
	c.Want(c.Do("DELETE", "/v1/me/devices/fcm-token-of-b-0123456789", nil, apptest.Bearer(a.Tokens.AccessToken)...), 404)
	var list struct{ Devices []map[string]any }
	c.Want(c.Do("GET", "/v1/me/devices", nil, apptest.Bearer(b.Tokens.AccessToken)...), 200).JSON(t, &list)
	if len(list.Devices) != 1 {
		t.Fatalf("B's device was touched: %v", list.Devices)
	}
	// A's export holds nothing of B.
	r := c.Want(c.Do("GET", "/v1/me/export", nil, append(apptest.Bearer(a.Tokens.AccessToken), "Accept", "application/json")...), 200)
	if strings.Contains(string(r.Body), b.Customer.ID) || strings.Contains(string(r.Body), "b@example.com") {
		t.Fatal("A's export contains B's data")
	}
	c.Want(c.Do("DELETE", "/v1/me/devices/fcm-token-of-b-0123456789", nil, apptest.Bearer(b.Tokens.AccessToken)...), 204)
}

func TestBadInputChangesNothing(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	body := `{"email":"bad@example.com","password":"correct horse battery","first_name":"A","last_name":"B","birth_date":"1990-01-01"`
	cases := []struct {
		name, body, ctype string
		status            int
	}{
		{"malformed JSON", body, "application/json", 400},
		{"unknown field", body + `,"role":"owner"}`, "application/json", 400},
		{"two values", body + `}{}`, "application/json", 400},
		{"wrong type", strings.Replace(body, `"A"`, `42`, 1) + "}", "application/json", 400},
		{"too deep", `{"consents":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + "}", "application/json", 400},
		{"form body", "email=bad@example.com", "application/x-www-form-urlencoded", 415},
		{"empty body", "", "application/json", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Do("POST", "/v1/auth/signup", tc.body, "Content-Type", tc.ctype)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			r.Problem(t)
		})
	}
	// 2 MB: the server answers 413 from the declared length, before
	// reading the body.
	apptest.Serve(t, m)
	conn, err := net.Dial("tcp", m.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v1/auth/signup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{", 2<<20)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("2 MB body: status %d %s, want 413 problem+json", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if _, err := m.Store.CustomerByEmail(context.Background(), "bad@example.com"); !core.IsCode(err, core.ENOTFOUND) {
		t.Fatalf("a rejected body stored a customer: %v", err)
	}
}

func TestLoginRateLimit(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	c.Signup("anna@example.com")
	var limited apptest.Response
	for i := range 20 {
		r := c.Do("POST", "/v1/auth/login", map[string]string{"email": "anna@example.com", "password": "wrong password!"})
		if r.Status == http.StatusTooManyRequests {
			limited = r
			break
		}
		if r.Status != 401 {
			t.Fatalf("attempt %d: status %d", i, r.Status)
		}
	}
	if limited.Status != 429 {
		t.Fatal("20 failed logins were never limited")
	}
	if limited.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	limited.Problem(t)
	// The right password is refused too while the account is limited.
	c.Want(c.Do("POST", "/v1/auth/login", map[string]string{"email": "anna@example.com", "password": "correct horse battery"}), 429)
	// Another account from the same address still works.
	c.Signup("other@example.com")
	c.Want(c.Do("POST", "/v1/auth/login", map[string]string{"email": "other@example.com", "password": "correct horse battery"}), 200)
}

func TestConsentsAreEventsWithProof(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	s := c.Signup("anna@example.com", func(b map[string]any) { b["shop_id"] = "shop-milano-centro" })
	tok := apptest.Bearer(s.Tokens.AccessToken)

	var st struct{ Consents []map[string]any }
	c.Want(c.Do("GET", "/v1/me/consents", nil, tok...), 200).JSON(t, &st)
	if len(st.Consents) != 15 {
		t.Fatalf("%d consent pairs, want 5 channels x 3 purposes", len(st.Consents))
	}
	for _, cs := range st.Consents {
		if cs["granted"] != false {
			t.Fatalf("granted by default: %v", cs)
		}
	}
	grant := map[string]any{"consents": []map[string]any{{"channel": "push", "purpose": "marketing", "granted": true}},
		"text_version": "marketing-it-v3", "source": "app:settings/2.1.0"}
	c.Want(c.Do("PUT", "/v1/me/consents", grant, tok...), 200)
	between := time.Now().UTC()
	time.Sleep(5 * time.Millisecond)
	withdraw := map[string]any{"consents": []map[string]any{{"channel": "push", "purpose": "marketing", "granted": false}},
		"text_version": "marketing-it-v3", "source": "app:settings/2.1.0"}
	c.Want(c.Do("PUT", "/v1/me/consents", withdraw, tok...), 200).JSON(t, &st)
	for _, cs := range st.Consents {
		if cs["granted"] == true {
			t.Fatalf("withdrawal did not take: %v", cs)
		}
	}
	c.Want(c.Do("PUT", "/v1/me/consents", map[string]any{"consents": []map[string]any{{"channel": "fax", "purpose": "marketing", "granted": true}},
		"text_version": "v", "source": "s"}, tok...), 422)

	owner := apptest.OwnerLogin(t, m)
	var at struct {
		Consents []map[string]any
		Events   []map[string]any
	}
	c.Want(c.Do("GET", "/v1/staff/consents/"+s.Customer.ID+"?at="+between.Format(time.RFC3339Nano), nil, apptest.Bearer(owner)...), 200).JSON(t, &at)
	granted := false
	for _, cs := range at.Consents {
		if cs["channel"] == "push" && cs["purpose"] == "marketing" {
			granted = cs["granted"] == true
		}
	}
	if !granted || len(at.Events) != 1 || at.Events[0]["text_version"] != "marketing-it-v3" || at.Events[0]["source"] != "app:settings/2.1.0" {
		t.Fatalf("state at %v not reconstructed with proof: %+v", between, at)
	}
}

func TestExportAndErasure(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	s := c.Signup("anna@example.com", func(b map[string]any) {
		b["consents"] = []map[string]any{{"channel": "email", "purpose": "service", "granted": true}}
		b["consent_text_version"] = "v1"
	})
	tok := apptest.Bearer(s.Tokens.AccessToken)
	c.Want(c.Do("POST", "/v1/me/devices", map[string]string{"token": "fcm-token-anna-0123456789", "platform": "ios", "app_version": "2.0.0"}, tok...), 201)

	var export struct {
		CustomerID string                     `json:"customer_id"`
		Sections   map[string]json.RawMessage `json:"sections"`
	}
	r := c.Want(c.Do("GET", "/v1/me/export", nil, append(tok, "Accept", "application/json")...), 200)
	r.JSON(t, &export)
	for _, sec := range m.Privacy.Sections() {
		if _, ok := export.Sections[sec.Name]; !ok {
			t.Errorf("export lacks section %q", sec.Name)
		}
	}
	for _, want := range []string{"anna@example.com", "fcm-token-anna-0123456789", `"purpose":"service"`} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("export lacks %s", want)
		}
	}
	if strings.Contains(string(r.Body), "argon2") {
		t.Fatal("export contains the password hash")
	}
	apptest.WantArchive(t, m, c.Do("GET", "/v1/me/export", nil, tok...), "anna@example.com", "fcm-token-anna-0123456789")

	c.Want(c.Do("DELETE", "/v1/me", nil, tok...), 204)
	c.Want(c.Do("GET", "/v1/me", nil, tok...), 401)
	c.Want(c.Do("POST", "/v1/auth/login", map[string]string{"email": "anna@example.com", "password": "correct horse battery"}), 401)
	c.Want(c.Do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": s.Tokens.RefreshToken}), 401)

	ctx := context.Background()
	cu, err := m.Store.Customer(ctx, s.Customer.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cu.Email != "" || cu.FirstName != "" || cu.Phone != "" || cu.BirthDate != "" || cu.Status != "erased" {
		t.Fatalf("erased customer keeps personal data: %+v", cu)
	}
	if d, _ := m.Store.Devices(ctx, s.Customer.ID); len(d) != 0 {
		t.Fatal("devices survive erasure")
	}
	if ev, _ := m.Store.ConsentEvents(ctx, s.Customer.ID, time.Now()); len(ev) != 0 {
		t.Fatal("consent events survive erasure")
	}
	if fams, _ := m.Store.CustomerSessions(ctx, s.Customer.ID); len(fams) != 0 {
		t.Fatal("sessions survive erasure")
	}
	// The address can sign up again as a new person.
	c.Signup("anna@example.com")
}

// TestPerCustomerCaps: one account cannot hold hundreds of devices or
// family members, nor flood its shop with reorder requests for one supply
// (issue 7 defect 7, OWASP API4/API6).
func TestPerCustomerCaps(t *testing.T) {
	// Devices registered within one millisecond tie on their last use;
	// the clock moves on between them so that "the five newest" is one set.
	clock := apptest.NewClock(time.Now().UTC())
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) { m.Clock = clock.Now })
	c := apptest.Client{T: t, M: m}
	s := c.Signup("caps@example.com", func(b map[string]any) { b["shop_id"] = "shop-milano-centro" })
	tok := apptest.Bearer(s.Tokens.AccessToken)
	for i := range 12 {
		clock.Add(time.Millisecond)
		c.Want(c.Do("POST", "/v1/me/devices", map[string]any{"token": fmt.Sprintf("device-token-%020d", i), "platform": "android", "app_version": "1"}, tok...), 201)
	}
	var devs struct{ Devices []struct{ Token string } }
	c.Want(c.Do("GET", "/v1/me/devices", nil, tok...), 200).JSON(t, &devs)
	if len(devs.Devices) != 5 {
		t.Fatalf("%d devices kept, want the 5 most recent", len(devs.Devices))
	}
	for _, d := range devs.Devices {
		if d.Token < fmt.Sprintf("device-token-%020d", 7) {
			t.Fatalf("kept %s, an older device than the five newest", d.Token)
		}
	}
	for i := range 10 {
		c.Want(c.Do("POST", "/v1/me/family", map[string]any{"first_name": fmt.Sprint("F", i), "last_name": "R", "relation": "child", "birth_date": "2015-01-01"}, tok...), 201)
	}
	c.Want(c.Do("POST", "/v1/me/family", map[string]any{"first_name": "X", "last_name": "R", "relation": "child", "birth_date": "2015-01-01"}, tok...), 409).Problem(t)

	var sp struct{ ID string }
	c.Want(c.Do("POST", "/v1/me/lenses", apptest.LensBody(time.Now()), tok...), 201).JSON(t, &sp)
	var first, again struct{ ID string }
	c.Want(c.Do("POST", "/v1/me/lenses/"+sp.ID+"/reorder", nil, tok...), 201).JSON(t, &first)
	for range 5 {
		c.Want(c.Do("POST", "/v1/me/lenses/"+sp.ID+"/reorder", nil, tok...), 200).JSON(t, &again)
		if again.ID != first.ID {
			t.Fatalf("a repeated reorder made %s, want the open request %s", again.ID, first.ID)
		}
	}
	res, err := m.Store.CustomerReservations(context.Background(), s.Customer.ID)
	apptest.Must(t, err)
	if len(res) != 1 {
		t.Fatalf("%d reservations for one supply, want 1", len(res))
	}
}
