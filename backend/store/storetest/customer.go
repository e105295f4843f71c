package storetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
)

func testCustomers(t *testing.T, e Engine) {
	ctx := context.Background()
	s := newShop(t, e, "Milano Centro")
	c := newCustomer(t, e, "giulia@example.com", s.ID)

	got, err := e.Customer(ctx, c.ID)
	must(t, err)
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("Customer = %+v, want %+v", got, c)
	}
	got, err = e.CustomerByEmail(ctx, "giulia@example.com")
	must(t, err)
	if got.ID != c.ID {
		t.Fatalf("CustomerByEmail = %s", got.ID)
	}
	_, err = e.Customer(ctx, "missing")
	wantCode(t, err, core.ENOTFOUND)
	_, err = e.CustomerByEmail(ctx, "nobody@example.com")
	wantCode(t, err, core.ENOTFOUND)
	_, err = e.CustomerByFirebaseUID(ctx, "nobody")
	wantCode(t, err, core.ENOTFOUND)

	dup := *c
	dup.ID = core.NewID()
	wantCode(t, e.CreateCustomer(ctx, &dup), core.ECONFLICT)
	dupID := *c
	dupID.Email = "other@example.com"
	wantCode(t, e.CreateCustomer(ctx, &dupID), core.ECONFLICT)

	fb := newCustomer(t, e, "", "")
	uid := "firebase-uid-1"
	_, err = e.UpdateCustomer(ctx, fb.ID, customer.Update{FirebaseUID: &uid}, base)
	must(t, err)
	got, err = e.CustomerByFirebaseUID(ctx, uid)
	must(t, err)
	if got.ID != fb.ID || got.Email != "" {
		t.Fatalf("CustomerByFirebaseUID = %+v", got)
	}
	_, err = e.UpdateCustomer(ctx, c.ID, customer.Update{FirebaseUID: &uid}, base)
	wantCode(t, err, core.ECONFLICT)

	// Two customers without e-mail do not collide.
	newCustomer(t, e, "", "")

	// Listing by shop pages newest first and skips other shops.
	other := newShop(t, e, "Roma Prati")
	newCustomer(t, e, "roma@example.com", other.ID)
	ids := []string{c.ID}
	for i := range 4 {
		ids = append(ids, newCustomer(t, e, fmt.Sprintf("c%d@example.com", i), s.ID).ID)
	}
	var want []core.Cursor
	for _, id := range ids {
		cu, err := e.Customer(ctx, id)
		must(t, err)
		want = append(want, customer.Place(cu))
	}
	walkPages(t, "CustomersByShop", sortedNewestFirst(want), func(p core.Page) ([]*customer.Customer, error) {
		page, err := e.CustomersByShop(ctx, s.ID, p)
		for _, cu := range page {
			if cu.ShopID != s.ID {
				t.Fatalf("CustomersByShop returned a customer of shop %s", cu.ShopID)
			}
		}
		return page, err
	}, customer.Place)
}

