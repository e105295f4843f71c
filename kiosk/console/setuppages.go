package console

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/shop"
)

// setupPage shows the chain's set-up: its settings (owner), its shops and
// its staff, with the forms that change them.
func (c *Console) setupPage(ctx *fiber.Ctx) error {
	return c.renderSetup(ctx, texts[lang(ctx)]["done_"+ctx.Query("done")], "", nil)
}

func (c *Console) renderSetup(ctx *fiber.Ctx, notice, problem string, failed *failedForm) error {
	uctx := ctx.UserContext()
	m, err := c.Shops.Me(uctx)
	if err != nil {
		return err
	}
	shops, err := c.Shops.VisibleShops(uctx)
	if err != nil {
		return err
	}
	members, err := c.Shops.StaffList(uctx)
	if err != nil {
		return err
	}
	chain, err := c.Shops.Chain(uctx)
	if err != nil {
		return err
	}
	hours := map[string]string{}
	for _, s := range shops {
		hours[s.ID] = formatHours(s.Hours, lang(ctx))
	}
	services, err := c.Agenda.StaffOfferings(uctx)
	if err != nil {
		return err
	}
	agendas := map[string]*booking.Practitioner{}
	for _, s := range shops {
		ps, err := c.Agenda.ShopPractitioners(uctx, s.ID)
		if err != nil {
			return err
		}
		for _, p := range ps {
			agendas[p.StaffID] = p
		}
	}
	return c.render(ctx, "setup.html", page{Staff: m, Shops: shops, Members: members, Chain: chain, Hours: hours,
		Notice: notice, Error: problem, Failed: failed, Services: services, Agendas: agendas})
}

// serviceInputs are the inputs of a service's form.
var serviceInputs = []string{"shop_id", "code", "name", "name_en", "duration_min", "buffer_before_min", "buffer_after_min",
	"min_notice_min", "max_ahead_days", "cancel_notice_min", "daily_cap", "skills", "active"}

// skills are who may perform a service.
var skills = []string{"optometrist", "contact_lens", "assistant"}

// serviceSubmit creates a bookable service (new) or changes one: what it
// is called, how long it takes with its buffers, who performs it, how
// far ahead and how late it can be booked or cancelled.
func (c *Console) serviceSubmit(ctx *fiber.Ctx) error {
	form := "service-new"
	if id := ctx.Params("id"); id != "" {
		form = "service-" + id
	}
	num := func(name string) int {
		n, err := strconv.Atoi(strings.TrimSpace(ctx.FormValue(name)))
		if err != nil {
			return -1 // out of every bound: refused with the field's message
		}
		return n
	}
	active := ctx.FormValue("active") == "1"
	in := booking.OfferingInput{ShopID: ctx.FormValue("shop_id"), Code: strings.TrimSpace(ctx.FormValue("code")), Name: ctx.FormValue("name"),
		NameEN: ctx.FormValue("name_en"), DurationMin: num("duration_min"), BufferBeforeMin: num("buffer_before_min"),
		BufferAfterMin: num("buffer_after_min"), MinNoticeMin: num("min_notice_min"), MaxAheadDays: num("max_ahead_days"),
		CancelNoticeMin: num("cancel_notice_min"), DailyCap: num("daily_cap"), Active: &active}
	for _, v := range ctx.Request().PostArgs().PeekMulti("skills") {
		in.Skills = append(in.Skills, string(v))
	}
	if _, err := c.Agenda.SaveOffering(ctx.UserContext(), ctx.Params("id"), in); err != nil {
		return c.formFailed(ctx, form, serviceInputs, err)
	}
	return c.backToSetup(ctx, "service")
}

// serviceForm is one service's form on the set-up page (a new one when
// Service is nil): what it shows, as stored or as typed.
type serviceForm struct {
	T       map[string]string
	Service *booking.Offering
	ID      string
	Shops   []*shop.Shop
	Skills  []string
	page    page
	stored  map[string]string
}

