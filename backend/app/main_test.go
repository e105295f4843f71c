package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/demo"
)

// testPasswords are cheap argon2id parameters: the code path is the same as
// production, the cost is not.
var testPasswords = auth.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}

// boot opens the real program on port 0 with a data dir, without serving
// on the network: requests go through app.Test.
func boot(t *testing.T, dataDir string, tweak ...func(*Main)) *Main {
	t.Helper()
	m := NewMain(io.Discard)
	m.Config.HTTPAddr = "127.0.0.1:0"
	m.Config.AdminAddr = "127.0.0.1:0"
	m.Config.DataDir = dataDir
	m.Config.AccessLog = false
	m.Logger = slog.New(slog.DiscardHandler)
	m.PasswordParams = testPasswords
	for _, f := range tweak {
		f(m)
	}
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// client sends requests through the real Fiber app in process.
type client struct {
	t *testing.T
	m *Main
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("body %q is not JSON: %v", r.Body, err)
	}
}

func (r response) problem(t *testing.T) map[string]any {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("content type %q, want application/problem+json (body %s)", ct, r.Body)
	}
	var p map[string]any
	r.json(t, &p)
	return p
}

// do sends method path with body (a string is sent as is, anything else as
// JSON) and headers given as name, value pairs.
func (c client) do(method, path string, body any, headers ...string) response {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.m.App.Test(req, -1)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// admin sends a GET to the operator listener's handler, in process.
func (c client) admin(path string) response {
	c.t.Helper()
	if c.m.admin == nil {
		c.t.Fatal("the admin listener is off")
	}
	rec := httptest.NewRecorder()
	c.m.admin.Handler.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

func (c client) want(r response, status int) response {
	c.t.Helper()
	if r.Status != status {
		c.t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	return r
}

func bearer(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

type session struct {
	Customer struct {
		ID     string `json:"id"`
		Email  string `json:"email"`
		ShopID string `json:"shop_id"`
	} `json:"customer"`
	Tokens auth.TokenPair `json:"tokens"`
}

func signupBody(email string) map[string]any {
	return map[string]any{
		"email": email, "password": "correct horse battery", "first_name": "Giulia", "last_name": "Rossi",
		"birth_date": "1991-04-12", "phone": "+393401234567",
	}
}

func (c client) signup(email string, extra ...func(map[string]any)) session {
	c.t.Helper()
	b := signupBody(email)
	for _, f := range extra {
		f(b)
	}
	var s session
	c.want(c.do("POST", "/v1/auth/signup", b), http.StatusCreated).json(c.t, &s)
	return s
}

func (c client) staffLogin(email, password string) string {
	c.t.Helper()
	var s struct {
		Token string `json:"access_token"`
	}
	c.want(c.do("POST", "/v1/staff/auth/login", map[string]string{"email": email, "password": password}), 200).json(c.t, &s)
	return s.Token
}

// demoStaff signs in the demo owner and sets a known password for the demo
// staff by creating them anew is not possible, so tests use the owner and
// create their own staff through the store.
func ownerLogin(t *testing.T, m *Main) string {
	t.Helper()
	if m.Owner == nil {
		t.Fatal("no demo owner was created")
	}
	return client{t, m}.staffLogin(demo.OwnerEmail, m.Owner.Password)
}

// serve starts the program's listener and returns its base URL, for tests
// that need the real network path (fasthttp's own limits, shutdown).
func serve(t *testing.T, m *Main) string {
	t.Helper()
	m.Start()
	return "http://" + m.Addr()
}

// send is do over the network.
func send(t *testing.T, base, method, path, ctype string, body io.Reader, headers ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}
