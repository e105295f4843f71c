package kiosk_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/app"
	"github.com/vista-optical/vista/backend/app/apptest"
	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
)

const milano = "shop-milano-centro"

// product returns the demo product with sku.
func product(t *testing.T, m *app.Main, sku string) *catalog.Product {
	t.Helper()
	ps, err := m.Store.ProductsBySKU(context.Background(), []string{sku})
	apptest.Must(t, err)
	if ps[sku] == nil {
		t.Fatalf("no demo product %s", sku)
	}
	return ps[sku]
}

var pricePattern = regexp.MustCompile(`data-product-price="([^"]+)">(?:<s>[^<]*</s> )?<b>([^<]*)</b>`)

// pagePrices reads the prices a page shows, by product id ("32,90 €").
func pagePrices(body []byte) map[string]string {
	out := map[string]string{}
	for _, m := range pricePattern.FindAllSubmatch(body, -1) {
		out[string(m[1])] = string(m[2])
	}
	return out
}

// staff adds a staff member and signs them in.
func staff(t *testing.T, c apptest.Client, email string, role core.Role, shopID string) string {
	t.Helper()
	return c.StaffLogin(email, apptest.AddStaff(t, c.M, email, role, shopID))
}

func euro(cents int64) string { return fmt.Sprintf("%d,%02d €", cents/100, cents%100) }

// TestPriceIsTheSameOnEverySurface: the same product in the same shop at
// the same instant costs the same in the app API, on the kiosk (API and
// display page) and on the public product page; a promotion starting on
// the test clock changes it on all of them at once.
func TestPriceIsTheSameOnEverySurface(t *testing.T) {
	clock := apptest.NewClock(time.Now().UTC().Truncate(time.Millisecond))
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) { m.Clock = clock.Now })
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	k := c.PairKiosk(owner, milano, "Vetrina")
	rb := product(t, m, "RB-2140-901")
	oasys := product(t, m, "AC-OASYS-1D-30") // the demo's daily-lens promotion holds: 15% off

	// A promotion on the Ray-Ban starting in an hour, in Milano only, and
	// a lower one elsewhere that must not apply here.
	starts := clock.Now().Add(time.Hour)
	c.Want(c.Do("POST", "/v1/staff/promotions", map[string]any{"name": "Estate", "kind": "fixed_price", "fixed_cents": 12900,
		"starts": starts, "ends": starts.Add(24 * time.Hour), "shop_ids": []string{milano}, "product_ids": []string{rb.ID}, "channels": []string{"kiosk"}},
		apptest.Bearer(owner)...), 201)
	c.Want(c.Do("POST", "/v1/staff/promotions", map[string]any{"name": "Roma", "kind": "fixed_price", "fixed_cents": 9900,
		"starts": clock.Now(), "ends": starts.Add(24 * time.Hour), "shop_ids": []string{"shop-roma-prati"}, "product_ids": []string{rb.ID}},
		apptest.Bearer(owner)...), 201)

	prices := func() map[string]map[string]string {
		t.Helper()
		out := map[string]map[string]string{}
		var app struct {
			Products []catalog.Listing `json:"products"`
		}
		c.Want(c.Do("GET", "/v1/shops/milano-centro/products?limit=100", nil), 200).JSON(t, &app)
		out["app"] = map[string]string{}
		for _, l := range app.Products {
			out["app"][l.ID] = euro(l.Price.PriceCents)
		}
		var kp struct {
			Products []catalog.Listing `json:"products"`
		}
		c.Want(c.Do("GET", "/kiosk/v1/products", nil, apptest.Bearer(k.Token)...), 200).JSON(t, &kp)
		out["kiosk api"] = map[string]string{}
		for _, l := range kp.Products {
			out["kiosk api"][l.ID] = euro(l.Price.PriceCents)
		}
		out["kiosk page"] = pagePrices(c.Want(c.Do("GET", "/kiosk/display/search?q=", nil, "Cookie", "vista_kiosk="+k.Token), 200).Body)
		out["public page"] = map[string]string{}
		for _, id := range []string{rb.ID, oasys.ID} {
			for id, p := range pagePrices(c.Want(c.Do("GET", "/p/milano-centro/"+id+"?tp=qr", nil), 200).Body) {
				out["public page"][id] = p
			}
		}
		return out
	}
	check := func(wantRB, wantOasys string) {
		t.Helper()
		for surface, ps := range prices() {
			if ps[rb.ID] != wantRB || ps[oasys.ID] != wantOasys {
				t.Errorf("%s: Ray-Ban %q, Oasys %q; want %q and %q", surface, ps[rb.ID], ps[oasys.ID], wantRB, wantOasys)
			}
		}
	}
	check("159,00 €", "27,96 €") // 32,90 € less 15% (4,935 € rounded half up to 4,94 €)
	clock.Add(time.Hour)         // the promotion starts
	check("129,00 €", "27,96 €")
	clock.Add(24 * time.Hour) // and ends (so does not the demo's month)
	check("159,00 €", "27,96 €")
}

