package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"encoding/base64"

	"github.com/vista-optical/vista/backend/app"
	"github.com/vista-optical/vista/backend/app/apptest"
	mobileapi "github.com/vista-optical/vista/mobile-api"
)

// TestEveryRouteHasAnAuthClass fails when a route reaches the app without
// going through the route table, where an auth class is mandatory.
func TestEveryRouteHasAnAuthClass(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	declared := map[string]string{}
	for _, r := range m.Router.Routes() { // the table refuses a route without one: TestRouteWithoutAuthClassIsRefused
		declared[r.Method+" "+r.Path] = r.Auth.String()
	}
	for _, r := range m.App.GetRoutes(true) {
		if r.Method == "HEAD" || r.Method == "USE" {
			continue
		}
		if _, ok := declared[r.Method+" "+r.Path]; !ok {
			t.Errorf("%s %s is mounted outside the route table (no auth class)", r.Method, r.Path)
		}
	}
	if len(declared) < 20 {
		t.Fatalf("only %d routes declared: the check is not seeing the table", len(declared))
	}
}

// TestOpenAPIMatchesRoutes keeps the published contract true: every mobile
// API route is in the document with its method, and the document has no
// route the app does not serve.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(mobileapi.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	param := regexp.MustCompile(`:([a-zA-Z_]+)`)
	served := map[string]bool{}
	for _, r := range m.Router.Routes() {
		if !r.OpenAPI {
			continue
		}
		p := param.ReplaceAllString(r.Path, "{$1}")
		key := strings.ToLower(r.Method) + " " + p
		served[key] = true
		if _, ok := doc.Paths[p][strings.ToLower(r.Method)]; !ok {
			t.Errorf("%s %s is served but missing from openapi.json", r.Method, p)
		}
	}
	for p, ops := range doc.Paths {
		for method := range ops {
			if !served[method+" "+p] {
				t.Errorf("openapi.json documents %s %s, which is not served", strings.ToUpper(method), p)
			}
		}
	}
	c := apptest.Client{T: t, M: m}
	r := c.Want(c.Do("GET", "/v1/openapi.json", nil), 200)
	if !json.Valid(r.Body) {
		t.Fatal("served document is not JSON")
	}
}

func TestOpsEndpointsAndHeaders(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	c.Want(c.Do("GET", "/healthz", nil), 200)
	c.Want(c.Do("GET", "/readyz", nil), 200)
	c.Want(c.Do("GET", "/metrics", nil), 404) // operators only: not on the public port
	c.Want(c.Do("GET", "/debug/pprof/", nil), 404)
	r := c.Want(c.Admin("/metrics"), 200)
	if !strings.Contains(string(r.Body), "vista_http_requests_total") {
		t.Fatal("metrics lack the request counter")
	}
	c.Want(c.Admin("/debug/pprof/"), 200)
	page := c.Want(c.Do("GET", "/console/login", nil), 200)
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
		if page.Header.Get(h) == "" {
			t.Errorf("console page lacks %s", h)
		}
	}
	if page.Header.Get("X-Request-Id") == "" {
		t.Error("no request id")
	}
	if !strings.Contains(string(page.Body), "Accedi") {
		t.Error("console login is not in Italian by default")
	}
	// No CORS unless configured.
	cors := c.Do("OPTIONS", "/v1/me", nil, "Origin", "https://evil.example", "Access-Control-Request-Method", "GET")
	if cors.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("CORS answered for an origin nobody configured")
	}
	c.Want(c.Do("GET", "/no/such/route", nil), 404).Problem(t)

	if err := m.Store.Close(); err != nil { // the database goes away
		t.Fatal(err)
	}
	c.Want(c.Do("GET", "/readyz", nil), 503)
	m.Store = nil
}

