package mobileapi_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/app"
	"github.com/vista-optical/vista/backend/app/apptest"
	"github.com/vista-optical/vista/backend/visit"
)

type visitQR struct {
	URL       string    `json:"url"`
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	PNG       string    `json:"png"`
	SVG       string    `json:"svg"`
}

func showQR(c apptest.Client, kiosk string) visitQR {
	c.T.Helper()
	var q visitQR
	c.Want(c.Do("GET", "/kiosk/v1/visit-qr", nil, apptest.Bearer(kiosk)...), 200).JSON(c.T, &q)
	return q
}

// TestVisitLinkTwoSteps (T15, T16, T18): a screen's code is resolved
// (shop, city, screen label) then claimed once; a claim without resolve
// is 409, a second claim and an expired code 410; codes rotate; the
// visit, with what the totem recorded before, is the customer's, in
// their visits, their export and the shop's check-ins, and erasure
// removes it.
func TestVisitLinkTwoSteps(t *testing.T) {
	clock := apptest.NewClock(time.Now().UTC().Truncate(time.Second))
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) { m.Clock = clock.Now })
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	k := c.PairKiosk(owner, "shop-milano-centro", "Vetrina")
	s := c.Signup("giulia@example.com", func(b map[string]any) { b["shop_id"] = "shop-roma-prati" })
	tok := apptest.Bearer(s.Tokens.AccessToken)

	q := showQR(c, k.Token)
	if !strings.HasSuffix(q.URL, "/q/"+q.Token) || q.ExpiresAt.Sub(clock.Now()) != 60*time.Second {
		t.Fatalf("code %+v", q)
	}
	png := c.Want(c.Do("GET", q.PNG, nil, apptest.Bearer(k.Token)...), 200)
	if !bytes.HasPrefix(png.Body, []byte("\x89PNG")) {
		t.Fatal("the PNG is not one")
	}
	c.Want(c.Do("GET", q.SVG, nil, apptest.Bearer(k.Token)...), 200)
	if q2 := showQR(c, k.Token); q2.Token == q.Token {
		t.Fatal("the code did not rotate")
	}

	c.Want(c.Do("POST", "/v1/visits/claim", map[string]string{"token": q.Token}, tok...), 409) // resolve first
	var res struct {
		Visit struct {
			ID, ShopID string
		} `json:"visit"`
		Shop   struct{ Name, City string } `json:"shop"`
		Screen struct{ Label string }      `json:"screen"`
	}
	c.Want(c.Do("POST", "/v1/visits/resolve", map[string]string{"token": q.Token}, tok...), 200).JSON(t, &res)
	if res.Shop.Name != "Ottica Vista Milano Centro" || res.Shop.City != "Milano" || res.Screen.Label != "Vetrina" {
		t.Fatalf("resolve %+v", res)
	}
	c.Want(c.Do("POST", "/v1/visits/claim", map[string]string{"token": q.Token}, tok...), 200)
	c.Want(c.Do("POST", "/v1/visits/claim", map[string]string{"token": q.Token}, tok...), 410)
	c.Want(c.Do("POST", "/v1/visits/resolve", map[string]string{"token": q.Token}, tok...), 410)

	// Expired: TTL + leeway + 1 s.
	late := showQR(c, k.Token)
	clock.Add(66 * time.Second)
	c.Want(c.Do("POST", "/v1/visits/resolve", map[string]string{"token": late.Token}, tok...), 410)

	// Forged, malformed, another kind of token: refused.
	forged := []byte(late.Token)
	forged[5] = map[bool]byte{true: 'B', false: 'A'}[forged[5] == 'A'] // one character of the nonce changed
	c.Want(c.Do("POST", "/v1/visits/resolve", map[string]string{"token": string(forged)}, tok...), 401)
	c.Want(c.Do("POST", "/v1/visits/resolve", map[string]string{"token": "nope"}, tok...), 400)
	c.Want(c.Do("POST", "/v1/visits/resolve", map[string]string{"token": s.Tokens.AccessToken}, tok...), 400)
	c.Want(c.Do("GET", "/v1/me", nil, apptest.Bearer(q.Token)...), 401)            // a visit code is no access token
	c.Want(c.Do("GET", "/kiosk/v1/content", nil, apptest.Bearer(q.Token)...), 401) // nor a kiosk's
	c.Want(c.Do("POST", "/v1/visits/claim", map[string]string{"token": q.Token}, apptest.Bearer(k.Token)...), 401)
	other := c.PairKiosk(owner, "shop-roma-prati", "Roma")
	c.Want(c.Do("GET", q.PNG, nil, apptest.Bearer(other.Token)...), 404) // an expired code is drawn for no screen

	var mine struct {
		Visits []struct {
			ID     string `json:"id"`
			ShopID string `json:"shop_id"`
			Via    string `json:"via"`
			Shop   struct{ Name string }
			Events []struct{ Kind string }
		} `json:"visits"`
	}
	c.Want(c.Do("GET", "/v1/me/visits", nil, tok...), 200).JSON(t, &mine)
	if len(mine.Visits) != 1 || mine.Visits[0].ID != res.Visit.ID || mine.Visits[0].Via != "qr" || mine.Visits[0].ShopID != "shop-milano-centro" {
		t.Fatalf("my visits %+v", mine)
	}
	kinds := ""
	for _, e := range mine.Visits[0].Events {
		kinds += e.Kind + " "
	}
	if kinds != "qr_shown qr_shown qr_scanned " {
		t.Fatalf("events of the visit: %q", kinds) // what the screen recorded before the link is the customer's
	}
	var checkins struct {
		Checkins []struct {
			CustomerID string `json:"customer_id"`
			Customer   string `json:"customer"`
		} `json:"checkins"`
	}
	c.Want(c.Do("GET", "/v1/staff/shops/shop-milano-centro/checkins", nil, apptest.Bearer(apptest.OwnerLogin(t, m))...), 200).JSON(t, &checkins)
	if len(checkins.Checkins) != 1 || checkins.Checkins[0].CustomerID != s.Customer.ID || !strings.Contains(checkins.Checkins[0].Customer, "Giulia") {
		t.Fatalf("check-ins %+v", checkins)
	}
	var timeline struct {
		Visits []struct {
			ID   string `json:"id"`
			Shop struct {
				Name string `json:"name"`
			} `json:"shop"`
		} `json:"visits"`
	}
	c.Want(c.Do("GET", "/v1/staff/customers/"+s.Customer.ID+"/timeline", nil, apptest.Bearer(apptest.OwnerLogin(t, m))...), 200).JSON(t, &timeline)
	if len(timeline.Visits) != 1 || timeline.Visits[0].Shop.Name != "Ottica Vista Milano Centro" {
		t.Fatalf("the customer's timeline lacks the visit: %+v", timeline)
	}
	apptest.WantArchive(t, m, c.Want(c.Do("GET", "/v1/me/export", nil, tok...), 200), res.Visit.ID)
	c.Want(c.Do("DELETE", "/v1/me", nil, tok...), 204)
	if vs, _ := m.Store.CustomerVisits(t.Context(), s.Customer.ID); len(vs) != 0 {
		t.Fatal("erasure left the customer's visits")
	}
	if evs, _ := m.Store.VisitEvents(t.Context(), res.Visit.ID); len(evs) != 0 {
		t.Fatal("erasure left the visit's events")
	}
}

