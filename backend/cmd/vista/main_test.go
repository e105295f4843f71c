package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/vista-optical/vista/backend/app"
	"github.com/vista-optical/vista/backend/app/apptest"
)

func vista(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out)
	return out.String(), err
}

func TestHelpListsEveryCommand(t *testing.T) {
	for _, h := range []string{"help", "-h", "--help"} {
		out, err := vista(t, "", h)
		if err != nil {
			t.Fatalf("vista %s: %v", h, err)
		}
		for _, c := range commands {
			if !strings.Contains(out, c.name) {
				t.Errorf("vista %s does not list %q:\n%s", h, c.name, out)
			}
		}
	}
	for _, args := range [][]string{{"serve", "--help"}, {"migrate", "-h"}, {"demo", "--help"}, {"staff", "create", "--help"},
		{"staff", "reset-password", "--help"}, {"version", "--help"}, {"healthcheck", "--help"}, {"staff", "--help"}} {
		out, err := vista(t, "", args...)
		if err != nil || !strings.Contains(out, "usage") && !strings.Contains(out, "-") {
			t.Errorf("vista %v: %v\n%s", args, err, out)
		}
	}
	out, _ := vista(t, "", "staff", "create", "--help")
	for _, f := range []string{"-email", "-role", "-shop", "-password-stdin", "VISTA_DATA_DIR"} {
		if !strings.Contains(out, f) {
			t.Errorf("staff create --help does not name %s", f)
		}
	}
	for _, f := range []string{"-http-addr", "-smtp-url", "-send-rates"} { // the server's, not this command's
		if strings.Contains(out, f) {
			t.Errorf("staff create --help lists %s", f)
		}
	}
	if _, err := vista(t, "", "nonsense"); err == nil {
		t.Error("an unknown command succeeded")
	}
}

func TestVersionComesFromTheBuild(t *testing.T) {
	out, err := vista(t, "", "version")
	if err != nil || !strings.HasPrefix(out, "vista ") || !strings.Contains(out, "go1.") {
		t.Fatalf("version = %q, %v", out, err)
	}
}

var printed = regexp.MustCompile(`password \(shown only this once[^)]*\): (\S+)`)

// TestStaffCommandsThenSignIn: the owner of a new chain is created from the
// command line on an empty database, signs in with the printed password
// and is asked to change it; a reset gives a new password and the old one
// stops working.
func TestStaffCommandsThenSignIn(t *testing.T) {
	dir := t.TempDir()
	apptest.UseDataDir(t, dir)
	t.Setenv("VISTA_DEMO", "false")
	out, err := vista(t, "", "staff", "create", "--email", "Titolare@Ottica-Rossi.it", "--role", "owner", "--name", "Anna Rossi")
	if err != nil {
		t.Fatalf("staff create: %v\n%s", err, out)
	}
	m := printed.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no password printed:\n%s", out)
	}
	first := m[1]
	if _, err := vista(t, "", "staff", "create", "--email", "titolare@ottica-rossi.it", "--role", "owner"); err == nil {
		t.Fatal("the same address was created twice")
	}
	if _, err := vista(t, "", "staff", "create", "--email", "x@ottica-rossi.it", "--role", "manager", "--shop", "nowhere"); err == nil ||
		!strings.Contains(err.Error(), "--shop") {
		t.Fatalf("a manager of a missing shop: %v", err)
	}

	boot := func() (*app.Main, apptest.Client) {
		p := apptest.Boot(t, dir, func(m *app.Main) { m.Config.Demo = false })
		return p, apptest.Client{T: t, M: p}
	}
	p, c := boot()
	if p.Owner != nil {
		t.Fatal("a demo owner was created with VISTA_DEMO=false")
	}
	var s struct {
		Token      string `json:"access_token"`
		MustChange bool   `json:"must_change_password"`
	}
	c.Want(c.Do("POST", "/v1/staff/auth/login", map[string]string{"email": "titolare@ottica-rossi.it", "password": first}), 200).JSON(t, &s)
	if !s.MustChange {
		t.Fatal("a generated password is not flagged for change")
	}
	c.Want(c.Do("POST", "/v1/staff/me/password", map[string]string{"current_password": first, "password": "la-mia-password-nuova"},
		apptest.Bearer(s.Token)...), http.StatusNoContent)
	p.Close()

	out, err = vista(t, "il segreto dell'operatore\n", "staff", "reset-password", "--email", "titolare@ottica-rossi.it", "--password-stdin")
	if err != nil || printed.MatchString(out) {
		t.Fatalf("reset-password --password-stdin: %v\n%s", err, out)
	}
	_, c = boot()
	c.Want(c.Do("POST", "/v1/staff/auth/login", map[string]string{"email": "titolare@ottica-rossi.it", "password": "la-mia-password-nuova"}), 401)
	c.Want(c.Do("POST", "/v1/staff/auth/login", map[string]string{"email": "titolare@ottica-rossi.it", "password": "il segreto dell'operatore"}), 200)
	if _, err := vista(t, "", "staff", "reset-password", "--email", "nobody@ottica-rossi.it"); err == nil {
		t.Fatal("reset of an unknown address succeeded")
	}
}

func TestDemoCommandPrintsEveryLogin(t *testing.T) {
	t.Setenv("VISTA_DATA_DIR", t.TempDir())
	out, err := vista(t, "", "demo")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []string{"titolare@", "responsabile.milano@", "assistente.milano@", "responsabile.roma@", "assistente.roma@"} {
		if !strings.Contains(out, e) {
			t.Errorf("demo output lacks %s:\n%s", e, out)
		}
	}
	out, err = vista(t, "", "demo")
	if err != nil || !strings.Contains(out, "already has shops") {
		t.Fatalf("second demo: %v\n%s", err, out)
	}
}

// TestABusyPortWritesNoDemoChain: a first start that cannot bind its port
// fails before it writes anything, so the demo chain (and its one-time
// logins) is made by the start that works.
func TestABusyPortWritesNoDemoChain(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	t.Setenv("VISTA_DATA_DIR", t.TempDir())
	t.Setenv("VISTA_HTTP_ADDR", busy.Addr().String())
	t.Setenv("VISTA_ADMIN_ADDR", "off")
	if _, err := vista(t, "", "serve"); err == nil || !strings.Contains(err.Error(), "listen on "+busy.Addr().String()) {
		t.Fatalf("serve on a busy port: %v", err)
	}
	out, err := vista(t, "", "demo")
	if err != nil || !strings.Contains(out, "titolare@") {
		t.Fatalf("after the failed start, demo: %v\n%s", err, out)
	}
}
