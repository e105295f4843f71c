package app

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
)

// chromium finds Debian's Chromium. The test command installs it; a
// developer without it sees the browser tests skipped, and says so.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("VISTA_TEST_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("Chromium is not installed: the test command installs Debian's chromium package")
	}
	t.Skip("browser test skipped: Chromium not found (apt-get install chromium)")
	return ""
}

func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "chrome")),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("accept-lang", "it-IT,it"),
		chromedp.Flag("lang", "it-IT"),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancel3)
	return ctx
}

// TestConsoleLoginInBrowser: the demo owner signs in to the console page in
// a real browser, sees their name and both shops, and a wrong password is
// answered on the page.
func TestConsoleLoginInBrowser(t *testing.T) {
	m := boot(t, t.TempDir())
	base := serve(t, m)
	c := client{t, m}
	s := c.signup("cliente.milano@example.com", func(b map[string]any) { b["shop_id"] = "shop-milano-centro" })
	var sup map[string]any
	c.want(c.do("POST", "/v1/me/lenses", map[string]any{"eye": "both", "brand": "Alcon", "product": "Total30", "modality": "monthly",
		"boxes": 1, "lenses_per_box": 2, "start_date": "2026-11-01"}, bearer(s.Tokens.AccessToken)...), 201).json(t, &sup)
	c.want(c.do("POST", "/v1/me/lenses/"+sup["id"].(string)+"/reorder", map[string]string{"note": "ritiro sabato mattina"},
		bearer(s.Tokens.AccessToken)...), 201)
	ctx := browser(t)

	err := steps(ctx,
		chromedp.Navigate(base+"/console/"), // not signed in: sent to the login page
		chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, "titolare@ottica-vista.demo"),
		chromedp.SendKeys(`#password`, "wrong password"),
		chromedp.Submit(`#login`),
	)
	if err != nil {
		t.Fatal(err)
	}
	errText := waitText(t, ctx, ".error")
	if !strings.Contains(errText, "non corretti") {
		t.Fatalf("wrong password message = %q", errText)
	}

	err = steps(ctx,
		chromedp.SendKeys(`#password`, m.Owner.Password),
		chromedp.Submit(`#login`),
	)
	if err != nil {
		t.Fatal(err)
	}
	who := waitText(t, ctx, "#who")
	body, err := chromedp.Run(ctx, chromedp.Text(`body`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(who, "Olga Ferri") || !strings.Contains(who, "titolare") {
		t.Fatalf("header after login = %q", who)
	}
	for _, want := range []string{"Milano Centro", "Roma Prati", "Giulia Rossi", "Richieste di riordino", "ritiro sabato mattina"} {
		if !strings.Contains(body, want) {
			t.Errorf("console home lacks %q", want)
		}
	}
	if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(filepath.Join(os.TempDir(), "vista-console.png"), shot, 0o644)
	}

	// Fifty newer requests push the customer's out of the first page; the
	// link to the next page shows it again.
	for i := range 50 {
		must(t, m.Store.CreateReservation(context.Background(), &catalog.Reservation{ID: core.NewID(), CustomerID: s.Customer.ID,
			ShopID: "shop-milano-centro", Kind: "lens_reorder", Status: "requested", Note: fmt.Sprintf("richiesta %d", i), CreatedAt: time.Now()}))
	}
	if err := steps(ctx, chromedp.Navigate(base+"/console/?shop=shop-milano-centro"), chromedp.WaitVisible(`#reservations-pages a.next`)); err != nil {
		t.Fatal(err)
	}
	if body, _ := chromedp.Run(ctx, chromedp.Text(`#reservations`)); strings.Contains(body, "ritiro sabato mattina") {
		t.Fatal("the oldest request is still on the first page")
	}
	if err := steps(ctx, chromedp.Click(`#reservations-pages a.next`), chromedp.WaitVisible(`#reservations-pages a:not(.next)`)); err != nil {
		t.Fatal(err)
	}
	if body, _ := chromedp.Run(ctx, chromedp.Text(`#reservations`)); !strings.Contains(body, "ritiro sabato mattina") {
		t.Fatalf("the next page does not show the oldest request: %q", body)
	}

	// Signing out ends the console session.
	if err := steps(ctx, chromedp.Click(`header form button`)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "h1")
	err = steps(ctx,
		chromedp.Navigate(base+"/console/"),
		chromedp.WaitVisible(`#email`),
	)
	if err != nil {
		t.Fatal(err)
	}
	url, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(url, "/console/login") {
		t.Fatalf("after sign-out /console/ went to %s", url)
	}
}

// steps runs browser actions one after the other.
func steps(ctx context.Context, actions ...chromedp.Action[chromedp.Void]) error {
	for _, a := range actions {
		if _, err := chromedp.Run(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

// waitText polls the page until an element matching sel has text, across
// the navigation a form submission causes, and returns that text.
func waitText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	expr := `(function(){var e=document.querySelector(` + "`" + sel + "`" + `);return e?e.innerText:""})()`
	for range 80 {
		if s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr)); err == nil && strings.TrimSpace(s) != "" {
			return s
		}
		_, _ = chromedp.Run(ctx, chromedp.Sleep(250*time.Millisecond))
	}
	t.Fatalf("no text in %s after 20 s", sel)
	return ""
}
