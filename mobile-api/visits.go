package mobileapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/visit"
	"github.com/vista-optical/vista/backend/web"
)

// visitRoutes are the app's half of the phygital link: resolve a scanned
// code (what it links to), claim it, and the customer's visits.
func (a *API) visitRoutes() []web.Route {
	return []web.Route{
		{Method: "POST", Path: "/v1/visits/resolve", Auth: web.Customer, Handler: a.resolveVisit, OpenAPI: true},
		{Method: "POST", Path: "/v1/visits/claim", Auth: web.Customer, Handler: a.claimVisit, OpenAPI: true},
		{Method: "GET", Path: "/v1/me/visits", Auth: web.Customer, Handler: a.myVisits, OpenAPI: true},
		{Method: "GET", Path: "/v1/me/visit-settings", Auth: web.Customer, Handler: a.visitSettings, OpenAPI: true},
		{Method: "PUT", Path: "/v1/me/visit-settings", Auth: web.Customer, Handler: a.saveVisitSettings, OpenAPI: true},
	}
}

type visitToken struct {
	Token string `json:"token" validate:"required,max=2048"`
}

func (a *API) resolveVisit(c *fiber.Ctx) error {
	var in visitToken
	if err := web.DecodeValid(c, &in); err != nil {
		return err
	}
	r, err := a.Visits.Resolve(c.UserContext(), in.Token)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

func (a *API) claimVisit(c *fiber.Ctx) error {
	var in visitToken
	if err := web.DecodeValid(c, &in); err != nil {
		return err
	}
	r, err := a.Visits.Claim(c.UserContext(), in.Token)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

func (a *API) myVisits(c *fiber.Ctx) error {
	vs, err := a.Visits.Mine(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"visits": vs})
}

func (a *API) visitSettings(c *fiber.Ctx) error {
	st, err := a.Visits.MySettings(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(st)
}

func (a *API) saveVisitSettings(c *fiber.Ctx) error {
	var in visit.Settings
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	st, err := a.Visits.SaveMySettings(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.JSON(st)
}