func TestSendRatesConfiguration(t *testing.T) {
	cfg := app.DefaultConfig()
	cfg.SendRates = []string{"push=500", " sms = 2.5 "}
	if r, err := cfg.Rates(); err != nil || r["push"] != 500 || r["sms"] != 2.5 || cfg.Validate() != nil {
		t.Fatalf("rates %v, %v", r, err)
	}
	for _, bad := range []string{"push", "push=", "push=0", "push=-1", "push=fast", "pigeon=5", "push=Inf"} {
		cfg.SendRates = []string{bad}
		if err := cfg.Validate(); err == nil {
			t.Errorf("send rate %q accepted", bad)
		}
	}
	cfg.SendRates = nil
	for n, ok := range map[int]bool{0: false, 1: true, 50: true, 1000: true, 1001: false} {
		cfg.SendConcurrency = n
		if err := cfg.Validate(); (err == nil) != ok {
			t.Errorf("send-concurrency %d: %v", n, err)
		}
	}
}

func TestCORSConfiguration(t *testing.T) {
	cfg := app.DefaultConfig()
	cfg.CORSOrigins = []string{"*"}
	if err := cfg.Validate(); err == nil {
		t.Fatal("a wildcard CORS origin was accepted")
	}
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) { m.Config.CORSOrigins = []string{"https://app.ottica.example"} })
	c := apptest.Client{T: t, M: m}
	ok := c.Do("OPTIONS", "/v1/me", nil, "Origin", "https://app.ottica.example", "Access-Control-Request-Method", "GET")
	if ok.Header.Get("Access-Control-Allow-Origin") != "https://app.ottica.example" {
		t.Fatalf("configured origin refused: %v", ok.Header)
	}
	bad := c.Do("OPTIONS", "/v1/me", nil, "Origin", "https://evil.example", "Access-Control-Request-Method", "GET")
	if bad.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("unconfigured origin allowed")
	}
}

// TestGracefulShutdownFinishesInFlight: a request whose body is still
// arriving when shutdown starts is answered, and then the server stops.
func TestGracefulShutdownFinishesInFlight(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	apptest.Serve(t, m)
	body := `{"email":"late@example.com","password":"correct horse battery","first_name":"A","last_name":"B","birth_date":"1990-01-01"}`
	conn, err := net.Dial("tcp", m.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v1/auth/signup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:20])
	time.Sleep(100 * time.Millisecond)
	closed := make(chan error, 1)
	go func() { closed <- m.Close() }()
	time.Sleep(200 * time.Millisecond)
	if _, err := io.WriteString(conn, body[20:]); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request got no answer: %v", err)
	}
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("in-flight request: status %d", resp.StatusCode)
	}
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("shutdown did not finish")
	}
	if _, err := net.DialTimeout("tcp", m.Addr(), time.Second); err == nil {
		t.Fatal("still accepting connections after shutdown")
	}
}

