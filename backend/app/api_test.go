package app

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/vista-optical/vista/backend/audit"
	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/shop"
)

func addStaff(t *testing.T, m *Main, email string, role core.Role, shopID string) string {
	t.Helper()
	password := "staff-password-" + core.NewID()[:6]
	hash, err := auth.NewPasswords(testPasswords).Hash(password)
	if err != nil {
		t.Fatal(err)
	}
	err = m.Store.CreateStaff(context.Background(), &shop.Staff{ID: core.NewID(), Email: email, Name: email, PasswordHash: hash,
		Role: role, ShopID: shopID, Active: true, CreatedAt: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	return password
}

func TestAccountLifecycle(t *testing.T) {
	m := boot(t, t.TempDir())
	c := client{t, m}

	s := c.signup("Giulia.Rossi@Example.com", func(b map[string]any) {
		b["consents"] = []map[string]any{{"channel": "push", "purpose": "service", "granted": true}}
		b["consent_text_version"] = "privacy-it-2026-10"
	})
	if s.Customer.Email != "giulia.rossi@example.com" || s.Tokens.AccessToken == "" || s.Tokens.RefreshToken == "" {
		t.Fatalf("signup session = %+v", s)
	}

	var login session
	c.want(c.do("POST", "/v1/auth/login", map[string]string{"email": "GIULIA.rossi@example.com", "password": "correct horse battery"}), 200).json(t, &login)
	if login.Customer.ID != s.Customer.ID {
		t.Fatalf("login gave customer %s, want %s", login.Customer.ID, s.Customer.ID)
	}

	var me map[string]any
	c.want(c.do("GET", "/v1/me", nil, bearer(login.Tokens.AccessToken)...), 200).json(t, &me)
	if me["id"] != s.Customer.ID || me["first_name"] != "Giulia" {
		t.Fatalf("me = %v", me)
	}
	if _, leaked := me["password_hash"]; leaked {
		t.Fatal("password hash leaked in /v1/me")
	}

	// Profile change; unknown fields and mass assignment refused.
	c.want(c.do("PATCH", "/v1/me", map[string]any{"first_name": "Giuliana"}, bearer(login.Tokens.AccessToken)...), 200)
	c.want(c.do("PATCH", "/v1/me", map[string]any{"status": "erased"}, bearer(login.Tokens.AccessToken)...), 400)
	c.want(c.do("PATCH", "/v1/me", map[string]any{"phone": "12345"}, bearer(login.Tokens.AccessToken)...), 422)

	var refreshed struct{ Tokens auth.TokenPair }
	c.want(c.do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": login.Tokens.RefreshToken}), 200).json(t, &refreshed)
	c.want(c.do("GET", "/v1/me", nil, bearer(refreshed.Tokens.AccessToken)...), 200)

	c.want(c.do("POST", "/v1/auth/logout", map[string]string{"refresh_token": refreshed.Tokens.RefreshToken}), 204)
	c.want(c.do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": refreshed.Tokens.RefreshToken}), 401)
	// The first sign-in's session is independent of the second.
	c.want(c.do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": s.Tokens.RefreshToken}), 200)
}

func TestSignupRules(t *testing.T) {
	m := boot(t, t.TempDir())
	c := client{t, m}
	c.signup("anna@example.com")

	p := c.want(c.do("POST", "/v1/auth/signup", signupBody("ANNA@example.com")), 409).problem(t)
	if p["status"].(float64) != 409 {
		t.Fatalf("problem = %v", p)
	}

	young := signupBody("kid@example.com")
	young["birth_date"] = time.Now().AddDate(-13, 0, 0).Format(time.DateOnly)
	p = c.want(c.do("POST", "/v1/auth/signup", young), 422).problem(t)
	if !strings.Contains(p["detail"].(string), "family member") {
		t.Fatalf("under-14 answer does not offer the family-member path: %v", p)
	}
	fourteen := signupBody("teen@example.com")
	fourteen["birth_date"] = time.Now().AddDate(-14, 0, -1).Format(time.DateOnly)
	c.want(c.do("POST", "/v1/auth/signup", fourteen), 201)

	bad := signupBody("not-an-email")
	bad["phone"] = "3401234567"
	bad["password"] = "short"
	p = c.want(c.do("POST", "/v1/auth/signup", bad), 422).problem(t)
	fields := map[string]bool{}
	for _, e := range p["errors"].([]any) {
		fields[e.(map[string]any)["field"].(string)] = true
	}
	for _, f := range []string{"email", "phone", "password"} {
		if !fields[f] {
			t.Errorf("no field error for %s in %v", f, p)
		}
	}
	unknownShop := signupBody("shopless@example.com")
	unknownShop["shop_id"] = "no-such-shop"
	c.want(c.do("POST", "/v1/auth/signup", unknownShop), 422)
}

func TestLoginFailuresLookAlike(t *testing.T) {
	m := boot(t, t.TempDir())
	c := client{t, m}
	c.signup("anna@example.com")
	wrong := c.want(c.do("POST", "/v1/auth/login", map[string]string{"email": "anna@example.com", "password": "wrong password!"}), 401).problem(t)
	unknown := c.want(c.do("POST", "/v1/auth/login", map[string]string{"email": "nobody@example.com", "password": "wrong password!"}), 401).problem(t)
	if wrong["detail"] != unknown["detail"] || wrong["title"] != unknown["title"] || wrong["type"] != unknown["type"] {
		t.Fatalf("wrong password %v differs from unknown e-mail %v", wrong, unknown)
	}
}

func TestRefreshReuseRevokesFamily(t *testing.T) {
	clock := &movable{now: time.Now().UTC()}
	m := boot(t, t.TempDir(), func(m *Main) { m.Clock = clock.Now })
	c := client{t, m}
	s := c.signup("anna@example.com")
	var r2 struct{ Tokens auth.TokenPair }
	c.want(c.do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": s.Tokens.RefreshToken}), 200).json(t, &r2)
	clock.Add(auth.RefreshGrace + time.Second)
	// Replaying the first token after the grace window (a thief or a stale copy) ends the family…
	c.want(c.do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": s.Tokens.RefreshToken}), 401)
	// …so the legitimate newer token no longer works either.
	c.want(c.do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": r2.Tokens.RefreshToken}), 401)
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
	c.want(c.do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": "vrt_made_up"}), 401)
	// An access token is not a refresh token.
	c.want(c.do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": s.Tokens.AccessToken}), 422)
}

// TestConcurrentRefreshesKeepTheSession: an app that retries a refresh
// whose answer was lost, or refreshes from two requests at once, is not
// logged out: inside auth.RefreshGrace every presentation of the parent
// gets the same child, which then refreshes, and no reuse is recorded
// (issue 7 defect 4, T06).
func TestConcurrentRefreshesKeepTheSession(t *testing.T) {
	m := boot(t, t.TempDir(), func(m *Main) { m.Limits.RefreshAccount.Max = 50 }) // 10 a minute per token in production
	c := client{t, m}
	for _, n := range []int{2, 20} {
		s := c.signup(fmt.Sprintf("refresh-%d@example.com", n))
		children := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var r struct{ Tokens auth.TokenPair }
				resp := c.do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": s.Tokens.RefreshToken})
				if resp.Status != 200 {
					t.Errorf("refresh %d of %d: %d %s", i, n, resp.Status, resp.Body)
					return
				}
				resp.json(t, &r)
				children[i] = r.Tokens.RefreshToken
			}()
		}
		wg.Wait()
		for i, ch := range children {
			if ch == "" || ch != children[0] {
				t.Fatalf("%d concurrent refreshes: child %d is %q, child 0 %q: want the same", n, i, ch, children[0])
			}
		}
		c.want(c.do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": children[0]}), 200)
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

// algHeader rewrites the alg of a token's header, keeping the rest.
func algHeader(tok, alg string) string {
	parts := strings.SplitN(tok, ".", 3)
	h, _ := base64.RawURLEncoding.DecodeString(parts[0])
	var m map[string]any
	_ = json.Unmarshal(h, &m)
	m["alg"] = alg
	nh, _ := json.Marshal(m)
	parts[0] = base64.RawURLEncoding.EncodeToString(nh)
	return strings.Join(parts, ".")
}

// forge builds a token with arbitrary header and claims, signed with key
// under method (nil method: alg none, no signature).
func forge(t *testing.T, method jwt.SigningMethod, key any, header map[string]any, claims jwt.MapClaims) string {
	t.Helper()
	if method == nil {
		h, _ := json.Marshal(map[string]any{"alg": "none", "typ": "JWT", "kid": header["kid"]})
		p, _ := json.Marshal(claims)
		return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p) + "."
	}
	tok := jwt.NewWithClaims(method, claims)
	for k, v := range header {
		tok.Header[k] = v
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestMalformedTokensAreRejected(t *testing.T) {
	keyText := "k1:" + base64.RawURLEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	m := boot(t, t.TempDir(), func(m *Main) { m.Config.JWTKeys = keyText })
	c := client{t, m}
	s := c.signup("anna@example.com")
	key := []byte("0123456789abcdef0123456789abcdef")
	now := time.Now()
	good := func() jwt.MapClaims {
		return jwt.MapClaims{"iss": auth.Issuer, "sub": s.Customer.ID, "aud": []string{auth.CustomerAccess.Audience},
			"typ": auth.CustomerAccess.Type, "iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()}
	}
	with := func(k string, v any) jwt.MapClaims { cl := good(); cl[k] = v; return cl }
	without := func(k string) jwt.MapClaims { cl := good(); delete(cl, k); return cl }
	kid := map[string]any{"kid": "k1"}

	// The forger's control: correctly signed, it is accepted.
	c.want(c.do("GET", "/v1/me", nil, bearer(forge(t, jwt.SigningMethodHS256, key, kid, good()))...), 200)

	cases := map[string]string{
		"alg none":          forge(t, nil, nil, kid, good()),
		"alg None":          algHeader(forge(t, nil, nil, kid, good()), "None"),
		"alg NONE":          algHeader(forge(t, nil, nil, kid, good()), "NONE"),
		"alg RS256 header":  algHeader(forge(t, jwt.SigningMethodHS256, key, kid, good()), "RS256"),
		"alg ES256 header":  algHeader(forge(t, jwt.SigningMethodHS256, key, kid, good()), "ES256"),
		"nbf in future":     forge(t, jwt.SigningMethodHS256, key, kid, with("nbf", now.Add(5*time.Minute).Unix())),
		"kid path":          forge(t, jwt.SigningMethodHS256, key, map[string]any{"kid": "../../etc/passwd"}, good()),
		"kid sql":           forge(t, jwt.SigningMethodHS256, key, map[string]any{"kid": "' OR 1=1"}, good()),
		"kid url":           forge(t, jwt.SigningMethodHS256, key, map[string]any{"kid": "http://evil.example/k"}, good()),
		"x5u header":        forge(t, jwt.SigningMethodHS256, key, map[string]any{"kid": "k1", "x5u": "https://evil.example/c"}, good()),
		"jwk header":        forge(t, jwt.SigningMethodHS256, key, map[string]any{"kid": "k1", "jwk": map[string]any{"kty": "oct"}}, good()),
		"HS384 same key":    forge(t, jwt.SigningMethodHS384, key, kid, good()),
		"HS512 same key":    forge(t, jwt.SigningMethodHS512, key, kid, good()),
		"wrong audience":    forge(t, jwt.SigningMethodHS256, key, kid, with("aud", []string{"vista-console"})),
		"wrong type":        forge(t, jwt.SigningMethodHS256, key, kid, with("typ", "staff")),
		"wrong issuer":      forge(t, jwt.SigningMethodHS256, key, kid, with("iss", "evil")),
		"expired":           forge(t, jwt.SigningMethodHS256, key, kid, with("exp", now.Add(-time.Hour).Unix())),
		"missing exp":       forge(t, jwt.SigningMethodHS256, key, kid, without("exp")),
		"issued in future":  forge(t, jwt.SigningMethodHS256, key, kid, with("iat", now.Add(time.Hour).Unix())),
		"unknown kid":       forge(t, jwt.SigningMethodHS256, key, map[string]any{"kid": "k2"}, good()),
		"no kid":            forge(t, jwt.SigningMethodHS256, key, nil, good()),
		"jku header":        forge(t, jwt.SigningMethodHS256, key, map[string]any{"kid": "k1", "jku": "https://evil.example/jwks"}, good()),
		"other key":         forge(t, jwt.SigningMethodHS256, []byte("another key of thirty-two bytes!"), kid, good()),
		"empty":             "",
		"garbage":           "not.a.token",
		"oversized":         strings.Repeat("a", auth.MaxTokenBytes+1),
		"erased subject id": forge(t, jwt.SigningMethodHS256, key, kid, with("sub", "no-such-customer")),
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			p := c.want(c.do("GET", "/v1/me", nil, bearer(tok)...), 401).problem(t)
			if p["status"].(float64) != 401 {
				t.Fatalf("problem %v", p)
			}
		})
	}
	c.want(c.do("GET", "/v1/me", nil), 401)
	c.want(c.do("GET", "/v1/me", nil, "Authorization", "Basic dXNlcjpwYXNz"), 401)
}

// TestTokenKindMatrix presents every kind of token at every realm: only the
// kind that belongs there is accepted (ASVS 9.2.2).
func TestTokenKindMatrix(t *testing.T) {
	m := boot(t, t.TempDir())
	c := client{t, m}
	s := c.signup("anna@example.com")
	staff := ownerLogin(t, m)
	kioskTok, _, err := m.Tokens.Sign(auth.KioskDevice, "kiosk-1", auth.Claims{Shop: "shop-milano-centro"})
	if err != nil {
		t.Fatal(err)
	}
	qrTok, _, err := m.Tokens.Sign(auth.QRLink, "nonce-1", auth.Claims{Shop: "shop-milano-centro", Visit: "visit-1"})
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{
		"customer": s.Tokens.AccessToken, "staff": staff, "kiosk": kioskTok, "qr_link": qrTok, "refresh": s.Tokens.RefreshToken,
	}
	realms := map[string]string{"customer": "/v1/me", "staff": "/v1/staff/me", "kiosk": "/kiosk/v1/session"}
	for kind, tok := range tokens {
		for realm, path := range realms {
			want := http.StatusUnauthorized
			if kind == realm {
				want = http.StatusOK
			}
			r := c.do("GET", path, nil, bearer(tok)...)
			if r.Status != want {
				t.Errorf("%s token at %s (%s): status %d, want %d", kind, realm, path, r.Status, want)
			}
		}
	}
	// Console pages take the staff cookie, and only a staff token in it.
	for kind, tok := range tokens {
		r := c.do("GET", "/console/", nil, "Cookie", "vista_staff="+tok)
		if ok := r.Status == 200; ok != (kind == "staff") {
			t.Errorf("%s token as console cookie: status %d", kind, r.Status)
		}
	}
}

func TestHugeAuthorizationHeader(t *testing.T) {
	m := boot(t, t.TempDir())
	base := serve(t, m)
	header := []byte("GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + strings.Repeat(".", 1<<20) + "\r\n\r\n")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	conn, err := net.Dial("tcp", m.Addr())
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = conn.Write(header) }() // the server may hang up before all is sent
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	elapsed := time.Since(start)
	conn.Close()
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge && resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d, want 431 or 401", resp.StatusCode)
		}
	} else if !strings.Contains(err.Error(), "reset") && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("neither an answer nor a hang-up: %v", err)
	}
	runtime.ReadMemStats(&after)
	// Parsing 1 MiB of dots as a JWT would allocate ~16 MiB (CVE-2025-30204).
	if grown := after.TotalAlloc - before.TotalAlloc; grown > 6<<20 {
		t.Fatalf("a 1 MiB header allocated %d MiB", grown>>20)
	}
	if elapsed > 5*time.Second {
		t.Fatalf("took %v", elapsed)
	}
	if r := send(t, base, "GET", "/healthz", "", nil); r.Status != 200 {
		t.Fatalf("server unhealthy afterwards: %d", r.Status)
	}
}

func TestCustomersCannotReachEachOther(t *testing.T) {
	m := boot(t, t.TempDir())
	c := client{t, m}
	a := c.signup("a@example.com")
	b := c.signup("b@example.com")
	c.want(c.do("POST", "/v1/me/devices", map[string]string{"token": "fcm-token-of-b-0123456789", "platform": "android", "app_version": "1.0.0"}, bearer(b.Tokens.AccessToken)...), 201)
	// A tries to remove B's device by its token: it is not A's, so 404.
	c.want(c.do("DELETE", "/v1/me/devices/fcm-token-of-b-0123456789", nil, bearer(a.Tokens.AccessToken)...), 404)
	var list struct{ Devices []map[string]any }
	c.want(c.do("GET", "/v1/me/devices", nil, bearer(b.Tokens.AccessToken)...), 200).json(t, &list)
	if len(list.Devices) != 1 {
		t.Fatalf("B's device was touched: %v", list.Devices)
	}
	// A's export holds nothing of B.
	r := c.want(c.do("GET", "/v1/me/export", nil, append(bearer(a.Tokens.AccessToken), "Accept", "application/json")...), 200)
	if strings.Contains(string(r.Body), b.Customer.ID) || strings.Contains(string(r.Body), "b@example.com") {
		t.Fatal("A's export contains B's data")
	}
	c.want(c.do("DELETE", "/v1/me/devices/fcm-token-of-b-0123456789", nil, bearer(b.Tokens.AccessToken)...), 204)
}

func TestStaffShopScope(t *testing.T) {
	m := boot(t, t.TempDir())
	c := client{t, m}
	milano, roma := "shop-milano-centro", "shop-roma-prati"
	inMilano := c.signup("milano@example.com", func(b map[string]any) { b["shop_id"] = milano })
	inRoma := c.signup("roma@example.com", func(b map[string]any) { b["shop_id"] = roma })

	asstPw := addStaff(t, m, "asst@milano.example", core.RoleAssistant, milano)
	asst := c.staffLogin("asst@milano.example", asstPw)
	owner := ownerLogin(t, m)

	var list struct{ Customers []map[string]any }
	c.want(c.do("GET", "/v1/staff/shops/"+milano+"/customers", nil, bearer(asst)...), 200).json(t, &list)
	if len(list.Customers) != 1 || list.Customers[0]["id"] != inMilano.Customer.ID {
		t.Fatalf("assistant's own shop list = %v", list.Customers)
	}
	c.want(c.do("GET", "/v1/staff/shops/"+roma+"/customers", nil, bearer(asst)...), 404)
	c.want(c.do("GET", "/v1/staff/customers/"+inRoma.Customer.ID, nil, bearer(asst)...), 404)
	c.want(c.do("GET", "/v1/staff/consents/"+inRoma.Customer.ID, nil, bearer(asst)...), 404)
	c.want(c.do("GET", "/v1/staff/customers/"+inMilano.Customer.ID, nil, bearer(asst)...), 200)
	c.want(c.do("GET", "/v1/staff/audit", nil, bearer(asst)...), 403)

	c.want(c.do("GET", "/v1/staff/shops/"+roma+"/customers", nil, bearer(owner)...), 200)
	c.want(c.do("GET", "/v1/staff/customers/"+inRoma.Customer.ID, nil, bearer(owner)...), 200)

	// The assistant's read of a customer is in the audit log, by id only.
	var entries struct{ Entries []map[string]any }
	c.want(c.do("GET", "/v1/staff/audit?customer="+inMilano.Customer.ID, nil, bearer(owner)...), 200).json(t, &entries)
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

func TestBadInputChangesNothing(t *testing.T) {
	m := boot(t, t.TempDir())
	c := client{t, m}
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
			r := c.do("POST", "/v1/auth/signup", tc.body, "Content-Type", tc.ctype)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			r.problem(t)
		})
	}
	// 2 MB: the server answers 413 from the declared length, before
	// reading the body.
	serve(t, m)
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
	m := boot(t, t.TempDir())
	c := client{t, m}
	c.signup("anna@example.com")
	var limited response
	for i := range 20 {
		r := c.do("POST", "/v1/auth/login", map[string]string{"email": "anna@example.com", "password": "wrong password!"})
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
	limited.problem(t)
	// The right password is refused too while the account is limited.
	c.want(c.do("POST", "/v1/auth/login", map[string]string{"email": "anna@example.com", "password": "correct horse battery"}), 429)
	// Another account from the same address still works.
	c.signup("other@example.com")
	c.want(c.do("POST", "/v1/auth/login", map[string]string{"email": "other@example.com", "password": "correct horse battery"}), 200)
}

// TestRateLimitSharedAcrossInstances: two instances on one database share
// the per-account budget (T35).
func TestRateLimitSharedAcrossInstances(t *testing.T) {
	dir := t.TempDir()
	m1 := boot(t, dir)
	m2 := boot(t, dir, func(m *Main) { m.Config.Demo = false })
	c1, c2 := client{t, m1}, client{t, m2}
	c1.signup("anna@example.com")
	allowed := 0
	for i := range 12 {
		c := c1
		if i%2 == 1 {
			c = c2
		}
		if r := c.do("POST", "/v1/auth/login", map[string]string{"email": "anna@example.com", "password": "wrong password!"}); r.Status != 429 {
			allowed++
		}
	}
	if want := int(m1.Limits.LoginAccount.Max); allowed != want {
		t.Fatalf("%d attempts allowed across two instances, want %d", allowed, want)
	}
}

func TestSpoofedForwardedForIsIgnored(t *testing.T) {
	m := boot(t, t.TempDir(), func(m *Main) { m.Limits.LoginIP.Max = 3 })
	c := client{t, m}
	statuses := []int{}
	for i := range 5 {
		r := c.do("POST", "/v1/auth/login", map[string]string{"email": "x@example.com", "password": "whatever"},
			"X-Forwarded-For", "10.0.0."+string(rune('1'+i)))
		statuses = append(statuses, r.Status)
	}
	if statuses[3] != 429 || statuses[4] != 429 {
		t.Fatalf("statuses %v: a spoofed X-Forwarded-For escaped the per-IP limit", statuses)
	}
}

func TestConsentsAreEventsWithProof(t *testing.T) {
	m := boot(t, t.TempDir())
	c := client{t, m}
	s := c.signup("anna@example.com", func(b map[string]any) { b["shop_id"] = "shop-milano-centro" })
	tok := bearer(s.Tokens.AccessToken)

	var st struct{ Consents []map[string]any }
	c.want(c.do("GET", "/v1/me/consents", nil, tok...), 200).json(t, &st)
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
	c.want(c.do("PUT", "/v1/me/consents", grant, tok...), 200)
	between := time.Now().UTC()
	time.Sleep(5 * time.Millisecond)
	withdraw := map[string]any{"consents": []map[string]any{{"channel": "push", "purpose": "marketing", "granted": false}},
		"text_version": "marketing-it-v3", "source": "app:settings/2.1.0"}
	c.want(c.do("PUT", "/v1/me/consents", withdraw, tok...), 200).json(t, &st)
	for _, cs := range st.Consents {
		if cs["granted"] == true {
			t.Fatalf("withdrawal did not take: %v", cs)
		}
	}
	c.want(c.do("PUT", "/v1/me/consents", map[string]any{"consents": []map[string]any{{"channel": "fax", "purpose": "marketing", "granted": true}},
		"text_version": "v", "source": "s"}, tok...), 422)

	owner := ownerLogin(t, m)
	var at struct {
		Consents []map[string]any
		Events   []map[string]any
	}
	c.want(c.do("GET", "/v1/staff/consents/"+s.Customer.ID+"?at="+between.Format(time.RFC3339Nano), nil, bearer(owner)...), 200).json(t, &at)
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

func TestDataSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	m := boot(t, dir)
	c := client{t, m}
	s := c.signup("anna@example.com")
	ownerPw := m.Owner.Password
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	m2 := boot(t, dir)
	c2 := client{t, m2}
	if m2.Owner != nil {
		t.Fatal("demo data seeded twice")
	}
	c2.want(c2.do("POST", "/v1/auth/login", map[string]string{"email": "anna@example.com", "password": "correct horse battery"}), 200)
	// The generated signing key was kept: tokens from before the restart work.
	c2.want(c2.do("GET", "/v1/me", nil, bearer(s.Tokens.AccessToken)...), 200)
	c2.want(c2.do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": s.Tokens.RefreshToken}), 200)
	c2.staffLogin("titolare@ottica-vista.demo", ownerPw)
}

func TestExportAndErasure(t *testing.T) {
	m := boot(t, t.TempDir())
	c := client{t, m}
	s := c.signup("anna@example.com", func(b map[string]any) {
		b["consents"] = []map[string]any{{"channel": "email", "purpose": "service", "granted": true}}
		b["consent_text_version"] = "v1"
	})
	tok := bearer(s.Tokens.AccessToken)
	c.want(c.do("POST", "/v1/me/devices", map[string]string{"token": "fcm-token-anna-0123456789", "platform": "ios", "app_version": "2.0.0"}, tok...), 201)

	var export struct {
		CustomerID string                     `json:"customer_id"`
		Sections   map[string]json.RawMessage `json:"sections"`
	}
	r := c.want(c.do("GET", "/v1/me/export", nil, append(tok, "Accept", "application/json")...), 200)
	r.json(t, &export)
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
	wantArchive(t, m, c.do("GET", "/v1/me/export", nil, tok...), "anna@example.com", "fcm-token-anna-0123456789")

	c.want(c.do("DELETE", "/v1/me", nil, tok...), 204)
	c.want(c.do("GET", "/v1/me", nil, tok...), 401)
	c.want(c.do("POST", "/v1/auth/login", map[string]string{"email": "anna@example.com", "password": "correct horse battery"}), 401)
	c.want(c.do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": s.Tokens.RefreshToken}), 401)

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
	c.signup("anna@example.com")
}

// TestExportCoversEveryCustomerTable fails when a table holding rows about
// a customer is not registered for export and erasure.
func TestExportCoversEveryCustomerTable(t *testing.T) {
	m := boot(t, t.TempDir())
	tables, err := m.SQLite.CustomerTables(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	covered := m.Privacy.Collections()
	if len(tables) < 5 {
		t.Fatalf("found only %v: the schema scan is broken", tables)
	}
	for _, tb := range tables {
		if !covered[tb] {
			t.Errorf("table %s holds customer data but no privacy section covers it", tb)
		}
	}
	for _, sec := range m.Privacy.Sections() {
		if sec.Erase == nil && sec.Kept == "" {
			t.Errorf("section %s neither erases nor says why it keeps data", sec.Name)
		}
	}
}

func TestDemoChain(t *testing.T) {
	m := boot(t, t.TempDir())
	c := client{t, m}
	owner := ownerLogin(t, m)
	var shops struct{ Shops []map[string]any }
	c.want(c.do("GET", "/v1/staff/shops", nil, bearer(owner)...), 200).json(t, &shops)
	var svcs struct{ Services []map[string]any }
	c.want(c.do("GET", "/v1/staff/services", nil, bearer(owner)...), 200).json(t, &svcs)
	var prods struct{ Products []map[string]any }
	c.want(c.do("GET", "/v1/staff/products", nil, bearer(owner)...), 200).json(t, &prods)
	if len(shops.Shops) != 2 || len(svcs.Services) < 3 || len(prods.Products) < 3 {
		t.Fatalf("demo chain: %d shops, %d services, %d products", len(shops.Shops), len(svcs.Services), len(prods.Products))
	}
	for _, role := range []string{"responsabile.milano", "assistente.roma"} {
		if _, err := m.Store.StaffByEmail(context.Background(), role+"@ottica-vista.demo"); err != nil {
			t.Errorf("demo staff %s: %v", role, err)
		}
	}
	m2 := boot(t, t.TempDir(), func(m *Main) { m.Config.Demo = false })
	if m2.Owner != nil {
		t.Fatal("demo data created with --demo=false")
	}
}

// wantArchive checks r is the export as a ZIP (T39): export.json with
// every registered section, a CSV for each section, a README naming the
// files, and the texts in want somewhere in the CSVs.
func wantArchive(t *testing.T, m *Main, r response, want ...string) {
	t.Helper()
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("export: status %d, type %q", r.Status, r.Header.Get("Content-Type"))
	}
	z, err := zip.NewReader(bytes.NewReader(r.Body), int64(len(r.Body)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range z.File {
		rd, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rd)
		files[f.Name] = string(b)
	}
	var doc struct{ Sections map[string]json.RawMessage }
	if err := json.Unmarshal([]byte(files["export.json"]), &doc); err != nil {
		t.Fatalf("export.json: %v", err)
	}
	var csvs strings.Builder
	for _, sec := range m.Privacy.Sections() {
		if _, ok := doc.Sections[sec.Name]; !ok {
			t.Errorf("export.json lacks section %q", sec.Name)
		}
		n := 0
		for name, body := range files {
			if name == sec.Name+".csv" || strings.HasPrefix(name, sec.Name+"-") && strings.HasSuffix(name, ".csv") {
				if _, err := csv.NewReader(strings.NewReader(body)).ReadAll(); err != nil {
					t.Errorf("%s: %v", name, err)
				}
				if !strings.Contains(files["README.txt"], name) {
					t.Errorf("README.txt does not name %s", name)
				}
				csvs.WriteString(body)
				n++
			}
		}
		if n == 0 {
			t.Errorf("the archive has no CSV for section %q", sec.Name)
		}
	}
	for _, w := range want {
		if !strings.Contains(csvs.String(), w) {
			t.Errorf("no CSV holds %q", w)
		}
	}
}
