package mobileapi_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/app"
	"github.com/vista-optical/vista/backend/app/apptest"
	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/shop"
)

// BenchmarkAvailability is GET availability for 60 days through the real
// app, in process: a shop with 5 optometrists, about half of their time
// booked (bench/bookingbench measures it over the network).
func BenchmarkAvailability(b *testing.B) {
	dir := b.TempDir()
	m := app.NewMain(nil)
	m.Config.HTTPAddr, m.Config.AdminAddr, m.Config.DataDir, m.Config.AccessLog, m.Config.Demo = "127.0.0.1:0", "off", dir, false, false
	m.PasswordParams = apptest.Passwords
	m.Limits.SlotsIP.Max = 1 << 30
	ctx := context.Background()
	if err := m.Open(ctx); err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	week := []shop.Span{{Open: "09:00", Close: "13:00"}, {Open: "15:00", Close: "19:30"}}
	hours := shop.Hours{Weekly: map[string][]shop.Span{"mon": week, "tue": week, "wed": week, "thu": week, "fri": week, "sat": week}}
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(m.Store.CreateShop(ctx, &shop.Shop{ID: "shop-bench", Slug: "bench", Name: "Bench", TimeZone: "Europe/Rome", Hours: hours, CreatedAt: time.Now()}))
	owner := core.WithActor(ctx, core.Actor{Kind: core.ActorStaff, ID: "owner", Role: core.RoleOwner})
	svc, err := m.Agenda.SaveOffering(owner, "", booking.OfferingInput{Code: "exam", Name: "Esame", DurationMin: 30, BufferAfterMin: 10,
		MaxAheadDays: 90, Skills: []string{booking.SkillOptometrist}})
	must(err)
	long, err := m.Agenda.SaveOffering(owner, "", booking.OfferingInput{Code: "cl", Name: "LAC", DurationMin: 45, BufferAfterMin: 15,
		MaxAheadDays: 90, Skills: []string{booking.SkillOptometrist}})
	must(err)
	for i := range 5 {
		id := fmt.Sprintf("opt-%d", i)
		must(m.Store.CreateStaff(ctx, &shop.Staff{ID: id, Email: id + "@bench.example", Name: id, Role: core.RoleAssistant, ShopID: "shop-bench", Active: true}))
		_, err := m.Agenda.SavePractitioner(owner, id, booking.PractitionerInput{Skills: []string{booking.SkillOptometrist}})
		must(err)
		for d := 1; d <= 60; d++ {
			day := time.Now().In(rome).AddDate(0, 0, d)
			for _, h := range []int{9, 11, 15, 17} {
				start := time.Date(day.Year(), day.Month(), day.Day(), h, 0, 0, 0, rome)
				_, err := m.Agenda.BookForCustomer(owner, booking.Input{Request: booking.Request{ShopID: "shop-bench", ServiceID: long.ID, Start: start, StaffID: id},
					Guest: &booking.GuestInput{Name: "Seed", Phone: fmt.Sprintf("+39333123456%d", i)}}, "")
				if err != nil && !core.IsCode(err, core.EINVALID) { // Sundays are closed
					b.Fatal(err)
				}
			}
		}
	}
	today := time.Now().In(rome)
	path := "/v1/shops/bench/availability?service=" + svc.ID + "&from=" + today.Format(time.DateOnly) + "&to=" + today.AddDate(0, 0, 59).Format(time.DateOnly)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		resp, err := m.App.Test(httptest.NewRequest("GET", path, nil), -1)
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(resp.StatusCode, err)
		}
		resp.Body.Close()
	}
}
