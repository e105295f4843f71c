package app_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/vista-optical/vista/backend/app"
	"github.com/vista-optical/vista/backend/app/apptest"
	"github.com/vista-optical/vista/backend/auth"
)

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
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) { m.Config.JWTKeys = keyText })
	c := apptest.Client{T: t, M: m}
	s := c.Signup("anna@example.com")
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
	c.Want(c.Do("GET", "/v1/me", nil, apptest.Bearer(forge(t, jwt.SigningMethodHS256, key, kid, good()))...), 200)

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
			p := c.Want(c.Do("GET", "/v1/me", nil, apptest.Bearer(tok)...), 401).Problem(t)
			if p["status"].(float64) != 401 {
				t.Fatalf("problem %v", p)
			}
		})
	}
	c.Want(c.Do("GET", "/v1/me", nil), 401)
	c.Want(c.Do("GET", "/v1/me", nil, "Authorization", "Basic dXNlcjpwYXNz"), 401)
}

// TestTokenKindMatrix presents every kind of token at every realm: only the
// kind that belongs there is accepted (ASVS 9.2.2).
func TestTokenKindMatrix(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	s := c.Signup("anna@example.com")
	staff := apptest.OwnerLogin(t, m)
	kioskTok := c.PairKiosk(staff, "shop-milano-centro", "Vetrina").Token
	// A well-signed device token of a kiosk that was never paired, and
	// one of a kiosk since revoked: refused everywhere.
	strayTok, _, err := m.Tokens.Sign(auth.KioskDevice, "kiosk-1", auth.Claims{Shop: "shop-milano-centro"})
	if err != nil {
		t.Fatal(err)
	}
	revoked := c.PairKiosk(staff, "shop-milano-centro", "Totem")
	c.Want(c.Do("DELETE", "/v1/staff/shops/shop-milano-centro/kiosks/"+revoked.ID, nil, apptest.Bearer(staff)...), 204)
	qrTok, _, err := m.Tokens.Sign(auth.QRLink, "nonce-1", auth.Claims{Shop: "shop-milano-centro", Visit: "visit-1"})
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{
		"customer": s.Tokens.AccessToken, "staff": staff, "kiosk": kioskTok, "qr_link": qrTok, "refresh": s.Tokens.RefreshToken,
		"unpaired kiosk": strayTok, "revoked kiosk": revoked.Token,
	}
	realms := map[string][]string{
		"customer": {"/v1/me", "/v1/me/lenses", "/v1/me/messages"},
		"staff":    {"/v1/staff/me", "/v1/staff/shops/shop-milano-centro/kiosks", "/v1/staff/shops/shop-milano-centro/offers", "/v1/staff/promotions"},
		"kiosk":    {"/kiosk/v1/session", "/kiosk/v1/content", "/kiosk/v1/products?q=acuvue"},
	}
	for kind, tok := range tokens {
		for realm, paths := range realms {
			for _, path := range paths {
				want := http.StatusUnauthorized
				if kind == realm {
					want = http.StatusOK
				}
				r := c.Do("GET", path, nil, apptest.Bearer(tok)...)
				if r.Status != want {
					t.Errorf("%s token at %s (%s): status %d, want %d", kind, realm, path, r.Status, want)
				}
			}
		}
		// Proof of play is written by kiosks only.
		want := http.StatusUnauthorized
		if kind == "kiosk" {
			want = http.StatusAccepted
		}
		if r := c.Do("POST", "/kiosk/v1/plays", map[string]any{"plays": []any{}}, apptest.Bearer(tok)...); r.Status != want {
			t.Errorf("%s token at POST /kiosk/v1/plays: status %d, want %d", kind, r.Status, want)
		}
	}
	// The display page takes the kiosk cookie, and only a live kiosk's
	// token in it; any other goes back to pairing.
	for kind, tok := range tokens {
		r := c.Do("GET", "/kiosk/display", nil, "Cookie", "vista_kiosk="+tok)
		if ok := r.Status == 200; ok != (kind == "kiosk") {
			t.Errorf("%s token as display cookie: status %d", kind, r.Status)
		}
		if kind != "kiosk" && (r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/kiosk") {
			t.Errorf("%s token as display cookie: %d to %q, want 303 to /kiosk", kind, r.Status, r.Header.Get("Location"))
		}
	}
	// Console pages take the staff cookie, and only a staff token in it.
	for kind, tok := range tokens {
		r := c.Do("GET", "/console/", nil, "Cookie", "vista_staff="+tok)
		if ok := r.Status == 200; ok != (kind == "staff") {
			t.Errorf("%s token as console cookie: status %d", kind, r.Status)
		}
	}
}

