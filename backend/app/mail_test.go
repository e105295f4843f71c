package app_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/app"
	"github.com/vista-optical/vista/backend/app/apptest"
	"github.com/vista-optical/vista/backend/notify/email/smtpfake"
)

// syncBuffer is a log sink safe for the dispatcher's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestMailToALoopbackRelayWithCredentials is README's first day with
// e-mail: VISTA_SMTP_URL=smtp://user:pass@127.0.0.1:PORT to a relay that
// asks for a password and has no STARTTLS. A wrong password stops the
// start with one line naming the user (and writes no demo chain); the
// right one sends; a refused attempt is logged at warn with the message
// id, the channel and the reason, never the content.
func TestMailToALoopbackRelayWithCredentials(t *testing.T) {
	relay := smtpfake.NewWithLogin("vista", "relay-password")
	t.Cleanup(relay.Close)
	dir := t.TempDir()
	bad := app.NewMain(io.Discard)
	bad.Config.HTTPAddr, bad.Config.AdminAddr, bad.Config.DataDir = "127.0.0.1:0", "off", dir
	bad.Config.SMTPURL = strings.Replace(relay.URL(), "relay-password", "not-it", 1)
	bad.Config.MailFrom = "Ottica Vista <noreply@ottica-vista.it>"
	bad.Logger, bad.PasswordParams = slog.New(slog.DiscardHandler), apptest.Passwords
	err := bad.Open(context.Background())
	bad.Close()
	if err == nil || !strings.Contains(err.Error(), "as vista") || strings.Contains(err.Error(), "not-it") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("start with a wrong SMTP password: %v; want one line naming the user", err)
	}

	var logs syncBuffer
	m := apptest.Boot(t, dir, func(m *app.Main) {
		m.Config.SMTPURL, m.Config.MailFrom = relay.URL(), "Ottica Vista <noreply@ottica-vista.it>"
		m.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	})
	if m.Owner == nil {
		t.Fatal("the failed start had written the demo chain: its logins are lost")
	}
	apptest.Serve(t, m)
	c := apptest.Client{T: t, M: m}
	c.Signup("giulia@example.com")
	relay.Refuse(1)
	c.Want(c.Do("POST", "/v1/auth/password/forgot", map[string]string{"email": "giulia@example.com"}), 202)
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(logs.String(), "delivery failed") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	line := logs.String()
	for _, want := range []string{"level=WARN", "delivery failed", "message_id=", "channel=email", "554"} {
		if !strings.Contains(line, want) {
			t.Fatalf("the failed attempt's log lacks %q:\n%s", want, line)
		}
	}
	if strings.Contains(line, "giulia@example.com") || strings.Contains(line, "/reset#") {
		t.Fatalf("the log tells the content:\n%s", line)
	}
}