func serviceFormOf(p page, s *booking.Offering) serviceForm {
	f := serviceForm{T: p.T, Service: s, ID: "service-new", Shops: p.Shops, Skills: skills, page: p, stored: map[string]string{
		"duration_min": "30", "buffer_before_min": "0", "buffer_after_min": "0", "min_notice_min": "120", "max_ahead_days": "60",
		"cancel_notice_min": "1440", "daily_cap": "0", "active": "1"}}
	if p.Staff != nil && p.Staff.ShopID != "" {
		f.stored["shop_id"] = p.Staff.ShopID
	}
	if s != nil {
		f.ID = "service-" + s.ID
		active := ""
		if s.Active {
			active = "1"
		}
		f.stored = map[string]string{"shop_id": s.ShopID, "code": s.Code, "name": s.Name, "name_en": s.NameEN,
			"duration_min": strconv.Itoa(s.DurationMin), "buffer_before_min": strconv.Itoa(s.BufferBeforeMin),
			"buffer_after_min": strconv.Itoa(s.BufferAfterMin), "min_notice_min": strconv.Itoa(s.MinNoticeMin),
			"max_ahead_days": strconv.Itoa(s.MaxAheadDays), "cancel_notice_min": strconv.Itoa(s.CancelNoticeMin),
			"daily_cap": strconv.Itoa(s.DailyCap), "active": active}
	}
	return f
}

// V is the value input name shows: as typed if this form failed.
func (f serviceForm) V(name string) string { return f.page.Val(f.ID, name, f.stored[name]) }

// E is the message next to input name, if this form failed on it.
func (f serviceForm) E(name string) string { return f.page.Err(f.ID, name) }

// Has reports whether the service is performed by skill (as ticked if
// the form failed).
func (f serviceForm) Has(skill string) bool {
	if ticked, ok := f.page.Ticked(f.ID, "skills", skill); ok {
		return ticked
	}
	return f.Service != nil && slices.Contains(f.Service.Skills, skill)
}

// Numbers are the service's numeric inputs with their labels, in the
// order a manager thinks of them.
func (f serviceForm) Numbers() [][2]string {
	return [][2]string{{"duration_min", f.T["svc_duration"]}, {"buffer_before_min", f.T["svc_buffer_before"]},
		{"buffer_after_min", f.T["svc_buffer_after"]}, {"min_notice_min", f.T["svc_notice"]}, {"max_ahead_days", f.T["svc_ahead"]},
		{"cancel_notice_min", f.T["svc_cancel"]}, {"daily_cap", f.T["svc_cap"]}}
}

// The set-up page's forms and their inputs.
var (
	chainInputs  = []string{"name", "ios_url", "android_url", "default_locale", "apple_app_ids", "android_apps", "colour", "accent"}
	shopInputs   = []string{"name", "slug", "city", "address", "phone", "time_zone", "hours"}
	inviteInputs = []string{"name", "email", "role", "shop_id"}
)

// formFailed shows the set-up page again when err is a problem the user
// can fix: the form named form as it was typed (its inputs), each wrong
// field's message next to it. Any other error goes on.
func (c *Console) formFailed(ctx *fiber.Ctx, form string, inputs []string, err error) error {
	msg, fields, ok := problemOf(err, lang(ctx), inputs)
	if !ok {
		return err
	}
	ctx.Status(fiber.StatusUnprocessableEntity)
	return c.renderSetup(ctx, "", msg, &failedForm{ID: form, Typed: typedValues(ctx, inputs), Fields: fields})
}

// formProblem is the text of an error a form's user can fix (invalid
// input, a right they lack, a collision) in the page's language, each
// field's message in it; ok is false for any other.
func formProblem(ctx *fiber.Ctx, err error) (string, bool) {
	msg, _, ok := problemOf(err, lang(ctx), nil)
	return msg, ok
}

func (c *Console) backToSetup(ctx *fiber.Ctx, notice string) error {
	return ctx.Redirect("/console/setup?"+url.Values{"lang": {lang(ctx)}, "done": {notice}}.Encode(), fiber.StatusSeeOther)
}

// chainSubmit saves the chain's settings; its logo stays unless the form
// asks to take it away.
func (c *Console) chainSubmit(ctx *fiber.Ctx) error {
	old, err := c.Shops.Chain(ctx.UserContext())
	if err != nil {
		return err
	}
	in := shop.Chain{Name: ctx.FormValue("name"), IOSURL: ctx.FormValue("ios_url"), AndroidURL: ctx.FormValue("android_url"),
		DefaultLocale: ctx.FormValue("default_locale"), AppleAppIDs: lines(ctx.FormValue("apple_app_ids")),
		AndroidApps: lines(ctx.FormValue("android_apps")), Colour: ctx.FormValue("colour"), Accent: ctx.FormValue("accent"), LogoURL: old.LogoURL}
	if ctx.FormValue("remove_logo") == "1" {
		in.LogoURL = ""
	}
	if _, err := c.Shops.SaveChain(ctx.UserContext(), in); err != nil {
		return c.formFailed(ctx, "chain", chainInputs, err)
	}
	return c.backToSetup(ctx, "chain")
}

