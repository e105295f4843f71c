package mobileapi_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vista-optical/vista/backend/app"
	"github.com/vista-optical/vista/backend/app/apptest"
)

// form posts a form to the app and returns the status, the Location and
// the body.
func form(t *testing.T, m *app.Main, path string, v url.Values) (int, string, string) {
	t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := m.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

var hrefs = regexp.MustCompile(`href="([^"]+)"`)

// link returns the first link of page whose address holds part.
func link(t *testing.T, page, part string) string {
	t.Helper()
	for _, m := range hrefs.FindAllStringSubmatch(page, -1) {
		if u := strings.ReplaceAll(m[1], "&amp;", "&"); strings.Contains(u, part) {
			return u
		}
	}
	t.Fatalf("no link with %q in the page:\n%s", part, page)
	return ""
}

// TestBookingPageWithoutScript walks /prenota/{slug} as plain HTML, the
// way a phone without JavaScript would: a service, a day, a slot, the
// form; the source and campaign of the first address are kept to the
// booking; a second person sending the same slot is told it was just
// taken; the confirmation page has the .ics and cancels.
func TestBookingPageWithoutScript(t *testing.T) {
	m, c, _ := bootAgenda(t)
	start := "/prenota/milano-centro?src=instagram&utm_campaign=bio"
	page := string(c.Want(c.Do("GET", start, nil), 200).Body)
	if !strings.Contains(page, `lang="it"`) || !strings.Contains(page, "Esame della vista") || !strings.Contains(page, "Ottica Vista Milano Centro") ||
		!strings.Contains(page, `<a href="tel:&#43;390212345678">&#43;39 02 1234 5678</a>`) {
		t.Fatalf("services page: %s", page)
	}
	svc := link(t, page, "service="+exam)
	if !strings.Contains(svc, "src=instagram") || !strings.Contains(svc, "utm_campaign=bio") {
		t.Fatalf("the touchpoint is not carried: %s", svc)
	}
	page = string(c.Want(c.Do("GET", "/prenota/milano-centro"+svc, nil), 200).Body)
	day := link(t, page, "day=2026-12-01")
	_ = link(t, page, "day=2026-12-03")
	page = string(c.Want(c.Do("GET", "/prenota/milano-centro"+day, nil), 200).Body)
	if !strings.Contains(page, `value="2026-12-01T10:00:00&#43;01:00"`) || strings.Contains(page, `value="2026-12-01T09:30:00&#43;01:00"`) {
		t.Fatalf("Tuesday's slots (two hours' notice from 08:00): %s", page)
	}
	fields := url.Values{"service": {exam}, "day": {"2026-12-03"}, "slot": {"2026-12-03T10:00:00+01:00"}, "name": {"Giulia Neri"},
		"phone": {"333 123 4567"}, "consent": {"on"}, "key": {"k-1"}, "src": {"instagram"}, "utm_campaign": {"bio"}}
	status, loc, body := form(t, m, "/prenota/milano-centro", fields)
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/prenota/b/") {
		t.Fatalf("submit: %d %s %s", status, loc, body)
	}
	// The same form sent twice (a double tap) is one booking.
	if status, loc2, _ := form(t, m, "/prenota/milano-centro", fields); status != http.StatusSeeOther || loc2 != loc {
		t.Fatalf("resubmit: %d %s, want the same confirmation %s", status, loc2, loc)
	}
	conf := string(c.Want(c.Do("GET", loc, nil), 200).Body)
	if !strings.Contains(conf, "Prenotazione confermata") || !strings.Contains(conf, "giovedì 03/12 alle 10:00") || !strings.Contains(conf, ".ics") {
		t.Fatalf("confirmation: %s", conf)
	}
	ics := c.Want(c.Do("GET", link(t, conf, "calendar.ics"), nil), 200)
	if ics.Header.Get("Content-Type") != "text/calendar; charset=utf-8" || !strings.Contains(string(ics.Body), "SUMMARY:Esame della vista") {
		t.Fatalf("ics: %v %s", ics.Header, ics.Body)
	}

	// Someone else, a moment later, on the same slot.
	other := url.Values{"service": {exam}, "day": {"2026-12-03"}, "slot": {"2026-12-03T10:00:00+01:00"}, "name": {"Paolo Verdi"},
		"email": {"paolo@example.com"}, "consent": {"on"}, "key": {"k-2"}, "src": {"facebook"}}
	status, _, body = form(t, m, "/prenota/milano-centro", other)
	if status != http.StatusConflict || !strings.Contains(body, "appena stato preso") || strings.Contains(body, `value="2026-12-01T10:00:00&#43;01:00"`) {
		t.Fatalf("same slot again: %d %s", status, body)
	}
	if !strings.Contains(body, `value="Paolo Verdi"`) {
		t.Fatal("the form lost what the second person typed")
	}
	status, _, body = form(t, m, "/prenota/milano-centro", url.Values{"service": {exam}, "day": {"2026-12-01"}, "slot": {"2026-12-01T10:45:00+01:00"},
		"name": {"Senza Consenso"}, "email": {"x@example.com"}, "key": {"k-3"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "guest.consent") {
		t.Fatalf("no consent: %d %s", status, body)
	}
	status, _, body = form(t, m, "/prenota/milano-centro", url.Values{"service": {exam}, "slot": {"2026-12-01T10:45:00+01:00"}, "name": {"X"},
		"phone": {"12"}, "consent": {"on"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "non è valido") {
		t.Fatalf("bad phone: %d %s", status, body)
	}

	owner := apptest.OwnerLogin(t, m)
	var agenda struct{ Bookings []bookedView }
	c.Want(c.Do("GET", "/v1/staff/shops/"+milano+"/agenda?from=2026-12-03", nil, apptest.Bearer(owner)...), 200).JSON(t, &agenda)
	if len(agenda.Bookings) != 1 || agenda.Bookings[0].Source != "instagram" || agenda.Bookings[0].UTM["utm_campaign"] != "bio" ||
		!strings.Contains(agenda.Bookings[0].Who, "+39 333 123 4567") {
		t.Fatalf("agenda %+v", agenda.Bookings)
	}

	// The first press asks; only the second cancels.
	status, _, conf = form(t, m, loc+"/annulla", url.Values{})
	if status != 200 || !strings.Contains(conf, "Vuoi davvero annullare") || !strings.Contains(conf, `name="sure" value="1"`) ||
		!strings.Contains(conf, "Prenotazione confermata") {
		t.Fatalf("cancel without confirming: %d %s", status, conf)
	}
	if conf = string(c.Want(c.Do("GET", loc, nil), 200).Body); !strings.Contains(conf, "Prenotazione confermata") {
		t.Fatalf("asking cancelled the booking: %s", conf)
	}
	status, _, conf = form(t, m, loc+"/annulla", url.Values{"sure": {"1"}})
	if status != 200 || !strings.Contains(conf, "Prenotazione annullata") {
		t.Fatalf("cancel: %d %s", status, conf)
	}
	// Within the cut-off the page offers a call instead of a button.
	var today bookedView
	c.Want(c.Do("POST", "/v1/public/shops/milano-centro/bookings", guest(9, at("2026-12-01 12:00"))), 201).JSON(t, &today)
	conf = string(c.Want(c.Do("GET", "/prenota/b/"+today.ManageToken, nil), 200).Body)
	if strings.Contains(conf, `id="cancel"`) || !strings.Contains(conf, "chiama il negozio") {
		t.Fatalf("confirmation within the cut-off: %s", conf)
	}
	status, _, conf = form(t, m, "/prenota/b/"+today.ManageToken+"/annulla", url.Values{"sure": {"1"}})
	if status != 422 || !strings.Contains(conf, "Non è più possibile annullare") {
		t.Fatalf("cancel within the cut-off: %d %s", status, conf)
	}
	c.Want(c.Do("GET", "/prenota/b/bk-nope.AAAA", nil), 401)
	en := string(c.Want(c.Do("GET", "/prenota/milano-centro?lang=en", nil), 200).Body)
	if !strings.Contains(en, `lang="en"`) || !strings.Contains(en, "Eye exam") {
		t.Fatalf("English page: %s", en)
	}
	if h := c.Do("GET", "/prenota/milano-centro", nil).Header; !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Fatalf("the page can be framed without embed: %v", h)
	}
	emb := c.Want(c.Do("GET", "/prenota/milano-centro?embed=1&src=website", nil), 200).Header
	if !strings.Contains(emb.Get("Content-Security-Policy"), "frame-ancestors *") || !strings.Contains(emb.Get("Content-Security-Policy"), "default-src 'self'") ||
		emb.Get("X-Frame-Options") != "" {
		t.Fatalf("the embedded page cannot be framed: %v", emb)
	}
	js := c.Want(c.Do("GET", "/prenota/milano-centro/widget.js", nil), 200)
	if js.Header.Get("Cross-Origin-Resource-Policy") != "cross-origin" {
		t.Fatalf("other sites cannot load the widget: %v", js.Header)
	}
	if !strings.Contains(string(js.Body), `"/prenota/milano-centro"`) || !strings.Contains(string(js.Body), "utm_") {
		t.Fatalf("widget: %s", js.Body)
	}
	c.Want(c.Do("GET", "/prenota/nope", nil), 404)
	var w struct {
		Script string            `json:"script"`
		Links  map[string]string `json:"links"`
	}
	c.Want(c.Do("GET", "/v1/staff/shops/"+milano+"/booking-widget", nil, apptest.Bearer(owner)...), 200).JSON(t, &w)
	if !strings.Contains(w.Script, "/prenota/milano-centro/widget.js") || !strings.HasSuffix(w.Links["instagram"], "/prenota/milano-centro?src=instagram") {
		t.Fatalf("widget snippets %+v", w)
	}
	cp := string(c.Want(c.Do("GET", "/console/agenda?shop="+milano+"&day=2026-12-03", nil, "Cookie", "vista_staff="+owner), 200).Body)
	if !strings.Contains(cp, "widget.js") || !strings.Contains(cp, "Giulia Neri") || !strings.Contains(cp, "Agenda · giovedì 3 dicembre") {
		t.Fatalf("console agenda page: %s", cp)
	}
}

// TestBookingPageInBrowser books a slot through /prenota/{slug} in
// headless Chromium, as a guest coming from Instagram, and finds it in
// the staff agenda API with its source; a second visitor who had the
// same slot on screen is told it was just taken.
func TestBookingPageInBrowser(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	base := apptest.Serve(t, m)
	c := apptest.Client{T: t, M: m}
	browser := apptest.Browser(t)
	err := apptest.Steps(browser,
		chromedp.Navigate(base+"/prenota/milano-centro?src=instagram&utm_campaign=bio"),
		chromedp.Click(`#services a[href*="svc-eye-exam"]`),
		chromedp.WaitVisible(`#days a`),
		chromedp.Click(`#days a`),
		chromedp.WaitVisible(`#slots input`),
	)
	if err != nil {
		t.Fatal(err)
	}
	dayURL, err := chromedp.Run(browser, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	slot, err := chromedp.Run(browser, chromedp.Evaluate[string](`document.querySelector("#slots input").value`))
	if err != nil || slot == "" {
		t.Fatalf("first slot: %q %v", slot, err)
	}
	second, cancel := chromedp.NewContext(browser)
	defer cancel()
	if err := apptest.Steps(second, chromedp.Navigate(dayURL), chromedp.WaitVisible(`#slots input`)); err != nil {
		t.Fatal(err)
	}
	fill := func(name, email string) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{
			chromedp.Click(`#slots input[value="` + slot + `"]`),
			chromedp.SendKeys(`input[name=name]`, name),
			chromedp.SendKeys(`input[name=email]`, email),
			chromedp.Click(`input[name=consent]`),
			chromedp.Click(`#confirm`),
		}
	}
	if err := apptest.Steps(browser, fill("Giulia Neri", "giulia.neri@example.com")...); err != nil {
		t.Fatal(err)
	}
	if got := apptest.WaitFor(t, browser, `#status`, "Prenotazione confermata"); got == "" {
		t.Fatal("no confirmation")
	}
	if err := apptest.Steps(second, fill("Paolo Verdi", "paolo.verdi@example.com")...); err != nil {
		t.Fatal(err)
	}
	apptest.WaitFor(t, second, `#problem`, "appena stato preso")

	start, err := time.Parse(time.RFC3339, slot)
	apptest.Must(t, err)
	owner := apptest.OwnerLogin(t, m)
	var agenda struct{ Bookings []bookedView }
	day := start.In(rome).Format(time.DateOnly)
	c.Want(c.Do("GET", "/v1/staff/shops/"+milano+"/agenda?from="+day+"&to="+day, nil, apptest.Bearer(owner)...), 200).JSON(t, &agenda)
	if len(agenda.Bookings) != 1 || agenda.Bookings[0].Source != "instagram" || !agenda.Bookings[0].Start.Equal(start) ||
		agenda.Bookings[0].UTM["utm_campaign"] != "bio" {
		t.Fatalf("agenda %+v", agenda.Bookings)
	}
	if free(slots(c, "milano-centro", exam, day, day), start) {
		t.Fatal("the booked slot is still offered")
	}

	// The widget on a shop's own website (another origin) embeds the page
	// with the touchpoint and the host page's campaign.
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><h1>Ottica Vista</h1><script src="`+base+`/prenota/milano-centro/widget.js" async></script>`)
	}))
	defer site.Close()
	host, cancelHost := chromedp.NewContext(browser)
	defer cancelHost()
	if err := apptest.Steps(host, chromedp.Navigate(site.URL+"/?utm_source=newsletter&utm_campaign=dicembre"), chromedp.WaitReady(`iframe`)); err != nil {
		t.Fatal(err)
	}
	src, err := chromedp.Run(host, chromedp.Evaluate[string](`document.querySelector("iframe").src`))
	apptest.Must(t, err)
	if !strings.HasPrefix(src, base+"/prenota/milano-centro?") || !strings.Contains(src, "src=website") || !strings.Contains(src, "utm_campaign=dicembre") || !strings.Contains(src, "embed=1") {
		t.Fatalf("widget iframe src %q", src)
	}
	// That other sites may frame it is the headers' part: TestBookingPageWithoutScript.
}
