package console

import (
	"io"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/media"
	"github.com/vista-optical/vista/backend/ratelimit"
	"github.com/vista-optical/vista/backend/shop"
	"github.com/vista-optical/vista/backend/web"
)

// linkIP bounds, per address, the public forms that take a one-time link
// or ask for one.
var linkIP = []ratelimit.Limit{{Name: "staff-link-ip", Max: 30, Window: 15 * time.Minute}}

// setupRoutes are the chain's set-up: shops, staff, settings, and the
// links staff receive by e-mail.
func (c *Console) setupRoutes() []web.Route {
	return []web.Route{
		{Method: "POST", Path: "/v1/staff/shops", Auth: web.Staff(core.RoleOwner), Handler: c.apiCreateShop},
		{Method: "GET", Path: "/v1/staff/shops/:shop", Auth: web.Staff(core.RoleAssistant), Handler: c.apiShop},
		{Method: "PUT", Path: "/v1/staff/shops/:shop", Auth: web.Staff(core.RoleManager), Handler: c.apiUpdateShop},
		{Method: "GET", Path: "/v1/staff/members", Auth: web.Staff(core.RoleManager), Handler: c.apiMembers},
		{Method: "POST", Path: "/v1/staff/members", Auth: web.Staff(core.RoleManager), Handler: c.apiInvite},
		{Method: "PATCH", Path: "/v1/staff/members/:id", Auth: web.Staff(core.RoleManager), Handler: c.apiChangeMember},
		{Method: "POST", Path: "/v1/staff/members/:id/invitation", Auth: web.Staff(core.RoleManager), Handler: c.apiResendInvite},
		{Method: "GET", Path: "/v1/staff/chain", Auth: web.Staff(core.RoleAssistant), Handler: c.apiChain},
		{Method: "PUT", Path: "/v1/staff/chain", Auth: web.Staff(core.RoleOwner), Handler: c.apiSaveChain},
		{Method: "PUT", Path: "/v1/staff/chain/logo", Auth: web.Staff(core.RoleOwner), Handler: c.apiLogo},
		{Method: "POST", Path: "/v1/staff/me/password", Auth: web.Staff(core.RoleAssistant), Handler: c.apiChangePassword},
		{Method: "POST", Path: "/v1/staff/auth/invitation", Auth: web.Public, Handler: c.apiAcceptInvite, Limits: linkIP},
		{Method: "POST", Path: "/v1/staff/auth/password/forgot", Auth: web.Public, Handler: c.apiForgot, Limits: linkIP},
		{Method: "POST", Path: "/v1/staff/auth/password/reset", Auth: web.Public, Handler: c.apiReset, Limits: linkIP},

		{Method: "GET", Path: "/console/setup", Auth: web.StaffPage(core.RoleManager), Handler: c.setupPage},
		{Method: "POST", Path: "/console/chain", Auth: web.StaffPage(core.RoleOwner), Handler: sameOrigin(c.chainSubmit)},
		{Method: "POST", Path: "/console/chain/logo", Auth: web.StaffPage(core.RoleOwner), Handler: sameOrigin(c.logoSubmit)},
		{Method: "POST", Path: "/console/shops", Auth: web.StaffPage(core.RoleOwner), Handler: sameOrigin(c.shopSubmit)},
		{Method: "POST", Path: "/console/shops/:shop", Auth: web.StaffPage(core.RoleManager), Handler: sameOrigin(c.shopSubmit)},
		{Method: "POST", Path: "/console/staff", Auth: web.StaffPage(core.RoleManager), Handler: sameOrigin(c.inviteSubmit)},
		{Method: "POST", Path: "/console/services", Auth: web.StaffPage(core.RoleManager), Handler: sameOrigin(c.serviceSubmit)},
		{Method: "POST", Path: "/console/services/:id", Auth: web.StaffPage(core.RoleManager), Handler: sameOrigin(c.serviceSubmit)},
		{Method: "POST", Path: "/console/staff/:id", Auth: web.StaffPage(core.RoleManager), Handler: sameOrigin(c.memberSubmit)},
		{Method: "POST", Path: "/console/staff/:id/agenda", Auth: web.StaffPage(core.RoleManager), Handler: sameOrigin(c.agendaSubmit)},
		{Method: "GET", Path: "/console/password", Auth: web.StaffPage(core.RoleAssistant), Handler: c.passwordPage},
		{Method: "POST", Path: "/console/password", Auth: web.StaffPage(core.RoleAssistant), Handler: sameOrigin(c.passwordSubmit)},
		{Method: "GET", Path: "/console/link.js", Auth: web.Public, Handler: linkScript, Cache: "public, max-age=3600"},
		{Method: "GET", Path: "/console/invite", Auth: web.Public, Handler: c.linkPage("invite")},
		{Method: "POST", Path: "/console/invite", Auth: web.Public, Handler: sameOrigin(c.linkSubmit("invite")), Limits: linkIP},
		{Method: "GET", Path: "/console/reset", Auth: web.Public, Handler: c.linkPage("reset")},
		{Method: "POST", Path: "/console/reset", Auth: web.Public, Handler: sameOrigin(c.linkSubmit("reset")), Limits: linkIP},
		{Method: "GET", Path: "/console/forgot", Auth: web.Public, Handler: c.forgotPage},
		{Method: "POST", Path: "/console/forgot", Auth: web.Public, Handler: sameOrigin(c.forgotSubmit), Limits: linkIP},
	}
}