func testCustomerUpdate(t *testing.T, e Engine) {
	ctx := context.Background()
	s := newShop(t, e, "Milano Centro")
	c := newCustomer(t, e, "giulia@example.com", s.ID)
	later := base.Add(time.Hour)
	first, phone := "Giulietta", ""
	got, err := e.UpdateCustomer(ctx, c.ID, customer.Update{FirstName: &first, Phone: &phone}, later)
	must(t, err)
	if got.FirstName != "Giulietta" || got.Phone != "" || got.LastName != "Rossi" || !got.UpdatedAt.Equal(later) || !got.CreatedAt.Equal(base) {
		t.Fatalf("UpdateCustomer = %+v", got)
	}
	again, err := e.Customer(ctx, c.ID)
	must(t, err)
	if !reflect.DeepEqual(again, got) {
		t.Fatalf("stored %+v, returned %+v", again, got)
	}
	_, err = e.UpdateCustomer(ctx, "missing", customer.Update{FirstName: &first}, later)
	wantCode(t, err, core.ENOTFOUND)

	// A confirmed new address and a new password; an address another
	// customer holds is a conflict and changes nothing.
	other := newCustomer(t, e, "other@example.com", s.ID)
	mail, hash := "giulia.rossi@example.com", "$argon2id$new"
	got, err = e.UpdateCustomer(ctx, c.ID, customer.Update{Email: &mail, PasswordHash: &hash}, later)
	must(t, err)
	if got.Email != mail || got.PasswordHash != hash {
		t.Fatalf("after the e-mail and password change: %+v", got)
	}
	if byMail, err := e.CustomerByEmail(ctx, mail); err != nil || byMail.ID != c.ID {
		t.Fatalf("CustomerByEmail(new) = %v, %v", byMail, err)
	}
	_, err = e.CustomerByEmail(ctx, "giulia@example.com")
	wantCode(t, err, core.ENOTFOUND)
	taken := other.Email
	_, err = e.UpdateCustomer(ctx, c.ID, customer.Update{Email: &taken}, later)
	wantCode(t, err, core.ECONFLICT)
	if again, _ := e.Customer(ctx, c.ID); again.Email != mail {
		t.Fatalf("a refused change changed the address to %q", again.Email)
	}
}

func testCustomerErase(t *testing.T, e Engine) {
	ctx := context.Background()
	s := newShop(t, e, "Milano Centro")
	c := newCustomer(t, e, "giulia@example.com", s.ID)
	uid := "uid-erase"
	_, err := e.UpdateCustomer(ctx, c.ID, customer.Update{FirebaseUID: &uid}, base)
	must(t, err)
	at := base.Add(time.Hour)
	must(t, e.EraseCustomer(ctx, c.ID, at))
	must(t, e.EraseCustomer(ctx, c.ID, at.Add(time.Hour))) // idempotent, keeps the first time

	got, err := e.Customer(ctx, c.ID)
	must(t, err)
	if got.Status != customer.StatusErased || got.Email != "" || got.FirstName != "" || got.LastName != "" ||
		got.Phone != "" || got.BirthDate != "" || got.PasswordHash != "" || got.FirebaseUID != "" ||
		got.ErasedAt == nil || !got.ErasedAt.Equal(at) {
		t.Fatalf("erased customer still holds data: %+v", got)
	}
	_, err = e.CustomerByEmail(ctx, "giulia@example.com")
	wantCode(t, err, core.ENOTFOUND)
	_, err = e.CustomerByFirebaseUID(ctx, uid)
	wantCode(t, err, core.ENOTFOUND)
	list, err := e.CustomersByShop(ctx, s.ID, core.Page{Limit: 10})
	must(t, err)
	if len(list) != 0 {
		t.Fatalf("erased customer still listed: %+v", list)
	}
	// A batch read finds the erased one too (as erased), and skips ids
	// that name no one.
	other := newCustomer(t, e, "other@example.com", s.ID)
	batch, err := e.CustomersByIDs(ctx, []string{c.ID, "missing", other.ID})
	must(t, err)
	byID := map[string]*customer.Customer{}
	for _, cu := range batch {
		byID[cu.ID] = cu
	}
	if len(batch) != 2 || byID[c.ID] == nil || byID[c.ID].Status != customer.StatusErased || byID[other.ID] == nil || byID[other.ID].Email != "other@example.com" {
		t.Fatalf("CustomersByIDs = %+v", batch)
	}
	if got, err := e.CustomersByIDs(ctx, nil); err != nil || len(got) != 0 {
		t.Fatalf("CustomersByIDs(none) = %v, %v", got, err)
	}
	name := "x"
	_, err = e.UpdateCustomer(ctx, c.ID, customer.Update{FirstName: &name}, at)
	wantCode(t, err, core.ENOTFOUND)
	// The e-mail is free again.
	newCustomer(t, e, "giulia@example.com", s.ID)
	wantCode(t, e.EraseCustomer(ctx, "missing", at), core.ENOTFOUND)
}

