package storetest

import (
	"context"
	"testing"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
)

func testFamily(t *testing.T, e Engine) {
	ctx := context.Background()
	a := newCustomer(t, e, "a@example.com", "")
	b := newCustomer(t, e, "b@example.com", "")
	kid := &customer.FamilyMember{ID: core.NewID(), CustomerID: a.ID, FirstName: "Luca", LastName: "Rossi", BirthDate: "2016-09-01", Relation: "child", CreatedAt: base}
	must(t, e.CreateFamilyMember(ctx, kid))
	got, err := e.FamilyMember(ctx, a.ID, kid.ID)
	must(t, err)
	if *got != *kid {
		t.Fatalf("FamilyMember = %+v", got)
	}
	_, err = e.FamilyMember(ctx, b.ID, kid.ID)
	wantCode(t, err, core.ENOTFOUND)
	wantCode(t, e.DeleteFamilyMember(ctx, b.ID, kid.ID), core.ENOTFOUND)
	list, _ := e.FamilyMembers(ctx, a.ID)
	if len(list) != 1 {
		t.Fatal("FamilyMembers")
	}
	must(t, e.DeleteFamilyMembers(ctx, a.ID))
	if list, _ := e.FamilyMembers(ctx, a.ID); len(list) != 0 {
		t.Fatal("DeleteFamilyMembers")
	}
}
