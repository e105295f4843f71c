package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
)

// scenario is one request through the real app and what must come back:
// the status, texts the body holds or must not hold, and for a 422 the
// field its problem names.
type scenario struct {
	name     string
	method   string
	path     string
	body     any
	token    string
	status   int
	contains []string
	absent   []string
	field    string
}

// run sends every scenario in order, each as a subtest.
func (c client) run(t *testing.T, ss []scenario) {
	t.Helper()
	for _, s := range ss {
		t.Run(s.name, func(t *testing.T) {
			cc := client{t, c.m}
			var headers []string
			if s.token != "" {
				headers = bearer(s.token)
			}
			r := cc.do(s.method, s.path, s.body, headers...)
			if r.Status != s.status {
				t.Fatalf("%s %s → %d, want %d: %.300s", s.method, s.path, r.Status, s.status, r.Body)
			}
			for _, w := range s.contains {
				if !strings.Contains(string(r.Body), w) {
					t.Errorf("%s %s: the body lacks %q: %.300s", s.method, s.path, w, r.Body)
				}
			}
			for _, w := range s.absent {
				if strings.Contains(string(r.Body), w) {
					t.Errorf("%s %s: the body holds %q", s.method, s.path, w)
				}
			}
			if s.field != "" {
				errs, _ := r.problem(t)["errors"].([]any)
				if len(errs) == 0 || errs[0].(map[string]any)["field"] != s.field {
					t.Errorf("%s %s: problem %s, want a field error on %s", s.method, s.path, r.Body, s.field)
				}
			}
		})
	}
}

// TestStaffWritesAsATable: who may change what of a customer or a shop,
// by role and shop, for every staff write route.
func TestStaffWritesAsATable(t *testing.T) {
	m := boot(t, t.TempDir())
	c := client{t, m}
	const milano, roma = "shop-milano-centro", "shop-roma-prati"
	owner := ownerLogin(t, m)
	mgrA := c.staffLogin("mgr.a@table.example", addStaff(t, m, "mgr.a@table.example", core.RoleManager, milano))
	asstA := c.staffLogin("asst.a@table.example", addStaff(t, m, "asst.a@table.example", core.RoleAssistant, milano))
	mgrB := c.staffLogin("mgr.b@table.example", addStaff(t, m, "mgr.b@table.example", core.RoleManager, roma))
	cu := c.signup("table@example.com", func(b map[string]any) { b["shop_id"] = milano }).Customer.ID
	dead := deadLetter(t, m, cu, milano, "table-dead")
	settings := map[string]any{"runs_out_days_before": []int{7}, "replace_day": true, "hour_local": 10}
	exam := map[string]any{"due_on": time.Now().AddDate(1, 0, 0).Format(time.DateOnly)}
	supply := lensBody(time.Now())

	c.run(t, []scenario{
		{name: "assistant sets no reminder settings", method: "PUT", path: "/v1/staff/shops/" + milano + "/reminder-settings", body: settings, token: asstA, status: 403},
		{name: "manager of another shop does not see it", method: "PUT", path: "/v1/staff/shops/" + milano + "/reminder-settings", body: settings, token: mgrB, status: 404},
		{name: "manager sets its shop's settings", method: "PUT", path: "/v1/staff/shops/" + milano + "/reminder-settings", body: settings, token: mgrA, status: 200, contains: []string{`"hour_local":10`}},
		{name: "bad settings name the field", method: "PUT", path: "/v1/staff/shops/" + milano + "/reminder-settings", body: map[string]any{"runs_out_days_before": []int{7}, "hour_local": 3}, token: owner, status: 422, field: "hour_local"},
		{name: "another shop's manager records no exam", method: "PUT", path: "/v1/staff/customers/" + cu + "/exams", body: exam, token: mgrB, status: 404},
		{name: "an assistant records an exam", method: "PUT", path: "/v1/staff/customers/" + cu + "/exams", body: exam, token: asstA, status: 200},
		{name: "another shop's manager sells no lenses to the customer", method: "POST", path: "/v1/staff/customers/" + cu + "/lenses", body: supply, token: mgrB, status: 404},
		{name: "an assistant records a supply sold at the counter", method: "POST", path: "/v1/staff/customers/" + cu + "/lenses", body: supply, token: asstA, status: 201},
		{name: "an assistant retries nothing", method: "POST", path: "/v1/staff/outbox/" + dead.ID + "/retry", token: asstA, status: 403},
		{name: "another shop's manager does not see the message", method: "POST", path: "/v1/staff/outbox/" + dead.ID + "/retry", token: mgrB, status: 404},
		{name: "the shop's manager retries it", method: "POST", path: "/v1/staff/outbox/" + dead.ID + "/retry", token: mgrA, status: 200, contains: []string{`"status":"pending"`}},
		{name: "a second retry conflicts", method: "POST", path: "/v1/staff/outbox/" + dead.ID + "/retry", token: owner, status: 409},
	})
}

