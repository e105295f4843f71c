// Package demo fills an empty database with a small demo chain, so that a
// shop or a developer who starts Vista for the first time has something to
// look at and an owner login to sign in with.
package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/media"
	"github.com/vista-optical/vista/backend/shop"
)

// Stores are the stores the demo chain is written to.
type Stores interface {
	shop.Store
	catalog.Store
	catalog.PromotionStore
	booking.Store
	media.Store
}

// Login is one demo staff member's generated login, shown once.
type Login struct {
	Email    string
	Password string
	Name     string
	Role     core.Role
	ShopID   string
}

// Owner is the demo owner's login.
type Owner = Login

// OwnerEmail is the demo owner's e-mail.
const OwnerEmail = "titolare@ottica-vista.demo"

// Seed creates the demo chain when the database has no shop yet: two shops,
// an owner, a manager and an assistant per shop. It returns every staff
// login it created, the owner's first, or none when the database already
// had shops (or another instance seeded it first). Passwords are random.
// It also creates the services the shops can be booked for and a few
// products.
func Seed(ctx context.Context, st Stores, pw *auth.Passwords, clock core.Clock) ([]Login, error) {
	shops, err := st.Shops(ctx)
	if err != nil {
		return nil, err
	}
	if len(shops) > 0 {
		return nil, nil
	}
	now := clock.Now()
	week := []shop.Span{{Open: "09:30", Close: "13:00"}, {Open: "15:30", Close: "19:30"}}
	hours := shop.Hours{Weekly: map[string][]shop.Span{"mon": {{Open: "15:30", Close: "19:30"}}, "tue": week, "wed": week, "thu": week,
		"fri": week, "sat": {{Open: "09:30", Close: "19:30"}}, "sun": {}}}
	chain := []*shop.Shop{
		{ID: "shop-milano-centro", Slug: "milano-centro", Phone: "+390212345678", Hours: closing(hours, "12-07", "Sant'Ambrogio"), Name: "Ottica Vista Milano Centro", City: "Milano", Address: "Via Torino 21, 20123 Milano", TimeZone: "Europe/Rome", CreatedAt: now},
		{ID: "shop-roma-prati", Slug: "roma-prati", Phone: "+390612345678", Hours: closing(hours, "06-29", "Santi Pietro e Paolo"), Name: "Ottica Vista Roma Prati", City: "Roma", Address: "Via Cola di Rienzo 120, 00192 Roma", TimeZone: "Europe/Rome", CreatedAt: now},
	}
	for _, s := range chain {
		if err := st.CreateShop(ctx, s); core.IsCode(err, core.ECONFLICT) {
			return nil, nil // another instance is seeding
		} else if err != nil {
			return nil, err
		}
	}
	logins, err := seedStaff(ctx, st, pw, now)
	if err != nil {
		return nil, err
	}
	if err := seedOfferings(ctx, st, now); err != nil {
		return nil, err
	}
	products := []*catalog.Product{
		{SKU: "AC-OASYS-1D-30", Brand: "Acuvue", Name: "Oasys 1-Day (30 lenti)", Category: "contact_lenses", PriceCents: 3290, Tags: []string{"giornaliere"}},
		{SKU: "AL-TOTAL30-6", Brand: "Alcon", Name: "Total30 mensili (6 lenti)", Category: "contact_lenses", PriceCents: 4590, Tags: []string{"mensili"}, Novelty: true},
		{SKU: "BL-BIOTRUE-360", Brand: "Bausch + Lomb", Name: "Biotrue soluzione unica 360 ml", Category: "lens_care", PriceCents: 1490},
		{SKU: "RB-2140-901", Brand: "Ray-Ban", Name: "Wayfarer RB2140 nero", Model: "RB2140", Colour: "nero", Category: "sunglasses", PriceCents: 15900, Novelty: true, Tags: []string{"estate"}},
		{SKU: "PE-PO3007V", Brand: "Persol", Name: "PO3007V montatura tartaruga", Model: "PO3007V", Colour: "tartaruga", Category: "frames", PriceCents: 18900, Novelty: true},
	}
	var levels []catalog.Level
	for i, p := range products {
		p.ID, p.CreatedAt, p.UpdatedAt, p.Active = core.NewID(), now, now, true
		if im := demoPicture(p.SKU, now); im != nil {
			if err := st.PutImage(ctx, im); err != nil {
				return nil, fmt.Errorf("demo picture of %s: %w", p.SKU, err)
			}
			p.ImageURL = im.URL()
		}
		for _, sh := range chain {
			levels = append(levels, catalog.Level{ShopID: sh.ID, ProductID: p.ID, Quantity: 3 + i*2, UpdatedAt: now})
		}
	}
	if err := st.PutCatalog(ctx, products, levels); err != nil {
		return nil, fmt.Errorf("demo products: %w", err)
	}
	// A month of 15% off daily lenses, advertised on screens and in the app.
	promo := &catalog.Promotion{ID: core.NewID(), Name: "Lenti giornaliere -15%", Kind: catalog.PromoPercent, PercentOff: 15,
		Starts: now, Ends: now.AddDate(0, 1, 0), Tags: []string{"giornaliere"}}
	if err := st.CreatePromotion(ctx, promo); err != nil {
		return nil, fmt.Errorf("demo promotion: %w", err)
	}
	return logins, nil
}