// TestVisitRaceOfFiftyPhones (T15): fifty customers scan one code at
// once, each resolving then claiming: one links the visit, the other 49
// are told it is gone (410) — never 409 — and none of them takes the
// first resolver's right away.
func TestVisitRaceOfFiftyPhones(t *testing.T) {
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) { m.Limits.SignupIP.Max = 1000 })
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	k := c.PairKiosk(owner, "shop-milano-centro", "Vetrina")
	phones := make([][]string, 50)
	for i := range phones {
		phones[i] = apptest.Bearer(c.Signup(fmt.Sprintf("phone%d@example.com", i)).Tokens.AccessToken)
	}
	q := showQR(c, k.Token)
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	start := make(chan struct{})
	for _, tok := range phones {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			st := c.Do("POST", "/v1/visits/resolve", map[string]string{"token": q.Token}, tok...).Status
			if st == 200 {
				st = c.Do("POST", "/v1/visits/claim", map[string]string{"token": q.Token}, tok...).Status
			}
			mu.Lock()
			statuses[st]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	if statuses[200] != 1 || statuses[410] != 49 {
		t.Fatalf("50 phones: %v, want 1 × 200 and 49 × 410", statuses)
	}
	n := 0
	for i := range phones {
		var mine struct{ Visits []struct{} }
		c.Want(c.Do("GET", "/v1/me/visits", nil, phones[i]...), 200).JSON(t, &mine)
		n += len(mine.Visits)
	}
	if n != 1 {
		t.Fatalf("%d visits linked, want 1", n)
	}
	// A second resolver of a resolved code is gone too, and the first
	// still claims.
	next := showQR(c, k.Token)
	c.Want(c.Do("POST", "/v1/visits/resolve", map[string]string{"token": next.Token}, phones[1]...), 200)
	c.Want(c.Do("POST", "/v1/visits/resolve", map[string]string{"token": next.Token}, phones[2]...), 410)
	c.Want(c.Do("POST", "/v1/visits/claim", map[string]string{"token": next.Token}, phones[2]...), 410)
	c.Want(c.Do("POST", "/v1/visits/claim", map[string]string{"token": next.Token}, phones[1]...), 200)
}

