package mobileapi

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/ratelimit"
	"github.com/vista-optical/vista/backend/web"
)

// Limits of booking: free slots are read often (counted in memory); a
// guest books a handful a day from one address.
var (
	manageIP   = []ratelimit.Limit{{Name: "booking-manage", Max: 60, Window: time.Minute}}
	customerBk = []ratelimit.Limit{{Name: "booking-write", Max: 120, Window: time.Minute}}
)

// bookingRoutes are the app's and the public's side of bookings.
func (a *API) bookingRoutes() []web.Route {
	guestIP, slotsIP := []ratelimit.Limit{a.Limits.GuestBookingIP}, []ratelimit.Limit{a.Limits.SlotsIP}
	return []web.Route{
		{Method: "GET", Path: "/v1/shops/:shop/services", Auth: web.Public, Handler: a.shopServices, Limits: slotsIP, OpenAPI: true},
		{Method: "GET", Path: "/v1/shops/:shop/availability", Auth: web.Public, Handler: a.availability, Limits: slotsIP, OpenAPI: true},
		{Method: "POST", Path: "/v1/bookings", Auth: web.Customer, Handler: a.book, Limits: customerBk, OpenAPI: true},
		{Method: "GET", Path: "/v1/me/bookings", Auth: web.Customer, Handler: a.myBookings, OpenAPI: true},
		{Method: "GET", Path: "/v1/bookings/:id/calendar.ics", Auth: web.Customer, Handler: a.bookingCalendar, OpenAPI: true},
		{Method: "POST", Path: "/v1/bookings/:id/confirm", Auth: web.Customer, Handler: a.confirmBooking, Limits: customerBk, OpenAPI: true},
		{Method: "PATCH", Path: "/v1/bookings/:id", Auth: web.Customer, Handler: a.moveBooking, Limits: customerBk, OpenAPI: true},
		{Method: "DELETE", Path: "/v1/bookings/:id", Auth: web.Customer, Handler: a.cancelBooking, Limits: customerBk, OpenAPI: true},
		{Method: "POST", Path: "/v1/me/waitlist", Auth: web.Customer, Handler: a.joinWaitlist, Limits: customerBk, OpenAPI: true},
		{Method: "GET", Path: "/v1/me/waitlist", Auth: web.Customer, Handler: a.myWaitlist, OpenAPI: true},
		{Method: "DELETE", Path: "/v1/me/waitlist/:id", Auth: web.Customer, Handler: a.leaveWaitlist, OpenAPI: true},
		{Method: "POST", Path: "/v1/me/waitlist/:id/take", Auth: web.Customer, Handler: a.takeOffer, Limits: customerBk, OpenAPI: true},
		{Method: "POST", Path: "/v1/public/shops/:slug/bookings", Auth: web.Public, Handler: a.guestBook, Limits: guestIP, OpenAPI: true},
		{Method: "GET", Path: "/v1/public/bookings/:token", Auth: web.Public, Handler: a.guestBooking, Limits: manageIP, OpenAPI: true},
		{Method: "DELETE", Path: "/v1/public/bookings/:token", Auth: web.Public, Handler: a.guestCancel, Limits: manageIP, OpenAPI: true},
		{Method: "GET", Path: "/v1/public/bookings/:token/calendar.ics", Auth: web.Public, Handler: a.guestCalendar, Limits: manageIP, OpenAPI: true},
		{Method: "GET", Path: "/v1/public/agenda/:feed", Auth: web.Public, Handler: a.staffFeed, Limits: manageIP},
	}
}

func (a *API) shopServices(c *fiber.Ctx) error {
	sh, svcs, err := a.Agenda.ShopOfferings(c.UserContext(), c.Params("shop"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"shop_id": sh.ID, "time_zone": sh.Location().String(), "services": svcs})
}

func (a *API) availability(c *fiber.Ctx) error {
	av, err := a.Agenda.Availability(c.UserContext(), booking.Query{Shop: c.Params("shop"), Service: c.Query("service"),
		Variant: c.Query("variant"), From: c.Query("from"), To: c.Query("to")})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(appendAvailability(make([]byte, 0, 64+len(av.Slots)*96), av))
}

