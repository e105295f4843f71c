package console

import (
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/validate"
	"github.com/vista-optical/vista/backend/web"
)

// agendaRoutes are the staff side of bookings: configuring services and
// who performs them, a shop's day and week, booking for a customer on
// the phone or at the desk, moving, cancelling, marking arrivals and
// no-shows; and the console's Agenda page.
func (c *Console) agendaRoutes() []web.Route {
	assistant, manager := web.Staff(core.RoleAssistant), web.Staff(core.RoleManager)
	return []web.Route{
		{Method: "POST", Path: "/v1/staff/services", Auth: manager, Handler: c.apiSaveService},
		{Method: "PUT", Path: "/v1/staff/services/:id", Auth: manager, Handler: c.apiSaveService},
		{Method: "GET", Path: "/v1/staff/shops/:shop/practitioners", Auth: assistant, Handler: c.apiPractitioners},
		{Method: "PUT", Path: "/v1/staff/members/:id/agenda", Auth: manager, Handler: c.apiSavePractitioner},
		{Method: "POST", Path: "/v1/staff/members/:id/agenda/feed", Auth: assistant, Handler: c.apiNewFeed},
		{Method: "GET", Path: "/v1/staff/shops/:shop/agenda", Auth: assistant, Handler: c.apiAgenda},
		{Method: "GET", Path: "/v1/staff/shops/:shop/booking-widget", Auth: assistant, Handler: c.apiWidget},
		{Method: "POST", Path: "/v1/staff/bookings", Auth: assistant, Handler: c.apiBookFor},
		{Method: "PATCH", Path: "/v1/staff/bookings/:id", Auth: assistant, Handler: c.apiMoveBooking},
		{Method: "DELETE", Path: "/v1/staff/bookings/:id", Auth: assistant, Handler: c.apiCancelBooking},
		{Method: "POST", Path: "/v1/staff/bookings/:id/arrived", Auth: assistant, Handler: c.apiMark(booking.StatusArrived)},
		{Method: "POST", Path: "/v1/staff/bookings/:id/no-show", Auth: assistant, Handler: c.apiMark(booking.StatusNoShow)},

		{Method: "GET", Path: "/console/agenda", Auth: web.StaffPage(core.RoleAssistant), Handler: c.agendaPage},
		{Method: "POST", Path: "/console/agenda/book", Auth: web.StaffPage(core.RoleAssistant), Handler: sameOrigin(c.bookSubmit)},
		{Method: "POST", Path: "/console/agenda/:id/:status", Auth: web.StaffPage(core.RoleAssistant), Handler: sameOrigin(c.markSubmit)},
	}
}

func (c *Console) apiSaveService(ctx *fiber.Ctx) error {
	var in booking.OfferingInput
	if err := web.Decode(ctx, &in); err != nil {
		return err
	}
	s, err := c.Agenda.SaveOffering(ctx.UserContext(), ctx.Params("id"), in)
	if err != nil {
		return err
	}
	if ctx.Params("id") == "" {
		ctx.Status(fiber.StatusCreated)
	}
	return ctx.JSON(s)
}

func (c *Console) apiPractitioners(ctx *fiber.Ctx) error {
	ps, err := c.Agenda.ShopPractitioners(ctx.UserContext(), ctx.Params("shop"))
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"practitioners": ps})
}

func (c *Console) apiSavePractitioner(ctx *fiber.Ctx) error {
	var in booking.PractitionerInput
	if err := web.Decode(ctx, &in); err != nil {
		return err
	}
	p, err := c.Agenda.SavePractitioner(ctx.UserContext(), ctx.Params("id"), in)
	if err != nil {
		return err
	}
	return ctx.JSON(p)
}

func (c *Console) apiNewFeed(ctx *fiber.Ctx) error {
	u, err := c.Agenda.NewFeedURL(ctx.UserContext(), ctx.Params("id"))
	if err != nil {
		return err
	}
	return ctx.Status(fiber.StatusCreated).JSON(fiber.Map{"feed_url": u})
}

