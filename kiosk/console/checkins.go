package console

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/visit"
	"github.com/vista-optical/vista/backend/web"
)

// Checkin is a linked visit as the console lists it: who, when, how.
type Checkin struct {
	*visit.Visit
	Customer string `json:"customer"`
}

func (c *Console) checkinRoutes() []web.Route {
	return []web.Route{
		{Method: "GET", Path: "/console/checkins", Auth: web.StaffPage(core.RoleAssistant), Handler: c.checkinsPage},
		{Method: "GET", Path: "/console/checkins/list", Auth: web.StaffPage(core.RoleAssistant), Handler: c.checkinsList},
		{Method: "GET", Path: "/console/checkins.js", Auth: web.Public, Handler: checkinsScript, Cache: "no-cache"},
		{Method: "POST", Path: "/console/checkins/:shop/link", Auth: web.StaffPage(core.RoleAssistant), Handler: sameOrigin(c.deskLinkSubmit)},
	}
}

// checkins lists a shop's check-ins on day with the customers' names.
func (c *Console) checkins(ctx *fiber.Ctx, shopID, date string) ([]Checkin, error) {
	vs, err := c.Visits.Checkins(ctx.UserContext(), shopID, date)
	if err != nil {
		return nil, err
	}
	return c.named(ctx, vs)
}

// named gives each visit its customer's name, in one read.
func (c *Console) named(ctx *fiber.Ctx, vs []*visit.Visit) ([]Checkin, error) {
	ids := make([]string, 0, len(vs))
	for _, v := range vs {
		ids = append(ids, v.CustomerID)
	}
	names, err := c.Customers.LabelsForStaff(ctx.UserContext(), ids)
	if err != nil {
		return nil, err
	}
	out := make([]Checkin, 0, len(vs))
	for _, v := range vs {
		out = append(out, Checkin{Visit: v, Customer: names[v.CustomerID]})
	}
	return out, nil
}

// checkinsTag names one state of a day's check-ins in one language: the
// visits and how each was linked. The page polls with it, and an
// unchanged list costs one read, no customer read and no rendering.
func checkinsTag(vs []*visit.Visit, lang string) string {
	h := sha256.New()
	io.WriteString(h, lang)
	for _, v := range vs {
		var linked int64
		if v.LinkedAt != nil {
			linked = v.LinkedAt.UnixMilli()
		}
		fmt.Fprintf(h, "|%s %s %s %d", v.ID, v.CustomerID, v.Via, linked)
	}
	return `"` + hex.EncodeToString(h.Sum(nil)[:12]) + `"`
}

// checkinsPage is who is or was in the shop today, kept live by a small
// script that fetches the list again every second.
func (c *Console) checkinsPage(ctx *fiber.Ctx) error {
	var p page
	if err := c.shopPage(ctx, ctx.Query("shop"), &p); err != nil {
		return err
	}
	return c.renderCheckins(ctx, p)
}

func (c *Console) renderCheckins(ctx *fiber.Ctx, p page) error {
	var err error
	if p.Checkins, err = c.checkins(ctx, p.Shop.ID, ""); err != nil {
		return err
	}
	if p.Kiosks, err = c.Screens.Kiosks(ctx.UserContext(), p.Shop.ID); err != nil {
		return err
	}
	return c.render(ctx, "checkins.html", p)
}

// deskLinkSubmit links the visit at a screen to the customer at the desk,
// found by their exact e-mail.
func (c *Console) deskLinkSubmit(ctx *fiber.Ctx) error {
	uctx := ctx.UserContext()
	t := texts[lang(ctx)]
	var p page
	if err := c.shopPage(ctx, ctx.Params("shop"), &p); err != nil {
		return err
	}
	// A refusal shows the form again as it was filled in: the address, and
	// the screen (Next names it on this page).
	p.Email, p.Next = ctx.FormValue("email"), ctx.FormValue("kiosk")
	cu, err := c.Customers.FindAtDesk(uctx, ctx.FormValue("email"))
	if core.IsCode(err, core.ENOTFOUND) {
		p.Error = t["no_such_customer"]
		ctx.Status(fiber.StatusUnprocessableEntity)
		return c.renderCheckins(ctx, p)
	} else if err != nil {
		return err
	}
	if _, err := c.Visits.LinkAtDesk(uctx, p.Shop.ID, ctx.FormValue("kiosk"), cu.ID); err != nil {
		if msg, ok := formProblem(ctx, err); ok {
			p.Error = msg
			ctx.Status(fiber.StatusUnprocessableEntity)
			return c.renderCheckins(ctx, p)
		}
		return err
	}
	p.Notice = t["done_desk"] + " " + cu.FirstName + " " + cu.LastName
	p.Email = ""
	return c.renderCheckins(ctx, p)
}

// checkinsList is today's rows of the check-in page, answered 304 when
// they are as the page last saw them (If-None-Match).
func (c *Console) checkinsList(ctx *fiber.Ctx) error {
	var p page
	if err := c.shopPage(ctx, ctx.Query("shop"), &p); err != nil {
		return err
	}
	vs, err := c.Visits.Checkins(ctx.UserContext(), p.Shop.ID, "")
	if err != nil {
		return err
	}
	tag := checkinsTag(vs, lang(ctx))
	ctx.Set(fiber.HeaderETag, tag)
	if ctx.Get(fiber.HeaderIfNoneMatch) == tag {
		return ctx.SendStatus(fiber.StatusNotModified)
	}
	if p.Checkins, err = c.named(ctx, vs); err != nil {
		return err
	}
	return c.render(ctx, "checkin-rows", p)
}

const checkinsJS = `(function () {
  "use strict";
  var box = document.getElementById("checkins"), tag = "";
  // Every second, asking only whether the list changed: an unchanged one
  // is a 304 with no body, and the rows stay as they are.
  setInterval(function () {
    var headers = tag ? { "If-None-Match": tag } : {};
    fetch(box.dataset.src, { credentials: "same-origin", cache: "no-store", headers: headers }).then(function (r) {
      if (r.status !== 200 || r.redirected) return;
      tag = r.headers.get("ETag") || "";
      return r.text().then(function (html) { box.innerHTML = html; });
    }).catch(function () {});
  }, 1000);
})();
`

func checkinsScript(ctx *fiber.Ctx) error {
	ctx.Type("js", "utf-8")
	return ctx.SendString(checkinsJS)
}
