package console_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/vista-optical/vista/backend/app/apptest"
	"github.com/vista-optical/vista/backend/core"
)

// TestSearchInBrowser: an assistant types a name with two slips; the
// results come as they type, ↓ goes to the first one; a search with
// nothing to search for comes back with the Italian message by the box.
func TestSearchInBrowser(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	base := apptest.Serve(t, m)
	c := apptest.Client{T: t, M: m}
	pw := apptest.AddStaff(t, m, "banco@example.com", core.RoleAssistant, "shop-milano-centro")
	tok := c.StaffLogin("banco@example.com", pw)
	for i, n := range [][2]string{{"Giulia", "Rossi"}, {"Giulio", "Rossini"}, {"Anna", "Bianchi"}} {
		c.Want(c.Do("POST", "/v1/staff/customers", map[string]any{"first_name": n[0], "last_name": n[1], "phone": fmt.Sprintf("340 111 22%02d", i),
			"shop_id": "shop-milano-centro", "text_version": "banco-2026-12"}, apptest.Bearer(tok)...), 201)
	}
	ctx := apptest.Browser(t)
	shot := func(name string) {
		if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
			_ = os.WriteFile(filepath.Join(os.TempDir(), name), png, 0o644)
		}
	}
	err := apptest.Steps(ctx,
		chromedp.Navigate(base+"/console/"),
		chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, "banco@example.com"),
		chromedp.SendKeys(`#password`, pw),
		chromedp.Submit(`#login`),
		chromedp.WaitVisible(`#customers-link`),
		chromedp.Click(`#customers-link`),
		chromedp.WaitVisible(`#q`),
		chromedp.SendKeys(`#q`, "giula rosi"),
	)
	if err != nil {
		t.Fatal(err)
	}
	found := apptest.WaitFor(t, ctx, "#found", "Rossi Giulia")
	if strings.Contains(found, "Bianchi") {
		t.Fatalf("found %q", found)
	}
	if err := apptest.Steps(ctx, chromedp.KeyEvent(kb.ArrowDown)); err != nil {
		t.Fatal(err)
	}
	focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.textContent`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(focused, "Rossi Giulia") {
		t.Fatalf("↓ went to %q, not the first result", focused)
	}
	shot("vista-search.png")
	err = apptest.Steps(ctx,
		chromedp.Navigate(base+"/console/customers"),
		chromedp.WaitVisible(`#q`),
		chromedp.SendKeys(`#q`, "!!\r"),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.WaitFor(t, ctx, "#q-error", "deve contenere un nome")
	shot("vista-search-refused.png")
}