// TestRevokedScreenCodesLinkNothing: the codes a screen showed stop
// linking the moment it is revoked — resolved or not, on the app and on
// the web page — though their 60 seconds have not run out.
func TestRevokedScreenCodesLinkNothing(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	k := c.PairKiosk(owner, "shop-milano-centro", "Vetrina")
	tok := apptest.Bearer(c.Signup("anna@example.com").Tokens.AccessToken)
	resolved, fresh := showQR(c, k.Token), showQR(c, k.Token)
	c.Want(c.Do("POST", "/v1/visits/resolve", map[string]string{"token": resolved.Token}, tok...), 200)
	c.Want(c.Do("PATCH", "/v1/staff/shops/shop-milano-centro/kiosks/"+k.ID, map[string]any{"revoke": true}, apptest.Bearer(owner)...), 200)
	c.Want(c.Do("POST", "/v1/visits/claim", map[string]string{"token": resolved.Token}, tok...), 410)
	c.Want(c.Do("POST", "/v1/visits/resolve", map[string]string{"token": fresh.Token}, tok...), 410)
	c.Want(c.Do("GET", "/q/"+fresh.Token, nil), 410)
	c.Want(c.Do("POST", "/q/"+fresh.Token, nil), 410)
	var mine struct{ Visits []struct{} }
	c.Want(c.Do("GET", "/v1/me/visits", nil, tok...), 200).JSON(t, &mine)
	if len(mine.Visits) != 0 {
		t.Fatalf("a revoked screen's code linked %d visits", len(mine.Visits))
	}
}

