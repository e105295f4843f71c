package console_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vista-optical/vista/backend/app"
	"github.com/vista-optical/vista/backend/app/apptest"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify/email/smtpfake"
)

// bootChain boots a program with no demo chain and e-mail going to an
// in-process SMTP server, with its workers running.
func bootChain(t *testing.T, tweak ...func(*app.Main)) (*app.Main, apptest.Client, *smtpfake.Server, string) {
	t.Helper()
	mail := smtpfake.New()
	t.Cleanup(mail.Close)
	m := apptest.Boot(t, t.TempDir(), append([]func(*app.Main){func(m *app.Main) {
		m.Config.Demo = false
		m.Config.SMTPURL, m.Config.MailFrom = mail.URL(), "Ottica Rossi <noreply@ottica-rossi.it>"
	}}, tweak...)...)
	base := apptest.Serve(t, m)
	return m, apptest.Client{T: t, M: m}, mail, base
}

var linkInMail = regexp.MustCompile(`https?://[^\s"<]+#([A-Za-z0-9_-]{20,})`)

// mailTo waits for the n-th mail and returns its link's token, checking it
// went to the address.
func mailTo(t *testing.T, mail *smtpfake.Server, n int, to string) (token, link string) {
	t.Helper()
	got := mail.Wait(n, 15*time.Second)
	if len(got) < n {
		t.Fatalf("%d mails arrived, want %d", len(got), n)
	}
	m := got[n-1]
	if len(m.To) != 1 || m.To[0] != to {
		t.Fatalf("mail %d went to %v, want %s", n, m.To, to)
	}
	found := linkInMail.FindStringSubmatch(m.Text)
	if found == nil {
		t.Fatalf("mail %d has no link:\n%s", n, m.Raw)
	}
	return found[1], strings.TrimSuffix(found[0], "#"+found[1])
}