func (c *Console) apiCreateShop(ctx *fiber.Ctx) error {
	var in shop.ShopInput
	if err := web.Decode(ctx, &in); err != nil {
		return err
	}
	s, err := c.Shops.CreateShop(ctx.UserContext(), in)
	if err != nil {
		return err
	}
	return ctx.Status(fiber.StatusCreated).JSON(s)
}

func (c *Console) apiShop(ctx *fiber.Ctx) error {
	s, err := c.Shops.VisibleShop(ctx.UserContext(), ctx.Params("shop"))
	if err != nil {
		return err
	}
	return ctx.JSON(s)
}

func (c *Console) apiUpdateShop(ctx *fiber.Ctx) error {
	var in shop.ShopInput
	if err := web.Decode(ctx, &in); err != nil {
		return err
	}
	s, err := c.Shops.UpdateShop(ctx.UserContext(), ctx.Params("shop"), in)
	if err != nil {
		return err
	}
	return ctx.JSON(s)
}

func (c *Console) apiMembers(ctx *fiber.Ctx) error {
	list, err := c.Shops.StaffList(ctx.UserContext())
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"staff": list})
}

func (c *Console) apiInvite(ctx *fiber.Ctx) error {
	var in shop.InviteInput
	if err := web.Decode(ctx, &in); err != nil {
		return err
	}
	m, err := c.Shops.Invite(ctx.UserContext(), in)
	if err != nil {
		return err
	}
	return ctx.Status(fiber.StatusCreated).JSON(m)
}

func (c *Console) apiChangeMember(ctx *fiber.Ctx) error {
	var in shop.StaffChange
	if err := web.Decode(ctx, &in); err != nil {
		return err
	}
	m, err := c.Shops.ChangeStaff(ctx.UserContext(), ctx.Params("id"), in)
	if err != nil {
		return err
	}
	return ctx.JSON(m)
}

func (c *Console) apiResendInvite(ctx *fiber.Ctx) error {
	if err := c.Shops.ResendInvite(ctx.UserContext(), ctx.Params("id")); err != nil {
		return err
	}
	return ctx.SendStatus(fiber.StatusAccepted)
}

func (c *Console) apiChain(ctx *fiber.Ctx) error {
	ch, err := c.Shops.Chain(ctx.UserContext())
	if err != nil {
		return err
	}
	return ctx.JSON(ch)
}

func (c *Console) apiSaveChain(ctx *fiber.Ctx) error {
	var in shop.Chain
	if err := web.Decode(ctx, &in); err != nil {
		return err
	}
	ch, err := c.Shops.SaveChain(ctx.UserContext(), in)
	if err != nil {
		return err
	}
	return ctx.JSON(ch)
}

// apiLogo stores the picture in the body (or in a form's "image" file) as
// the chain's logo.
func (c *Console) apiLogo(ctx *fiber.Ctx) error {
	data, err := uploaded(ctx)
	if err != nil {
		return err
	}
	ch, err := c.Shops.SetLogo(ctx.UserContext(), data)
	if err != nil {
		return err
	}
	return ctx.JSON(ch)
}

// uploaded is the picture a request carries: the "image" file of a
// multipart form, or else the body itself.
func uploaded(ctx *fiber.Ctx) ([]byte, error) {
	if !strings.HasPrefix(ctx.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		return ctx.Body(), nil
	}
	fh, err := ctx.FormFile("image")
	if err != nil {
		return nil, nil // Prepare names the missing picture
	}
	if fh.Size > media.MaxBytes {
		return nil, media.TooLarge()
	}
	f, err := fh.Open()
	if err != nil {
		return nil, core.Internal(err)
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, media.MaxBytes+1))
}

type passwordBody struct {
	Token    string `json:"token" validate:"required,max=128"`
	Password string `json:"password" validate:"required,max=128"`
}

func (c *Console) apiAcceptInvite(ctx *fiber.Ctx) error {
	var in passwordBody
	if err := web.DecodeValid(ctx, &in); err != nil {
		return err
	}
	if _, err := c.Shops.AcceptInvite(ctx.UserContext(), in.Token, in.Password); err != nil {
		return err
	}
	return ctx.SendStatus(fiber.StatusNoContent)
}

func (c *Console) apiForgot(ctx *fiber.Ctx) error {
	var in struct {
		Email string `json:"email" validate:"required,max=254"`
	}
	if err := web.DecodeValid(ctx, &in); err != nil {
		return err
	}
	if err := c.Shops.ForgotPassword(ctx.UserContext(), in.Email); err != nil {
		return err
	}
	return ctx.Status(fiber.StatusAccepted).JSON(fiber.Map{"status": "if the address is on the staff, a link is on its way"})
}

func (c *Console) apiReset(ctx *fiber.Ctx) error {
	var in passwordBody
	if err := web.DecodeValid(ctx, &in); err != nil {
		return err
	}
	if _, err := c.Shops.ResetPassword(ctx.UserContext(), in.Token, in.Password); err != nil {
		return err
	}
	return ctx.SendStatus(fiber.StatusNoContent)
}

func (c *Console) apiChangePassword(ctx *fiber.Ctx) error {
	var in struct {
		Current  string `json:"current_password" validate:"required,max=128"`
		Password string `json:"password" validate:"required,max=128"`
	}
	if err := web.DecodeValid(ctx, &in); err != nil {
		return err
	}
	if err := c.Shops.ChangePassword(ctx.UserContext(), in.Current, in.Password); err != nil {
		return err
	}
	return ctx.SendStatus(fiber.StatusNoContent)
}