// TestStockTogglesReservation: e-reservation is off below the shop's
// minimum stock, and click & collect is promoted only while the shop is
// open, in its time zone.
func TestStockTogglesReservation(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	// A Tuesday at 10:00 in Milano: the demo shops are open.
	clock := apptest.NewClock(time.Date(2026, 12, 1, 10, 0, 0, 0, rome).UTC())
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) { m.Clock = clock.Now })
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	rb := product(t, m, "RB-2140-901")
	c.Want(c.Do("PUT", "/v1/staff/shops/"+milano+"/catalog-settings", map[string]any{"reserve_min_stock": 3, "click_collect": true}, apptest.Bearer(owner)...), 200)
	listing := func() catalog.Listing {
		t.Helper()
		var l catalog.Listing
		c.Want(c.Do("GET", "/v1/shops/milano-centro/products/"+rb.ID, nil), 200).JSON(t, &l)
		return l
	}
	stock := func(n int) {
		t.Helper()
		c.Want(c.Do("PUT", "/v1/staff/shops/"+milano+"/stock", map[string]any{"levels": []map[string]any{{"product_id": rb.ID, "quantity": n}}},
			apptest.Bearer(owner)...), 200)
	}
	stock(2)
	if l := listing(); l.Reserve || l.ClickCollect {
		t.Fatalf("2 in stock, minimum 3: reserve %v, click & collect %v", l.Reserve, l.ClickCollect)
	}
	stock(3)
	if l := listing(); !l.Reserve || !l.ClickCollect {
		t.Fatalf("3 in stock, open: reserve %v, click & collect %v", l.Reserve, l.ClickCollect)
	}
	clock.Add(3*time.Hour + 30*time.Minute) // 13:30, the lunch break
	if l := listing(); !l.Reserve || l.ClickCollect {
		t.Fatalf("closed for lunch: reserve %v, click & collect %v", l.Reserve, l.ClickCollect)
	}
	owner = apptest.OwnerLogin(t, m) // the console's session idled out over lunch
	// Another shop's stock and settings are its own.
	var roma catalog.Listing
	c.Want(c.Do("GET", "/v1/shops/roma-prati/products/"+rb.ID, nil), 200).JSON(t, &roma)
	if !roma.Reserve {
		t.Fatal("Roma's e-reservation follows Milano's settings")
	}
	// A manager of Roma cannot change Milano's stock; an assistant cannot change any.
	roman := staff(t, c, "gestore.roma@example.com", core.RoleManager, "shop-roma-prati")
	c.Want(c.Do("PUT", "/v1/staff/shops/"+milano+"/stock", map[string]any{"levels": []map[string]any{{"product_id": rb.ID, "quantity": 0}}},
		apptest.Bearer(roman)...), 404)
	for _, bad := range []map[string]any{
		{"levels": []map[string]any{{"product_id": rb.ID, "quantity": -1}}},
		{"levels": []map[string]any{{"product_id": rb.ID, "quantity": 100001}}},
		{"levels": []map[string]any{{"product_id": "no-such-product", "quantity": 1}}},
		{"levels": []map[string]any{}},
	} {
		c.Want(c.Do("PUT", "/v1/staff/shops/"+milano+"/stock", bad, apptest.Bearer(owner)...), 422)
	}
	if l := listing(); !l.Reserve {
		t.Fatal("a refused stock change changed the stock")
	}
}