// TestChainSetUpFromAnEmptyDatabase: without the demo, the owner creates a
// shop and invites its manager through the staff API; the invitation
// arrives by e-mail, works once, and the manager runs their own shop only.
func TestChainSetUpFromAnEmptyDatabase(t *testing.T) {
	m, c, mail, _ := bootChain(t, func(m *app.Main) { m.Config.PublicURL = "https://vista.ottica-rossi.it" })
	ownerPW := apptest.AddStaff(t, m, "anna@ottica-rossi.it", core.RoleOwner, "")
	owner := c.StaffLogin("anna@ottica-rossi.it", ownerPW)
	auth := apptest.Bearer(owner)

	hours := map[string]any{"weekly": map[string]any{"tue": []map[string]string{{"open": "09:00", "close": "13:00"}, {"open": "15:00", "close": "19:30"}}},
		"exceptions": []map[string]any{{"date": "2026-12-25", "closed": true}}}
	shopBody := map[string]any{"slug": "torino-centro", "name": "Ottica Rossi Torino", "city": "Torino", "address": "Via Roma 1",
		"phone": "+390111234567", "time_zone": "Europe/Rome", "hours": hours}
	var sh struct {
		ID   string `json:"id"`
		Slug string `json:"slug"`
	}
	c.Want(c.Do("POST", "/v1/staff/shops", shopBody, auth...), 201).JSON(t, &sh)
	if sh.ID != "shop-torino-centro" {
		t.Fatalf("shop id = %q", sh.ID)
	}
	c.Run(t, []apptest.Scenario{
		{Name: "same slug", Method: "POST", Path: "/v1/staff/shops", Body: shopBody, Token: owner, Status: 422, Field: "slug"},
		{Name: "bad zone", Method: "POST", Path: "/v1/staff/shops", Body: map[string]any{"slug": "x", "name": "X", "time_zone": "Mars/Base"},
			Token: owner, Status: 422, Field: "time_zone"},
		{Name: "overlapping hours", Method: "POST", Path: "/v1/staff/shops", Token: owner, Status: 422, Field: "hours.weekly.mon[1]",
			Body: map[string]any{"slug": "y", "name": "Y", "time_zone": "Europe/Rome",
				"hours": map[string]any{"weekly": map[string]any{"mon": []map[string]string{{"open": "09:00", "close": "13:00"}, {"open": "12:00", "close": "14:00"}}}}}},
		{Name: "chain settings", Method: "PUT", Path: "/v1/staff/chain", Token: owner, Status: 200, Contains: []string{`"Ottica Rossi"`},
			Body: map[string]any{"name": "Ottica Rossi", "ios_url": "https://apps.apple.com/app/id123", "android_url": "", "default_locale": "it"}},
		{Name: "chain link not https", Method: "PUT", Path: "/v1/staff/chain", Token: owner, Status: 422, Field: "ios_url",
			Body: map[string]any{"name": "Ottica Rossi", "ios_url": "javascript:alert(1)", "default_locale": "it"}},
	})

	var inv struct {
		ID      string `json:"id"`
		Invited bool   `json:"invited"`
	}
	c.Want(c.Do("POST", "/v1/staff/members", map[string]any{"email": "Marco@Ottica-Rossi.it", "name": "Marco Bianchi", "role": "manager",
		"shop_id": sh.ID}, auth...), 201).JSON(t, &inv)
	if !inv.Invited {
		t.Fatal("a new member is not shown as invited")
	}
	token, link := mailTo(t, mail, 1, "marco@ottica-rossi.it")
	if link != "https://vista.ottica-rossi.it/console/invite" {
		t.Fatalf("invitation link %q", link)
	}
	if !strings.Contains(mail.Mails()[0].Text, "Marco Bianchi") {
		t.Error("the invitation does not greet the member by name")
	}
	// Invited, nobody can sign in as them yet.
	c.Want(c.Do("POST", "/v1/staff/auth/login", map[string]string{"email": "marco@ottica-rossi.it", "password": ""}), 422)
	c.Want(c.Do("POST", "/v1/staff/auth/invitation", map[string]string{"token": token, "password": "short"}), 422)
	c.Want(c.Do("POST", "/v1/staff/auth/invitation", map[string]string{"token": "forged-" + token[7:], "password": "marco-password-1"}), 400)
	c.Want(c.Do("POST", "/v1/staff/auth/invitation", map[string]string{"token": token, "password": "marco-password-1"}), 204)
	c.Want(c.Do("POST", "/v1/staff/auth/invitation", map[string]string{"token": token, "password": "marco-password-2"}), 410)
	manager := c.StaffLogin("marco@ottica-rossi.it", "marco-password-1")

	c.Want(c.Do("POST", "/v1/staff/shops", map[string]any{"slug": "z", "name": "Z", "time_zone": "Europe/Rome"}, apptest.Bearer(manager)...), 403)
	shopBody["name"] = "Ottica Rossi Torino Centro"
	c.Want(c.Do("PUT", "/v1/staff/shops/"+sh.ID, shopBody, apptest.Bearer(manager)...), 200)
	c.Run(t, []apptest.Scenario{
		{Name: "manager invites an owner", Method: "POST", Path: "/v1/staff/members", Token: manager, Status: 403,
			Body: map[string]any{"email": "boss@example.com", "name": "Boss", "role": "owner"}},
		{Name: "manager invites into no shop of theirs", Method: "POST", Path: "/v1/staff/members", Token: manager, Status: 403,
			Body: map[string]any{"email": "x@example.com", "name": "X", "role": "assistant", "shop_id": "shop-elsewhere"}},
		{Name: "manager changes the chain", Method: "PUT", Path: "/v1/staff/chain", Token: manager, Status: 403,
			Body: map[string]any{"name": "Mine", "default_locale": "it"}},
		{Name: "manager deactivates the owner", Method: "PATCH", Path: "/v1/staff/members/" + staffID(t, m, "anna@ottica-rossi.it"), Token: manager,
			Status: 404, Body: map[string]any{"active": false}},
		{Name: "owner deactivates themselves", Method: "PATCH", Path: "/v1/staff/members/" + staffID(t, m, "anna@ottica-rossi.it"), Token: owner,
			Status: 403, Body: map[string]any{"active": false}},
	})
	var asst struct{ ID string }
	c.Want(c.Do("POST", "/v1/staff/members", map[string]any{"email": "sara@ottica-rossi.it", "name": "Sara Colombo", "role": "assistant"},
		apptest.Bearer(manager)...), 201).JSON(t, &asst)
	firstToken, _ := mailTo(t, mail, 2, "sara@ottica-rossi.it")
	// Sent again (she lost the e-mail): only the newest link opens anything,
	// before and after she accepts.
	c.Want(c.Do("POST", "/v1/staff/members/"+asst.ID+"/invitation", nil, apptest.Bearer(manager)...), 202)
	asstToken, _ := mailTo(t, mail, 3, "sara@ottica-rossi.it")
	c.Want(c.Do("POST", "/v1/staff/auth/invitation", map[string]string{"token": firstToken, "password": "sara-password-0"}), 410)
	c.Want(c.Do("POST", "/v1/staff/auth/invitation", map[string]string{"token": asstToken, "password": "sara-password-1"}), 204)
	c.Want(c.Do("POST", "/v1/staff/auth/invitation", map[string]string{"token": firstToken, "password": "sara-password-0"}), 410)
	sara := c.StaffLogin("sara@ottica-rossi.it", "sara-password-1")
	c.Want(c.Do("GET", "/v1/staff/members", nil, apptest.Bearer(sara)...), 403)
	var list struct{ Staff []struct{ Email string } }
	c.Want(c.Do("GET", "/v1/staff/members", nil, apptest.Bearer(manager)...), 200).JSON(t, &list)
	if len(list.Staff) != 2 {
		t.Fatalf("the manager sees %d members, want their shop's 2: %+v", len(list.Staff), list.Staff)
	}
	c.Want(c.Do("PATCH", "/v1/staff/members/"+asst.ID, map[string]any{"active": false}, apptest.Bearer(manager)...), 200)
	c.Want(c.Do("GET", "/v1/staff/me", nil, apptest.Bearer(sara)...), 401) // deactivated: the session ends at once

	// A forgotten staff password: the same answer for a known and an
	// unknown address, one e-mail, a link that works once.
	r1 := c.Want(c.Do("POST", "/v1/staff/auth/password/forgot", map[string]string{"email": "marco@ottica-rossi.it"}), 202)
	r2 := c.Want(c.Do("POST", "/v1/staff/auth/password/forgot", map[string]string{"email": "nobody@ottica-rossi.it"}), 202)
	if string(r1.Body) != string(r2.Body) {
		t.Fatalf("forgot answers differ: %s / %s", r1.Body, r2.Body)
	}
	reset, link := mailTo(t, mail, 4, "marco@ottica-rossi.it")
	if link != "https://vista.ottica-rossi.it/console/reset" {
		t.Fatalf("reset link %q", link)
	}
	c.Want(c.Do("POST", "/v1/staff/auth/password/reset", map[string]string{"token": reset, "password": "marco-password-2"}), 204)
	c.Want(c.Do("GET", "/v1/staff/me", nil, apptest.Bearer(manager)...), 401) // a reset ends the sessions
	c.Want(c.Do("POST", "/v1/staff/auth/password/reset", map[string]string{"token": reset, "password": "marco-password-3"}), 410)
	again := c.StaffLogin("marco@ottica-rossi.it", "marco-password-2")
	c.Want(c.Do("GET", "/v1/staff/me", nil, apptest.Bearer(again)...), 200) // signed in within the instant of the reset
	if n := len(mail.Wait(5, 500*time.Millisecond)); n != 4 {
		t.Fatalf("%d mails, want 4 (none for the unknown address)", n)
	}
}

