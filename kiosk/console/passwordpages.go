package console

import (
	"net/url"

	"github.com/gofiber/fiber/v2"
	"github.com/vista-optical/vista/backend/core"
)

func (c *Console) passwordPage(ctx *fiber.Ctx) error {
	return c.render(ctx, "password.html", page{Mode: "change"})
}

func (c *Console) passwordSubmit(ctx *fiber.Ctx) error {
	err := c.Shops.ChangePassword(ctx.UserContext(), ctx.FormValue("current_password"), ctx.FormValue("password"))
	if core.IsCode(err, core.EINVALID) {
		ctx.Status(fiber.StatusUnprocessableEntity)
		return c.render(ctx, "password.html", page{Mode: "change", Error: texts[lang(ctx)]["password_rules"]})
	} else if err != nil {
		return err
	}
	return ctx.Redirect("/console/?lang="+lang(ctx), fiber.StatusSeeOther)
}

// linkJS moves the token of an e-mailed link from the URL's fragment into
// the form. It is a file of its own: the pages' Content-Security-Policy
// runs no inline script.
const linkJS = `(function () {
  var t = location.hash.slice(1), f = document.getElementById('token');
  if (t && f) { f.value = t; history.replaceState(null, '', location.pathname + location.search); }
})();
`

func linkScript(ctx *fiber.Ctx) error {
	ctx.Set(fiber.HeaderContentType, "text/javascript; charset=utf-8")
	return ctx.SendString(linkJS)
}

// linkPage is the page an e-mailed link opens: the token stays in the
// URL's fragment (never sent to a server or written to a log) until the
// page's form posts it.
func (c *Console) linkPage(mode string) fiber.Handler {
	return func(ctx *fiber.Ctx) error { return c.render(ctx, "password.html", page{Mode: mode}) }
}

func (c *Console) linkSubmit(mode string) fiber.Handler {
	return func(ctx *fiber.Ctx) error {
		token, password := ctx.FormValue("token"), ctx.FormValue("password")
		var err error
		if mode == "invite" {
			_, err = c.Shops.AcceptInvite(ctx.UserContext(), token, password)
		} else {
			_, err = c.Shops.ResetPassword(ctx.UserContext(), token, password)
		}
		t := texts[lang(ctx)]
		switch {
		case core.IsCode(err, core.EINVALID):
			ctx.Status(fiber.StatusUnprocessableEntity)
			return c.render(ctx, "password.html", page{Mode: mode, Error: t["password_rules"]})
		case core.IsCode(err, core.EGONE), core.IsCode(err, core.EMALFORMED):
			ctx.Status(fiber.StatusGone)
			return c.render(ctx, "password.html", page{Mode: mode, Error: t["link_gone"]})
		case err != nil:
			return err
		}
		return ctx.Redirect(LoginPath+"?"+url.Values{"lang": {lang(ctx)}, "done": {"password"}}.Encode(), fiber.StatusSeeOther)
	}
}

func (c *Console) forgotPage(ctx *fiber.Ctx) error {
	return c.render(ctx, "password.html", page{Mode: "forgot"})
}

func (c *Console) forgotSubmit(ctx *fiber.Ctx) error {
	email := ctx.FormValue("email")
	if len(email) > 254 {
		email = ""
	}
	err := c.Shops.ForgotPassword(ctx.UserContext(), email)
	if core.IsCode(err, core.ETOOMANY) {
		ctx.Status(fiber.StatusTooManyRequests)
		return c.render(ctx, "password.html", page{Mode: "forgot", Error: texts[lang(ctx)]["too_many"]})
	} else if err != nil {
		return err
	}
	return c.render(ctx, "password.html", page{Mode: "forgot", Notice: texts[lang(ctx)]["forgot_sent"]})
}