// TestPairingCodes: a code pairs one screen once, expires in minutes, and
// guessing is cut off per address.
func TestPairingCodes(t *testing.T) {
	clock := apptest.NewClock(time.Now().UTC())
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) { m.Clock = clock.Now })
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	code := func() string {
		var out struct {
			Code      string    `json:"code"`
			ExpiresAt time.Time `json:"expires_at"`
		}
		c.Want(c.Do("POST", "/v1/staff/shops/"+milano+"/kiosks/pairing-codes", nil, apptest.Bearer(owner)...), 201).JSON(t, &out)
		valid := out.ExpiresAt.Sub(clock.Now())
		if !regexp.MustCompile(`^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$`).MatchString(out.Code) || valid <= 10*time.Minute-time.Second || valid > 10*time.Minute {
			t.Fatalf("pairing code %+v", out)
		}
		return out.Code
	}
	pair := func(code string, want int) apptest.Response {
		t.Helper()
		return c.Want(c.Do("POST", "/kiosk/v1/pair", map[string]string{"code": code, "label": "Vetrina"}), want)
	}
	first := code()
	var paired struct {
		Token string `json:"token"`
		Kiosk struct {
			ID     string `json:"id"`
			ShopID string `json:"shop_id"`
			Label  string `json:"label"`
		} `json:"kiosk"`
	}
	pair(strings.ToLower(first), 201).JSON(t, &paired) // as typed, in lower case
	if paired.Kiosk.ShopID != milano || paired.Kiosk.Label != "Vetrina" || paired.Token == "" {
		t.Fatalf("paired %+v", paired)
	}
	pair(first, 410) // single use
	late := code()
	clock.Add(10*time.Minute + time.Second)
	pair(late, 410) // expired
	// An assistant cannot make codes; a manager of another shop sees no such shop.
	assistant := staff(t, c, "assistente@example.com", core.RoleAssistant, milano)
	c.Want(c.Do("POST", "/v1/staff/shops/"+milano+"/kiosks/pairing-codes", nil, apptest.Bearer(assistant)...), 403)
	roman := staff(t, c, "gestore.roma@example.com", core.RoleManager, "shop-roma-prati")
	c.Want(c.Do("POST", "/v1/staff/shops/"+milano+"/kiosks/pairing-codes", nil, apptest.Bearer(roman)...), 404)
	// Guessing: ten attempts per address in a window (some were made
	// above, in this window or the last); after them the door is closed,
	// even for a good code.
	good := code()
	refused := 0
	for i := range 10 {
		r := c.Do("POST", "/kiosk/v1/pair", map[string]string{"code": fmt.Sprintf("AAAA-AAA%d", i%8+2)})
		switch r.Status {
		case 404:
		case 429:
			refused++
		default:
			t.Fatalf("guess %d: status %d", i, r.Status)
		}
	}
	if refused == 0 {
		t.Fatal("ten wrong guesses were all answered")
	}
	r := pair(good, 429)
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	// The kiosk lists, and staff rename it.
	var list struct {
		Kiosks []struct{ ID, Label string } `json:"kiosks"`
	}
	c.Want(c.Do("PATCH", "/v1/staff/shops/"+milano+"/kiosks/"+paired.Kiosk.ID, map[string]string{"label": "Vetrina sud"}, apptest.Bearer(owner)...), 200)
	c.Want(c.Do("PATCH", "/v1/staff/shops/"+milano+"/kiosks/"+paired.Kiosk.ID, map[string]string{"label": strings.Repeat("x", 61)}, apptest.Bearer(owner)...), 422)
	c.Want(c.Do("GET", "/v1/staff/shops/"+milano+"/kiosks", nil, apptest.Bearer(owner)...), 200).JSON(t, &list)
	if len(list.Kiosks) != 1 || list.Kiosks[0].Label != "Vetrina sud" {
		t.Fatalf("kiosks %+v", list)
	}
}

// TestPairingSurvivesAGuessingAttack: 310 wrong codes from 31 addresses,
// and a flood from one IPv6 /64, spend only their own addresses' budget;
// a manager's fresh code then pairs from a new address.
func TestPairingSurvivesAGuessingAttack(t *testing.T) {
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) { m.Config.TrustedProxies = []string{"0.0.0.0"} })
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	from := func(addr, code string) int {
		return c.Do("POST", "/kiosk/v1/pair", map[string]string{"code": code}, "X-Forwarded-For", addr).Status
	}
	for a := range 31 {
		for i := range 10 {
			if st := from(fmt.Sprintf("198.51.100.%d", a+1), fmt.Sprintf("AAAA-AA%c%c", 'A'+a%24, '2'+i%8)); st != 404 {
				t.Fatalf("wrong code %d from address %d: %d, want 404", i, a, st)
			}
		}
	}
	refused := 0
	for i := range 20 {
		if from(fmt.Sprintf("2001:db8:7:7::%x", i+1), "BBBB-BBBB") == 429 {
			refused++
		}
	}
	if refused != 10 {
		t.Fatalf("%d of 20 guesses from one /64 refused, want 10: the /64 counts as one client", refused)
	}
	if st := from("198.51.100.1", "CCCC-CCCC"); st != 429 {
		t.Fatalf("an address past its budget: %d, want 429", st)
	}
	var out struct{ Code string }
	c.Want(c.Do("POST", "/v1/staff/shops/"+milano+"/kiosks/pairing-codes", nil, apptest.Bearer(owner)...), 201).JSON(t, &out)
	if st := from("203.0.113.50", out.Code); st != 201 {
		t.Fatalf("the manager's code during the attack: %d, want 201", st)
	}
	if st := from("2001:db8:8::1", "BBBB-BBBB"); st != 404 {
		t.Fatalf("another /64: %d, want 404", st)
	}
}

