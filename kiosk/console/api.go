package console

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/audit"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
	"github.com/vista-optical/vista/backend/lens"
	"github.com/vista-optical/vista/backend/visit"
	"github.com/vista-optical/vista/backend/web"
)

func (c *Console) apiLogin(ctx *fiber.Ctx) error {
	var in struct {
		Email    string `json:"email" validate:"required,max=254"`
		Password string `json:"password" validate:"required,max=128"`
	}
	if err := web.DecodeValid(ctx, &in); err != nil {
		return err
	}
	s, err := c.Shops.Login(ctx.UserContext(), in.Email, in.Password)
	if err != nil {
		return err
	}
	return ctx.JSON(s)
}

// apiLogout ends the staff session of the token it is called with, at once.
func (c *Console) apiLogout(ctx *fiber.Ctx) error {
	if err := c.Shops.Logout(ctx.UserContext()); err != nil {
		return err
	}
	return ctx.SendStatus(fiber.StatusNoContent)
}

func (c *Console) apiMe(ctx *fiber.Ctx) error {
	m, err := c.Shops.Me(ctx.UserContext())
	if err != nil {
		return err
	}
	return ctx.JSON(m)
}

func (c *Console) apiShops(ctx *fiber.Ctx) error {
	list, err := c.Shops.VisibleShops(ctx.UserContext())
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"shops": list})
}

func (c *Console) apiShopCustomers(ctx *fiber.Ctx) error {
	p, err := web.PageQuery(ctx, 50, 200)
	if err != nil {
		return err
	}
	list, next, err := c.Customers.ListForStaff(ctx.UserContext(), ctx.Params("shop"), p)
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"customers": list, "next_after": next})
}

// apiCreateCustomer creates a customer at the counter: 201 with the
// customer and the records that share their phone or codice fiscale.
func (c *Console) apiCreateCustomer(ctx *fiber.Ctx) error {
	var in customer.CounterInput
	if err := web.Decode(ctx, &in); err != nil {
		return err
	}
	out, err := c.Customers.CreateAtCounter(ctx.UserContext(), in)
	if err != nil {
		return err
	}
	return ctx.Status(fiber.StatusCreated).JSON(out)
}

func (c *Console) apiCustomer(ctx *fiber.Ctx) error {
	cu, err := c.Customers.GetForStaff(ctx.UserContext(), ctx.Params("id"))
	if err != nil {
		return err
	}
	return ctx.JSON(cu)
}

// apiConsents reconstructs a customer's consents at ?at= (RFC 3339; now by
// default) from the event log, with the events as proof.
func (c *Console) apiConsents(ctx *fiber.Ctx) error {
	var at time.Time // now, by the service's clock
	if s := ctx.Query("at"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return core.Invalid("at is not a time", core.FieldError{Field: "at", Message: "must be an RFC 3339 time, such as 2026-11-23T10:00:00Z"})
		}
		at = t
	}
	state, events, at, err := c.Customers.ConsentsAtForStaff(ctx.UserContext(), ctx.Params("id"), at)
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"at": at, "consents": state, "events": events})
}

// apiAudit lists audit entries by customer, actor and time, oldest first,
// a page at a time (owners only).
func (c *Console) apiAudit(ctx *fiber.Ctx) error {
	p, err := web.PageQuery(ctx, 500, 5000)
	if err != nil {
		return err
	}
	f := audit.Filter{CustomerID: ctx.Query("customer"), ActorID: ctx.Query("actor")}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if s := ctx.Query(name); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return core.Invalid(name+" is not a time", core.FieldError{Field: name, Message: "must be an RFC 3339 time"})
			}
			*dst = t
		}
	}
	list, next, err := c.Audit.Entries(ctx.UserContext(), f, p)
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"entries": list, "next_after": next})
}

func (c *Console) apiServices(ctx *fiber.Ctx) error {
	list, err := c.Agenda.StaffOfferings(ctx.UserContext())
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"services": list})
}

func (c *Console) apiProducts(ctx *fiber.Ctx) error {
	list, err := c.Catalog.Products(ctx.UserContext())
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"products": list})
}

// apiLenses lists a customer's lens supplies (health data: audited).
func (c *Console) apiLenses(ctx *fiber.Ctx) error {
	list, err := c.Lenses.ForStaff(ctx.UserContext(), ctx.Params("id"))
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"lenses": list})
}

