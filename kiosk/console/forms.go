package console

import (
	"errors"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/web"
)

// A form that failed is shown again as it was typed, with the problem's
// summary at the top of the page and, next to each wrong field, what is
// wrong with it, in the page's language.

// failedForm is the form a staff member sent and the service refused.
type failedForm struct {
	// ID names the form on its page ("chain", "invite", "shop-ID"…).
	ID string
	// Typed are the values sent, by input name.
	Typed map[string]string
	// Fields are the messages to show next to inputs, by input name.
	Fields map[string]string
}

// Val is the value the input name of form shows: what was typed if that
// form failed, else stored.
func (p page) Val(form, name, stored string) string {
	if p.Failed != nil && p.Failed.ID == form {
		return p.Failed.Typed[name]
	}
	return stored
}

// FailedIs reports whether form is the one that failed.
func (p page) FailedIs(form string) bool { return p.Failed != nil && p.Failed.ID == form }

// Err is the message to show next to the input name of form, if any.
func (p page) Err(form, name string) string {
	if p.Failed != nil && p.Failed.ID == form {
		return p.Failed.Fields[name]
	}
	return ""
}

// inputAliases name form inputs the service calls otherwise.
var inputAliases = map[string]string{"shop": "shop_id", "percent_off": "value", "fixed_cents": "value"}

// inputOf is the form input a field error names: the service's field
// paths ("hours.weekly.mon[0]", "shop") as the forms name their inputs.
func inputOf(field string) string {
	if i := strings.IndexAny(field, ".["); i > 0 {
		field = field[:i]
	}
	if a, ok := inputAliases[field]; ok {
		return a
	}
	return field
}

// problemOf reads err as a problem the form's user can fix (invalid input,
// a right they lack, a collision): the summary in lang, and the message
// for each input of inputs that is wrong; a field no input of the form
// shows joins the summary. ok is false for any other error.
func problemOf(err error, lang string, inputs []string) (summary string, fields map[string]string, ok bool) {
	var ce *core.Error
	if !errors.As(err, &ce) || (ce.Code != core.EINVALID && ce.Code != core.EFORBIDDEN && ce.Code != core.ECONFLICT) {
		return "", nil, false
	}
	summary = web.DetailText(lang, ce.Code, ce.Message)
	fields = map[string]string{}
	for _, f := range ce.Fields {
		msg := web.FieldText(lang, f)
		in := f.Field
		if !slices.Contains(inputs, in) {
			in = inputOf(f.Field)
		}
		if slices.Contains(inputs, in) {
			if day, ok := weekdayOf(f.Field, lang); ok {
				msg = day + ": " + msg
			}
			fields[in] = msg
		} else {
			summary += " (" + f.Field + ": " + msg + ")"
		}
	}
	return summary, fields, true
}

// weekdayOf names, in lang, the weekday an opening-hours field path is
// about ("hours.weekly.mon[0]" → "lun").
func weekdayOf(field, lang string) (string, bool) {
	rest, ok := strings.CutPrefix(field, "hours.weekly.")
	if !ok || len(rest) < 3 {
		return "", false
	}
	day := rest[:3]
	if lang == "it" {
		for it, en := range dayNames {
			if en == day {
				return it, true
			}
		}
	}
	return day, true
}

// typedValues are the form's values as sent, for inputs.
func typedValues(ctx *fiber.Ctx, inputs []string) map[string]string {
	typed := make(map[string]string, len(inputs))
	for _, in := range inputs {
		typed[in] = ctx.FormValue(in)
		if many := ctx.Request().PostArgs().PeekMulti(in); len(many) > 1 { // ticked boxes
			vals := make([]string, len(many))
			for i, v := range many {
				vals[i] = string(v)
			}
			typed[in] = strings.Join(vals, "\n")
		}
	}
	return typed
}

// Ticked reports whether a failed form had value among its ticked boxes
// name; ok is false when form is not the one that failed.
func (p page) Ticked(form, name, value string) (ticked, ok bool) {
	if !p.FailedIs(form) {
		return false, false
	}
	return slices.Contains(strings.Split(p.Failed.Typed[name], "\n"), value), true
}

// ShopName is the name of one of the page's shops, for a table that holds
// its id; "—" for none (an owner belongs to no shop).
func (p page) ShopName(id string) string {
	for _, sh := range p.Shops {
		if sh.ID == id {
			return sh.Name
		}
	}
	if id == "" {
		return "—"
	}
	return id
}
