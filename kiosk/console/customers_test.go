package console_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/vista-optical/vista/backend/app/apptest"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
)

// TestCustomersAtTheCounter: an assistant creates the customer in front
// of them, with the consents they gave at the counter (recorded as events
// naming the assistant); the record comes first in the shop's list. A
// second record with the same phone or codice fiscale is created with a
// warning naming the first; the same e-mail is refused on its field. An
// assistant creates no customer in another shop, no minor, and nothing
// from a wrong codice fiscale; a customer's token creates nothing.
func TestCustomersAtTheCounter(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	milano := "shop-milano-centro"
	asst := c.StaffLogin("banco@milano.example", apptest.AddStaff(t, m, "banco@milano.example", core.RoleAssistant, milano))
	staff, err := m.Store.StaffByEmail(context.Background(), "banco@milano.example")
	apptest.Must(t, err)
	body := func(extra map[string]any) map[string]any {
		b := map[string]any{"first_name": "Mario", "last_name": "Rossi", "phone": "333 111 2222", "tax_code": "rssmra85t10a562s",
			"birth_date": "1985-12-10", "address": "Via Torino 1, Milano", "shop_id": milano, "text_version": "banco-2026-12",
			"consents": []map[string]any{{"channel": "sms", "purpose": "service", "granted": true}}}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
	type created struct {
		Customer   customer.Customer
		Duplicates []customer.Customer `json:"possible_duplicates"`
	}
	var first created
	c.Want(c.Do("POST", "/v1/staff/customers", body(map[string]any{"email": "Mario.Rossi@Example.com"}), apptest.Bearer(asst)...), 201).JSON(t, &first)
	cu := first.Customer
	if cu.Origin != customer.OriginCounter || cu.Phone != "+393331112222" || cu.TaxCode != "RSSMRA85T10A562S" || cu.Email != "mario.rossi@example.com" ||
		len(first.Duplicates) != 0 {
		t.Fatalf("created %+v, duplicates %v", cu, first.Duplicates)
	}
	events, err := m.Store.ConsentEvents(context.Background(), cu.ID, m.Clock.Now())
	apptest.Must(t, err)
	if len(events) != 1 || events[0].Source != customer.ConsentSourceCounter+staff.ID || events[0].TextVersion != "banco-2026-12" {
		t.Fatalf("consent events %+v", events)
	}
	var list struct{ Customers []customer.Customer }
	c.Want(c.Do("GET", "/v1/staff/shops/"+milano+"/customers", nil, apptest.Bearer(asst)...), 200).JSON(t, &list)
	if len(list.Customers) == 0 || list.Customers[0].ID != cu.ID {
		t.Fatalf("the shop's list does not start with the new customer: %+v", list.Customers)
	}

	var second created
	c.Want(c.Do("POST", "/v1/staff/customers", body(map[string]any{"first_name": "Mario G.", "tax_code": ""}), apptest.Bearer(asst)...), 201).JSON(t, &second)
	if len(second.Duplicates) != 1 || second.Duplicates[0].ID != cu.ID {
		t.Fatalf("same phone: duplicates %+v, want the first record", second.Duplicates)
	}
	for _, r := range []struct {
		name  string
		body  map[string]any
		token string
		want  int
		field string
	}{
		{"the same e-mail", body(map[string]any{"email": "mario.rossi@example.com"}), asst, 409, "email"},
		{"another shop", body(map[string]any{"shop_id": "shop-roma-prati"}), asst, 422, "shop_id"},
		{"a wrong codice fiscale", body(map[string]any{"tax_code": "RSSMRA85T10A562T"}), asst, 422, "tax_code"},
		{"a minor", body(map[string]any{"birth_date": m.Clock.Now().AddDate(-10, 0, 0).Format("2006-01-02"), "tax_code": ""}), asst, 422, "birth_date"},
		{"consents without their text", body(map[string]any{"text_version": ""}), asst, 422, "text_version"},
		{"no name", body(map[string]any{"first_name": " "}), asst, 422, "first_name"},
	} {
		p := c.Want(c.Do("POST", "/v1/staff/customers", r.body, apptest.Bearer(r.token)...), r.want).Problem(t)
		errs, _ := p["errors"].([]any)
		if len(errs) == 0 || !strings.Contains(errs[0].(map[string]any)["field"].(string), r.field) {
			t.Errorf("%s: %v, want an error on %s", r.name, p, r.field)
		}
	}
	app := c.Signup("app@example.com")
	c.Want(c.Do("POST", "/v1/staff/customers", body(nil), apptest.Bearer(app.Tokens.AccessToken)...), 401)
}

// TestCounterFormKeepsWhatWasTyped: the home page's form refused on a
// wrong codice fiscale shows it again as typed, the message in Italian
// next to the field; nothing is created.
func TestCounterFormKeepsWhatWasTyped(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	asst := c.StaffLogin("banco@milano.example", apptest.AddStaff(t, m, "banco@milano.example", core.RoleAssistant, "shop-milano-centro"))
	v := url.Values{"shop_id": {"shop-milano-centro"}, "first_name": {"Anna"}, "last_name": {"Verdi"}, "phone": {"333 444 5555"},
		"tax_code": {"VRDNNA80A41F205X"}, "consent_service": {"on"}}
	page := string(c.Want(c.Do("POST", "/console/customers?shop=shop-milano-centro", v.Encode(),
		append(apptest.Bearer(asst), "Content-Type", "application/x-www-form-urlencoded")...), 422).Body)
	for _, want := range []string{`value="VRDNNA80A41F205X"`, `value="Anna"`, "deve essere un codice fiscale", `id="counter-service" style="width:auto" checked`} {
		if !strings.Contains(page, want) {
			t.Errorf("the refused form lacks %q", want)
		}
	}
	if found, _ := m.Store.CustomersByContact(context.Background(), "+393334445555", ""); len(found) != 0 {
		t.Fatal("a refused form created a customer")
	}
}
