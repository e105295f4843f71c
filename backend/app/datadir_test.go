package app_test

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/vista-optical/vista/backend/app"
)

// TestUnwritableDataDirSaysSo: a data dir this process may not write in
// stops the start with "permission denied on DIR", not SQLite's "unable
// to open database file (14)". Root writes anywhere, so as root the test
// runs itself again as nobody.
func TestUnwritableDataDirSaysSo(t *testing.T) {
	if dir := os.Getenv("VISTA_TEST_UNWRITABLE_DIR"); dir != "" {
		m := app.NewMain(io.Discard)
		m.Config.DataDir, m.Config.HTTPAddr, m.Config.AdminAddr = dir, "127.0.0.1:0", "off"
		err := m.Open(context.Background())
		if err == nil {
			m.Close()
			t.Fatal("started on a data dir it cannot write in")
		}
		if want := "permission denied on " + dir; !strings.Contains(err.Error(), want) {
			t.Fatalf("error %q, want it to say %q", err, want)
		}
		return
	}
	base, err := os.MkdirTemp("", "vista-unwritable-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	dir := filepath.Join(base, "data")
	if err := os.Mkdir(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := os.Args[0]
	var cred *syscall.Credential
	if os.Geteuid() == 0 { // a copy nobody can run, as nobody
		b, err := os.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		bin = filepath.Join(base, "app.test")
		if err := os.WriteFile(bin, b, 0o755); err != nil {
			t.Fatal(err)
		}
		cred = &syscall.Credential{Uid: 65534, Gid: 65534}
	}
	cmd := exec.Command(bin, "-test.run=^TestUnwritableDataDirSaysSo$", "-test.v")
	cmd.Dir = base
	cmd.Env = append(os.Environ(), "VISTA_TEST_UNWRITABLE_DIR="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "--- PASS") {
		t.Fatalf("%v\n%s", err, out)
	}
}
