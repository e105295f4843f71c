package app_test

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/vista-optical/vista/backend/app/apptest"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/web"
)

// TestEveryAnswerSaysHowToCache walks the route table: every route
// answers Cache-Control: no-store — signed in or not, found or not —
// except the public ones that declare a cache of their own, and those
// answer with it. Signed-in routes are called with a token of their realm
// so that their handlers run.
func TestEveryAnswerSaysHowToCache(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	kiosk := c.PairKiosk(owner, "shop-milano-centro", "Vetrina")
	customer := c.Signup("anna@example.com").Tokens.AccessToken
	tokens := map[core.ActorKind]string{core.ActorStaff: owner, core.ActorKiosk: kiosk.Token, core.ActorCustomer: customer}
	param := regexp.MustCompile(`:\w+`)
	n := 0
	for _, r := range m.Router.Routes() {
		path := param.ReplaceAllString(r.Path, "x")
		if r.Path == "/kiosk/v1/events" { // a stream: its header is checked by the stream tests
			continue
		}
		want := r.Cache
		if want == "" {
			want = web.NoStore
		}
		for _, signedIn := range []bool{false, true} {
			req := httptest.NewRequest(r.Method, path, strings.NewReader("{}"))
			req.Header.Set("Content-Type", "application/json")
			if tok := tokens[r.Auth.Realm]; signedIn && tok != "" {
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			resp, err := m.App.Test(req, -1)
			if err != nil {
				t.Fatalf("%s %s: %v", r.Method, path, err)
			}
			resp.Body.Close()
			if got := resp.Header.Get("Cache-Control"); got != want {
				t.Errorf("%s %s (signed in %v, status %d): Cache-Control %q, want %q", r.Method, r.Path, signedIn, resp.StatusCode, got, want)
			}
			n++
		}
	}
	if n < 200 {
		t.Fatalf("only %d answers checked", n)
	}
}
