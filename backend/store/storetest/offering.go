package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/shop"
)

func testServices(t *testing.T, e Engine) {
	ctx := context.Background()
	s := &booking.Offering{ID: core.NewID(), Code: "eye-exam", Name: "Esame della vista", NameEN: "Eye exam", DurationMin: 30, BufferAfterMin: 10,
		Variants: []booking.Variant{{Code: "child", Name: "Bambini", NameEN: "Children", DurationMin: 20}}, MinNoticeMin: 120, MaxAheadDays: 60,
		CancelNoticeMin: 1440, DailyCap: 8, Skills: []string{booking.SkillOptometrist}, Active: true, CreatedAt: base, UpdatedAt: base}
	must(t, e.CreateOffering(ctx, s))
	wantCode(t, e.CreateOffering(ctx, s), core.ECONFLICT)
	other := *s
	other.ID = core.NewID()
	wantCode(t, e.CreateOffering(ctx, &other), core.ECONFLICT) // same code
	svcs, err := e.Offerings(ctx)
	must(t, err)
	if len(svcs) != 1 || !reflect.DeepEqual(svcs[0], s) {
		t.Fatalf("Services = %+v, want %+v", svcs[0], s)
	}
	s.Name, s.ShopID, s.Active, s.UpdatedAt = "Visita optometrica", "shop-a", false, base.Add(time.Hour)
	must(t, e.UpdateOffering(ctx, s))
	got, err := e.Offering(ctx, s.ID)
	must(t, err)
	if !reflect.DeepEqual(got, s) {
		t.Fatalf("Service = %+v, want %+v", got, s)
	}
	other.ID, other.Code = "svc-missing", "other"
	wantCode(t, e.UpdateOffering(ctx, &other), core.ENOTFOUND)
	_, err = e.Offering(ctx, "nope")
	wantCode(t, err, core.ENOTFOUND)
}

func testPractitioners(t *testing.T, e Engine) {
	ctx := context.Background()
	p := &booking.Practitioner{StaffID: "staff-1", ShopID: "shop-a", Skills: []string{booking.SkillOptometrist},
		Hours:    map[string][]shop.Span{"mon": {{Open: "09:00", Close: "13:00"}}},
		Absences: []booking.Absence{{From: "2026-08-10", To: "2026-08-21", Note: "ferie"}}, UpdatedAt: base}
	must(t, e.SavePractitioner(ctx, p))
	must(t, e.SavePractitioner(ctx, &booking.Practitioner{StaffID: "staff-2", ShopID: "shop-a", Skills: []string{booking.SkillAssistant}, UpdatedAt: base}))
	must(t, e.SavePractitioner(ctx, &booking.Practitioner{StaffID: "staff-3", ShopID: "shop-b", Skills: []string{booking.SkillAssistant}, UpdatedAt: base}))
	got, err := e.Practitioner(ctx, "staff-1")
	must(t, err)
	if !reflect.DeepEqual(got, p) {
		t.Fatalf("Practitioner = %+v, want %+v", got, p)
	}
	ps, err := e.Practitioners(ctx, "shop-a")
	must(t, err)
	if len(ps) != 2 || ps[0].StaffID != "staff-1" || ps[1].StaffID != "staff-2" {
		t.Fatalf("Practitioners = %+v", ps)
	}
	_, err = e.PractitionerByFeed(ctx, "h1")
	wantCode(t, err, core.ENOTFOUND)
	p.FeedHash = "h1"
	must(t, e.SavePractitioner(ctx, p))
	if got, err := e.PractitionerByFeed(ctx, "h1"); err != nil || got.StaffID != "staff-1" {
		t.Fatalf("PractitionerByFeed = %+v, %v", got, err)
	}
	_, err = e.Practitioner(ctx, "staff-9")
	wantCode(t, err, core.ENOTFOUND)
}