func testConsentEvents(t *testing.T, e Engine) {
	ctx := context.Background()
	c := newCustomer(t, e, "giulia@example.com", "")
	other := newCustomer(t, e, "other@example.com", "")
	ev := func(ch core.Channel, p core.Purpose, granted bool, at time.Time, cust string) customer.ConsentEvent {
		return customer.ConsentEvent{ID: core.NewID(), CustomerID: cust, Channel: ch, Purpose: p, Granted: granted,
			OccurredAt: at, Source: "app:settings", TextVersion: "privacy-v1"}
	}
	must(t, e.AppendConsentEvents(ctx, []customer.ConsentEvent{
		ev("push", "marketing", true, base, c.ID),
		ev("email", "service", true, base, c.ID),
	}))
	must(t, e.AppendConsentEvents(ctx, []customer.ConsentEvent{ev("push", "marketing", false, base.Add(time.Hour), c.ID)}))
	must(t, e.AppendConsentEvents(ctx, []customer.ConsentEvent{ev("push", "marketing", true, base, other.ID)}))

	all, err := e.ConsentEvents(ctx, c.ID, base.Add(2*time.Hour))
	must(t, err)
	if len(all) != 3 || all[2].Granted || !all[2].OccurredAt.Equal(base.Add(time.Hour)) {
		t.Fatalf("ConsentEvents = %+v", all)
	}
	if s := customer.DeriveConsents(all); s.Granted("push", "marketing") || !s.Granted("email", "service") {
		t.Fatalf("derived state wrong: %+v", s)
	}
	before, err := e.ConsentEvents(ctx, c.ID, base.Add(30*time.Minute))
	must(t, err)
	if len(before) != 2 || !customer.DeriveConsents(before).Granted("push", "marketing") {
		t.Fatalf("state at T not reconstructed: %+v", before)
	}
	dup := all[0]
	wantCode(t, e.AppendConsentEvents(ctx, []customer.ConsentEvent{dup}), core.ECONFLICT)

	must(t, e.DeleteConsentEvents(ctx, c.ID))
	left, err := e.ConsentEvents(ctx, c.ID, base.Add(2*time.Hour))
	must(t, err)
	kept, err := e.ConsentEvents(ctx, other.ID, base.Add(2*time.Hour))
	must(t, err)
	if len(left) != 0 || len(kept) != 1 {
		t.Fatalf("DeleteConsentEvents left %d, other has %d", len(left), len(kept))
	}
}

func testDevices(t *testing.T, e Engine) {
	ctx := context.Background()
	a := newCustomer(t, e, "a@example.com", "")
	b := newCustomer(t, e, "b@example.com", "")
	d := &customer.Device{Token: "fcm-token-aaaaaaaaaaaa", CustomerID: a.ID, Platform: "android", AppVersion: "1.0.0", CreatedAt: base, LastSeenAt: base}
	must(t, e.UpsertDevice(ctx, d))
	d2 := &customer.Device{Token: "fcm-token-bbbbbbbbbbbb", CustomerID: a.ID, Platform: "ios", AppVersion: "1.0.0", CreatedAt: base.Add(time.Minute), LastSeenAt: base.Add(time.Minute)}
	must(t, e.UpsertDevice(ctx, d2))

	later := base.Add(time.Hour)
	again := &customer.Device{Token: d.Token, CustomerID: a.ID, Platform: "android", AppVersion: "1.1.0", CreatedAt: later, LastSeenAt: later}
	must(t, e.UpsertDevice(ctx, again))
	if !again.CreatedAt.Equal(base) {
		t.Fatalf("re-registering changed created_at to %v", again.CreatedAt)
	}
	list, err := e.Devices(ctx, a.ID)
	must(t, err)
	if len(list) != 2 || list[0].Token != d2.Token || list[1].AppVersion != "1.1.0" || !list[1].LastSeenAt.Equal(later) {
		t.Fatalf("Devices = %+v", list)
	}

	// The phone changes hands: the token moves to b.
	moved := &customer.Device{Token: d.Token, CustomerID: b.ID, Platform: "android", AppVersion: "1.1.0", CreatedAt: later, LastSeenAt: later}
	must(t, e.UpsertDevice(ctx, moved))
	la, _ := e.Devices(ctx, a.ID)
	lb, _ := e.Devices(ctx, b.ID)
	if len(la) != 1 || len(lb) != 1 {
		t.Fatalf("after move a has %d devices, b %d", len(la), len(lb))
	}

	wantCode(t, e.DeleteDevice(ctx, a.ID, d.Token), core.ENOTFOUND) // b's now
	must(t, e.DeleteDevice(ctx, b.ID, d.Token))
	wantCode(t, e.DeleteDevice(ctx, b.ID, d.Token), core.ENOTFOUND)
	must(t, e.DeleteDevices(ctx, a.ID))
	la, _ = e.Devices(ctx, a.ID)
	if len(la) != 0 {
		t.Fatalf("DeleteDevices left %+v", la)
	}
}

