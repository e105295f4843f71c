package storetest

import (
	"context"
	"testing"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/shop"
)

func testShops(t *testing.T, e Engine) {
	ctx := context.Background()
	if got, err := e.Shops(ctx); err != nil || len(got) != 0 {
		t.Fatalf("empty Shops = %v, %v", got, err)
	}
	b := newShop(t, e, "Roma Prati")
	a := newShop(t, e, "Milano Centro")
	got, err := e.Shop(ctx, a.ID)
	must(t, err)
	if *got != *a {
		t.Fatalf("Shop = %+v, want %+v", got, a)
	}
	_, err = e.Shop(ctx, "missing")
	wantCode(t, err, core.ENOTFOUND)
	wantCode(t, e.CreateShop(ctx, &shop.Shop{ID: a.ID, Name: "dup", TimeZone: "Europe/Rome", CreatedAt: base}), core.ECONFLICT)
	all, err := e.Shops(ctx)
	must(t, err)
	if len(all) != 2 || all[0].ID != a.ID || all[1].ID != b.ID {
		t.Fatalf("Shops not ordered by name: %+v", all)
	}
}

func testStaff(t *testing.T, e Engine) {
	ctx := context.Background()
	s := newShop(t, e, "Milano Centro")
	owner := &shop.Staff{ID: core.NewID(), Email: "owner@example.com", Name: "Olga", PasswordHash: "h", Role: core.RoleOwner, Active: true, CreatedAt: base}
	asst := &shop.Staff{ID: core.NewID(), Email: "asst@example.com", Name: "Aldo", PasswordHash: "h", Role: core.RoleAssistant, ShopID: s.ID, Active: true, CreatedAt: base}
	must(t, e.CreateStaff(ctx, owner))
	must(t, e.CreateStaff(ctx, asst))
	dup := *asst
	dup.ID = core.NewID()
	wantCode(t, e.CreateStaff(ctx, &dup), core.ECONFLICT)

	got, err := e.StaffByEmail(ctx, "asst@example.com")
	must(t, err)
	if *got != *asst {
		t.Fatalf("StaffByEmail = %+v, want %+v", got, asst)
	}
	got, err = e.StaffMember(ctx, owner.ID)
	must(t, err)
	if got.Role != core.RoleOwner || got.ShopID != "" {
		t.Fatalf("owner = %+v", got)
	}
	_, err = e.StaffMember(ctx, "missing")
	wantCode(t, err, core.ENOTFOUND)
	_, err = e.StaffByEmail(ctx, "nobody@example.com")
	wantCode(t, err, core.ENOTFOUND)
	list, err := e.StaffOfShop(ctx, s.ID)
	must(t, err)
	if len(list) != 1 || list[0].ID != asst.ID {
		t.Fatalf("StaffOfShop = %+v", list)
	}
}
