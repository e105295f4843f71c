package mobileapi

import (
	"html/template"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/web"
)

func (a *API) forgot(c *fiber.Ctx) error {
	var in struct {
		Email string `json:"email" validate:"required,max=254"`
	}
	if err := web.DecodeValid(c, &in); err != nil {
		return err
	}
	if err := a.Customers.ForgotPassword(c.UserContext(), in.Email); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"status": "if the address has an account, a link is on its way"})
}

func (a *API) reset(c *fiber.Ctx) error {
	var in struct {
		Token    string `json:"token" validate:"required,max=128"`
		Password string `json:"password" validate:"required,max=128"`
	}
	if err := web.DecodeValid(c, &in); err != nil {
		return err
	}
	if err := a.Customers.ResetPassword(c.UserContext(), in.Token, in.Password); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (a *API) confirmEmail(c *fiber.Ctx) error {
	var in struct {
		Token string `json:"token" validate:"required,max=128"`
	}
	if err := web.DecodeValid(c, &in); err != nil {
		return err
	}
	if err := a.Customers.ConfirmEmail(c.UserContext(), in.Token); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// The pages an e-mailed link opens in a phone's browser when the app does
// not (universal links come later): small, Italian first, the token kept
// in the URL's fragment and posted by a script file (the CSP runs no
// inline script) to the API above.
var accountT = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.T.title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:2rem auto;padding:0 1rem;color:#1d2330}
input,button{font-size:1rem;padding:.6rem;width:100%;box-sizing:border-box;margin:.4rem 0}button{background:#123a5c;color:#fff;border:0;border-radius:4px}
.error{color:#a40000}.notice{color:#0a5c2a}</style></head>
<body data-mode="{{.Mode}}" data-lang="{{.Lang}}">
<h1>{{.T.title}}</h1><p>{{.T.help}}</p>
<form id="account-form">
{{if eq .Mode "reset"}}<label for="password">{{.T.password}}</label>
<input id="password" type="password" autocomplete="new-password" required minlength="10" maxlength="128">{{end}}
<button type="submit">{{.T.submit}}</button>
</form>
<p id="result" role="status" hidden></p>
<p id="msg-ok" hidden>{{.T.ok}}</p><p id="msg-gone" hidden>{{.T.gone}}</p><p id="msg-bad" hidden>{{.T.bad}}</p>
<script src="/account.js"></script>
</body></html>`))

var accountTexts = map[string]map[string]map[string]string{
	"reset": {
		"it": {"title": "Nuova password", "help": "Scegli una nuova password per il tuo account.", "password": "Nuova password (almeno 10 caratteri)",
			"submit": "Salva", "ok": "Fatto: accedi all'app con la nuova password.", "gone": "Il link è già stato usato o è scaduto: chiedine uno nuovo dall'app.",
			"bad": "La password deve avere da 10 a 128 caratteri."},
		"en": {"title": "New password", "help": "Choose a new password for your account.", "password": "New password (at least 10 characters)",
			"submit": "Save", "ok": "Done: sign in to the app with your new password.", "gone": "The link was already used or has expired: ask for a new one in the app.",
			"bad": "The password must be 10 to 128 characters."},
	},
	"confirm": {
		"it": {"title": "Conferma l'indirizzo e-mail", "help": "Conferma che vuoi usare questo indirizzo per il tuo account.", "submit": "Conferma",
			"ok": "Fatto: il tuo account usa ora il nuovo indirizzo.", "gone": "Il link è già stato usato o è scaduto.", "bad": "Non è stato possibile confermare l'indirizzo."},
		"en": {"title": "Confirm your e-mail address", "help": "Confirm that you want to use this address for your account.", "submit": "Confirm",
			"ok": "Done: your account now uses the new address.", "gone": "The link was already used or has expired.", "bad": "The address could not be confirmed."},
	},
}

func accountPage(mode string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		lang := "it"
		if c.Query("lang") == "en" || c.Query("lang") == "" && strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderAcceptLanguage)), "en") {
			lang = "en"
		}
		var b strings.Builder
		if err := accountT.Execute(&b, map[string]any{"Mode": mode, "Lang": lang, "T": accountTexts[mode][lang]}); err != nil {
			return err
		}
		c.Type("html", "utf-8")
		return c.SendString(b.String())
	}
}

const accountJS = `(function () {
  var token = location.hash.slice(1), mode = document.body.dataset.mode;
  history.replaceState(null, '', location.pathname + location.search);
  var form = document.getElementById('account-form'), out = document.getElementById('result');
  function say(id, cls) { out.textContent = document.getElementById(id).textContent; out.className = cls; out.hidden = false; }
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var body = mode === 'reset' ? {token: token, password: document.getElementById('password').value} : {token: token};
    fetch(mode === 'reset' ? '/v1/auth/password/reset' : '/v1/auth/email/confirm',
      {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)})
      .then(function (r) {
        if (r.status === 204) { form.hidden = true; say('msg-ok', 'notice'); }
        else if (r.status === 410 || r.status === 400) { say('msg-gone', 'error'); }
        else { say('msg-bad', 'error'); }
      }, function () { say('msg-bad', 'error'); });
  });
})();
`

func accountScript(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "text/javascript; charset=utf-8")
	return c.SendString(accountJS)
}