// TestTodayIsTheServiceClocks: with the service's clock days away from
// the wall clock (VISTA_CLOCK_OFFSET, a test clock), "today" of the
// console's check-ins — the API, the page and its live list — and of the
// agenda is the service's today.
func TestTodayIsTheServiceClocks(t *testing.T) {
	clock := apptest.NewClock(time.Now().UTC().Add(72 * time.Hour))
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) { m.Clock = clock.Now })
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	k := c.PairKiosk(owner, "shop-milano-centro", "Vetrina")
	tok := apptest.Bearer(c.Signup("anna@example.com").Tokens.AccessToken)
	q := showQR(c, k.Token)
	c.Want(c.Do("POST", "/v1/visits/resolve", map[string]string{"token": q.Token}, tok...), 200)
	c.Want(c.Do("POST", "/v1/visits/claim", map[string]string{"token": q.Token}, tok...), 200)
	var list struct{ Checkins []struct{} }
	c.Want(c.Do("GET", "/v1/staff/shops/shop-milano-centro/checkins", nil, apptest.Bearer(owner)...), 200).JSON(t, &list)
	if len(list.Checkins) != 1 {
		t.Fatalf("today's check-ins by the service clock: %d, want 1", len(list.Checkins))
	}
	for _, path := range []string{"/console/checkins?shop=shop-milano-centro", "/console/checkins/list?shop=shop-milano-centro"} {
		if r := c.Want(c.Do("GET", path, nil, apptest.Bearer(owner)...), 200); !strings.Contains(string(r.Body), "Giulia") {
			t.Errorf("%s lacks today's visitor", path)
		}
	}
	c.Want(c.Do("GET", "/v1/staff/shops/shop-milano-centro/checkins?date=2026-13-01", nil, apptest.Bearer(owner)...), 422)
	rome, _ := time.LoadLocation("Europe/Rome")
	agenda := c.Want(c.Do("GET", "/console/agenda?shop=shop-milano-centro", nil, apptest.Bearer(owner)...), 200)
	if day := clock.Now().In(rome).Format(time.DateOnly); !strings.Contains(string(agenda.Body), day) {
		t.Errorf("the agenda does not open on the service's today %s", day)
	}
}

// TestVisitClaimRaceAndLimits (T15, T19): concurrent claims of one code
// by its resolver: one wins, the rest are gone; a customer's claims stop
// at 10 a minute and a kiosk's at 30, with 429 and Retry-After (counted
// from the claims, inside the claim's own write); random codes claim
// nothing.
func TestVisitClaimRaceAndLimits(t *testing.T) {
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) { m.Limits.SignupIP.Max = 1000 })
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	k := c.PairKiosk(owner, "shop-milano-centro", "Vetrina")
	s := c.Signup("anna@example.com")
	tok := apptest.Bearer(s.Tokens.AccessToken)
	q := showQR(c, k.Token)
	c.Want(c.Do("POST", "/v1/visits/resolve", map[string]string{"token": q.Token}, tok...), 200)
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := c.Do("POST", "/v1/visits/claim", map[string]string{"token": q.Token}, tok...)
			mu.Lock()
			statuses[r.Status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if statuses[200] != 1 || statuses[410] != 9 {
		t.Fatalf("10 concurrent claims: %v, want 1 × 200 and 9 × 410", statuses)
	}
	// Nine more visits this minute are fine; the eleventh is refused.
	for range 9 {
		next := showQR(c, k.Token)
		c.Want(c.Do("POST", "/v1/visits/resolve", map[string]string{"token": next.Token}, tok...), 200)
		c.Want(c.Do("POST", "/v1/visits/claim", map[string]string{"token": next.Token}, tok...), 200)
	}
	eleventh := showQR(c, k.Token)
	c.Want(c.Do("POST", "/v1/visits/resolve", map[string]string{"token": eleventh.Token}, tok...), 200)
	r := c.Want(c.Do("POST", "/v1/visits/claim", map[string]string{"token": eleventh.Token}, tok...), 429)
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	// Random well-formed codes from many accounts: none links anything.
	for i := range 20 {
		other := c.Signup(fmt.Sprintf("random%d@example.com", i))
		random := showQR(c, k.Token).Token
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
		b := []byte(random)
		b[len(b)-2] = alphabet[(strings.IndexByte(alphabet, b[len(b)-2])+1+i)%64] // another tag
		c.Want(c.Do("POST", "/v1/visits/resolve", map[string]string{"token": string(b)}, apptest.Bearer(other.Tokens.AccessToken)...), 401)
	}
	// A kiosk's claims stop at 30 a minute, whoever makes them; a refused
	// claim leaves its code claimable.
	claimed := 0
	for i := range 31 {
		cu := c.Signup(fmt.Sprintf("kiosk-limit%d@example.com", i))
		ct := apptest.Bearer(cu.Tokens.AccessToken)
		code := showQR(c, k.Token)
		c.Want(c.Do("POST", "/v1/visits/resolve", map[string]string{"token": code.Token}, ct...), 200)
		switch r := c.Do("POST", "/v1/visits/claim", map[string]string{"token": code.Token}, ct...); r.Status {
		case 200:
			claimed++
		case 429:
		default:
			t.Fatalf("claim %d: %d %s", i, r.Status, r.Body)
		}
	}
	if claimed != 20 { // Anna's ten claims count for this kiosk too
		t.Fatalf("%d claims at one kiosk in a minute, want 20 more after Anna's 10", claimed)
	}
}