// closing is h with the town's own yearly closing day (its patron saint);
// Italy's public holidays are closed by default.
func closing(h shop.Hours, date, note string) shop.Hours {
	h.Closures = []shop.Closure{{Date: date, Note: note}}
	return h
}

// seedStaff creates the demo staff with random passwords, and the
// agendas of those who work in a shop.
func seedStaff(ctx context.Context, st Stores, pw *auth.Passwords, now time.Time) ([]Login, error) {
	var logins []Login
	people := []struct {
		email, name string
		role        core.Role
		shop        string
	}{
		{OwnerEmail, "Olga Ferri", core.RoleOwner, ""},
		{"responsabile.milano@ottica-vista.demo", "Marco Bianchi", core.RoleManager, "shop-milano-centro"},
		{"assistente.milano@ottica-vista.demo", "Sara Colombo", core.RoleAssistant, "shop-milano-centro"},
		{"responsabile.roma@ottica-vista.demo", "Luca Romano", core.RoleManager, "shop-roma-prati"},
		{"assistente.roma@ottica-vista.demo", "Chiara Greco", core.RoleAssistant, "shop-roma-prati"},
	}
	for _, p := range people {
		password := auth.RandomSecret(12)
		logins = append(logins, Login{Email: p.email, Password: password, Name: p.name, Role: p.role, ShopID: p.shop})
		hash, err := pw.Hash(password)
		if err != nil {
			return nil, err
		}
		m := &shop.Staff{ID: core.NewID(), Email: p.email, Name: p.name, PasswordHash: hash, Role: p.role, ShopID: p.shop, Active: true, CreatedAt: now}
		if err := st.CreateStaff(ctx, m); err != nil {
			return nil, fmt.Errorf("demo staff %s: %w", p.email, err)
		}
		// Managers are the shops' optometrists; assistants hand over glasses.
		skills := map[core.Role][]string{core.RoleManager: {booking.SkillContactLens, booking.SkillOptometrist}, core.RoleAssistant: {booking.SkillAssistant}}[p.role]
		if p.shop != "" {
			if err := st.SavePractitioner(ctx, &booking.Practitioner{StaffID: m.ID, ShopID: p.shop, Skills: skills, UpdatedAt: now}); err != nil {
				return nil, fmt.Errorf("demo agenda %s: %w", p.email, err)
			}
		}
	}
	return logins, nil
}

// seedOfferings creates what the demo shops can be booked for.
func seedOfferings(ctx context.Context, st Stores, now time.Time) error {
	services := []*booking.Offering{
		{ID: "svc-eye-exam", Code: "eye-exam", Name: "Esame della vista", NameEN: "Eye exam", DurationMin: 30, BufferAfterMin: 10,
			Variants: []booking.Variant{{Code: "child", Name: "Esame della vista (bambini)", NameEN: "Eye exam (children)", DurationMin: 20}},
			Skills:   []string{booking.SkillOptometrist}, DailyCap: 12},
		{ID: "svc-contact-lens", Code: "contact-lens", Name: "Consulenza lenti a contatto", NameEN: "Contact-lens consultation", DurationMin: 45, BufferAfterMin: 15,
			Variants: []booking.Variant{{Code: "first", Name: "Prima applicazione", NameEN: "First fitting", DurationMin: 60},
				{Code: "follow-up", Name: "Controllo", NameEN: "Follow-up", DurationMin: 20}},
			Skills: []string{booking.SkillContactLens}},
		{ID: "svc-myopia-kids", Code: "myopia-kids", Name: "Controllo miopia bambini", NameEN: "Children's myopia check", DurationMin: 30, BufferAfterMin: 10,
			Skills: []string{booking.SkillOptometrist}},
		{ID: "svc-glasses-pickup", Code: "glasses-pickup", Name: "Ritiro occhiali", NameEN: "Glasses pickup", DurationMin: 15,
			Skills: []string{booking.SkillAssistant, booking.SkillOptometrist}, CancelNoticeMin: 60, MinNoticeMin: 60},
	}
	for _, sv := range services {
		sv.Active, sv.CreatedAt, sv.UpdatedAt = true, now, now
		if sv.MinNoticeMin == 0 {
			sv.MinNoticeMin = 120
		}
		if sv.CancelNoticeMin == 0 {
			sv.CancelNoticeMin = 24 * 60
		}
		sv.MaxAheadDays = 60
		if err := st.CreateOffering(ctx, sv); err != nil {
			return fmt.Errorf("demo service %s: %w", sv.Name, err)
		}
	}
	return nil
}
