package email_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/notify/email"
	"github.com/vista-optical/vista/backend/notify/email/smtpfake"
	"github.com/vista-optical/vista/backend/store/sqlite/sqlitetest"
)

func TestNewRefusesWhatItCannotSendSafely(t *testing.T) {
	for _, c := range []struct {
		url, from string
		ok        bool
		describe  string
	}{
		{"smtp://user:secret@mail.example.com:587", "Vista <noreply@example.com>", true, "mail.example.com:587 (STARTTLS)"},
		{"smtp://mail.example.com", "noreply@example.com", true, "mail.example.com:587 (STARTTLS)"},
		{"smtps://mail.example.com", "noreply@example.com", true, "mail.example.com:465 (TLS)"},
		{"smtp://127.0.0.1:2525", "noreply@example.com", true, "127.0.0.1:2525 (no TLS, loopback)"},
		{"http://mail.example.com", "noreply@example.com", false, ""},
		{"smtp://:25", "noreply@example.com", false, ""},
		{"smtp://mail.example.com:99999", "noreply@example.com", false, ""},
		{"smtp://mail.example.com", "not an address", false, ""},
	} {
		ch, err := email.New(c.url, c.from)
		if (err == nil) != c.ok {
			t.Errorf("New(%q, %q) error = %v, want ok=%v", c.url, c.from, err, c.ok)
			continue
		}
		if c.ok {
			if d := ch.Describe(); !strings.HasPrefix(d, c.describe) || strings.Contains(d, "secret") {
				t.Errorf("Describe = %q, want it to start %q and hold no password", d, c.describe)
			}
		}
	}
}

func message(to, locale string) *notify.Message {
	now := time.Now().UTC()
	return notify.AccountEmail("c1", to, locale, "customer_reset", core.NewID(), "Reimposta la password",
		"Ciao Giulia,\n\napri il link per scegliere una nuova password.", "https://vista.example/reset#tok", now)
}

func TestDeliverSendsTextAndHTML(t *testing.T) {
	srv := smtpfake.New()
	defer srv.Close()
	ch, err := email.New(srv.URL(), "Ottica Vista <noreply@vista.example>")
	if err != nil {
		t.Fatal(err)
	}
	m := message("giulia@example.com", "it")
	if d := ch.Deliver(context.Background(), m); d.Status != notify.StatusSent {
		t.Fatalf("Deliver = %+v", d)
	}
	got := srv.Wait(1, 5*time.Second)
	if len(got) != 1 {
		t.Fatalf("%d mails arrived", len(got))
	}
	mail := got[0]
	if len(mail.To) != 1 || mail.To[0] != "giulia@example.com" || mail.From != "noreply@vista.example" {
		t.Fatalf("envelope %s → %v", mail.From, mail.To)
	}
	if id := mail.Header.Get("Message-Id"); id != "<"+m.ID+"@vista>" {
		t.Errorf("Message-ID %q, want the outbox message's", id)
	}
	if s := mail.Header.Get("Subject"); s != "Reimposta la password" {
		t.Errorf("Subject %q", s)
	}
	for _, want := range []string{"multipart/alternative", "text/plain", "text/html", "Apri il link", "https://vista.example/reset#tok", "apri il link per scegliere"} {
		if !strings.Contains(mail.Raw, want) {
			t.Errorf("the mail lacks %q", want)
		}
	}
	// English frame when the message is in English; a customer's own
	// address when the message names none.
	en := message("", "en")
	ch.Addresses = addresses(func(id string) string { return id + "@example.com" })
	if d := ch.Deliver(context.Background(), en); d.Status != notify.StatusSent {
		t.Fatalf("Deliver = %+v", d)
	}
	got = srv.Wait(2, 5*time.Second)
	if len(got) != 2 || got[1].To[0] != "c1@example.com" || !strings.Contains(got[1].Raw, "Open the link") {
		t.Fatalf("second mail = %+v", got[len(got)-1])
	}
	if !strings.Contains(got[0].Raw, "tuo account") {
		t.Error("an account's e-mail does not say why it came")
	}
	// A guest's booking e-mail: its footer speaks of the booking, not of
	// an account they do not have.
	guest := message("ospite@example.com", "it")
	guest.CustomerID, guest.Purpose = "", notify.PurposeService
	if d := ch.Deliver(context.Background(), guest); d.Status != notify.StatusSent {
		t.Fatalf("Deliver = %+v", d)
	}
	got = srv.Wait(3, 5*time.Second)
	if len(got) != 3 || !strings.Contains(got[2].Raw, "per una prenotazione") || strings.Contains(got[2].Raw, "account") {
		t.Fatalf("a guest's footer: %s", got[len(got)-1].Raw)
	}
	ch.Addresses = addresses(func(string) string { return "" })
	if d := ch.Deliver(context.Background(), message("", "it")); d.Status != notify.StatusSkipped {
		t.Fatalf("no address: %+v, want skipped", d)
	}
}

