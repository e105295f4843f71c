package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
)

// testCustomerSearch: a name is found by its keys, kept with the record
// when it is created, renamed and erased, within the shops asked for; a
// word as the start of a whole word; all words must match.
func testCustomerSearch(t *testing.T, e Engine) {
	ctx := context.Background()
	a, b := newShop(t, e, "Milano Centro"), newShop(t, e, "Roma Prati")
	person := func(first, last, shop string) *customer.Customer {
		c := &customer.Customer{ID: core.NewID(), FirstName: first, LastName: last, ShopID: shop, Locale: "it",
			Origin: customer.OriginCounter, Status: customer.StatusActive, CreatedAt: base, UpdatedAt: base}
		must(t, e.CreateCustomer(ctx, c))
		return c
	}
	giulia := person("Giulia", "Rossi", a.ID)
	giulio := person("Giulio", "Rossini", a.ID)
	nicolo := person("Nicolò", "D'Amato", b.ID)
	erased := person("Giulia", "Rossi", a.ID)
	must(t, e.EraseCustomer(ctx, erased.ID, base.Add(time.Hour)))
	renamed := person("Maria", "Verdi", a.ID)
	newLast := "Neri"
	_, err := e.UpdateCustomer(ctx, renamed.ID, customer.Update{LastName: &newLast}, base.Add(time.Hour))
	must(t, err)

	for _, c := range []struct {
		q     string
		shops []string
		want  []*customer.Customer
	}{
		// Giulio is one letter from Giulia, and Rossini starts with Rossi:
		// the store gives both; the service ranks the exact match first.
		{"giulia rossi", nil, []*customer.Customer{giulia, giulio}},
		{"rossi giulia", []string{a.ID}, []*customer.Customer{giulia, giulio}},
		{"giulia rossi", []string{b.ID}, nil},
		{"giulai rosi", nil, []*customer.Customer{giulia}},  // swapped, missing
		{"ross", nil, []*customer.Customer{giulia, giulio}}, // the start of a word
		{"rossi", []string{b.ID}, nil},
		{"nicolo damato", nil, []*customer.Customer{nicolo}},
		{"Nicolò D'Amato", []string{a.ID, b.ID}, []*customer.Customer{nicolo}},
		{"maria neri", nil, []*customer.Customer{renamed}},
		{"verdi", nil, nil},
		{"giulia bianchi", nil, nil},
	} {
		got, err := e.SearchCustomers(ctx, customer.NameSearch(customer.NameWords(c.q), c.shops, 50))
		must(t, err)
		if gs, ws := ids(got), ids(c.want); !slices.Equal(gs, ws) {
			t.Errorf("SearchCustomers(%q, %v) = %v, want %v", c.q, c.shops, gs, ws)
		}
	}
	if got, err := e.SearchCustomers(ctx, customer.NameSearch(customer.NameWords("ross"), nil, 1)); err != nil || len(got) != 1 {
		t.Errorf("a limit of 1 gave %d (%v)", len(got), err)
	}
	if got, err := e.SearchCustomers(ctx, customer.Search{}); err != nil || len(got) != 0 {
		t.Errorf("no terms gave %d (%v)", len(got), err)
	}
}

func ids(cs []*customer.Customer) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	slices.Sort(out)
	return out
}