// pendingFrom returns the landing page's pending-visit cookie.
// codeID is the id of the visit code in a QR token.
func codeID(t *testing.T, m *app.Main, token string) string {
	t.Helper()
	link, err := m.Tokens.VerifyVisitLink(token)
	apptest.Must(t, err)
	return link.ID()
}

func pendingFrom(t *testing.T, r apptest.Response) string {
	t.Helper()
	for _, v := range r.Header.Values("Set-Cookie") {
		if strings.HasPrefix(v, "vista_visit=") {
			return strings.SplitN(strings.TrimPrefix(v, "vista_visit="), ";", 2)[0]
		}
	}
	t.Fatalf("no vista_visit cookie in %v", r.Header)
	return ""
}

// TestVisitWithoutTheApp: a phone without the app opens a screen's code
// in its browser, gets the landing page (Italian, English on request),
// and signs up there minutes later: the visit, with what the totem
// recorded, is the new customer's. A second phone that opens the same
// code signs in there and owns the screen's next visit. Expired and
// forged codes get a page that says so; the .well-known files come from
// the configuration; no log line carries a code.
func TestVisitWithoutTheApp(t *testing.T) {
	clock := apptest.NewClock(time.Now().UTC().Truncate(time.Second))
	var logs bytes.Buffer
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) {
		m.Clock = clock.Now
		m.Config.AccessLog = true
		m.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		m.Config.AppleAppIDs = []string{"ABCDE12345.it.ottica.vista"}
		m.Config.AndroidApps = []string{"it.ottica.vista=AA:BB:CC"}
	})
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	k := c.PairKiosk(owner, "shop-milano-centro", "Vetrina")
	q := showQR(c, k.Token)
	// The totem saw a product before the shopper scanned.
	vs, err := m.Store.OpenVisit(t.Context(), k.ID, clock.Now().Add(-time.Minute))
	apptest.Must(t, err)
	apptest.Must(t, m.Store.AddVisitEvents(t.Context(), []visit.Event{{VisitID: vs.ID, Kind: "product_viewed", ItemID: "p-rayban", At: clock.Now()}}))

	// Opening the link (a preview, a prefetching scanner, the person)
	// shows where the screen is and uses nothing up; the page's button does.
	for range 3 {
		peek := c.Want(c.Do("GET", "/q/"+q.Token, nil), 200)
		if !strings.Contains(string(peek.Body), "Benvenuto da Ottica Vista Milano Centro") || !strings.Contains(string(peek.Body), `id="here"`) ||
			strings.Contains(string(peek.Body), `id="signup"`) || peek.Header.Get("Set-Cookie") != "" {
			t.Fatalf("landing page on GET %s", peek.Body)
		}
	}
	if cd, err := m.Store.Code(t.Context(), codeID(t, m, q.Token)); err != nil || cd.ClaimedAt != nil || cd.ResolvedBy != "" {
		t.Fatalf("a GET used the code up: %+v %v", cd, err)
	}
	page := c.Want(c.Do("POST", "/q/"+q.Token, nil), 200)
	if !strings.Contains(string(page.Body), "Benvenuto da Ottica Vista Milano Centro") || !strings.Contains(string(page.Body), `id="signup"`) {
		t.Fatalf("landing page %s", page.Body)
	}
	pending := pendingFrom(t, page)
	en := c.Want(c.Do("POST", "/q/"+q.Token+"?lang=en", nil), 200) // the code is used, the page still tells where
	if !strings.Contains(string(en.Body), "Welcome to Ottica Vista Milano Centro") {
		t.Fatal("no English landing page")
	}
	second := pendingFrom(t, en)

	clock.Add(10 * time.Minute) // the code is long expired; the browser's pending visit is not
	// The sign-up form shows the privacy notice with its version and asks
	// the same consents as the app's; Marta ticks the offers only.
	for _, want := range []string{`id="notice"`, "Informativa sulla privacy", "Titolare del trattamento", `value="privacy-web-it-2026-12"`,
		`value="email:marketing"`, `value="email:service"`} {
		if !strings.Contains(string(page.Body), want) {
			t.Fatalf("the sign-up form lacks %q", want)
		}
	}
	form := url.Values{"first_name": {"Marta"}, "last_name": {"Neri"}, "birth_date": {"1990-02-03"}, "email": {"marta@example.com"},
		"password": {"correct horse battery"}, "notice_version": {"privacy-web-it-2026-12"}, "consent": {"email:marketing"}}
	old := url.Values{"first_name": {"Marta"}, "last_name": {"Neri"}, "birth_date": {"1990-02-03"}, "email": {"marta@example.com"},
		"password": {"correct horse battery"}, "notice_version": {"privacy-web-it-2020-01"}}
	c.Want(c.Do("POST", "/q/signup", old.Encode(), "Content-Type", "application/x-www-form-urlencoded", "Cookie", "vista_visit="+pending), 422)
	done := c.Want(c.Do("POST", "/q/signup", form.Encode(), "Content-Type", "application/x-www-form-urlencoded", "Cookie", "vista_visit="+pending), 200)
	if !strings.Contains(string(done.Body), `id="done"`) {
		t.Fatalf("after sign-up: %s", done.Body)
	}
	var login struct {
		Customer struct {
			ID     string `json:"id"`
			ShopID string `json:"shop_id"`
		} `json:"customer"`
		Tokens struct {
			AccessToken string `json:"access_token"`
		} `json:"tokens"`
	}
	c.Want(c.Do("POST", "/v1/auth/login", map[string]string{"email": "marta@example.com", "password": "correct horse battery"}), 200).JSON(t, &login)
	// The screen's shop is her home shop: she is in its console list.
	if login.Customer.ShopID != "shop-milano-centro" {
		t.Fatalf("Marta's home shop is %q, want the screen's", login.Customer.ShopID)
	}
	var list struct{ Customers []map[string]any }
	c.Want(c.Do("GET", "/v1/staff/shops/shop-milano-centro/customers", nil, apptest.Bearer(apptest.OwnerLogin(t, m))...), 200).JSON(t, &list)
	if !strings.Contains(fmt.Sprint(list.Customers), login.Customer.ID) {
		t.Fatalf("Marta is not in the shop's list: %v", list.Customers)
	}
	// Her answers are consent events under the notice's version.
	var cs struct {
		Consents []struct {
			Channel, Purpose string
			TextVersion      string `json:"text_version"`
			Granted          bool
		}
	}
	c.Want(c.Do("GET", "/v1/me/consents", nil, apptest.Bearer(login.Tokens.AccessToken)...), 200).JSON(t, &cs)
	answered := 0
	for _, x := range cs.Consents {
		if x.Channel != "email" {
			continue
		}
		answered++
		if x.Granted != (x.Purpose == "marketing") || x.TextVersion != "privacy-web-it-2026-12" {
			t.Errorf("consent email/%s = %v under %q", x.Purpose, x.Granted, x.TextVersion)
		}
	}
	if answered != 3 {
		t.Fatalf("%d e-mail consents, want 3: %+v", answered, cs)
	}
	var mine struct {
		Visits []struct {
			ID     string `json:"id"`
			Via    string `json:"via"`
			Events []struct {
				Kind   string `json:"kind"`
				ItemID string `json:"item_id"`
			} `json:"events"`
		} `json:"visits"`
	}
	c.Want(c.Do("GET", "/v1/me/visits", nil, apptest.Bearer(login.Tokens.AccessToken)...), 200).JSON(t, &mine)
	if len(mine.Visits) != 1 || mine.Visits[0].ID != vs.ID || mine.Visits[0].Via != "web" || len(mine.Visits[0].Events) != 3 ||
		mine.Visits[0].Events[1].Kind != "product_viewed" || mine.Visits[0].Events[1].ItemID != "p-rayban" {
		t.Fatalf("Marta's visits %+v", mine)
	}

	// The second phone: an existing customer signs in there.
	c.Signup("luca@example.com")
	lform := url.Values{"email": {"luca@example.com"}, "password": {"correct horse battery"}}
	c.Want(c.Do("POST", "/q/login", lform.Encode(), "Content-Type", "application/x-www-form-urlencoded", "Cookie", "vista_visit="+second), 200)
	var luca struct {
		Tokens struct {
			AccessToken string `json:"access_token"`
		} `json:"tokens"`
	}
	c.Want(c.Do("POST", "/v1/auth/login", lform2json(lform)), 200).JSON(t, &luca)
	c.Want(c.Do("GET", "/v1/me/visits", nil, apptest.Bearer(luca.Tokens.AccessToken)...), 200).JSON(t, &mine)
	if len(mine.Visits) != 1 || mine.Visits[0].ID == vs.ID {
		t.Fatalf("Luca's visits %+v: want the next visit, not Marta's", mine)
	}
	bad := url.Values{"email": {"luca@example.com"}, "password": {"wrong password!!"}}
	c.Want(c.Do("POST", "/q/login", bad.Encode(), "Content-Type", "application/x-www-form-urlencoded", "Cookie", "vista_visit="+second), 401)
	c.Want(c.Do("POST", "/q/signup", form.Encode(), "Content-Type", "application/x-www-form-urlencoded"), 410) // no pending visit

	// Expired and forged codes.
	late := showQR(c, k.Token)
	clock.Add(66 * time.Second)
	if r := c.Want(c.Do("GET", "/q/"+late.Token, nil), 410); !strings.Contains(string(r.Body), "scaduto") {
		t.Fatalf("expired page %s", r.Body)
	}
	c.Want(c.Do("GET", "/q/"+strings.Repeat("A", len(late.Token)), nil), 400)

	var aasa map[string]any
	c.Want(c.Do("GET", "/.well-known/apple-app-site-association", nil), 200).JSON(t, &aasa)
	if !strings.Contains(fmt.Sprint(aasa), "ABCDE12345.it.ottica.vista") || !strings.Contains(fmt.Sprint(aasa), "/q/*") {
		t.Fatalf("AASA %v", aasa)
	}
	var links []map[string]any
	c.Want(c.Do("GET", "/.well-known/assetlinks.json", nil), 200).JSON(t, &links)
	if len(links) != 1 || !strings.Contains(fmt.Sprint(links), "it.ottica.vista") || !strings.Contains(fmt.Sprint(links), "AA:BB:CC") {
		t.Fatalf("assetlinks %v", links)
	}
	for _, tok := range []string{q.Token, late.Token} {
		if strings.Contains(logs.String(), tok) {
			t.Fatalf("a visit code is in the log:\n%s", logs.String())
		}
	}
	if !strings.Contains(logs.String(), "/q/:token") {
		t.Fatal("the access log did not run")
	}
}