// apiAddLens records a supply sold at the counter.
func (c *Console) apiAddLens(ctx *fiber.Ctx) error {
	var in lens.SupplyInput
	if err := web.Decode(ctx, &in); err != nil {
		return err
	}
	v, err := c.Lenses.AddForStaff(ctx.UserContext(), ctx.Params("id"), in)
	if err != nil {
		return err
	}
	return ctx.Status(fiber.StatusCreated).JSON(v)
}

// apiExams lists a customer's eye-exam due dates (health data: audited).
func (c *Console) apiExams(ctx *fiber.Ctx) error {
	list, err := c.Lenses.ExamsForStaff(ctx.UserContext(), ctx.Params("id"))
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"exams": list})
}

// apiRecordExam sets when a customer's (or family member's) eye exam is due.
func (c *Console) apiRecordExam(ctx *fiber.Ctx) error {
	var in lens.ExamInput
	if err := web.Decode(ctx, &in); err != nil {
		return err
	}
	e, err := c.Lenses.RecordExam(ctx.UserContext(), ctx.Params("id"), in)
	if err != nil {
		return err
	}
	return ctx.JSON(e)
}

// apiTimeline lists what Vista sent the customer, newest first.
func (c *Console) apiTimeline(ctx *fiber.Ctx) error {
	p, err := web.PageQuery(ctx, 50, 200)
	if err != nil {
		return err
	}
	list, next, err := c.Messages.Timeline(ctx.UserContext(), ctx.Params("id"), p)
	if err != nil {
		return err
	}
	// The customer's shop visits ("visit to shop X"), with what the screen
	// recorded in each; on the first page only.
	var visits []visit.VisitView
	if p.After.IsZero() {
		if visits, err = c.Visits.ForStaff(ctx.UserContext(), ctx.Params("id")); err != nil {
			return err
		}
	}
	return ctx.JSON(fiber.Map{"messages": list, "next_after": next, "visits": visits})
}

func (c *Console) apiReservations(ctx *fiber.Ctx) error {
	p, err := web.PageQuery(ctx, 50, 200)
	if err != nil {
		return err
	}
	list, next, err := c.Catalog.ShopReservations(ctx.UserContext(), ctx.Params("shop"), p)
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"reservations": list, "next_after": next})
}

// apiRecalls lists the phone calls staff should make.
func (c *Console) apiRecalls(ctx *fiber.Ctx) error {
	p, err := web.PageQuery(ctx, 50, 200)
	if err != nil {
		return err
	}
	list, next, err := c.Messages.Recalls(ctx.UserContext(), ctx.Params("shop"), p)
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"recalls": list, "next_after": next})
}

// apiReminderSettings returns a shop's reminder settings (the defaults when
// it has none of its own).
func (c *Console) apiReminderSettings(ctx *fiber.Ctx) error {
	s, err := c.Lenses.ReminderSettings(ctx.UserContext(), ctx.Params("shop"))
	if err != nil {
		return err
	}
	return ctx.JSON(s)
}

// apiSaveReminderSettings changes a shop's reminder settings.
func (c *Console) apiSaveReminderSettings(ctx *fiber.Ctx) error {
	var in lens.ShopSettings
	if err := web.Decode(ctx, &in); err != nil {
		return err
	}
	s, err := c.Lenses.SaveReminderSettings(ctx.UserContext(), ctx.Params("shop"), in)
	if err != nil {
		return err
	}
	return ctx.JSON(s)
}

// apiDeadLetters lists messages that failed for good, newest first. Owners
// see the whole chain; managers their shop's.
func (c *Console) apiDeadLetters(ctx *fiber.Ctx) error {
	p, err := web.PageQuery(ctx, 50, 200)
	if err != nil {
		return err
	}
	list, next, err := c.Messages.DeadLetters(ctx.UserContext(), "", p)
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"messages": list, "next_after": next})
}

// apiRetry sends a dead message again, from a fresh start.
func (c *Console) apiRetry(ctx *fiber.Ctx) error {
	m, err := c.Messages.Retry(ctx.UserContext(), ctx.Params("id"))
	if err != nil {
		return err
	}
	return ctx.JSON(m)
}
