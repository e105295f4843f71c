package mobileapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/app/apptest"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
)

func TestLensesAreOwnedAndValidated(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	a := c.Signup("a@example.com")
	b := c.Signup("b@example.com")
	var sup map[string]any
	c.Want(c.Do("POST", "/v1/me/lenses", map[string]any{"eye": "left", "brand": "Acuvue", "product": "Oasys", "modality": "two_weekly",
		"boxes": 1, "lenses_per_box": 6, "start_date": "2026-01-01"}, apptest.Bearer(b.Tokens.AccessToken)...), 201).JSON(t, &sup)
	id := sup["id"].(string)
	for _, r := range []struct{ method, path string }{
		{"GET", "/v1/me/lenses/" + id}, {"DELETE", "/v1/me/lenses/" + id}, {"POST", "/v1/me/lenses/" + id + "/reorder"},
	} {
		c.Want(c.Do(r.method, r.path, nil, apptest.Bearer(a.Tokens.AccessToken)...), http.StatusNotFound)
	}
	c.Want(c.Do("PATCH", "/v1/me/lenses/"+id, map[string]any{"boxes": 2}, apptest.Bearer(a.Tokens.AccessToken)...), http.StatusNotFound)
	var patched map[string]any
	c.Want(c.Do("PATCH", "/v1/me/lenses/"+id, map[string]any{"boxes": 2}, apptest.Bearer(b.Tokens.AccessToken)...), 200).JSON(t, &patched)
	if patched["runs_out_on"] != "2026-06-18" {
		t.Fatalf("boxes added: runs out %v, want 2026-06-18", patched["runs_out_on"])
	}
	c.Want(c.Do("POST", "/v1/me/lenses", map[string]any{"eye": "nose", "brand": "x", "product": "y", "modality": "weekly",
		"boxes": 0, "lenses_per_box": 6, "start_date": "soon"}, apptest.Bearer(b.Tokens.AccessToken)...), 422)
	// Fifty boxes of 400 yearly lenses for one eye would last 20,000 years.
	var tooLong struct {
		Errors []struct{ Field, Message string } `json:"errors"`
	}
	c.Want(c.Do("POST", "/v1/me/lenses", map[string]any{"eye": "right", "brand": "x", "product": "y", "modality": "yearly",
		"boxes": 50, "lenses_per_box": 400, "start_date": "2026-01-01"}, apptest.Bearer(b.Tokens.AccessToken)...), 422).JSON(t, &tooLong)
	if len(tooLong.Errors) != 1 || tooLong.Errors[0].Field != "boxes" {
		t.Fatalf("too long a supply: %+v", tooLong)
	}
	c.Want(c.Do("PATCH", "/v1/me/lenses/"+id, map[string]any{"boxes": 50, "lenses_per_box": 400}, apptest.Bearer(b.Tokens.AccessToken)...), 422)

	// Family: a child's supply, and another customer cannot use the child.
	var kid map[string]any
	c.Want(c.Do("POST", "/v1/me/family", map[string]any{"first_name": "Luca", "last_name": "Rossi", "birth_date": "2016-09-01", "relation": "child"},
		apptest.Bearer(b.Tokens.AccessToken)...), 201).JSON(t, &kid)
	child := map[string]any{"member_id": kid["id"], "eye": "both", "brand": "CooperVision", "product": "MiSight", "modality": "daily",
		"boxes": 1, "lenses_per_box": 90, "start_date": "2026-01-01"}
	c.Want(c.Do("POST", "/v1/me/lenses", child, apptest.Bearer(b.Tokens.AccessToken)...), 201)
	c.Want(c.Do("POST", "/v1/me/lenses", child, apptest.Bearer(a.Tokens.AccessToken)...), 422)
	c.Want(c.Do("DELETE", "/v1/me/family/"+kid["id"].(string), nil, apptest.Bearer(a.Tokens.AccessToken)...), 404)
}

// TestCustomerOwnershipAsATable: a customer reaches none of another
// customer's things by id; each route answers 404 and changes nothing.
func TestCustomerOwnershipAsATable(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	ctx := context.Background()
	a := c.Signup("owner.a@example.com")
	b := c.Signup("other.b@example.com")
	tokA := apptest.Bearer(a.Tokens.AccessToken)
	var sup, kid map[string]any
	c.Want(c.Do("POST", "/v1/me/lenses", apptest.LensBody(time.Now()), tokA...), 201).JSON(t, &sup)
	c.Want(c.Do("POST", "/v1/me/family", apptest.ValidBodies["POST /v1/me/family"], tokA...), 201).JSON(t, &kid)
	msg := &notify.Message{ID: core.NewID(), CustomerID: a.Customer.ID, Channel: notify.ChannelInbox, Purpose: notify.PurposeService,
		DedupeKey: "ownership-inbox", Title: "Per te", Body: "b", DueAt: time.Now(), Status: notify.StatusPending, CreatedAt: time.Now(), UpdatedAt: time.Now()}
	_, err := m.Store.EnqueueMessage(ctx, msg)
	apptest.Must(t, err)
	supply, member := sup["id"].(string), kid["id"].(string)
	other := b.Tokens.AccessToken

	c.Run(t, []apptest.Scenario{
		{Name: "read a supply", Method: "GET", Path: "/v1/me/lenses/" + supply, Token: other, Status: 404},
		{Name: "change a supply", Method: "PATCH", Path: "/v1/me/lenses/" + supply, Body: map[string]any{"boxes": 3}, Token: other, Status: 404},
		{Name: "reorder a supply", Method: "POST", Path: "/v1/me/lenses/" + supply + "/reorder", Body: map[string]any{"note": "x"}, Token: other, Status: 404},
		{Name: "delete a supply", Method: "DELETE", Path: "/v1/me/lenses/" + supply, Token: other, Status: 404},
		{Name: "remove a family member", Method: "DELETE", Path: "/v1/me/family/" + member, Token: other, Status: 404},
		{Name: "mark a message read", Method: "POST", Path: "/v1/me/messages/" + msg.ID + "/read", Token: other, Status: 404},
		{Name: "mark a message opened", Method: "POST", Path: "/v1/me/messages/" + msg.ID + "/opened", Token: other, Status: 404},
		{Name: "list lenses holds none of A's", Method: "GET", Path: "/v1/me/lenses", Token: other, Status: 200, Absent: []string{supply}},
		{Name: "the family holds none of A's", Method: "GET", Path: "/v1/me/family", Token: other, Status: 200, Absent: []string{member}},
		{Name: "the supply is still A's and unchanged", Method: "GET", Path: "/v1/me/lenses/" + supply, Token: a.Tokens.AccessToken, Status: 200, Contains: []string{`"boxes":1`}},
		{Name: "the family member is still A's", Method: "GET", Path: "/v1/me/family", Token: a.Tokens.AccessToken, Status: 200, Contains: []string{member}},
	})
}