func TestHugeAuthorizationHeader(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	base := apptest.Serve(t, m)
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
	if r := apptest.Send(t, base, "GET", "/healthz", "", nil); r.Status != 200 {
		t.Fatalf("server unhealthy afterwards: %d", r.Status)
	}
}

// TestRateLimitSharedAcrossInstances: two instances on one database share
// the per-account budget (T35).
func TestRateLimitSharedAcrossInstances(t *testing.T) {
	dir := t.TempDir()
	m1 := apptest.Boot(t, dir)
	m2 := apptest.Boot(t, dir, func(m *app.Main) { m.Config.Demo = false })
	c1, c2 := apptest.Client{T: t, M: m1}, apptest.Client{T: t, M: m2}
	c1.Signup("anna@example.com")
	allowed := 0
	for i := range 12 {
		c := c1
		if i%2 == 1 {
			c = c2
		}
		if r := c.Do("POST", "/v1/auth/login", map[string]string{"email": "anna@example.com", "password": "wrong password!"}); r.Status != 429 {
			allowed++
		}
	}
	if want := int(m1.Limits.LoginAccount.Max); allowed != want {
		t.Fatalf("%d attempts allowed across two instances, want %d", allowed, want)
	}
}

func TestSpoofedForwardedForIsIgnored(t *testing.T) {
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) { m.Limits.LoginIP.Max = 3 })
	c := apptest.Client{T: t, M: m}
	statuses := []int{}
	for i := range 5 {
		r := c.Do("POST", "/v1/auth/login", map[string]string{"email": "x@example.com", "password": "whatever"},
			"X-Forwarded-For", "10.0.0."+string(rune('1'+i)))
		statuses = append(statuses, r.Status)
	}
	if statuses[3] != 429 || statuses[4] != 429 {
		t.Fatalf("statuses %v: a spoofed X-Forwarded-For escaped the per-IP limit", statuses)
	}
}

func TestDataSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	m := apptest.Boot(t, dir)
	c := apptest.Client{T: t, M: m}
	s := c.Signup("anna@example.com")
	ownerPw := m.Owner.Password
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	m2 := apptest.Boot(t, dir)
	c2 := apptest.Client{T: t, M: m2}
	if m2.Owner != nil {
		t.Fatal("demo data seeded twice")
	}
	c2.Want(c2.Do("POST", "/v1/auth/login", map[string]string{"email": "anna@example.com", "password": "correct horse battery"}), 200)
	// The generated signing key was kept: tokens from before the restart work.
	c2.Want(c2.Do("GET", "/v1/me", nil, apptest.Bearer(s.Tokens.AccessToken)...), 200)
	c2.Want(c2.Do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": s.Tokens.RefreshToken}), 200)
	c2.StaffLogin("titolare@ottica-vista.demo", ownerPw)
}

// TestExportCoversEveryCustomerTable fails when a table holding rows about
// a customer is not registered for export and erasure.
func TestExportCoversEveryCustomerTable(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	if m.SQLite == nil {
		t.Skip("reads the SQLite schema; on MongoDB the privacy sections name the collections")
	}
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
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	var shops struct{ Shops []map[string]any }
	c.Want(c.Do("GET", "/v1/staff/shops", nil, apptest.Bearer(owner)...), 200).JSON(t, &shops)
	var svcs struct{ Services []map[string]any }
	c.Want(c.Do("GET", "/v1/staff/services", nil, apptest.Bearer(owner)...), 200).JSON(t, &svcs)
	var prods struct{ Products []map[string]any }
	c.Want(c.Do("GET", "/v1/staff/products", nil, apptest.Bearer(owner)...), 200).JSON(t, &prods)
	if len(shops.Shops) != 2 || len(svcs.Services) < 3 || len(prods.Products) < 3 {
		t.Fatalf("demo chain: %d shops, %d services, %d products", len(shops.Shops), len(svcs.Services), len(prods.Products))
	}
	for _, role := range []string{"responsabile.milano", "assistente.roma"} {
		if _, err := m.Store.StaffByEmail(context.Background(), role+"@ottica-vista.demo"); err != nil {
			t.Errorf("demo staff %s: %v", role, err)
		}
	}
	m2 := apptest.Boot(t, t.TempDir(), func(m *app.Main) { m.Config.Demo = false })
	if m2.Owner != nil {
		t.Fatal("demo data created with --demo=false")
	}
}