// testCounterCustomers: a record made at the counter keeps its codice
// fiscale, address and origin; the records that may be the same person
// are found by phone or codice fiscale (active ones, neither matching
// empty); erasure clears them with the rest.
func testCounterCustomers(t *testing.T, e Engine) {
	ctx := context.Background()
	s := newShop(t, e, "Milano Centro")
	app := newCustomer(t, e, "giulia@example.com", s.ID) // +393401234567
	counter := &customer.Customer{ID: core.NewID(), FirstName: "Mario", LastName: "Rossi", Phone: "+393331112222",
		TaxCode: "RSSMRA85T10A562S", Address: "Via Torino 1, Milano", ShopID: s.ID, Locale: "it", Origin: customer.OriginCounter,
		Status: customer.StatusActive, CreatedAt: base, UpdatedAt: base}
	must(t, e.CreateCustomer(ctx, counter))
	// No e-mail and no password: a second one without e-mail is fine too.
	noContact := &customer.Customer{ID: core.NewID(), FirstName: "Anna", LastName: "Bianchi", ShopID: s.ID, Locale: "it",
		Origin: customer.OriginCounter, Status: customer.StatusActive, CreatedAt: base, UpdatedAt: base}
	must(t, e.CreateCustomer(ctx, noContact))
	got, err := e.Customer(ctx, counter.ID)
	must(t, err)
	if !reflect.DeepEqual(got, counter) {
		t.Fatalf("Customer = %+v, want %+v", got, counter)
	}
	ids := func(cs []*customer.Customer) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		slices.Sort(out)
		return out
	}
	for _, c := range []struct {
		phone, tax string
		want       []string
	}{
		{"+393331112222", "", []string{counter.ID}},
		{"", "RSSMRA85T10A562S", []string{counter.ID}},
		{"+393401234567", "RSSMRA85T10A562S", ids([]*customer.Customer{app, counter})},
		{"", "", nil},
		{"+390000000000", "", nil},
	} {
		found, err := e.CustomersByContact(ctx, c.phone, c.tax)
		must(t, err)
		if got := ids(found); !slices.Equal(got, c.want) {
			t.Errorf("CustomersByContact(%q, %q) = %v, want %v", c.phone, c.tax, got, c.want)
		}
	}
	must(t, e.EraseCustomer(ctx, counter.ID, base.Add(time.Hour)))
	if found, _ := e.CustomersByContact(ctx, "+393331112222", "RSSMRA85T10A562S"); len(found) != 0 {
		t.Fatalf("an erased record is still a possible duplicate: %v", ids(found))
	}
	erased, err := e.Customer(ctx, counter.ID)
	must(t, err)
	if erased.TaxCode != "" || erased.Address != "" || erased.Phone != "" {
		t.Fatalf("erasure kept %+v", erased)
	}
}