// TestFirebaseExchange runs the real Firebase Admin SDK in emulator mode,
// where ID tokens are unsigned, as the Firebase Auth emulator issues them.
func TestFirebaseExchange(t *testing.T) {
	// A stand-in for the Auth emulator's account lookup, which the SDK
	// calls in emulator mode to check revocation.
	emu := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			LocalID []string `json:"localId"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		users := []map[string]any{}
		for _, id := range req.LocalID {
			users = append(users, map[string]any{"localId": id, "validSince": "0", "disabled": false})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"users": users})
	}))
	defer emu.Close()
	t.Setenv("FIREBASE_AUTH_EMULATOR_HOST", strings.TrimPrefix(emu.URL, "http://"))
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) { m.Config.FirebaseProject = "vista-test" })
	c := apptest.Client{T: t, M: m}
	idToken := func(uid, email string, verified bool) string {
		h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
		now := time.Now().Unix()
		claims, _ := json.Marshal(map[string]any{
			"iss": "https://securetoken.google.com/vista-test", "aud": "vista-test", "sub": uid, "user_id": uid,
			"iat": now, "exp": now + 3600, "auth_time": now, "email": email, "email_verified": verified,
			"firebase": map[string]any{"sign_in_provider": "password"},
		})
		return h + "." + base64.RawURLEncoding.EncodeToString(claims) + "."
	}
	// A new person needs profile details, including the date of birth.
	p := c.Want(c.Do("POST", "/v1/auth/firebase", map[string]any{"id_token": idToken("uid-1", "fb@example.com", true)}), 422).Problem(t)
	if !strings.Contains(string(mustJSON(p)), "birth_date") {
		t.Fatalf("missing-details answer does not name birth_date: %v", p)
	}
	var first, again apptest.Session
	c.Want(c.Do("POST", "/v1/auth/firebase", map[string]any{"id_token": idToken("uid-1", "fb@example.com", true),
		"first_name": "Fabio", "last_name": "Bruni", "birth_date": "1985-06-01"}), 200).JSON(t, &first)
	c.Want(c.Do("POST", "/v1/auth/firebase", map[string]any{"id_token": idToken("uid-1", "fb@example.com", true)}), 200).JSON(t, &again)
	if first.Customer.ID == "" || first.Customer.ID != again.Customer.ID {
		t.Fatalf("second exchange gave another customer: %s vs %s", first.Customer.ID, again.Customer.ID)
	}
	c.Want(c.Do("GET", "/v1/me", nil, apptest.Bearer(again.Tokens.AccessToken)...), 200)

	// An existing password account with the same verified e-mail is linked.
	pw := c.Signup("linked@example.com")
	var linked apptest.Session
	c.Want(c.Do("POST", "/v1/auth/firebase", map[string]any{"id_token": idToken("uid-2", "linked@example.com", true)}), 200).JSON(t, &linked)
	if linked.Customer.ID != pw.Customer.ID {
		t.Fatal("verified e-mail was not linked to the existing account")
	}
	// Tokens for another project are refused.
	other := strings.Replace(idToken("uid-3", "x@example.com", true), "", "", 1)
	parts := strings.Split(other, ".")
	claims, _ := base64.RawURLEncoding.DecodeString(parts[1])
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(strings.ReplaceAll(string(claims), "vista-test", "someone-else")))
	c.Want(c.Do("POST", "/v1/auth/firebase", map[string]any{"id_token": strings.Join(parts, ".")}), 401)
}

func TestFirebaseExchangeOffWithoutProject(t *testing.T) {
	os.Unsetenv("FIREBASE_AUTH_EMULATOR_HOST")
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	c.Want(c.Do("POST", "/v1/auth/firebase", map[string]any{"id_token": "x.y.z"}), 503)
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }

var _ = context.Background

// TestSlowClientsDoNotHoldTheServer is T33's slowloris case: 300
// connections trickling a request's headers a byte at a time do not stop
// others from being served, and each loses its connection once the read
// timeout is up. (How much they cost normal traffic's latency is a load
// question for bench/, not a test.)
func TestSlowClientsDoNotHoldTheServer(t *testing.T) {
	if testing.Short() {
		t.Skip("slow by design")
	}
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) { m.ReadTimeout = time.Second })
	base := apptest.Serve(t, m)
	var conns []net.Conn
	for range 300 {
		conn, err := net.Dial("tcp", m.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: vista\r\nX-Slow: ")); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, conn)
	}
	stop := make(chan struct{})
	go func() { // one more byte on every slow connection, every 200 ms
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				for _, c := range conns {
					_, _ = c.Write([]byte("a"))
				}
			}
		}
	}()
	defer close(stop)
	for range 50 {
		if r := apptest.Send(t, base, "GET", "/healthz", "", nil); r.Status != 200 {
			t.Fatalf("a normal request got %d while slow clients hold connections", r.Status)
		}
	}
	time.Sleep(1500 * time.Millisecond) // past the read timeout
	closed := 0
	buf := make([]byte, 512)
	for _, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
		for {
			if _, err := c.Read(buf); err != nil {
				var ne net.Error
				if !(errors.As(err, &ne) && ne.Timeout()) {
					closed++
				}
				break
			}
		}
	}
	if closed != len(conns) {
		t.Fatalf("%d of %d slow connections closed after the read timeout", closed, len(conns))
	}
}
