package mobileapi_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vista-optical/vista/backend/app"
	"github.com/vista-optical/vista/backend/app/apptest"
	"github.com/vista-optical/vista/backend/notify/email/smtpfake"
)

var linkIn = regexp.MustCompile(`(https?://[^\s"<]+)#([A-Za-z0-9_-]{20,})`)

func bootWithMail(t *testing.T, clock *apptest.Clock) (*app.Main, apptest.Client, *smtpfake.Server, string) {
	t.Helper()
	mail := smtpfake.New()
	t.Cleanup(mail.Close)
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) {
		m.Config.SMTPURL, m.Config.MailFrom = mail.URL(), "Ottica Vista <noreply@ottica-vista.it>"
		m.Config.PublicURL = "https://app.ottica-vista.it"
		if clock != nil {
			m.Clock = clock.Now
		}
	})
	base := apptest.Serve(t, m)
	return m, apptest.Client{T: t, M: m}, mail, base
}

func linkOf(t *testing.T, mail *smtpfake.Server, n int, to string) (page, token string) {
	t.Helper()
	got := mail.Wait(n, 15*time.Second)
	if len(got) < n {
		t.Fatalf("%d mails arrived, want %d", len(got), n)
	}
	if got[n-1].To[0] != to {
		t.Fatalf("mail %d went to %v, want %s", n, got[n-1].To, to)
	}
	f := linkIn.FindStringSubmatch(got[n-1].Text)
	if f == nil {
		t.Fatalf("mail %d has no link:\n%s", n, got[n-1].Text)
	}
	return f[1], f[2]
}

func login(c apptest.Client, email, password string) int {
	return c.Do("POST", "/v1/auth/login", map[string]string{"email": email, "password": password}).Status
}

// TestForgottenPasswordByEmail: the same answer for a known and an unknown
// address, one e-mail with a link that works once and not after 30
// minutes; the reset ends every sign-in of the account.
func TestForgottenPasswordByEmail(t *testing.T) {
	clock := apptest.NewClock(time.Now().UTC())
	m, c, mail, _ := bootWithMail(t, clock)
	s := c.Signup("giulia@example.com")

	known := c.Want(c.Do("POST", "/v1/auth/password/forgot", map[string]string{"email": "Giulia@Example.com"}), 202)
	unknown := c.Want(c.Do("POST", "/v1/auth/password/forgot", map[string]string{"email": "nessuno@example.com"}), 202)
	if string(known.Body) != string(unknown.Body) {
		t.Fatalf("the answers tell the addresses apart: %s / %s", known.Body, unknown.Body)
	}
	page, token := linkOf(t, mail, 1, "giulia@example.com")
	if page != "https://app.ottica-vista.it/reset" {
		t.Fatalf("reset link opens %s", page)
	}
	if !strings.Contains(mail.Mails()[0].Text, "Ciao Giulia") || !strings.Contains(mail.Mails()[0].HTML, "Apri il link") {
		t.Error("the reset mail is not the Italian one with its button")
	}
	c.Run(t, []apptest.Scenario{
		{Name: "short password", Method: "POST", Path: "/v1/auth/password/reset", Body: map[string]string{"token": token, "password": "short"}, Status: 422, Field: "password"},
		{Name: "forged token", Method: "POST", Path: "/v1/auth/password/reset", Body: map[string]string{"token": strings.Repeat("A", 43), "password": "una password nuova"}, Status: 400},
		{Name: "no token", Method: "POST", Path: "/v1/auth/password/reset", Body: map[string]string{"password": "una password nuova"}, Status: 422, Field: "token"},
		{Name: "reset", Method: "POST", Path: "/v1/auth/password/reset", Body: map[string]string{"token": token, "password": "una password nuova"}, Status: 204},
		{Name: "the link once only", Method: "POST", Path: "/v1/auth/password/reset", Body: map[string]string{"token": token, "password": "un'altra password"}, Status: 410},
	})
	if st := login(c, "giulia@example.com", "correct horse battery"); st != 401 {
		t.Fatalf("the old password signs in: %d", st)
	}
	// Signed in again within the instant of the reset (the clock here
	// stands still): the new token works, the old one does not.
	var fresh apptest.Session
	c.Want(c.Do("POST", "/v1/auth/login", map[string]string{"email": "giulia@example.com", "password": "una password nuova"}), 200).JSON(t, &fresh)
	c.Want(c.Do("GET", "/v1/me", nil, apptest.Bearer(fresh.Tokens.AccessToken)...), 200)
	c.Want(c.Do("GET", "/v1/me", nil, apptest.Bearer(s.Tokens.AccessToken)...), 401)
	c.Want(c.Do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": s.Tokens.RefreshToken}), 401)

	// A link not used within 30 minutes is refused.
	c.Want(c.Do("POST", "/v1/auth/password/forgot", map[string]string{"email": "giulia@example.com"}), 202)
	_, late := linkOf(t, mail, 2, "giulia@example.com")
	// The mail is at the server; wait until the dispatcher has recorded
	// it as sent, or the jump of the clock below expires its lease and a
	// second dispatcher sends it again (at least once, by design).
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		sending, err := m.Store.CountMessages(t.Context(), "sending")
		apptest.Must(t, err)
		if sending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the reset mail stays in sending")
		}
	}
	clock.Add(31 * time.Minute)
	c.Want(c.Do("POST", "/v1/auth/password/reset", map[string]string{"token": late, "password": "ancora un'altra"}), 410)
	if n := len(mail.Wait(3, 300*time.Millisecond)); n != 2 {
		t.Fatalf("%d mails, want 2 (none for the unknown address)", n)
	}
	// Reset e-mails per address are bounded.
	for range 3 {
		c.Do("POST", "/v1/auth/password/forgot", map[string]string{"email": "giulia@example.com"})
	}
	c.Want(c.Do("POST", "/v1/auth/password/forgot", map[string]string{"email": "giulia@example.com"}), 429)
	_ = m
}

