package console

import (
	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
)

// CounterConsentText is the version of the consent text the counter form
// shows the customer (texts "counter_consent_service" and
// "counter_consent_marketing"): a change of those words is a new version.
const CounterConsentText = "banco-2026-12"

// counterInputs are the inputs of the home page's new-customer form.
var counterInputs = []string{"first_name", "last_name", "phone", "email", "birth_date", "tax_code", "address", "consent_service", "consent_marketing"}

// counterSubmit creates the customer in front of the assistant, with the
// consents they gave (ticked or not, each is recorded): the home page
// again, saying who was created and which records look like them, or the
// form as typed with each wrong field's message.
func (c *Console) counterSubmit(ctx *fiber.Ctx) error {
	in := customer.CounterInput{FirstName: ctx.FormValue("first_name"), LastName: ctx.FormValue("last_name"),
		Phone: ctx.FormValue("phone"), Email: ctx.FormValue("email"), BirthDate: ctx.FormValue("birth_date"),
		TaxCode: ctx.FormValue("tax_code"), Address: ctx.FormValue("address"), ShopID: ctx.FormValue("shop_id"),
		Locale: lang(ctx), TextVersion: CounterConsentText}
	for _, box := range []struct {
		name    string
		purpose core.Purpose
	}{{"consent_service", core.PurposeService}, {"consent_marketing", core.PurposeMarketing}} {
		ticked := ctx.FormValue(box.name) == "on"
		for _, ch := range []core.Channel{core.ChannelSMS, core.ChannelEmail} {
			in.Consents = append(in.Consents, customer.ConsentChoice{Channel: ch, Purpose: box.purpose, Granted: ticked})
		}
	}
	out, err := c.Customers.CreateAtCounter(ctx.UserContext(), in)
	if err != nil {
		msg, fields, ok := problemOf(err, lang(ctx), counterInputs)
		if !ok {
			return err
		}
		ctx.Status(fiber.StatusUnprocessableEntity)
		return c.homeWith(ctx, page{Error: msg, Failed: &failedForm{ID: "counter", Typed: typedValues(ctx, counterInputs), Fields: fields}})
	}
	t := texts[lang(ctx)]
	return c.homeWith(ctx, page{Notice: t["counter_done"] + " " + out.Customer.FirstName + " " + out.Customer.LastName, Duplicates: out.Duplicates})
}
