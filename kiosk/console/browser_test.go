package console_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vista-optical/vista/backend/app/apptest"
	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
)

// TestConsoleLoginInBrowser: the demo owner signs in to the console page in
// a real browser, sees their name and both shops, and a wrong password is
// answered on the page.
func TestConsoleLoginInBrowser(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	base := apptest.Serve(t, m)
	c := apptest.Client{T: t, M: m}
	s := c.Signup("cliente.milano@example.com", func(b map[string]any) { b["shop_id"] = "shop-milano-centro" })
	var sup map[string]any
	c.Want(c.Do("POST", "/v1/me/lenses", map[string]any{"eye": "both", "brand": "Alcon", "product": "Total30", "modality": "monthly",
		"boxes": 1, "lenses_per_box": 2, "start_date": "2026-11-01"}, apptest.Bearer(s.Tokens.AccessToken)...), 201).JSON(t, &sup)
	c.Want(c.Do("POST", "/v1/me/lenses/"+sup["id"].(string)+"/reorder", map[string]string{"note": "ritiro sabato mattina"},
		apptest.Bearer(s.Tokens.AccessToken)...), 201)
	ctx := apptest.Browser(t)

	err := apptest.Steps(ctx,
		chromedp.Navigate(base+"/console/"), // not signed in: sent to the login page
		chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, "titolare@ottica-vista.demo"),
		chromedp.SendKeys(`#password`, "wrong password"),
		chromedp.Submit(`#login`),
	)
	if err != nil {
		t.Fatal(err)
	}
	errText := apptest.WaitText(t, ctx, ".error")
	if !strings.Contains(errText, "non corretti") {
		t.Fatalf("wrong password message = %q", errText)
	}

	err = apptest.Steps(ctx,
		chromedp.SendKeys(`#password`, m.Owner.Password),
		chromedp.Submit(`#login`),
	)
	if err != nil {
		t.Fatal(err)
	}
	who := apptest.WaitText(t, ctx, "#who")
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
		apptest.Must(t, m.Store.CreateReservation(context.Background(), &catalog.Reservation{ID: core.NewID(), CustomerID: s.Customer.ID,
			ShopID: "shop-milano-centro", Kind: "lens_reorder", Status: "requested", Note: fmt.Sprintf("richiesta %d", i), CreatedAt: time.Now()}))
	}
	if err := apptest.Steps(ctx, chromedp.Navigate(base+"/console/?shop=shop-milano-centro"), chromedp.WaitVisible(`#reservations-pages a.next`)); err != nil {
		t.Fatal(err)
	}
	if body, _ := chromedp.Run(ctx, chromedp.Text(`#reservations`)); strings.Contains(body, "ritiro sabato mattina") {
		t.Fatal("the oldest request is still on the first page")
	}
	if err := apptest.Steps(ctx, chromedp.Click(`#reservations-pages a.next`), chromedp.WaitVisible(`#reservations-pages a:not(.next)`)); err != nil {
		t.Fatal(err)
	}
	if body, _ := chromedp.Run(ctx, chromedp.Text(`#reservations`)); !strings.Contains(body, "ritiro sabato mattina") {
		t.Fatalf("the next page does not show the oldest request: %q", body)
	}

	// Signing out ends the console session.
	if err := apptest.Steps(ctx, chromedp.Click(`header form button`)); err != nil {
		t.Fatal(err)
	}
	apptest.WaitText(t, ctx, "h1")
	err = apptest.Steps(ctx,
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

// TestBookACallerInBrowser: on the agenda, an assistant picks a free time,
// types the caller's name and phone, and books with the keyboard alone;
// the day shows the appointment. The screenshot is kept as an artifact.
func TestBookACallerInBrowser(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	base := apptest.Serve(t, m)
	pw := apptest.AddStaff(t, m, "assistente@example.com", core.RoleAssistant, "shop-milano-centro")
	day := time.Now().In(time.FixedZone("CET", 3600)).AddDate(0, 0, 2)
	for day.Weekday() == time.Sunday || day.Weekday() == time.Monday {
		day = day.AddDate(0, 0, 1)
	}
	ctx := apptest.Browser(t)
	err := apptest.Steps(ctx,
		chromedp.Navigate(base+"/console/agenda?shop=shop-milano-centro&day="+day.Format(time.DateOnly)),
		chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, "assistente@example.com"),
		chromedp.SendKeys(`#password`, pw),
		chromedp.Submit(`#login`),
		chromedp.WaitVisible(`#book-form`),
		chromedp.SendKeys(`#book-name`, "Carla Verdi"),
		chromedp.SendKeys(`#book-phone`, "333 123 4567\r"), // Enter submits
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.WaitFor(t, ctx, "#notice", "Appuntamento fissato")
	if rows, _ := chromedp.Run(ctx, chromedp.Text(`#agenda`)); !strings.Contains(rows, "Carla Verdi · +39 333 123 4567") || !strings.Contains(rows, "al telefono") {
		t.Fatalf("the day does not show the appointment: %q", rows)
	}
	if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(filepath.Join(os.TempDir(), "vista-agenda-book.png"), shot, 0o644)
	}
}

