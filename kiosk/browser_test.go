package kiosk_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vista-optical/vista/backend/app"
	"github.com/vista-optical/vista/backend/app/apptest"
)

// TestDisplayInBrowser is the shop's first day with screens, in headless
// Chromium: the owner creates a pairing code in the console, a second tab
// opens /kiosk, pairs with it and shows the demo shop's offers with the
// app's prices; the owner pushes an offer from the console's Offerte page
// (previewing how many app customers it reaches) and the display shows it
// without a reload, and the consenting customer's inbox holds it. The
// server then restarts; the display reconnects by itself and shows the
// offer pushed meanwhile. (The staff API's pairing codes are exercised by
// the HTTP tests.)
func TestDisplayInBrowser(t *testing.T) {
	dir := t.TempDir()
	m := apptest.Boot(t, dir)
	base := apptest.Serve(t, m)
	addr := m.Addr()
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	// The owner signs in to the console and creates a pairing code on the
	// Offerte page.
	browser := apptest.Browser(t)
	if _, err := chromedp.Run(browser, chromedp.Navigate("about:blank")); err != nil { // start the browser before its second tab
		t.Fatal(err)
	}
	console, cancel := chromedp.NewContext(browser) // a tab of its own
	defer cancel()
	err := apptest.Steps(console,
		chromedp.Navigate(base+"/console/login"),
		chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, "titolare@ottica-vista.demo"),
		chromedp.SendKeys(`#password`, m.Owner.Password),
		chromedp.Submit(`#login`),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.WaitText(t, console, "#who")
	if err := apptest.Steps(console, chromedp.Navigate(base+"/console/offers?shop="+milano), chromedp.Click(`#pairing-code`)); err != nil {
		t.Fatal(err)
	}
	code := apptest.WaitText(t, console, "#code-value")

	// A second tab becomes the shop's display with it.
	display := browser
	err = apptest.Steps(display,
		chromedp.Navigate(base+"/kiosk"),
		chromedp.WaitVisible(`input[name=code]`),
		chromedp.SendKeys(`input[name=code]`, code),
		chromedp.SendKeys(`input[name=label]`, "Vetrina"),
		chromedp.Click(`button[type=submit]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The demo's promotion: Acuvue Oasys at 27,96 € on the screen, as in the app.
	apptest.WaitFor(t, display, "#slides .promoted", "27,96 €")
	oasys := product(t, m, "AC-OASYS-1D-30")
	var inApp struct {
		Price struct {
			PriceCents int64 `json:"price_cents"`
		} `json:"price"`
	}
	c.Want(c.Do("GET", "/v1/shops/milano-centro/products/"+oasys.ID, nil), 200).JSON(t, &inApp)
	if euro(inApp.Price.PriceCents) != "27,96 €" {
		t.Fatalf("the app says %d cents", inApp.Price.PriceCents)
	}

	// The first offer also goes to the app: the preview tells how many
	// consenting customers it reaches, and it lands in their inbox.
	customer := c.Signup("cliente@example.com", func(b map[string]any) {
		b["shop_id"] = milano
		b["consents"] = []map[string]any{{"channel": "push", "purpose": "marketing", "granted": true}}
		b["text_version"] = "marketing-it-v3"
	})
	err = apptest.Steps(console,
		chromedp.Navigate(base+"/console/?shop="+milano),
		chromedp.Click(`#offers-link`),
		chromedp.WaitVisible(`#offer-title`),
		chromedp.SendKeys(`#offer-title`, "Saldi d'inverno"),
		chromedp.SendKeys(`#offer-text`, "Solo questa settimana"),
		chromedp.Click(`#offer-app`),
		chromedp.Click(`#offer-preview`),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.WaitFor(t, console, "#reach", ": 1")
	if err := apptest.Steps(console, chromedp.Click(`#offer-send`)); err != nil {
		t.Fatal(err)
	}
	apptest.WaitFor(t, console, "#notice", "e a 1 cliente.")
	apptest.WaitFor(t, display, "#slides .slide.active", "Saldi d'inverno") // no reload: the event stream brought it, shown first
	// and it stays a full slide (8 s): the carousel's clock starts again.
	for until := time.Now().Add(7 * time.Second); time.Now().Before(until); time.Sleep(250 * time.Millisecond) {
		active, err := chromedp.Run(display, chromedp.Evaluate[string](`document.querySelector("#slides .slide.active").innerText`))
		if err != nil || !strings.Contains(active, "Saldi d'inverno") {
			t.Fatalf("the pushed offer gave way to %q before a full slide (%v)", active, err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var inbox struct {
			Messages []struct{ Title string } `json:"messages"`
		}
		c.Want(c.Do("GET", "/v1/me/messages", nil, apptest.Bearer(customer.Tokens.AccessToken)...), 200).JSON(t, &inbox)
		if len(inbox.Messages) == 1 && inbox.Messages[0].Title == "Saldi d'inverno" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the offer is not in the customer's inbox: %+v", inbox)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got, err := chromedp.Run(console, chromedp.Value(`#screens tr.kiosk input[name=label]`)); err != nil || got != "Vetrina" {
		t.Fatalf("the console's screens list lacks the display: %q (%v)", got, err)
	}
	if shot, err := chromedp.Run(display, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(filepath.Join(os.TempDir(), "vista-display.png"), shot, 0o644)
	}

	// The server restarts on the same address and data; an offer is
	// pushed before the display has reconnected.
	apptest.Must(t, m.Close())
	m2 := apptest.Boot(t, dir, func(m *app.Main) { m.Config.HTTPAddr = addr })
	apptest.Serve(t, m2)
	c2 := apptest.Client{T: t, M: m2}
	c2.Want(c2.Do("POST", "/v1/staff/shops/"+milano+"/screens/broadcast", map[string]any{"title": "Dopo il riavvio"},
		apptest.Bearer(owner)...), 202) // the session and signing keys live in the data folder
	apptest.WaitFor(t, display, "#slides", "Dopo il riavvio")
	apptest.WaitFor(t, display, "#slides", "Saldi d'inverno") // and still the earlier one
}