// TestCustomerOwnershipAsATable: a customer reaches none of another
// customer's things by id; each route answers 404 and changes nothing.
func TestCustomerOwnershipAsATable(t *testing.T) {
	m := boot(t, t.TempDir())
	c := client{t, m}
	ctx := context.Background()
	a := c.signup("owner.a@example.com")
	b := c.signup("other.b@example.com")
	tokA := bearer(a.Tokens.AccessToken)
	var sup, kid map[string]any
	c.want(c.do("POST", "/v1/me/lenses", lensBody(time.Now()), tokA...), 201).json(t, &sup)
	c.want(c.do("POST", "/v1/me/family", validBodies["POST /v1/me/family"], tokA...), 201).json(t, &kid)
	msg := &notify.Message{ID: core.NewID(), CustomerID: a.Customer.ID, Channel: notify.ChannelInbox, Purpose: notify.PurposeService,
		DedupeKey: "ownership-inbox", Title: "Per te", Body: "b", DueAt: time.Now(), Status: notify.StatusPending, CreatedAt: time.Now(), UpdatedAt: time.Now()}
	_, err := m.Store.EnqueueMessage(ctx, msg)
	must(t, err)
	supply, member := sup["id"].(string), kid["id"].(string)
	other := b.Tokens.AccessToken

	c.run(t, []scenario{
		{name: "read a supply", method: "GET", path: "/v1/me/lenses/" + supply, token: other, status: 404},
		{name: "change a supply", method: "PATCH", path: "/v1/me/lenses/" + supply, body: map[string]any{"boxes": 3}, token: other, status: 404},
		{name: "reorder a supply", method: "POST", path: "/v1/me/lenses/" + supply + "/reorder", body: map[string]any{"note": "x"}, token: other, status: 404},
		{name: "delete a supply", method: "DELETE", path: "/v1/me/lenses/" + supply, token: other, status: 404},
		{name: "remove a family member", method: "DELETE", path: "/v1/me/family/" + member, token: other, status: 404},
		{name: "mark a message read", method: "POST", path: "/v1/me/messages/" + msg.ID + "/read", token: other, status: 404},
		{name: "mark a message opened", method: "POST", path: "/v1/me/messages/" + msg.ID + "/opened", token: other, status: 404},
		{name: "list lenses holds none of A's", method: "GET", path: "/v1/me/lenses", token: other, status: 200, absent: []string{supply}},
		{name: "the family holds none of A's", method: "GET", path: "/v1/me/family", token: other, status: 200, absent: []string{member}},
		{name: "the supply is still A's and unchanged", method: "GET", path: "/v1/me/lenses/" + supply, token: a.Tokens.AccessToken, status: 200, contains: []string{`"boxes":1`}},
		{name: "the family member is still A's", method: "GET", path: "/v1/me/family", token: a.Tokens.AccessToken, status: 200, contains: []string{member}},
	})
}
