// Package apptest boots the real Vista program in process for tests: a
// migrated SQLite store in a temporary folder, cheap password hashing, and
// a client that sends requests through the real Fiber app. Surfaces' tests
// and the program's own tests share it.
package apptest

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	mongostore "github.com/vista-optical/vista/backend/store/mongo"

	"github.com/vista-optical/vista/backend/app"
	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/demo"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/shop"
)

// Passwords are cheap argon2id parameters: the code path is the same as
// production, the cost is not.
var Passwords = auth.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}

// Boot opens the real program on port 0 with a data dir, without serving
// on the network: requests go through app.Test.
func Boot(t *testing.T, dataDir string, tweak ...func(*app.Main)) *app.Main {
	t.Helper()
	m := app.NewMain(io.Discard)
	m.Config.HTTPAddr = "127.0.0.1:0"
	m.Config.AdminAddr = "127.0.0.1:0"
	m.Config.DataDir = dataDir
	m.Config.AccessLog = false
	m.Logger = slog.New(slog.DiscardHandler)
	m.PasswordParams = Passwords
	if uri := os.Getenv("VISTA_TEST_MONGODB_URI"); uri != "" {
		// The HTTP tests on MongoDB too: one database per data dir, so a
		// test that restarts the program on its dir finds its data again.
		m.Config.MongoURI, m.Config.MongoDatabase, m.Config.Demo = uri, MongoDatabase(dataDir), true
		onMongo.Do(func() { fmt.Println("HTTP tests: on MongoDB (VISTA_TEST_MONGODB_URI)") })
		t.Cleanup(func() { dropMongo(uri, m.Config.MongoDatabase) })
	}
	for _, f := range tweak {
		f(m)
	}
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// onMongo says once per test binary, in `go test -v` output, that its HTTP
// tests ran on MongoDB.
var onMongo sync.Once

// Client sends requests through the real Fiber app in process.
type Client struct {
	T *testing.T
	M *app.Main
}

// Response is what came back: status, headers and the whole body.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test when it is not JSON.
func (r Response) JSON(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("body %q is not JSON: %v", r.Body, err)
	}
}

// Problem decodes a problem+json body, failing the test on any other type.
func (r Response) Problem(t *testing.T) map[string]any {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("content type %q, want application/problem+json (body %s)", ct, r.Body)
	}
	var p map[string]any
	r.JSON(t, &p)
	return p
}