// TestCheckinsPageFollowsTheShop: the check-in page left open shows a
// customer linked at a screen within seconds, without a reload; while
// nothing changes it polls with the tag it last saw and keeps its rows.
func TestCheckinsPageFollowsTheShop(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	base := apptest.Serve(t, m)
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	k := c.PairKiosk(owner, "shop-milano-centro", "Banco")
	c.Signup("cliente.banco@example.com", func(b map[string]any) { b["shop_id"] = "shop-milano-centro" })
	pw := apptest.AddStaff(t, m, "banco@example.com", core.RoleManager, "shop-milano-centro")
	ctx := apptest.Browser(t)
	err := apptest.Steps(ctx,
		chromedp.Navigate(base+"/console/checkins?shop=shop-milano-centro"),
		chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, "banco@example.com"),
		chromedp.SendKeys(`#password`, pw),
		chromedp.Submit(`#login`),
		chromedp.WaitVisible(`#checkins`),
	)
	if err != nil {
		t.Fatal(err)
	}
	// A colleague links the visit at the screen from another desk.
	manager := c.StaffLogin("banco@example.com", pw)
	v := url.Values{"kiosk": {k.ID}, "email": {"cliente.banco@example.com"}}
	c.Want(c.Do("POST", "/console/checkins/shop-milano-centro/link", v.Encode(),
		append(apptest.Bearer(manager), "Content-Type", "application/x-www-form-urlencoded")...), 200)
	apptest.WaitFor(t, ctx, "#checkins", "Giulia Rossi")
	if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(filepath.Join(os.TempDir(), "vista-checkins.png"), shot, 0o644)
	}
}

// TestCustomerAtTheCounterInBrowser: an assistant creates the customer in
// front of them from the home page with the keyboard alone, consents
// ticked; the page says who was created and lists them first. A second
// record with the same phone warns that it may be the same person. The
// screenshot is kept as an artifact.
func TestCustomerAtTheCounterInBrowser(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	base := apptest.Serve(t, m)
	pw := apptest.AddStaff(t, m, "banco@example.com", core.RoleAssistant, "shop-milano-centro")
	ctx := apptest.Browser(t)
	err := apptest.Steps(ctx,
		chromedp.Navigate(base+"/console/"),
		chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, "banco@example.com"),
		chromedp.SendKeys(`#password`, pw),
		chromedp.Submit(`#login`),
		chromedp.WaitVisible(`#counter-form`),
		chromedp.SendKeys(`#counter-first`, "Mario"),
		chromedp.SendKeys(`#counter-last`, "Rossi"),
		chromedp.SendKeys(`#counter-phone`, "333 111 2222"),
		chromedp.SendKeys(`#counter-tax`, "rssmra85t10a562s"),
		chromedp.SendKeys(`#counter-service`, " "), // space ticks the box
		chromedp.SendKeys(`#counter-address`, "Via Torino 1\r"),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.WaitFor(t, ctx, "#notice", "Cliente creato: Mario Rossi")
	if rows, _ := chromedp.Run(ctx, chromedp.Text(`#customers`)); !strings.Contains(strings.SplitN(rows, "\n", 3)[1], "Mario Rossi") {
		t.Fatalf("the shop's list does not start with the new customer: %q", rows)
	}
	err = apptest.Steps(ctx,
		chromedp.SendKeys(`#counter-first`, "Mario G."),
		chromedp.SendKeys(`#counter-last`, "Rossi"),
		chromedp.SendKeys(`#counter-phone`, "+39 333 1112222\r"),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.WaitFor(t, ctx, "#duplicates", "RSSMRA85T10A562S")
	if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(filepath.Join(os.TempDir(), "vista-counter.png"), shot, 0o644)
	}
	// A codice fiscale typed wrong: the form comes back as typed, the
	// message in Italian beside the field.
	err = apptest.Steps(ctx,
		chromedp.SendKeys(`#counter-first`, "Anna"),
		chromedp.SendKeys(`#counter-last`, "Verdi"),
		chromedp.SendKeys(`#counter-tax`, "VRDNNA80A41F205X\r"),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.WaitFor(t, ctx, "#counter", "deve essere un codice fiscale")
	if v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("counter-tax").value`)); v != "VRDNNA80A41F205X" {
		t.Fatalf("the refused form lost the codice fiscale typed: %q", v)
	}
	if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(filepath.Join(os.TempDir(), "vista-counter-refused.png"), shot, 0o644)
	}
}
