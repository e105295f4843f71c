package kiosk_test

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/vista-optical/vista/backend/app/apptest"
)

// TestVisitLinkInBrowser is the phygital link as a shopper lives it, in
// headless Chromium: a paired display shows a QR code; the test reads the
// code from the page's pixels (a screenshot of the element, decoded with
// gozxing), and a signed-up customer who allows greetings resolves and
// claims it through the API. The console's check-in page, open before,
// lists them without a reload; the display greets them by first name and
// shows a new code.
func TestVisitLinkInBrowser(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	base := apptest.Serve(t, m)
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	var code struct {
		Code string `json:"code"`
	}
	c.Want(c.Do("POST", "/v1/staff/shops/"+milano+"/kiosks/pairing-codes", nil, apptest.Bearer(owner)...), 201).JSON(t, &code)
	s := c.Signup("giulia.bianchi@example.com", func(b map[string]any) { b["first_name"] = "Giulietta" })
	tok := apptest.Bearer(s.Tokens.AccessToken)
	c.Want(c.Do("PUT", "/v1/me/visit-settings", map[string]any{"greet_on_screens": true}, tok...), 200)

	browser := apptest.Browser(t)
	err := apptest.Steps(browser,
		chromedp.Navigate(base+"/kiosk"),
		chromedp.WaitVisible(`input[name=code]`),
		chromedp.SendKeys(`input[name=code]`, code.Code),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`#visit-qr img`),
	)
	if err != nil {
		t.Fatal(err)
	}
	read := func() string {
		t.Helper()
		for range 40 {
			shot, err := chromedp.Run(browser, chromedp.Screenshot(`#visit-qr img`))
			if err == nil {
				if img, err := png.Decode(bytes.NewReader(shot)); err == nil {
					bmp, _ := gozxing.NewBinaryBitmapFromImage(img)
					if res, err := qrcode.NewQRCodeReader().Decode(bmp, nil); err == nil {
						return res.GetText()
					}
				}
			}
			_, _ = chromedp.Run(browser, chromedp.Sleep(250*time.Millisecond))
		}
		t.Fatal("no readable QR code on the display")
		return ""
	}
	url := read()
	prefix := base + "/q/"
	if !strings.HasPrefix(url, prefix) {
		t.Fatalf("the QR holds %q, want %s<token>", url, prefix)
	}
	token := strings.TrimPrefix(url, prefix)
	var res struct {
		Shop struct{ Name string } `json:"shop"`
	}
	c.Want(c.Do("POST", "/v1/visits/resolve", map[string]string{"token": token}, tok...), 200).JSON(t, &res)
	if res.Shop.Name != "Ottica Vista Milano Centro" {
		t.Fatalf("resolved %+v", res)
	}
	console, cancel := chromedp.NewContext(browser)
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
	if err := apptest.Steps(console, chromedp.Navigate(base+"/console/checkins?shop="+milano)); err != nil {
		t.Fatal(err)
	}
	apptest.WaitFor(t, console, "#checkins", "Nessun cliente") // the page is open before the claim

	c.Want(c.Do("POST", "/v1/visits/claim", map[string]string{"token": token}, tok...), 200)
	apptest.WaitFor(t, console, "#checkins", "Giulietta") // live: no reload
	apptest.WaitFor(t, browser, "#greeting", "Ciao, Giulietta!")
	for range 40 { // and a fresh code replaces the claimed one
		if read() != url {
			break
		}
		_, _ = chromedp.Run(browser, chromedp.Sleep(250*time.Millisecond))
	}
	if read() == url {
		t.Fatal("the display still shows the claimed code")
	}

}