// Do sends method path with body (a string is sent as is, anything else as
// JSON) and headers given as name, value pairs.
func (c Client) Do(method, path string, body any, headers ...string) Response {
	c.T.Helper()
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
	resp, err := c.M.App.Test(req, -1)
	if err != nil {
		c.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Form posts v to path as a browser form does, with headers given as
// name, value pairs (Bearer(token), "Accept-Language", "en"), and fails
// the test unless the answer has status want.
func (c Client) Form(path string, v url.Values, want int, headers ...string) Response {
	c.T.Helper()
	return c.Want(c.Do("POST", path, v.Encode(), append([]string{"Content-Type", "application/x-www-form-urlencoded"}, headers...)...), want)
}

// Admin sends a GET to the operator listener's handler, in process.
func (c Client) Admin(path string) Response {
	c.T.Helper()
	if c.M.AdminHandler() == nil {
		c.T.Fatal("the admin listener is off")
	}
	rec := httptest.NewRecorder()
	c.M.AdminHandler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// Want fails the test unless r has the status, and returns r.
func (c Client) Want(r Response, status int) Response {
	c.T.Helper()
	if r.Status != status {
		c.T.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	return r
}

// Bearer is the Authorization header of an access token, for Do.
func Bearer(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

// Session is what sign-up and sign-in answer.
type Session struct {
	Customer struct {
		ID     string `json:"id"`
		Email  string `json:"email"`
		ShopID string `json:"shop_id"`
	} `json:"customer"`
	Tokens auth.TokenPair `json:"tokens"`
}

// SignupBody is a valid sign-up for email.
func SignupBody(email string) map[string]any {
	return map[string]any{
		"email": email, "password": "correct horse battery", "first_name": "Giulia", "last_name": "Rossi",
		"birth_date": "1991-04-12", "phone": "+393401234567",
	}
}

// Signup creates a customer (extra edits the body first) and returns the session.
func (c Client) Signup(email string, extra ...func(map[string]any)) Session {
	c.T.Helper()
	b := SignupBody(email)
	for _, f := range extra {
		f(b)
	}
	var s Session
	c.Want(c.Do("POST", "/v1/auth/signup", b), http.StatusCreated).JSON(c.T, &s)
	return s
}

// StaffLogin signs a staff member in and returns the access token.
func (c Client) StaffLogin(email, password string) string {
	c.T.Helper()
	var s struct {
		Token string `json:"access_token"`
	}
	c.Want(c.Do("POST", "/v1/staff/auth/login", map[string]string{"email": email, "password": password}), 200).JSON(c.T, &s)
	return s.Token
}

// OwnerLogin signs in the demo owner this boot created; other staff come
// from AddStaff.
func OwnerLogin(t *testing.T, m *app.Main) string {
	t.Helper()
	if m.Owner == nil {
		t.Fatal("no demo owner was created")
	}
	return Client{T: t, M: m}.StaffLogin(demo.OwnerEmail, m.Owner.Password)
}

// Serve starts the program's listener and returns its base URL, for tests
// that need the real network path (fasthttp's own limits, shutdown).
func Serve(t *testing.T, m *app.Main) string {
	t.Helper()
	m.Start()
	return "http://" + m.Addr()
}

// Send is do over the network.
func Send(t *testing.T, base, method, path, ctype string, body io.Reader, headers ...string) Response {
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
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// AddStaff creates an active staff member and returns their password.
func AddStaff(t *testing.T, m *app.Main, email string, role core.Role, shopID string) string {
	t.Helper()
	password := "staff-password-" + core.NewID()[:6]
	hash, err := auth.NewPasswords(Passwords).Hash(password)
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

// WantArchive checks r is the export as a ZIP (T39): export.json with
// every registered section, a CSV for each section, a README naming the
// files, and the texts in want somewhere in the CSVs.
func WantArchive(t *testing.T, m *app.Main, r Response, want ...string) {
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

// LensBody is a valid monthly supply started 20 days before today.
func LensBody(today time.Time) map[string]any {
	return map[string]any{"eye": "both", "brand": "Alcon", "product": "Total30", "modality": "monthly", "boxes": 1, "lenses_per_box": 2,
		"start_date": today.AddDate(0, 0, -20).Format(time.DateOnly)}
}

// Must fails the test on err.
func Must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// DeadLetter stores a push message of the customer's that failed for good.
func DeadLetter(t *testing.T, m *app.Main, customerID, shopID, key string) *notify.Message {
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

// Clock is a clock a test moves by hand.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock that reads now until moved.
func NewClock(now time.Time) *Clock { return &Clock{now: now} }

func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// ValidBodies are bodies each customer write route would accept, so that
// a route whose guard let an old token through would create something.
var ValidBodies = map[string]any{
	"PATCH /v1/me":                    map[string]any{"first_name": "Giulia"},
	"PUT /v1/me/consents":             map[string]any{"consents": []map[string]any{{"channel": "push", "purpose": "service", "granted": true}}, "text_version": "v1", "source": "app"},
	"POST /v1/me/devices":             map[string]any{"token": "device-token-0123456789", "platform": "android", "app_version": "1.0"},
	"POST /v1/me/family":              map[string]any{"first_name": "Luca", "last_name": "Rossi", "birth_date": "2016-05-01", "relation": "child"},
	"POST /v1/me/lenses":              LensBody(time.Now()),
	"PATCH /v1/me/lenses/:id":         map[string]any{"boxes": 2},
	"POST /v1/me/lenses/:id/reorder":  map[string]any{"note": "per favore"},
	"POST /v1/me/messages/:id/read":   nil,
	"POST /v1/me/messages/:id/opened": nil,
	"PUT /v1/me/visit-settings":       map[string]any{"greet_on_screens": true},
	"POST /v1/visits/resolve":         map[string]any{"token": strings.Repeat("A", auth.LinkTokenLen)},
	"POST /v1/visits/claim":           map[string]any{"token": strings.Repeat("A", auth.LinkTokenLen)},
	"POST /v1/bookings": map[string]any{"shop_id": "shop-milano-centro", "service_id": "svc-eye-exam",
		"start": time.Now().AddDate(0, 0, 3).Truncate(24 * time.Hour).Add(9 * time.Hour)},
	"PATCH /v1/bookings/:id":        map[string]any{"start": time.Now().AddDate(0, 0, 4).Truncate(24 * time.Hour).Add(9 * time.Hour)},
	"POST /v1/me/waitlist":          map[string]any{"shop_id": "shop-milano-centro", "service_id": "svc-eye-exam", "day": time.Now().AddDate(0, 0, 3).Format(time.DateOnly)},
	"POST /v1/me/waitlist/:id/take": nil,
	"POST /v1/bookings/:id/confirm": nil,
}

// Kiosk is a paired screen: its device token and id.
type Kiosk struct {
	Token, ID string
}

// PairKiosk pairs a screen with shopID the way a shop does: a manager (or
// the owner, whose staff token this is) creates a code, the screen sends
// it.
func (c Client) PairKiosk(staff, shopID, label string) Kiosk {
	c.T.Helper()
	var code struct {
		Code string `json:"code"`
	}
	c.Want(c.Do("POST", "/v1/staff/shops/"+shopID+"/kiosks/pairing-codes", nil, Bearer(staff)...), 201).JSON(c.T, &code)
	var out struct {
		Token string `json:"token"`
		Kiosk struct {
			ID string `json:"id"`
		} `json:"kiosk"`
	}
	c.Want(c.Do("POST", "/kiosk/v1/pair", map[string]string{"code": code.Code, "label": label}), 201).JSON(c.T, &out)
	return Kiosk{Token: out.Token, ID: out.Kiosk.ID}
}

// MongoDatabase is the MongoDB database Boot uses for dataDir when
// VISTA_TEST_MONGODB_URI is set.
func MongoDatabase(dataDir string) string {
	sum := sha256.Sum256([]byte(dataDir))
	return "vista_http_" + hex.EncodeToString(sum[:8])
}

// UseDataDir points the environment of a vista command run by a test at
// dataDir: its SQLite folder, or with VISTA_TEST_MONGODB_URI set the
// MongoDB database Boot uses for it.
func UseDataDir(t *testing.T, dataDir string) {
	t.Setenv("VISTA_DATA_DIR", dataDir)
	if uri := os.Getenv("VISTA_TEST_MONGODB_URI"); uri != "" {
		t.Setenv("VISTA_MONGODB_URI", uri)
		t.Setenv("VISTA_MONGODB_DATABASE", MongoDatabase(dataDir))
	}
}

// dropMongo removes a test's MongoDB database.
func dropMongo(uri, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if db, err := mongostore.Open(ctx, uri, name, nil); err == nil {
		_ = db.Drop(ctx)
		_ = db.Close()
	}
}