// lines are the non-blank lines of a text area, trimmed.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// logoSubmit stores the uploaded picture as the chain's logo.
func (c *Console) logoSubmit(ctx *fiber.Ctx) error {
	data, err := uploaded(ctx)
	if err != nil {
		return err
	}
	if _, err := c.Shops.SetLogo(ctx.UserContext(), data); err != nil {
		return c.formFailed(ctx, "logo", []string{"image"}, err)
	}
	return c.backToSetup(ctx, "logo")
}

func (c *Console) shopSubmit(ctx *fiber.Ctx) error {
	form := "new-shop"
	if id := ctx.Params("shop"); id != "" {
		form = "shop-" + id
	}
	hours, err := parseHours(ctx.FormValue("hours"), lang(ctx))
	if err != nil {
		return c.formFailed(ctx, form, shopInputs, err)
	}
	in := shop.ShopInput{Slug: strings.TrimSpace(ctx.FormValue("slug")), Name: strings.TrimSpace(ctx.FormValue("name")),
		City: strings.TrimSpace(ctx.FormValue("city")), Address: strings.TrimSpace(ctx.FormValue("address")),
		Phone: strings.TrimSpace(ctx.FormValue("phone")), TimeZone: strings.TrimSpace(ctx.FormValue("time_zone")), Hours: hours}
	if in.TimeZone == "" {
		in.TimeZone = "Europe/Rome"
	}
	if id := ctx.Params("shop"); id != "" {
		_, err = c.Shops.UpdateShop(ctx.UserContext(), id, in)
	} else {
		_, err = c.Shops.CreateShop(ctx.UserContext(), in)
	}
	if err != nil {
		return c.formFailed(ctx, form, shopInputs, err)
	}
	return c.backToSetup(ctx, "shop")
}

func (c *Console) inviteSubmit(ctx *fiber.Ctx) error {
	in := shop.InviteInput{Email: strings.TrimSpace(ctx.FormValue("email")), Name: strings.TrimSpace(ctx.FormValue("name")),
		Role: core.Role(ctx.FormValue("role")), ShopID: ctx.FormValue("shop_id")}
	if _, err := c.Shops.Invite(ctx.UserContext(), in); err != nil {
		return c.formFailed(ctx, "invite", inviteInputs, err)
	}
	return c.backToSetup(ctx, "invited")
}

// memberSubmit is a staff row's buttons: deactivate, reactivate, send the
// invitation again.
func (c *Console) memberSubmit(ctx *fiber.Ctx) error {
	id := ctx.Params("id")
	var err error
	switch ctx.FormValue("action") {
	case "deactivate", "reactivate":
		active := ctx.FormValue("action") == "reactivate"
		_, err = c.Shops.ChangeStaff(ctx.UserContext(), id, shop.StaffChange{Active: &active})
	case "resend":
		err = c.Shops.ResendInvite(ctx.UserContext(), id)
	default:
		err = core.Invalid("unknown action", core.FieldError{Field: "action", Message: "must be deactivate, reactivate or resend"})
	}
	if err != nil {
		return c.formFailed(ctx, "staff", nil, err)
	}
	return c.backToSetup(ctx, "staff")
}

// shopForm is what the shop fields template needs: one shop (nil for a
// new one), its hours as text, and the page's failed form if it is this.
type shopForm struct {
	T      map[string]string
	Shop   *shop.Shop
	ID     string
	page   page
	stored map[string]string
}

func shopFormOf(p page, s *shop.Shop) shopForm {
	f := shopForm{T: p.T, Shop: s, ID: "new-shop", page: p, stored: map[string]string{"time_zone": "Europe/Rome"}}
	if s != nil {
		f.ID = "shop-" + s.ID
		f.stored = map[string]string{"name": s.Name, "slug": s.Slug, "city": s.City, "address": s.Address,
			"phone": s.Phone, "time_zone": s.TimeZone, "hours": p.Hours[s.ID]}
	}
	return f
}

// V is the value input name shows: as typed if this form failed.
func (f shopForm) V(name string) string { return f.page.Val(f.ID, name, f.stored[name]) }

// E is the message next to input name, if this form failed on it.
func (f shopForm) E(name string) string { return f.page.Err(f.ID, name) }