// TestEmailChangeNeedsTheNewAddress: PATCH /v1/me with a new e-mail
// changes nothing until the new address opens the link sent to it.
func TestEmailChangeNeedsTheNewAddress(t *testing.T) {
	_, c, mail, _ := bootWithMail(t, nil)
	s := c.Signup("giulia@example.com")
	other := c.Signup("luca@example.com")
	tok := apptest.Bearer(s.Tokens.AccessToken)
	c.Want(c.Do("PATCH", "/v1/me", map[string]any{"email": "luca@example.com"}, tok...), 422)
	c.Want(c.Do("PATCH", "/v1/me", map[string]any{"email": "not an address"}, tok...), 422)
	var me struct {
		Email   string `json:"email"`
		Pending string `json:"pending_email"`
	}
	c.Want(c.Do("PATCH", "/v1/me", map[string]any{"email": "Giulia.Rossi@Example.com"}, tok...), 200).JSON(t, &me)
	if me.Email != "giulia@example.com" || me.Pending != "giulia.rossi@example.com" {
		t.Fatalf("after the change: %+v", me)
	}
	page, token := linkOf(t, mail, 1, "giulia.rossi@example.com")
	if page != "https://app.ottica-vista.it/confirm-email" {
		t.Fatalf("the confirmation opens %s", page)
	}
	if st := login(c, "giulia.rossi@example.com", "correct horse battery"); st != 401 {
		t.Fatalf("the unconfirmed address signs in: %d", st)
	}
	c.Want(c.Do("POST", "/v1/auth/email/confirm", map[string]string{"token": token}), 204)
	c.Want(c.Do("POST", "/v1/auth/email/confirm", map[string]string{"token": token}), 410)
	if st := login(c, "giulia.rossi@example.com", "correct horse battery"); st != 200 {
		t.Fatalf("the confirmed address: %d", st)
	}
	if st := login(c, "giulia@example.com", "correct horse battery"); st != 401 {
		t.Fatalf("the old address still signs in: %d", st)
	}
	// An address taken between the request and the confirmation.
	otok := apptest.Bearer(other.Tokens.AccessToken)
	c.Want(c.Do("PATCH", "/v1/me", map[string]any{"email": "libero@example.com"}, otok...), 200)
	_, t2 := linkOf(t, mail, 2, "libero@example.com")
	c.Want(c.Do("PATCH", "/v1/me", map[string]any{"email": "libero@example.com"}, tok...), 200)
	_, t3 := linkOf(t, mail, 3, "libero@example.com")
	c.Want(c.Do("POST", "/v1/auth/email/confirm", map[string]string{"token": t3}), 204)
	c.Want(c.Do("POST", "/v1/auth/email/confirm", map[string]string{"token": t2}), 409)
}

// TestResetPageInBrowser: the link in the mail opens an Italian page that
// sets the new password.
func TestResetPageInBrowser(t *testing.T) {
	_, c, mail, base := bootWithMail(t, nil)
	c.Signup("giulia@example.com")
	c.Want(c.Do("POST", "/v1/auth/password/forgot", map[string]string{"email": "giulia@example.com"}), 202)
	_, token := linkOf(t, mail, 1, "giulia@example.com")
	ctx := apptest.Browser(t)
	err := apptest.Steps(ctx,
		chromedp.Navigate(base+"/reset#"+token),
		chromedp.WaitVisible(`#password`),
		chromedp.SendKeys(`#password`, "la mia password nuova"),
		chromedp.Click(`#account-form button`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := apptest.WaitText(t, ctx, "#result"); !strings.Contains(got, "Fatto") {
		t.Fatalf("the page says %q", got)
	}
	if st := login(c, "giulia@example.com", "la mia password nuova"); st != 200 {
		t.Fatalf("the new password: %d", st)
	}
}
