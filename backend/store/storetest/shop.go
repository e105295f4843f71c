package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

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
	if !reflect.DeepEqual(got, a) {
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
	if !reflect.DeepEqual(got, asst) {
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

func testShopUpdate(t *testing.T, e Engine) {
	ctx := context.Background()
	a := newShop(t, e, "Milano Centro")
	b := newShop(t, e, "Roma Prati")
	a.Name, a.Slug, a.Phone = "Milano Duomo", "milano-duomo", "+390212345678"
	a.Hours = shop.Hours{Weekly: map[string][]shop.Span{"mon": {{Open: "09:00", Close: "13:00"}, {Open: "15:00", Close: "19:30"}}},
		Exceptions: []shop.Exception{{Date: "2026-12-25", Closed: true, Note: "Natale"}},
		Closures:   []shop.Closure{{Date: "12-07", Note: "Sant'Ambrogio"}}, OpenOnHolidays: true}
	must(t, e.UpdateShop(ctx, a))
	got, err := e.Shop(ctx, a.ID)
	must(t, err)
	if !reflect.DeepEqual(got, a) {
		t.Fatalf("updated shop = %+v, want %+v", got, a)
	}
	b.Slug = "milano-duomo"
	wantCode(t, e.UpdateShop(ctx, b), core.ECONFLICT)
	wantCode(t, e.CreateShop(ctx, &shop.Shop{ID: "other", Slug: "milano-duomo", Name: "x", TimeZone: "Europe/Rome", CreatedAt: base}), core.ECONFLICT)
	wantCode(t, e.UpdateShop(ctx, &shop.Shop{ID: "missing", Slug: "missing", Name: "x", TimeZone: "Europe/Rome"}), core.ENOTFOUND)
}

func testStaffUpdate(t *testing.T, e Engine) {
	ctx := context.Background()
	s := newShop(t, e, "Milano Centro")
	invited := &shop.Staff{ID: core.NewID(), Email: "new@example.com", Name: "Zeno", Role: core.RoleAssistant, ShopID: s.ID, Active: true, CreatedAt: base}
	owner := &shop.Staff{ID: core.NewID(), Email: "owner@example.com", Name: "Anna", PasswordHash: "h", Role: core.RoleOwner, Active: true,
		MustChangePassword: true, CreatedAt: base}
	must(t, e.CreateStaff(ctx, invited))
	must(t, e.CreateStaff(ctx, owner))
	got, err := e.StaffMember(ctx, owner.ID)
	must(t, err)
	if !got.MustChangePassword || got.Invited() {
		t.Fatalf("owner = %+v", got)
	}
	if got, _ := e.StaffMember(ctx, invited.ID); !got.Invited() {
		t.Fatalf("invited member has a password: %+v", got)
	}
	invited.PasswordHash, invited.Role, invited.Name, invited.Active = "h2", core.RoleManager, "Zeno Neri", false
	must(t, e.UpdateStaff(ctx, invited))
	got, err = e.StaffMember(ctx, invited.ID)
	must(t, err)
	if !reflect.DeepEqual(got, invited) {
		t.Fatalf("updated member = %+v, want %+v", got, invited)
	}
	wantCode(t, e.UpdateStaff(ctx, &shop.Staff{ID: "missing", Email: "m@example.com", Name: "m", Role: core.RoleOwner}), core.ENOTFOUND)
	list, err := e.AllStaff(ctx)
	must(t, err)
	if len(list) != 2 || list[0].ID != owner.ID || list[1].ID != invited.ID {
		t.Fatalf("AllStaff not by name: %+v", list)
	}
}

func testChainSettings(t *testing.T, e Engine) {
	ctx := context.Background()
	_, err := e.ChainSettings(ctx)
	wantCode(t, err, core.ENOTFOUND)
	c := &shop.Chain{Name: "Ottica Rossi", IOSURL: "https://apps.apple.com/app/id1", DefaultLocale: "it", UpdatedAt: base}
	must(t, e.SaveChainSettings(ctx, c))
	got, err := e.ChainSettings(ctx)
	must(t, err)
	if len(got.AppleAppIDs) != 0 || len(got.AndroidApps) != 0 || got.LogoURL != "" {
		t.Fatalf("ChainSettings without apps or brand = %+v", got)
	}
	c.Name, c.DefaultLocale, c.UpdatedAt = "Ottica Rossi & Figli", "en", base.Add(time.Hour)
	c.AppleAppIDs, c.AndroidApps = []string{"ABCDE12345.it.rossi.app"}, []string{"it.rossi.app=AA:BB", "it.rossi.beta=CC:DD"}
	c.LogoURL, c.Colour, c.Accent = "/media/0123456789abcdef0123456789abcdef", "#123456", "#abcdef"
	must(t, e.SaveChainSettings(ctx, c))
	got, err = e.ChainSettings(ctx)
	must(t, err)
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("ChainSettings = %+v, want %+v", got, c)
	}
}