func (c *Console) apiAgenda(ctx *fiber.Ctx) error {
	es, err := c.Agenda.ShopAgenda(ctx.UserContext(), ctx.Params("shop"), ctx.Query("from"), ctx.Query("to"))
	if err != nil {
		return err
	}
	if err := c.label(ctx, es); err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"bookings": es})
}

// label names each booking's customer: the account's label for staff
// (all of them in one read), or what the guest gave.
func (c *Console) label(ctx *fiber.Ctx, es []*booking.AgendaEntry) error {
	var ids []string
	for _, e := range es {
		if e.CustomerID != "" {
			ids = append(ids, e.CustomerID)
		}
	}
	names, err := c.Customers.LabelsForStaff(ctx.UserContext(), ids)
	if err != nil {
		return err
	}
	for _, e := range es {
		switch {
		case e.CustomerID != "":
			e.Who = names[e.CustomerID]
		case e.Guest != nil:
			e.Who = strings.TrimSpace(e.Guest.Name + " · " + validate.DisplayPhone(e.Guest.Phone) + " " + e.Guest.Email)
		}
	}
	return nil
}

func (c *Console) apiWidget(ctx *fiber.Ctx) error {
	w, err := c.Agenda.Widget(ctx.UserContext(), ctx.Params("shop"))
	if err != nil {
		return err
	}
	return ctx.JSON(w)
}

func (c *Console) apiBookFor(ctx *fiber.Ctx) error {
	var in booking.Input
	if err := web.Decode(ctx, &in); err != nil {
		return err
	}
	b, err := c.Agenda.BookForCustomer(ctx.UserContext(), in, ctx.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	return ctx.Status(fiber.StatusCreated).JSON(b)
}

func (c *Console) apiMoveBooking(ctx *fiber.Ctx) error {
	var in booking.MoveInput
	if err := web.Decode(ctx, &in); err != nil {
		return err
	}
	b, err := c.Agenda.MoveForCustomer(ctx.UserContext(), ctx.Params("id"), in)
	if err != nil {
		return err
	}
	return ctx.JSON(b)
}

func (c *Console) apiCancelBooking(ctx *fiber.Ctx) error {
	b, err := c.Agenda.CancelForCustomer(ctx.UserContext(), ctx.Params("id"))
	if err != nil {
		return err
	}
	return ctx.JSON(b)
}

func (c *Console) apiMark(status string) fiber.Handler {
	return func(ctx *fiber.Ctx) error {
		b, err := c.Agenda.Mark(ctx.UserContext(), ctx.Params("id"), status)
		if err != nil {
			return err
		}
		return ctx.JSON(b)
	}
}

// agendaPage is a shop's day: its bookings with who, what and where they
// came from, buttons to mark arrivals and no-shows, and the snippets that
// put the booking page on the shop's website.
func (c *Console) agendaPage(ctx *fiber.Ctx) error {
	p := page{Notice: ctx.Query("notice"), Error: ctx.Query("error")}
	return c.agendaView(ctx, ctx.Query("shop"), ctx.Query("day"), ctx.Query("service"), p)
}

// agendaView fills the agenda page of shopID's day, with the free times
// of service (the shop's first if empty) for the booking form.
func (c *Console) agendaView(ctx *fiber.Ctx, shopID, day, service string, p page) error {
	uctx := ctx.UserContext()
	if err := c.shopPage(ctx, shopID, &p); err != nil {
		return err
	}
	loc := p.Shop.Location()
	now := c.Agenda.Today(loc)
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		day = now.Format(time.DateOnly)
	}
	p.Day, p.DayLabel = day, booking.LongDay(day, now, lang(ctx))
	var err error
	if p.Agenda, err = c.Agenda.ShopAgenda(uctx, p.Shop.ID, day, day); err != nil {
		return err
	}
	if err := c.label(ctx, p.Agenda); err != nil {
		return err
	}
	if p.Widget, err = c.Agenda.Widget(uctx, p.Shop.ID); err != nil {
		return err
	}
	if _, p.Services, err = c.Agenda.ShopOfferings(uctx, p.Shop.ID); err != nil {
		return err
	}
	for _, sv := range p.Services {
		if sv.ID == service || p.Service == nil {
			p.Service = sv
		}
	}
	if p.Service != nil {
		av, err := c.Agenda.Availability(uctx, booking.Query{Shop: p.Shop.ID, Service: p.Service.ID, From: day, To: day})
		if err != nil && core.ErrorCode(err) != core.EINVALID { // a day out of the service's window has no times
			return err
		}
		if av != nil {
			for _, s := range av.Slots {
				p.FreeTimes = append(p.FreeTimes, freeTime{Value: s.Start.UTC().Format(time.RFC3339), Label: s.Start.In(loc).Format("15:04")})
			}
		}
	}
	return c.render(ctx, "agenda.html", p)
}