// appendAvailability writes av as encoding/json would, without its
// reflection and its validating pass over the output: 60 days of slots
// are a few thousand objects of two times and a few ids, and encoding
// them was a quarter of the request.
func appendAvailability(b []byte, av *booking.Availability) []byte {
	str := func(b []byte, s string) []byte {
		if !strings.ContainsFunc(s, func(r rune) bool {
			return r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '<' || r == '>' || r == '&'
		}) {
			return append(append(append(b, '"'), s...), '"') // ids: nothing to escape
		}
		j, _ := json.Marshal(s)
		return append(b, j...)
	}
	b = append(b, `{"shop_id":`...)
	b = str(b, av.ShopID)
	b = append(b, `,"service_id":`...)
	b = str(b, av.ServiceID)
	b = append(b, `,"time_zone":`...)
	b = str(b, av.TimeZone)
	b = append(b, `,"slots":[`...)
	for i, s := range av.Slots {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"start":"`...)
		b = s.Start.AppendFormat(b, time.RFC3339)
		b = append(b, `","end":"`...)
		b = s.End.AppendFormat(b, time.RFC3339)
		b = append(b, `","staff_ids":[`...)
		for j, id := range s.StaffIDs {
			if j > 0 {
				b = append(b, ',')
			}
			b = str(b, id)
		}
		b = append(b, "]}"...)
	}
	return append(b, "]}"...)
}

// idemKey is the request's Idempotency-Key header.
func idemKey(c *fiber.Ctx) string { return c.Get("Idempotency-Key") }

func created(c *fiber.Ctx, b *booking.Booked) error {
	return c.Status(fiber.StatusCreated).JSON(b)
}

func (a *API) book(c *fiber.Ctx) error {
	var in booking.CustomerInput
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	b, err := a.Agenda.Book(c.UserContext(), in, idemKey(c))
	if err != nil {
		return err
	}
	return created(c, b)
}

func (a *API) myBookings(c *fiber.Ctx) error {
	p, err := web.PageQuery(c, booking.MaxBookingsPage, booking.MaxBookingsPage)
	if err != nil {
		return err
	}
	bs, next, err := a.Agenda.Mine(c.UserContext(), p)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"bookings": bs, "next_after": next})
}

func calendar(c *fiber.Ctx, ics string) error {
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="appuntamento.ics"`)
	return c.SendString(ics)
}

func (a *API) bookingCalendar(c *fiber.Ctx) error {
	ics, err := a.Agenda.MyCalendar(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return calendar(c, ics)
}

func (a *API) confirmBooking(c *fiber.Ctx) error {
	b, err := a.Agenda.Confirm(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(b)
}

func (a *API) moveBooking(c *fiber.Ctx) error {
	var in booking.MoveInput
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	b, err := a.Agenda.Move(c.UserContext(), c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(b)
}

func (a *API) cancelBooking(c *fiber.Ctx) error {
	b, err := a.Agenda.Cancel(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(b)
}

func (a *API) joinWaitlist(c *fiber.Ctx) error {
	var in booking.WaitInput
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	e, err := a.Agenda.JoinWaitlist(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(e)
}

func (a *API) myWaitlist(c *fiber.Ctx) error {
	ws, err := a.Agenda.MyWaitlist(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"waitlist": ws})
}

func (a *API) leaveWaitlist(c *fiber.Ctx) error {
	if err := a.Agenda.LeaveWaitlist(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (a *API) takeOffer(c *fiber.Ctx) error {
	b, err := a.Agenda.TakeOffer(c.UserContext(), c.Params("id"), idemKey(c))
	if err != nil {
		return err
	}
	return created(c, b)
}

func (a *API) guestBook(c *fiber.Ctx) error {
	var in booking.GuestBookingInput
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	b, err := a.Agenda.BookAsGuest(c.UserContext(), c.Params("slug"), in, idemKey(c))
	if err != nil {
		return err
	}
	return created(c, b)
}

func (a *API) guestBooking(c *fiber.Ctx) error {
	b, err := a.Agenda.Guest(c.UserContext(), c.Params("token"))
	if err != nil {
		return err
	}
	return c.JSON(b)
}

func (a *API) guestCancel(c *fiber.Ctx) error {
	b, err := a.Agenda.CancelAsGuest(c.UserContext(), c.Params("token"))
	if err != nil {
		return err
	}
	return c.JSON(b)
}

func (a *API) guestCalendar(c *fiber.Ctx) error {
	ics, err := a.Agenda.GuestCalendar(c.UserContext(), c.Params("token"))
	if err != nil {
		return err
	}
	return calendar(c, ics)
}

// staffFeed is a staff member's agenda as a calendar feed, at a secret
// URL ending in .ics that calendar apps subscribe to.
func (a *API) staffFeed(c *fiber.Ctx) error {
	ics, err := a.Agenda.Feed(c.UserContext(), strings.TrimSuffix(c.Params("feed"), ".ics"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	return c.SendString(ics)
}
