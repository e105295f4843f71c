package kiosk_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/vista-optical/vista/backend/app"
	"github.com/vista-optical/vista/backend/app/apptest"
)

// TestDisplayInBrowser is the shop's first day with screens, in headless
// Chromium: a display tab is paired with a code from the staff API and
// shows the demo shop's offers with the app's prices; the owner, in a
// second tab, pushes an offer from the console's Offerte page and the
// display shows it without a reload. The server then restarts; the
// display reconnects by itself and shows the offer pushed meanwhile.
func TestDisplayInBrowser(t *testing.T) {
	dir := t.TempDir()
	m := apptest.Boot(t, dir)
	base := apptest.Serve(t, m)
	addr := m.Addr()
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	var code struct {
		Code string `json:"code"`
	}
	c.Want(c.Do("POST", "/v1/staff/shops/"+milano+"/kiosks/pairing-codes", nil, apptest.Bearer(owner)...), 201).JSON(t, &code)

	display := apptest.Browser(t)
	err := apptest.Steps(display,
		chromedp.Navigate(base+"/kiosk"),
		chromedp.WaitVisible(`input[name=code]`),
		chromedp.SendKeys(`input[name=code]`, code.Code),
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

	console, cancel := chromedp.NewContext(display) // a second tab of the same browser
	defer cancel()
	err = apptest.Steps(console,
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
	push := func(title string) {
		t.Helper()
		err := apptest.Steps(console,
			chromedp.Navigate(base+"/console/?shop="+milano),
			chromedp.Click(`#offers-link`), // from the console's home, as staff find it
			chromedp.WaitVisible(`#offer-title`),
			chromedp.SendKeys(`#offer-title`, title),
			chromedp.SendKeys(`#offer-text`, "Solo questa settimana"),
			chromedp.Click(`#offer-send`),
		)
		if err != nil {
			t.Fatal(err)
		}
		apptest.WaitFor(t, console, "#notice", "Offerta inviata")
	}
	push("Saldi d'inverno")
	apptest.WaitFor(t, display, "#slides", "Saldi d'inverno") // no reload: the event stream brought it
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