func lform2json(v url.Values) map[string]string {
	return map[string]string{"email": v.Get("email"), "password": v.Get("password")}
}

// TestDeskLinkAndTotemEvents: a product opened on the totem, and the
// offers the screen showed meanwhile, are recorded in the screen's open
// visit; staff at the desk link that visit to the
// customer in front of them, who then finds it, with the product, in the
// app. Another shop's staff and an unknown customer are refused.
func TestDeskLinkAndTotemEvents(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	k := c.PairKiosk(owner, "shop-milano-centro", "Totem")
	ps, err := m.Store.ProductsBySKU(t.Context(), []string{"RB-2140-901"})
	apptest.Must(t, err)
	rb := ps["RB-2140-901"]
	c.Want(c.Do("GET", "/kiosk/display/product/"+rb.ID, nil, "Cookie", "vista_kiosk="+k.Token), 200)
	// The screen reports it showed an offer (twice): the open visit notes it once.
	play := map[string]any{"item_kind": "offer", "item_id": "offer-1", "shown_at": time.Now().UTC(), "seconds": 8}
	c.Want(c.Do("POST", "/kiosk/v1/plays", map[string]any{"plays": []any{play, play}}, apptest.Bearer(k.Token)...), 202)
	s := c.Signup("desk@example.com")
	roman := c.StaffLogin("roma@example.com", apptest.AddStaff(t, m, "roma@example.com", "manager", "shop-roma-prati"))
	c.Want(c.Do("POST", "/v1/staff/shops/shop-milano-centro/kiosks/"+k.ID+"/link", map[string]string{"customer_id": s.Customer.ID}, apptest.Bearer(roman)...), 404)
	c.Want(c.Do("POST", "/v1/staff/shops/shop-milano-centro/kiosks/"+k.ID+"/link", map[string]string{"customer_id": "nobody"}, apptest.Bearer(owner)...), 422)
	var v struct {
		CustomerID string `json:"customer_id"`
		Via        string `json:"via"`
	}
	c.Want(c.Do("POST", "/v1/staff/shops/shop-milano-centro/kiosks/"+k.ID+"/link", map[string]string{"customer_id": s.Customer.ID}, apptest.Bearer(owner)...), 200).JSON(t, &v)
	if v.CustomerID != s.Customer.ID || v.Via != "desk" {
		t.Fatalf("desk link %+v", v)
	}
	var mine struct {
		Visits []struct {
			Events []struct {
				Kind   string `json:"kind"`
				ItemID string `json:"item_id"`
			} `json:"events"`
		} `json:"visits"`
	}
	c.Want(c.Do("GET", "/v1/me/visits", nil, apptest.Bearer(s.Tokens.AccessToken)...), 200).JSON(t, &mine)
	if len(mine.Visits) != 1 || len(mine.Visits[0].Events) != 2 || mine.Visits[0].Events[0].Kind != "product_viewed" || mine.Visits[0].Events[0].ItemID != rb.ID ||
		mine.Visits[0].Events[1].Kind != "offer_shown" || mine.Visits[0].Events[1].ItemID != "offer-1" {
		t.Fatalf("visits %+v", mine)
	}
	// A screen playing to an empty shop starts no visit.
	idle := c.PairKiosk(owner, "shop-milano-centro", "Vetrina")
	c.Want(c.Do("POST", "/kiosk/v1/plays", map[string]any{"plays": []any{play}}, apptest.Bearer(idle.Token)...), 202)
	if _, err := m.Store.OpenVisit(t.Context(), idle.ID, time.Now().Add(-time.Hour)); err == nil {
		t.Fatal("proof of play on an idle screen opened a visit")
	}
}

