package apptest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Chromium finds Debian's Chromium. The test command installs it; a
// developer without it sees the browser tests skipped, and says so.
func Chromium(t *testing.T) string {
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
		t.Fatal("Chromium is not installed: the test command installs Debian's Chromium package")
	}
	t.Skip("browser test skipped: Chromium not found (apt-get install chromium)")
	return ""
}

// Browser starts a headless Chromium for the test, in Italian, and
// returns its context.
func Browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(Chromium(t)),
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

// Steps runs browser actions one after the other.
func Steps(ctx context.Context, actions ...chromedp.Action[chromedp.Void]) error {
	for _, a := range actions {
		if _, err := chromedp.Run(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

// WaitText polls the page until an element matching sel has text, across
// the navigation a form submission causes, and returns that text.
func WaitText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return WaitFor(t, ctx, sel, "")
}

// WaitFor polls the page until an element matching sel has text holding
// want (any text when want is empty), across navigations and the
// display's live updates, and returns that text. The page before a form's
// answer arrives may show an older text in sel: waiting for want does not
// mistake one for the other.
func WaitFor(t *testing.T, ctx context.Context, sel, want string) string {
	t.Helper()
	expr := `(function(){var e=document.querySelector(` + "`" + sel + "`" + `);return e?e.innerText:""})()`
	last := ""
	for range 80 {
		if s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr)); err == nil && strings.TrimSpace(s) != "" {
			if strings.Contains(s, want) {
				return s
			}
			last = s
		}
		_, _ = chromedp.Run(ctx, chromedp.Sleep(250*time.Millisecond))
	}
	t.Fatalf("no %q in %s after 20 s (last text %q)", want, sel, last)
	return ""
}