// freeTime is a free start on the agenda's booking form.
type freeTime struct{ Value, Label string }

// bookInputs are the inputs of the agenda's booking form.
var bookInputs = []string{"service_id", "start", "source", "guest.name", "guest.phone", "guest.email", "note"}

// bookSubmit books a phone caller or a walk-in from the agenda: a free
// time of a service, with the name and a phone or an e-mail they give.
func (c *Console) bookSubmit(ctx *fiber.Ctx) error {
	shopID, day := ctx.FormValue("shop"), ctx.FormValue("day")
	in := booking.Input{Request: booking.Request{ShopID: shopID, ServiceID: ctx.FormValue("service_id"), Source: ctx.FormValue("source")},
		Guest: &booking.GuestInput{Name: strings.TrimSpace(ctx.FormValue("guest.name")), Phone: strings.TrimSpace(ctx.FormValue("guest.phone")),
			Email: strings.TrimSpace(ctx.FormValue("guest.email")), Locale: "it"},
		Note: strings.TrimSpace(ctx.FormValue("note"))}
	in.Start, _ = time.Parse(time.RFC3339, ctx.FormValue("start")) // a time that does not read is none: "required"
	b, err := c.Agenda.BookForCustomer(ctx.UserContext(), in, "")
	if err != nil {
		msg, fields, ok := problemOf(err, lang(ctx), bookInputs)
		if !ok {
			return err
		}
		ctx.Status(fiber.StatusUnprocessableEntity)
		p := page{Error: msg, Failed: &failedForm{ID: "book", Typed: typedValues(ctx, bookInputs), Fields: fields}}
		return c.agendaView(ctx, shopID, day, in.ServiceID, p)
	}
	sh, err := c.Agenda.ResolveShop(ctx.UserContext(), b.ShopID)
	if err != nil {
		return err
	}
	q := url.Values{"shop": {b.ShopID}, "day": {b.Start.In(sh.Location()).Format(time.DateOnly)}, "lang": {lang(ctx)},
		"notice": {texts[lang(ctx)]["booked"] + " " + b.ServiceName + ", " + booking.When(b.Start, sh.Location(), lang(ctx)) + " · " + in.Guest.Name}}
	return ctx.Redirect("/console/agenda?"+q.Encode(), fiber.StatusSeeOther)
}

func (c *Console) markSubmit(ctx *fiber.Ctx) error {
	status := map[string]string{"arrived": booking.StatusArrived, "no-show": booking.StatusNoShow}[ctx.Params("status")]
	q := url.Values{"shop": {ctx.FormValue("shop")}, "day": {ctx.FormValue("day")}, "lang": {lang(ctx)}}
	b, err := c.Agenda.Mark(ctx.UserContext(), ctx.Params("id"), status)
	if err != nil {
		if core.ErrorCode(err) == core.EINTERNAL {
			return err
		}
		q.Set("error", err.Error())
	} else {
		when := b.Start.Format(time.RFC3339)
		if sh, err := c.Agenda.ResolveShop(ctx.UserContext(), b.ShopID); err == nil {
			when = booking.When(b.Start, sh.Location(), lang(ctx))
		}
		q.Set("notice", texts[lang(ctx)]["agenda_marked"]+" "+b.ServiceName+", "+when)
	}
	return ctx.Redirect("/console/agenda?"+q.Encode(), fiber.StatusSeeOther)
}