// TestEndVisitAtTheTotem (T18): "Fine" on the totem ends the visit: the
// code still on screen stops linking (410), and the next code belongs to
// a new visit.
func TestEndVisitAtTheTotem(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	k := c.PairKiosk(owner, "shop-milano-centro", "Totem")
	s := c.Signup("fine@example.com")
	tok := apptest.Bearer(s.Tokens.AccessToken)
	q := showQR(c, k.Token)
	first, err := m.Store.OpenVisit(t.Context(), k.ID, time.Now().Add(-time.Minute))
	apptest.Must(t, err)
	c.Want(c.Do("POST", "/kiosk/v1/visit/end", nil, apptest.Bearer(k.Token)...), 204)
	c.Want(c.Do("POST", "/v1/visits/resolve", map[string]string{"token": q.Token}, tok...), 410)
	next := showQR(c, k.Token)
	c.Want(c.Do("POST", "/v1/visits/resolve", map[string]string{"token": next.Token}, tok...), 200)
	var res struct {
		Visit struct {
			ID string `json:"id"`
		} `json:"visit"`
	}
	c.Want(c.Do("POST", "/v1/visits/claim", map[string]string{"token": next.Token}, tok...), 200).JSON(t, &res)
	if res.Visit.ID == first.ID {
		t.Fatal("the ended visit was linked")
	}
	c.Want(c.Do("POST", "/kiosk/v1/visit/end", nil, apptest.Bearer(s.Tokens.AccessToken)...), 401)
}
