// Package kiosk serves the screens in the shops: wall screens and touch
// totems, each signed in with its own device token bound to one shop. The
// staff console lives beside it in kiosk/console.
package kiosk

import (
	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/shop"
	"github.com/vista-optical/vista/backend/web"
)

// Screens serves the kiosk API.
type Screens struct {
	Shops shop.Store
}

// Routes is the kiosk route table.
func (s *Screens) Routes() []web.Route {
	return []web.Route{
		{Method: "GET", Path: "/kiosk/v1/session", Auth: web.Kiosk, Handler: s.session},
	}
}

// session tells a kiosk which device it is and which shop it shows.
func (s *Screens) session(c *fiber.Ctx) error {
	a, _ := core.ActorFrom(c.UserContext())
	sh, err := s.Shops.Shop(c.UserContext(), a.Shop)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"device_id": a.ID, "shop": fiber.Map{"id": sh.ID, "name": sh.Name, "city": sh.City}})
}
