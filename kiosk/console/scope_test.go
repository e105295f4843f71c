package console_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/app"
	"github.com/vista-optical/vista/backend/app/apptest"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/shop"
)

// TestStaffSeeOnlyTheirShop is T10's property test: three shops with
// customers, supplies, exams, reorders and dead letters; 10,000 requests
// by a manager and an assistant of shop A, drawn at random over every
// staff GET route of the route table with ids of all three shops, never
// return anything of B or C — a foreign resource is 404 (or 403 for a
// role), and no response body names a foreign customer.
func TestStaffSeeOnlyTheirShop(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 requests")
	}
	m := apptest.Boot(t, t.TempDir(), func(m *app.Main) { m.Limits.SignupIP.Max = 1000 })
	c := apptest.Client{T: t, M: m}
	ctx := context.Background()
	err := m.Store.CreateShop(ctx, &shop.Shop{ID: "shop-torino-centro", Name: "Ottica Vista Torino", City: "Torino",
		Address: "Via Roma 1", TimeZone: "Europe/Rome", CreatedAt: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	shops := []string{"shop-milano-centro", "shop-roma-prati", "shop-torino-centro"} // A, B, C
	customersOf := map[string][]string{}
	var foreign []string // ids and e-mails of B's and C's customers
	owner := c.StaffLogin("titolare@ottica-vista.demo", m.Owner.Password)
	for i := range 24 {
		sh := shops[i%3]
		email := fmt.Sprintf("scope%02d.%s@example.com", i, sh)
		s := c.Signup(email, func(b map[string]any) { b["shop_id"] = sh })
		tok := apptest.Bearer(s.Tokens.AccessToken)
		var sup map[string]any
		c.Want(c.Do("POST", "/v1/me/lenses", map[string]any{"eye": "both", "brand": "Alcon", "product": "Total30", "modality": "monthly",
			"boxes": 1, "lenses_per_box": 2, "start_date": "2026-11-01"}, tok...), 201).JSON(t, &sup)
		c.Want(c.Do("POST", "/v1/me/lenses/"+sup["id"].(string)+"/reorder", map[string]string{"note": "ritiro " + email}, tok...), 201)
		c.Want(c.Do("PUT", "/v1/staff/customers/"+s.Customer.ID+"/exams", map[string]any{"due_on": "2027-06-01"}, apptest.Bearer(owner)...), 200)
		apptest.DeadLetter(t, m, s.Customer.ID, sh, "scope-dead-"+s.Customer.ID)
		customersOf[sh] = append(customersOf[sh], s.Customer.ID)
		if sh != shops[0] {
			foreign = append(foreign, s.Customer.ID, email)
		}
	}
	staff := map[string]string{
		"manager":   c.StaffLogin("mgr@scope.example", apptest.AddStaff(t, m, "mgr@scope.example", core.RoleManager, shops[0])),
		"assistant": c.StaffLogin("asst@scope.example", apptest.AddStaff(t, m, "asst@scope.example", core.RoleAssistant, shops[0])),
	}

	var routes []string
	for _, r := range m.Router.Routes() {
		if r.Method == http.MethodGet && r.Auth.Realm == "staff" && !r.Auth.Page {
			routes = append(routes, r.Path)
		}
	}
	if len(routes) < 10 {
		t.Fatalf("only %d staff GET routes found", len(routes))
	}
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 10))
	t.Logf("seed %d, %d staff GET routes", seed, len(routes))
	covered := map[string]bool{}
	for range 10000 {
		role := []string{"manager", "assistant"}[rng.IntN(2)]
		route := routes[rng.IntN(len(routes))]
		target := shops[rng.IntN(3)]
		ids := customersOf[target]
		path := strings.NewReplacer(":shop", target, ":id", ids[rng.IntN(len(ids))]).Replace(route)
		if strings.HasSuffix(path, "/audit") || strings.Contains(path, "/audit?") {
			path += "?customer=" + ids[rng.IntN(len(ids))]
		}
		if path == "/v1/staff/customers" { // the search: every customer is a Giulia Rossi of the same phone
			qs := []string{"giulia rossi", "rosi", "+39 340 123 4567", foreign[rng.IntN(len(foreign))]}
			path += "?" + url.Values{"q": {qs[rng.IntN(len(qs))]}}.Encode()
		}
		r := c.Do("GET", path, nil, apptest.Bearer(staff[role])...)
		// A problem's instance is the path the caller sent: it tells them
		// nothing they did not know.
		body := strings.Replace(string(r.Body), `"instance":"`+strings.SplitN(path, "?", 2)[0]+`"`, "", 1)
		for _, f := range foreign {
			if strings.Contains(body, f) {
				t.Fatalf("%s of %s: GET %s → %d names %s of another shop: %.300s", role, shops[0], path, r.Status, f, body)
			}
		}
		switch {
		case r.Status == http.StatusOK:
			covered[route] = true
		case r.Status == http.StatusNotFound && target != shops[0]:
		case r.Status == http.StatusForbidden: // a route above the role
		default:
			t.Fatalf("%s: GET %s → %d: %.300s", role, path, r.Status, body)
		}
		if r.Status == http.StatusOK && target != shops[0] && strings.Contains(route, ":") {
			t.Fatalf("%s of %s read %s of %s: 200", role, shops[0], path, target)
		}
	}
	for _, r := range routes {
		if !covered[r] && !strings.Contains(r, "audit") {
			t.Errorf("route %s never answered 200 to staff of A: the property says nothing about it", r)
		}
	}
}