func staffID(t *testing.T, m *app.Main, email string) string {
	t.Helper()
	s, err := m.Store.StaffByEmail(t.Context(), email)
	apptest.Must(t, err)
	return s.ID
}

// TestChainSetUpInBrowser: the owner of an empty chain signs in to the
// console, creates a shop with its opening hours and invites a manager;
// the manager opens the e-mailed link in a browser, chooses a password and
// signs in to their shop.
func TestChainSetUpInBrowser(t *testing.T) {
	m, _, mail, base := bootChain(t)
	ownerPW := apptest.AddStaff(t, m, "anna@ottica-rossi.it", core.RoleOwner, "")
	ctx := apptest.Browser(t)
	err := apptest.Steps(ctx,
		chromedp.Navigate(base+"/console/setup"),
		chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, "anna@ottica-rossi.it"),
		chromedp.SendKeys(`#password`, ownerPW),
		chromedp.Submit(`#login`),
		chromedp.WaitVisible(`#new-shop`),
		chromedp.SendKeys(`#new-shop input[name=name]`, "Ottica Rossi Torino"),
		chromedp.SendKeys(`#new-shop input[name=slug]`, "torino"),
		chromedp.SendKeys(`#new-shop input[name=city]`, "Torino"),
		// A day the browser cannot check: the page comes back in Italian,
		// as typed, with the message next to the hours.
		chromedp.SendKeys(`#new-shop textarea[name=hours]`, "lunedi 09:00-13:00"),
		chromedp.Submit(`#new-shop`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if msg := apptest.WaitFor(t, ctx, "#new-shop .field-error", "non è un giorno della settimana"); !strings.Contains(msg, "lunedi") {
		t.Fatalf("the hours' message does not quote the line: %q", msg)
	}
	if v, err := chromedp.Run(ctx, chromedp.Value(`#new-shop input[name=name]`)); err != nil || v != "Ottica Rossi Torino" {
		t.Fatalf("the refused form lost the name: %q (%v)", v, err)
	}
	if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(filepath.Join(os.TempDir(), "vista-setup-refused.png"), shot, 0o644)
	}
	err = apptest.Steps(ctx,
		chromedp.Clear(`#new-shop textarea[name=hours]`),
		chromedp.SendKeys(`#new-shop textarea[name=hours]`, "mar 09:00-13:00 15:00-19:30\nsab 09:00-19:00\n2026-12-25 chiuso"),
		chromedp.Submit(`#new-shop`),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.WaitFor(t, ctx, "#notice", "Negozio salvato")
	s, err := m.Store.Shop(t.Context(), "shop-torino")
	apptest.Must(t, err)
	if len(s.Hours.Weekly["tue"]) != 2 || len(s.Hours.Exceptions) != 1 || !s.Hours.Exceptions[0].Closed {
		t.Fatalf("hours stored = %+v", s.Hours)
	}
	err = apptest.Steps(ctx,
		chromedp.SendKeys(`#invite-name`, "Marco Bianchi"),
		chromedp.SendKeys(`#invite-email`, "marco@ottica-rossi.it"),
		chromedp.SetValue(`#invite-role`, "manager"),
		chromedp.SetValue(`#invite-shop`, "shop-torino"),
		chromedp.Submit(`#invite`),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.WaitFor(t, ctx, "#notice", "Invito inviato")
	if body, _ := chromedp.Run(ctx, chromedp.Text(`#staff`)); !strings.Contains(body, "invitato") {
		t.Fatalf("the staff list does not show the invitation: %q", body)
	}
	token, _ := mailTo(t, mail, 1, "marco@ottica-rossi.it")

	// The manager, in their own browser, from the link in the mail.
	mctx := apptest.Browser(t)
	err = apptest.Steps(mctx,
		chromedp.Navigate(base+"/console/invite#"+token),
		chromedp.WaitVisible(`#password`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := chromedp.Run(mctx, chromedp.Evaluate[string](`location.href`)); strings.Contains(h, token) {
		t.Fatalf("the token stays in the address bar: %s", h)
	}
	err = apptest.Steps(mctx,
		chromedp.SendKeys(`#password`, "marco-password-1"),
		chromedp.Submit(`#password-form`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if n := apptest.WaitText(t, mctx, ".notice"); !strings.Contains(n, "Password salvata") {
		t.Fatalf("after accepting: %q", n)
	}
	err = apptest.Steps(mctx,
		chromedp.SendKeys(`#email`, "marco@ottica-rossi.it"),
		chromedp.SendKeys(`#password`, "marco-password-1"),
		chromedp.Submit(`#login`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if who := apptest.WaitText(t, mctx, "#who"); !strings.Contains(who, "Marco Bianchi") || !strings.Contains(who, "responsabile") {
		t.Fatalf("manager header = %q", who)
	}
	// The same link a second time is refused on the page.
	err = apptest.Steps(mctx,
		chromedp.Navigate(base+"/console/invite#"+token),
		chromedp.WaitVisible(`#password`),
		chromedp.SendKeys(`#password`, "marco-password-2"),
		chromedp.Submit(`#password-form`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if e := apptest.WaitText(t, mctx, ".error"); !strings.Contains(e, "già stato usato") {
		t.Fatalf("a used link: %q", e)
	}
}

// TestStaffAgendaAndPicturesInBrowser: a manager opens a member's agenda on
// the set-up page, types an absence the page cannot read and gets it back
// next to the field, then saves it; on the offers page they upload a
// product's picture and see it in the table. Screenshots of both pages are
// kept in $TMPDIR.
func TestStaffAgendaAndPicturesInBrowser(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	base := apptest.Serve(t, m)
	managerPW := apptest.AddStaff(t, m, "responsabile@example.com", core.RoleManager, "shop-milano-centro")
	apptest.AddStaff(t, m, "ottico@example.com", core.RoleAssistant, "shop-milano-centro")
	member := staffID(t, m, "ottico@example.com")
	form := "#agenda-" + member
	ctx := apptest.Browser(t)
	err := apptest.Steps(ctx,
		chromedp.Navigate(base+"/console/setup"),
		chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, "responsabile@example.com"),
		chromedp.SendKeys(`#password`, managerPW),
		chromedp.Submit(`#login`),
		chromedp.WaitVisible(`#staff`),
		chromedp.Click(form+` summary`),
		chromedp.Click(form+` input[value=optometrist]`),
		chromedp.SendKeys(form+` textarea[name=hours]`, "mar 10:00-13:00"),
		chromedp.SendKeys(form+` textarea[name=absences]`, "Natale"),
		chromedp.Submit(form+` form`),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.WaitFor(t, ctx, form+" .field-error", "riga 1")
	if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(filepath.Join(os.TempDir(), "vista-setup-agenda-refused.png"), shot, 0o644)
	}
	err = apptest.Steps(ctx,
		chromedp.Clear(form+` textarea[name=absences]`),
		chromedp.SendKeys(form+` textarea[name=absences]`, "24/12/2026 31/12/2026 ferie"),
		chromedp.Submit(form+` form`),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.WaitFor(t, ctx, "#notice", "Agenda salvata")
	p, err := m.Store.Practitioner(t.Context(), member)
	apptest.Must(t, err)
	if len(p.Skills) != 1 || p.Skills[0] != "optometrist" || len(p.Absences) != 1 || len(p.Hours["tue"]) != 1 {
		t.Fatalf("stored agenda %+v", p)
	}

	pic := filepath.Join(t.TempDir(), "montatura.png")
	apptest.Must(t, os.WriteFile(pic, photo(t, 800, 500, false), 0o644))
	oasys, err := m.Store.ProductsBySKU(t.Context(), []string{"PE-PO3007V"})
	apptest.Must(t, err)
	row := "#product-" + oasys["PE-PO3007V"].ID
	err = apptest.Steps(ctx,
		chromedp.Navigate(base+"/console/offers?shop=shop-milano-centro"),
		chromedp.WaitVisible(`#pictures`),
		chromedp.SetUploadFiles(row+` input[type=file]`, []string{pic}),
		chromedp.Submit(row+` form`),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.WaitFor(t, ctx, "#notice", "Foto salvata: Persol")
	after, err := m.Store.Product(t.Context(), oasys["PE-PO3007V"].ID)
	apptest.Must(t, err)
	if after.ImageURL == oasys["PE-PO3007V"].ImageURL {
		t.Fatal("the upload did not change the picture")
	}
	if shown, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("`+row+` img").naturalWidth > 0`)); err != nil || !shown {
		t.Fatalf("the new picture is not shown (%v)", err)
	}
	if err := apptest.Steps(ctx, chromedp.ScrollIntoView(`#catalog`)); err == nil {
		if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
			_ = os.WriteFile(filepath.Join(os.TempDir(), "vista-offers-pictures.png"), shot, 0o644)
		}
	}
}