// TestEventStreamsAreBounded: one device holds at most three streams (a
// fourth closes the oldest), and an instance its configured number, past
// which a new stream gets 503 with Retry-After.
func TestEventStreamsAreBounded(t *testing.T) {
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) { m.Config.ScreenStreams = 4 })
	base := apptest.Serve(t, m)
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	stolen := c.PairKiosk(owner, milano, "Vetrina")
	var streams []<-chan string
	for range 4 {
		streams = append(streams, events(t, base, stolen.Token, ""))
	}
	if _, open := next(t, streams[0], 5*time.Second); open {
		t.Fatal("the oldest of four streams of one device stays open")
	}
	other := c.PairKiosk(owner, milano, "Banco")
	events(t, base, other.Token, "")
	for deadline := time.Now().Add(5 * time.Second); m.Hub.Connected() != 4; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d streams connected, want 4", m.Hub.Connected())
		}
	}
	third := c.PairKiosk(owner, milano, "Cassa")
	req, _ := http.NewRequest("GET", base+"/kiosk/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+third.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("a stream past the instance's bound: %d (Retry-After %q), want 503", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

// events opens a screen's event stream over the network and sends what
// arrives on the channel, closed when the stream ends.
func events(t *testing.T, base, token, lastID string) <-chan string {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/kiosk/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan string, 64)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var ev []string
		for sc.Scan() {
			if sc.Text() == "" {
				if len(ev) > 0 && !strings.HasPrefix(ev[0], "retry:") {
					out <- strings.Join(ev, "\n")
				}
				ev = nil
				continue
			}
			if !strings.HasPrefix(sc.Text(), ":") {
				ev = append(ev, sc.Text())
			}
		}
	}()
	t.Cleanup(func() { resp.Body.Close() })
	return out
}

func next(t *testing.T, ch <-chan string, within time.Duration) (string, bool) {
	t.Helper()
	select {
	case ev, ok := <-ch:
		return ev, ok
	case <-time.After(within):
		t.Fatalf("nothing on the stream within %v", within)
	}
	return "", false
}

// TestBroadcastReachesScreensAndReplays: an offer pushed to a shop reaches
// its screens (not another shop's) as an SSE event carrying the offer id
// and title; a screen reconnecting with Last-Event-ID gets what it missed;
// a revoked screen's stream ends and its token is refused.
func TestBroadcastReachesScreensAndReplays(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	base := apptest.Serve(t, m)
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	k := c.PairKiosk(owner, milano, "Vetrina")
	other := c.PairKiosk(owner, "shop-roma-prati", "Roma")
	stream := events(t, base, k.Token, "")
	romaStream := events(t, base, other.Token, "")
	var pushed struct {
		ID string `json:"id"`
	}
	c.Want(c.Do("POST", "/v1/staff/shops/"+milano+"/screens/broadcast", map[string]any{"title": "Saldi d'inverno", "text": "-20% sulle montature"},
		apptest.Bearer(owner)...), 202).JSON(t, &pushed)
	ev, _ := next(t, stream, 5*time.Second)
	if !strings.Contains(ev, "event: offer") || !strings.Contains(ev, pushed.ID) || !strings.Contains(ev, "Saldi d'inverno") {
		t.Fatalf("event %q", ev)
	}
	firstID := strings.TrimPrefix(strings.Split(ev, "\n")[0], "id: ")
	// Two more while a second screen of the shop is away.
	for _, title := range []string{"Due", "Tre"} {
		c.Want(c.Do("POST", "/v1/staff/shops/"+milano+"/screens/broadcast", map[string]any{"title": title}, apptest.Bearer(owner)...), 202)
	}
	replay := events(t, base, k.Token, firstID)
	for _, want := range []string{"Due", "Tre"} {
		if ev, _ := next(t, replay, 5*time.Second); !strings.Contains(ev, want) {
			t.Fatalf("replay gave %q, want %s", ev, want)
		}
	}
	select {
	case ev := <-romaStream:
		t.Fatalf("Roma's screen received Milano's offer: %q", ev)
	case <-time.After(300 * time.Millisecond):
	}
	// The display fetches the content again: the offer is there, priced.
	var content struct {
		Offers []struct{ ID, Title string } `json:"offers"`
	}
	c.Want(c.Do("GET", "/kiosk/v1/content", nil, apptest.Bearer(k.Token)...), 200).JSON(t, &content)
	if len(content.Offers) != 3 || content.Offers[2].ID != pushed.ID {
		t.Fatalf("content offers %+v", content.Offers)
	}
	// Revoked: told at once, the stream ends, the token is refused.
	start := time.Now()
	c.Want(c.Do("DELETE", "/v1/staff/shops/"+milano+"/kiosks/"+k.ID, nil, apptest.Bearer(owner)...), 204)
	for _, ch := range []<-chan string{stream, replay} {
		for {
			ev, ok := next(t, ch, 5*time.Second)
			if !ok {
				break
			}
			if !strings.Contains(ev, "event: revoked") && !strings.Contains(ev, "event: offer") {
				t.Fatalf("unexpected event %q", ev)
			}
		}
	}
	t.Logf("revoked screens disconnected in %v", time.Since(start))
	c.Want(c.Do("GET", "/kiosk/v1/content", nil, apptest.Bearer(k.Token)...), 401)
	c.Want(c.Do("GET", "/kiosk/display", nil, "Cookie", "vista_kiosk="+k.Token), 303)
}

