package console_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/vista-optical/vista/backend/app/apptest"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
)

// TestSearchFindsTheCustomer: the one search box finds a customer by a
// name typed with a slip, by a phone number as people write it, by
// e-mail and by codice fiscale, best match first, only in the staff
// member's shop; bad input is a 422 on q in the page's language and a
// customer's token searches nothing.
func TestSearchFindsTheCustomer(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	milano, roma := "shop-milano-centro", "shop-roma-prati"
	asst := c.StaffLogin("banco@milano.example", apptest.AddStaff(t, m, "banco@milano.example", core.RoleAssistant, milano))
	romaAsst := c.StaffLogin("banco@roma.example", apptest.AddStaff(t, m, "banco@roma.example", core.RoleAssistant, roma))
	owner := apptest.OwnerLogin(t, m)
	add := func(tok, shop, first, last string, extra map[string]any) customer.Customer {
		b := map[string]any{"first_name": first, "last_name": last, "shop_id": shop, "text_version": "banco-2026-12"}
		for k, v := range extra {
			b[k] = v
		}
		var out struct{ Customer customer.Customer }
		c.Want(c.Do("POST", "/v1/staff/customers", b, apptest.Bearer(tok)...), 201).JSON(t, &out)
		return out.Customer
	}
	giulia := add(asst, milano, "Giulia", "Rossi", map[string]any{"phone": "+39 340 111 2233", "email": "giulia.rossi@example.com", "tax_code": "RSSGLI90E57F205B"})
	giulio := add(asst, milano, "Giulio", "Rossini", nil)
	add(asst, milano, "Anna", "Bianchi", nil)
	inRoma := add(romaAsst, roma, "Giulia", "Rossi", nil)

	search := func(tok, q string, want int) []customer.Customer {
		var out struct{ Customers []customer.Customer }
		r := c.Want(c.Do("GET", "/v1/staff/customers?"+url.Values{"q": {q}}.Encode(), nil, apptest.Bearer(tok)...), want)
		if want == 200 {
			r.JSON(t, &out)
		}
		return out.Customers
	}
	first := func(q string, want customer.Customer) {
		t.Helper()
		if got := search(asst, q, 200); len(got) == 0 || got[0].ID != want.ID {
			t.Errorf("%q found %+v first, want %s %s", q, got, want.FirstName, want.LastName)
		}
	}
	for _, q := range []string{"giulia rossi", "Rossi Giulia", "giula rossi", "guilia rosi", "GIULIA ROSSO", "giu ro",
		"340 111 2233", "+393401112233", "0039 340 1112233", "Giulia.Rossi@example.com", "rssgli 90e57 f205b"} {
		first(q, giulia)
	}
	first("giulio", giulio)
	if got := search(asst, "giulia rossi", 200); len(got) != 2 || got[1].ID != giulio.ID {
		t.Errorf("giulia rossi: %+v, want Giulia then Giulio Rossini", got)
	}
	for _, q := range []string{"giovanna rossi", "rssi bianchi", "+39 02 0000000"} {
		if got := search(asst, q, 200); len(got) != 0 {
			t.Errorf("%q found %+v", q, got)
		}
	}
	// Another shop's customers stay out of reach; the owner sees both.
	for _, cu := range search(asst, "giulia", 200) {
		if cu.ID == inRoma.ID {
			t.Error("Milano's assistant found Roma's customer")
		}
	}
	if got := search(romaAsst, "340 111 2233", 200); len(got) != 0 {
		t.Errorf("Roma found Milano's customer by phone: %+v", got)
	}
	if got := search(owner, "giulia rossi", 200); len(got) != 3 {
		t.Errorf("the owner found %d of 3", len(got))
	}
	// Bad input changes nothing and says which field.
	for _, q := range []string{"", "a", "!!!", strings.Repeat("x", 101)} {
		r := c.Want(c.Do("GET", "/v1/staff/customers?"+url.Values{"q": {q}}.Encode(), nil, append(apptest.Bearer(asst), "Accept-Language", "it-IT")...), 422)
		if !strings.Contains(string(r.Body), `"field":"q"`) {
			t.Errorf("%q: %s", q, r.Body)
		}
	}
	c.Want(c.Do("GET", "/v1/staff/customers?q=rossi&limit=51", nil, apptest.Bearer(asst)...), 422)
	s := c.Signup("cliente@example.com")
	c.Want(c.Do("GET", "/v1/staff/customers?q=rossi", nil, apptest.Bearer(s.Tokens.AccessToken)...), 401) // not a staff token

	// The page: results are links to the single view; a refusal is in
	// Italian next to the box; the box's own request gives the results only.
	page := string(c.Want(c.Do("GET", "/console/customers?q=giula+rosi", nil, apptest.Bearer(asst)...), 200).Body)
	if !strings.Contains(page, `href="/console/customers/`+giulia.ID+`?lang=it"`) || !strings.Contains(page, "39 340 111 2233") {
		t.Errorf("the search page does not link Giulia: %s", page)
	}
	bad := string(c.Want(c.Do("GET", "/console/customers?q=%21%21", nil, apptest.Bearer(asst)...), 422).Body)
	if !strings.Contains(bad, "deve contenere un nome") || !strings.Contains(bad, `aria-invalid="true"`) {
		t.Errorf("a refused search: %s", bad)
	}
	part := string(c.Want(c.Do("GET", "/console/customers?results=1&q=bianchi", nil, apptest.Bearer(asst)...), 200).Body)
	if strings.Contains(part, "<header") || !strings.Contains(part, "Bianchi Anna") {
		t.Errorf("the results alone: %s", part)
	}
	none := string(c.Want(c.Do("GET", "/console/customers?results=1&q=zzzz", nil, apptest.Bearer(asst)...), 200).Body)
	if !strings.Contains(none, "Nessun cliente trovato") {
		t.Errorf("no results: %s", none)
	}
}