// TestRefusalsAndCutsAreRetriedOnce: through the real outbox and
// dispatcher, a server that refuses some messages (554) and cuts the
// connection in others ends up with every message exactly once.
func TestRefusalsAndCutsAreRetriedOnce(t *testing.T) {
	srv := smtpfake.New()
	defer srv.Close()
	srv.Refuse(3)
	ch, err := email.New(srv.URL(), "noreply@vista.example")
	if err != nil {
		t.Fatal(err)
	}
	var cut sync.Once
	db := sqlitetest.Open(t)
	ctx := context.Background()
	const total = 8
	for i := range total {
		if _, err := db.EnqueueMessage(ctx, message(fmt.Sprintf("p%d@example.com", i), "it")); err != nil {
			t.Fatal(err)
		}
	}
	d := &notify.Dispatcher{Store: db, Clock: core.SystemClock, Owner: "t", Concurrency: 2, Batch: 4, Idle: 5 * time.Millisecond,
		Backoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, MaxAttempts: 10,
		Channels: map[core.Channel]notify.Channel{notify.ChannelEmail: ch}}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); d.Run(runCtx) }()
	deadline := time.Now().Add(time.Minute)
	for {
		if srv.Attempts() >= 3 {
			cut.Do(func() { srv.Drop(2) })
		}
		sent, err := db.CountMessages(ctx, notify.StatusSent)
		if err != nil {
			t.Fatal(err)
		}
		if sent == total {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d sent after a minute", sent, total)
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	<-done
	mails := srv.Mails()
	seen := map[string]int{}
	for _, m := range mails {
		seen[m.To[0]]++
	}
	if len(mails) != total || len(seen) != total {
		t.Fatalf("%d mails to %d addresses, want %d each: %v", len(mails), len(seen), total, seen)
	}
	if a := srv.Attempts(); a < total+5 {
		t.Fatalf("%d attempts: the refusals and cuts were not retried", a)
	}
}

// TestSignsInToALoopbackRelayWithoutTLS: a relay on this host that asks
// for credentials and offers no STARTTLS (PLAIN and LOGIN, as Postfix or
// a provider's local agent does) gets them; a wrong password is a clear
// error at Check, and an absent server is ErrUnreachable.
func TestSignsInToALoopbackRelayWithoutTLS(t *testing.T) {
	srv := smtpfake.NewWithLogin("vista", "s3cret pass")
	defer srv.Close()
	ch, err := email.New(srv.URL(), "Ottica Vista <noreply@vista.example>")
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Check(context.Background()); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if d := ch.Deliver(context.Background(), message("giulia@example.com", "it")); d.Status != notify.StatusSent {
		t.Fatalf("Deliver = %+v", d)
	}
	if got := srv.Wait(1, 5*time.Second); len(got) != 1 || srv.Logins() != 2 {
		t.Fatalf("%d mails, %d sign-ins; want 1 and 2 (the check, the send)", len(got), srv.Logins())
	}

	wrong, _ := email.New(strings.Replace(srv.URL(), "s3cret", "wrong", 1), "noreply@vista.example")
	err = wrong.Check(context.Background())
	if err == nil || errors.Is(err, email.ErrUnreachable) || !strings.Contains(err.Error(), "as vista") || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("wrong password: %v; want an error naming the user, not the password", err)
	}
	if d := wrong.Deliver(context.Background(), message("giulia@example.com", "it")); d.Status == notify.StatusSent {
		t.Fatal("sent with a wrong password")
	}
	anon, _ := email.New("smtp://"+srv.Addr, "noreply@vista.example")
	if d := anon.Deliver(context.Background(), message("giulia@example.com", "it")); d.Status == notify.StatusSent {
		t.Fatal("the fake relay took mail without a sign-in")
	}

	srv.Close()
	gone, _ := email.New(srv.URL(), "noreply@vista.example")
	if err := gone.Check(context.Background()); !errors.Is(err, email.ErrUnreachable) {
		t.Fatalf("a closed server: %v, want ErrUnreachable", err)
	}
}

// addresses answers each customer's e-mail with a function.
type addresses func(id string) string

func (a addresses) Email(_ context.Context, id string) (string, error) { return a(id), nil }