// TestOfferReachesConsentingAppCustomers: pushed with "app", an offer is
// queued for the shop's customers who consent to marketing push (the
// count is shown before sending) and lands in their inbox.
func TestOfferReachesConsentingAppCustomers(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	apptest.Serve(t, m) // the dispatcher delivers inbox entries
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	grant := func(b map[string]any) {
		b["shop_id"] = milano
		b["consents"] = []map[string]any{{"channel": "push", "purpose": "marketing", "granted": true}}
		b["text_version"] = "marketing-it-v3"
	}
	yes := c.Signup("si@example.com", grant)
	no := c.Signup("no@example.com", func(b map[string]any) { b["shop_id"] = milano })
	c.Signup("roma@example.com", func(b map[string]any) { grant(b); b["shop_id"] = "shop-roma-prati" })
	var reach struct {
		Customers int `json:"customers"`
	}
	c.Want(c.Do("GET", "/v1/staff/shops/"+milano+"/offers/reach", nil, apptest.Bearer(owner)...), 200).JSON(t, &reach)
	if reach.Customers != 1 {
		t.Fatalf("reach %d, want 1", reach.Customers)
	}
	var pushed struct {
		ID        string `json:"id"`
		Customers int    `json:"customers"`
	}
	c.Want(c.Do("POST", "/v1/staff/shops/"+milano+"/screens/broadcast", map[string]any{"title": "Solo per voi", "text": "-10% questo weekend", "app": true},
		apptest.Bearer(owner)...), 202).JSON(t, &pushed)
	if pushed.Customers != 1 {
		t.Fatalf("sent to %d, want 1", pushed.Customers)
	}
	inbox := func(tok string) []map[string]any {
		var out struct {
			Messages []map[string]any `json:"messages"`
		}
		c.Want(c.Do("GET", "/v1/me/messages", nil, apptest.Bearer(tok)...), 200).JSON(t, &out)
		return out.Messages
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(inbox(yes.Tokens.AccessToken)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the offer never reached the consenting customer's inbox")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := inbox(yes.Tokens.AccessToken)[0]; got["title"] != "Solo per voi" {
		t.Fatalf("inbox entry %v", got)
	}
	if len(inbox(no.Tokens.AccessToken)) != 0 {
		t.Fatal("a customer without marketing consent received the offer")
	}
}

// TestBadOffersChangeNothing: every bound of an offer is checked before
// anything is stored or sent.
func TestBadOffersChangeNothing(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	now := time.Now().UTC()
	for name, body := range map[string]map[string]any{
		"no title":        {"text": "x"},
		"long title":      {"title": strings.Repeat("x", 81)},
		"long text":       {"title": "x", "text": strings.Repeat("x", 281)},
		"ftp image":       {"title": "x", "image_url": "ftp://example.com/a.jpg"},
		"ended":           {"title": "x", "until": now.Add(-time.Hour)},
		"too long":        {"title": "x", "until": now.AddDate(0, 4, 0)},
		"unknown product": {"title": "x", "product_ids": []string{"nope"}},
		"bad weekday":     {"title": "x", "schedule": map[string]any{"weekdays": []string{"lunedì"}}},
		"bad time":        {"title": "x", "schedule": map[string]any{"from": "25:00", "to": "09:00"}},
		"half a window":   {"title": "x", "schedule": map[string]any{"from": "09:00"}},
		"too many items":  {"title": "x", "product_ids": make([]string, 13)},
	} {
		t.Run(name, func(t *testing.T) {
			p := c.Want(c.Do("POST", "/v1/staff/shops/"+milano+"/screens/broadcast", body, apptest.Bearer(owner)...), 422).Problem(t)
			if p["errors"] == nil {
				t.Fatalf("no field errors: %v", p)
			}
		})
	}
	var list struct {
		Offers []any `json:"offers"`
	}
	c.Want(c.Do("GET", "/v1/staff/shops/"+milano+"/offers", nil, apptest.Bearer(owner)...), 200).JSON(t, &list)
	if len(list.Offers) != 0 {
		t.Fatalf("refused offers were stored: %v", list.Offers)
	}
	// Only an owner pushes to the whole chain.
	manager := staff(t, c, "gestore@example.com", core.RoleManager, milano)
	c.Want(c.Do("POST", "/v1/staff/screens/broadcast", map[string]any{"title": "x"}, apptest.Bearer(manager)...), 403)
	c.Want(c.Do("POST", "/v1/staff/screens/broadcast", map[string]any{"title": "Catena"}, apptest.Bearer(owner)...), 202)
}

// TestProofOfPlay: a screen reports what it showed, bounded; staff read it.
func TestProofOfPlay(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	k := c.PairKiosk(owner, milano, "Vetrina")
	now := time.Now().UTC()
	play := func(at time.Time) map[string]any {
		return map[string]any{"item_kind": "offer", "item_id": "o1", "shown_at": at, "seconds": 8}
	}
	c.Want(c.Do("POST", "/kiosk/v1/plays", map[string]any{"showing": "offer:o1", "plays": []any{play(now.Add(-time.Minute)), play(now)}},
		apptest.Bearer(k.Token)...), 202)
	for name, body := range map[string]map[string]any{
		"old":       {"plays": []any{play(now.Add(-25 * time.Hour))}},
		"future":    {"plays": []any{play(now.Add(time.Hour))}},
		"bad kind":  {"plays": []any{map[string]any{"item_kind": "customer", "item_id": "x", "shown_at": now}}},
		"too long":  {"plays": []any{map[string]any{"item_kind": "offer", "item_id": "x", "shown_at": now, "seconds": 3601}}},
		"too many":  {"plays": make([]any, 501)},
		"long show": {"showing": strings.Repeat("x", 101)},
	} {
		t.Run(name, func(t *testing.T) { c.Want(c.Do("POST", "/kiosk/v1/plays", body, apptest.Bearer(k.Token)...), 422) })
	}
	var out struct {
		Plays []struct {
			KioskID string `json:"kiosk_id"`
			ItemID  string `json:"item_id"`
			Seconds int    `json:"seconds"`
		} `json:"plays"`
	}
	c.Want(c.Do("GET", "/v1/staff/shops/"+milano+"/plays", nil, apptest.Bearer(owner)...), 200).JSON(t, &out)
	if len(out.Plays) != 2 || out.Plays[0].KioskID != k.ID || out.Plays[0].ItemID != "o1" || out.Plays[0].Seconds != 8 {
		t.Fatalf("plays %+v", out)
	}
	var ks struct {
		Kiosks []struct{ Showing string } `json:"kiosks"`
	}
	c.Want(c.Do("GET", "/v1/staff/shops/"+milano+"/kiosks", nil, apptest.Bearer(owner)...), 200).JSON(t, &ks)
	if ks.Kiosks[0].Showing != "offer:o1" {
		t.Fatalf("showing %+v", ks)
	}
}

// TestCatalogImport: a file with a bad line stores nothing and names the
// line; asked to skip errors, the good lines are stored, with their stock.
func TestCatalogImport(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	file := "sku;brand;name;category;price;tags;novelty;stock\n" +
		"OK-1;Oakley;Holbrook;sunglasses;129,00;estate|sport;sì;4\n" +
		"BAD-2;Oakley;Frogskins;sunglasses;tanti;;;1\n" +
		"RB-2140-901;Ray-Ban;Wayfarer nuovo nome;sunglasses;149.00;;no;0\n" +
		"BAD-4;Oakley;X;shoes;10;;;\n"
	send := func(query string, want int) map[string]any {
		var out map[string]any
		c.Want(c.Do("POST", "/v1/staff/shops/"+milano+"/catalog/import"+query, file, append(apptest.Bearer(owner), "Content-Type", "text/csv")...), want).JSON(t, &out)
		return out
	}
	res := send("", 422)
	errs := res["errors"].([]any)
	if len(errs) != 2 || errs[0].(map[string]any)["line"].(float64) != 3 || errs[1].(map[string]any)["field"] != "category" {
		t.Fatalf("errors %v", errs)
	}
	if ps, _ := m.Store.ProductsBySKU(t.Context(), []string{"OK-1"}); len(ps) != 0 {
		t.Fatal("a file with errors stored a product")
	}
	res = send("?skip_errors=true", 200)
	if res["products"].(float64) != 2 || res["stock_levels"].(float64) != 2 {
		t.Fatalf("import %v", res)
	}
	ok := product(t, m, "OK-1")
	rb := product(t, m, "RB-2140-901")
	if ok.PriceCents != 12900 || !ok.Novelty || len(ok.Tags) != 2 || rb.Name != "Wayfarer nuovo nome" || rb.PriceCents != 14900 {
		t.Fatalf("stored %+v / %+v", ok, rb)
	}
	var l catalog.Listing
	c.Want(c.Do("GET", "/v1/shops/milano-centro/products/"+rb.ID, nil), 200).JSON(t, &l)
	if l.Reserve {
		t.Fatal("stock 0 from the file left e-reservation on")
	}
	// Excel's CSV in Italy is Windows-1252: read as such, not mojibake.
	latin := "sku;brand;name;category;price\nW-1;Persol;Occhiale \xe8 \x80 perfetto;sunglasses;99\n"
	var w map[string]any
	c.Want(c.Do("POST", "/v1/staff/shops/"+milano+"/catalog/import", latin, append(apptest.Bearer(owner), "Content-Type", "text/csv")...), 200).JSON(t, &w)
	if w["encoding"] != "windows-1252" || product(t, m, "W-1").Name != "Occhiale è € perfetto" {
		t.Fatalf("a Windows-1252 file: %v, name %q", w, product(t, m, "W-1").Name)
	}
	// Something that is not a CSV upload is 415 and stores nothing.
	for _, ct := range []string{"application/json", "image/png", ""} {
		c.Want(c.Do("POST", "/v1/staff/shops/"+milano+"/catalog/import", strings.Replace(file, "OK-1", "NEW-1", 1),
			append(apptest.Bearer(owner), "Content-Type", ct)...), 415).Problem(t)
	}
	if ps, _ := m.Store.ProductsBySKU(t.Context(), []string{"NEW-1"}); len(ps) != 0 {
		t.Fatal("a refused upload stored a product")
	}
	// An assistant cannot import.
	assistant := staff(t, c, "assistente@example.com", core.RoleAssistant, milano)
	c.Want(c.Do("POST", "/v1/staff/shops/"+milano+"/catalog/import", file, append(apptest.Bearer(assistant), "Content-Type", "text/csv")...), 403)
}

// TestPublicProductPage: the page of a QR code, in Italian or English,
// records the touchpoint; an unknown or inactive product is 404.
func TestPublicProductPage(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	rb := product(t, m, "RB-2140-901")
	it := c.Want(c.Do("GET", "/p/milano-centro/"+rb.ID+"?tp=kiosk", nil), 200)
	if !strings.Contains(string(it.Body), "Ottica Vista Milano Centro") || !strings.Contains(string(it.Body), `lang="it"`) {
		t.Fatalf("page %s", it.Body)
	}
	en := c.Want(c.Do("GET", "/p/shop-milano-centro/"+rb.ID+"?lang=en", nil), 200)
	if !strings.Contains(string(en.Body), `lang="en"`) {
		t.Fatal("no English page")
	}
	c.Want(c.Do("GET", "/p/milano-centro/nope", nil), 404)
	c.Want(c.Do("GET", "/p/nowhere/"+rb.ID, nil), 404)
	counts, err := m.Store.CountTouches(t.Context(), milano, time.Now().Add(-time.Hour))
	apptest.Must(t, err)
	if counts["kiosk"] != 1 || counts["web"] != 1 {
		t.Fatalf("touches %v", counts)
	}
	svg := c.Want(c.Do("GET", "/p/milano-centro/"+rb.ID+"/qr.svg", nil), 200)
	if !strings.HasPrefix(string(svg.Body), "<svg") {
		t.Fatalf("qr %s", svg.Body[:40])
	}
	var search struct {
		Products []catalog.Listing `json:"products"`
		Next     string            `json:"next_cursor"`
	}
	c.Want(c.Do("GET", "/v1/shops/milano-centro/products?limit=2", nil), 200).JSON(t, &search)
	if len(search.Products) != 2 || search.Next == "" {
		t.Fatalf("page 1 %+v", search)
	}
	c.Want(c.Do("GET", "/v1/shops/milano-centro/products?limit=2&cursor="+search.Next, nil), 200).JSON(t, &search)
	if len(search.Products) != 2 {
		t.Fatalf("page 2 %+v", search)
	}
	for _, bad := range []string{"?q=" + strings.Repeat("x", 81), "?category=shoes", "?cursor=%%%", "?limit=1000"} {
		c.Want(c.Do("GET", "/v1/shops/milano-centro/products"+bad, nil), 422)
	}
	c.Want(c.Do("GET", "/v1/offers", nil), 422)
	var offers map[string]any
	c.Want(c.Do("GET", "/v1/offers?shop=milano-centro", nil), 200).JSON(t, &offers)
	if len(offers["promoted"].([]any)) != 1 {
		t.Fatalf("the demo's promotion is not among the app's offers: %v", offers)
	}
	_ = json.Valid
}

// TestScheduledOffersAndNoPersonalData: an offer shows on screens only
// within its dates, weekdays and time of day, in the shop's zone; nothing
// a screen receives names a customer.
func TestScheduledOffersAndNoPersonalData(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	clock := apptest.NewClock(time.Date(2026, 12, 4, 8, 30, 0, 0, rome).UTC()) // a Friday morning
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) { m.Clock = clock.Now })
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	k := c.PairKiosk(owner, milano, "Vetrina")
	c.Signup("mario.rossi@example.com", func(b map[string]any) { b["shop_id"] = milano; b["first_name"] = "Mariolino" })
	push := func(title string, schedule map[string]any, starts time.Time) {
		t.Helper()
		c.Want(c.Do("POST", "/v1/staff/shops/"+milano+"/screens/broadcast", map[string]any{"title": title, "schedule": schedule, "starts": starts},
			apptest.Bearer(owner)...), 202)
		// Offers show newest first; two made in one instant have no order.
		clock.Add(time.Second)
	}
	now := clock.Now()
	push("Mattina feriale", map[string]any{"weekdays": []string{"mon", "tue", "wed", "thu", "fri"}, "from": "08:00", "to": "12:00"}, now)
	push("Dopo cena del venerdì", map[string]any{"weekdays": []string{"fri"}, "from": "19:30", "to": "09:00"}, now)
	push("Solo sabato", map[string]any{"weekdays": []string{"sat"}}, now)
	push("Da domani", nil, now.Add(24*time.Hour))
	showing := func() []string {
		t.Helper()
		var ct struct {
			Offers []struct{ Title string } `json:"offers"`
		}
		r := c.Want(c.Do("GET", "/kiosk/v1/content", nil, apptest.Bearer(k.Token)...), 200)
		r.JSON(t, &ct)
		page := c.Want(c.Do("GET", "/kiosk/display", nil, "Cookie", "vista_kiosk="+k.Token), 200)
		for _, body := range [][]byte{r.Body, page.Body} {
			if strings.Contains(string(body), "Mariolino") || strings.Contains(string(body), "mario.rossi") {
				t.Fatal("a screen received a customer's name")
			}
		}
		var out []string
		for _, o := range ct.Offers {
			out = append(out, o.Title)
		}
		return out
	}
	check := func(want ...string) {
		t.Helper()
		got := showing()
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("at %s the screen shows %q, want %q", clock.Now().In(rome).Format("Mon 15:04"), got, want)
		}
	}
	check("Mattina feriale") // Friday 08:30: the after-hours loop of Thursday has ended
	clock.Add(11 * time.Hour)
	check("Dopo cena del venerdì") // Friday 19:30
	clock.Add(13 * time.Hour)      // Saturday 08:30: still Friday's loop; and Saturday's; and tomorrow has come
	check("Da domani", "Solo sabato", "Dopo cena del venerdì")
}
