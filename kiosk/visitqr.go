package kiosk

import (
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/visit"
	"github.com/vista-optical/vista/qr"
)

// visitQR makes the code the screen shows next and renders its images
// once: the display loads them from the paths given, as often as it
// likes, without a render per request.
func (s *Screens) visitQR(c *fiber.Ctx) error {
	code, err := s.Visits.NewCode(c.UserContext())
	if err != nil {
		return err
	}
	png, svg, err := s.renderCode(code.URL)
	if err != nil {
		return err
	}
	a, _ := core.ActorFrom(c.UserContext())
	s.visitQRs.put(a.ID, code.Token, png, svg)
	base := "/kiosk/v1/visit-qr/" + url.PathEscape(code.Token)
	return c.JSON(fiber.Map{"url": code.URL, "token": code.Token, "expires_at": code.ExpiresAt, "png": base + ".png", "svg": base + ".svg",
		"rotate_seconds": int(visit.Rotate / time.Second)})
}

// visitQRImage serves a rendered code, to the kiosk that showed it only.
func (s *Screens) visitQRImage(c *fiber.Ctx) error {
	a, _ := core.ActorFrom(c.UserContext())
	name := c.Params("file")
	token, ext, _ := strings.Cut(name, ".")
	png, svg, ok := s.visitQRs.get(a.ID, token)
	if !ok {
		// Made by another instance: render it here, once, if it is ours.
		if !s.Visits.ValidCode(token) {
			return core.Errorf(core.ENOTFOUND, "no such code")
		}
		var err error
		if png, svg, err = s.renderCode(s.Visits.URL(token)); err != nil {
			return err
		}
		s.visitQRs.put(a.ID, token, png, svg)
	}
	switch ext {
	case "png":
		c.Type("png")
		return c.Send(png)
	case "svg":
		c.Type("svg")
		return c.Send(svg)
	}
	return core.Errorf(core.ENOTFOUND, "no such image")
}

// renderCode draws a code's images: a 256 px PNG, an SVG.
func (s *Screens) renderCode(u string) (png, svg []byte, err error) {
	if png, err = qr.PNG(u, 256); err != nil {
		return nil, nil, core.Internal(err)
	}
	if svg, err = qr.SVG(u); err != nil {
		return nil, nil, core.Internal(err)
	}
	return png, svg, nil
}

// endVisit is the totem's "Fine": the visit ends, its codes stop linking.
func (s *Screens) endVisit(c *fiber.Ctx) error {
	if err := s.Visits.End(c.UserContext()); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
