package kiosk_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/vista-optical/vista/backend/app/apptest"
)

// logoPNG is a transparent logo: a bar and a dot, as a chain's mark.
func logoPNG(t *testing.T) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 600, 160))
	for y := 50; y < 110; y++ {
		for x := 20; x < 580; x++ {
			if x < 420 || (x-500)*(x-500)+(y-80)*(y-80) < 900 {
				img.Set(x, y, color.NRGBA{255, 255, 255, 255})
			}
		}
	}
	var b bytes.Buffer
	apptest.Must(t, png.Encode(&b, img))
	return b.Bytes()
}

// TestWindowDisplayInBrowser is a window display in headless Chromium: the
// owner sets the chain's colours and logo in the console, a screen is
// paired as a window, and shows the demo products with their pictures in
// large type, the promotion's price by the one engine, in landscape and in
// portrait; with nothing to show it still shows the shop, open or not
// today. A screenshot of each is kept in $TMPDIR.
func TestWindowDisplayInBrowser(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	base := apptest.Serve(t, m)
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	c.Want(c.Do("PUT", "/v1/staff/chain", map[string]any{"name": "Ottica Vista", "default_locale": "it", "colour": "#12355b", "accent": "#ffc857"},
		apptest.Bearer(owner)...), 200)
	c.Want(c.Do("PUT", "/v1/staff/chain/logo", logoPNG(t), append(apptest.Bearer(owner), "Content-Type", "image/png")...), 200)
	var code struct {
		Code string `json:"code"`
	}
	c.Want(c.Do("POST", "/v1/staff/shops/"+milano+"/kiosks/pairing-codes", nil, apptest.Bearer(owner)...), 201).JSON(t, &code)

	b := apptest.Browser(t)
	err := apptest.Steps(b,
		chromedp.EmulateViewport(1920, 1080),
		chromedp.Navigate(base+"/kiosk"),
		chromedp.WaitVisible(`input[name=code]`),
		chromedp.SendKeys(`input[name=code]`, code.Code),
		chromedp.SendKeys(`input[name=label]`, "Vetrina su via Torino"),
		chromedp.SetValue(`select[name=layout]`, "window"),
		chromedp.Click(`button[type=submit]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.WaitFor(t, b, "#slides .slide.active", "€")
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(b, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(b, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		_ = os.WriteFile(filepath.Join(os.TempDir(), name), png, 0o644)
	}
	loaded := `(function(){var i=document.querySelectorAll("img");for(var k=0;k<i.length;k++){if(i[k].offsetParent&&!(i[k].complete&&i[k].naturalWidth>0))return false}return true})()`
	settle := func() {
		t.Helper()
		for i := 0; i < 100 && eval(`String(`+loaded+`)`) != "true"; i++ {
			chromedp.Run(b, chromedp.Sleep(100e6))
		}
	}

	// Landscape: the chain's colours, its logo, a product's picture beside
	// its price in type large enough for the street.
	settle()
	if bg := eval(`getComputedStyle(document.body).backgroundColor`); bg != "rgb(18, 53, 91)" {
		t.Fatalf("background %s, want the chain's colour", bg)
	}
	if eval(`String(document.querySelector("header .logo").naturalWidth > 0)`) != "true" {
		t.Fatal("the chain's logo is not shown")
	}
	if eval(`String(document.querySelector("#slides .slide.active .picture img").naturalWidth > 0)`) != "true" {
		t.Fatal("the active slide shows no product picture")
	}
	// At 1080 pixels high, 100 pixels is about 9 cm on a 55" screen.
	px := eval(`getComputedStyle(document.querySelector("#slides .slide.active .price b")).fontSize`)
	if size, err := strconv.ParseFloat(strings.TrimSuffix(px, "px"), 64); err != nil || size < 100 {
		t.Fatalf("the price is %s high: too small to read from three metres", px)
	}
	side := eval(`(function(){var a=document.querySelector("#slides .slide.active .picture").getBoundingClientRect(),b=document.querySelector("#slides .slide.active .copy").getBoundingClientRect();return a.right<=b.left?"beside":"not beside"})()`)
	if side != "beside" {
		t.Fatalf("landscape: the picture is %s the text", side)
	}
	// The promotion's slide: the app's price, struck list price and all.
	if promo := eval(`document.querySelector('#slides .slide[data-kind="promotion"]').textContent`); !strings.Contains(promo, "27,96 €") || !strings.Contains(promo, "32,90 €") {
		t.Fatalf("promotion slide %q", promo)
	}
	if qr := eval(`document.querySelector('#slides .slide[data-kind="promotion"] .qr img').getAttribute("src")`); !strings.HasSuffix(qr, "/qr.svg?tp=window") {
		t.Fatalf("the window's QR %q is not counted as the window's", qr)
	}
	shot("vista-window-landscape.png")

	// Portrait: the picture above the text.
	if err := apptest.Steps(b, chromedp.EmulateViewport(1080, 1920), chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	apptest.WaitFor(t, b, "#slides .slide.active", "€")
	settle()
	above := eval(`(function(){var a=document.querySelector("#slides .slide.active .picture").getBoundingClientRect(),b=document.querySelector("#slides .slide.active .copy").getBoundingClientRect();return a.bottom<=b.top+1?"above":"not above"})()`)
	if above != "above" {
		t.Fatalf("portrait: the picture is %s the text", above)
	}
	shot("vista-window-portrait.png")

	// Nothing to show: no promotion, no novelty, no offer. The window
	// still shows the shop, its address and today's hours, in its colours.
	var promos struct {
		Promotions []struct {
			ID string `json:"id"`
		} `json:"promotions"`
	}
	c.Want(c.Do("GET", "/v1/staff/promotions", nil, apptest.Bearer(owner)...), 200).JSON(t, &promos)
	for _, p := range promos.Promotions {
		c.Want(c.Do("DELETE", "/v1/staff/promotions/"+p.ID, nil, apptest.Bearer(owner)...), 204)
	}
	for _, sku := range []string{"AL-TOTAL30-6", "RB-2140-901", "PE-PO3007V"} {
		p := product(t, m, sku)
		c.Want(c.Do("POST", "/v1/staff/products", map[string]any{"sku": p.SKU, "brand": p.Brand, "name": p.Name, "category": p.Category,
			"price_cents": p.PriceCents, "novelty": false}, apptest.Bearer(owner)...), 200)
	}
	if err := apptest.Steps(b, chromedp.EmulateViewport(1920, 1080), chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	empty := apptest.WaitFor(t, b, "#slides .slide.empty.active", "Ottica Vista Milano Centro")
	if !strings.Contains(empty, "Via Torino 21") || !strings.Contains(empty, "Oggi") {
		t.Fatalf("the empty window says %q", empty)
	}
	if bg := eval(`getComputedStyle(document.body).backgroundColor`); bg != "rgb(18, 53, 91)" {
		t.Fatalf("empty window background %s", bg)
	}
	if v := eval(`getComputedStyle(document.querySelector('.brand')).visibility`); v != "hidden" {
		t.Fatalf("the empty window shows its header too (logo and hours twice): visibility %s", v)
	}
	settle()
	shot("vista-window-empty.png")
}
