package mobileapi

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
	"github.com/vista-optical/vista/backend/ratelimit"
	"github.com/vista-optical/vista/backend/shop"
	"github.com/vista-optical/vista/backend/web"
)

// pendingCookie keeps, in the browser that opened a visit code without
// the app, the visit to link when that person signs up or in there.
const pendingCookie = "vista_visit"

// landIP bounds, per address, how many codes a browser may open.
var landIP = []ratelimit.Limit{{Name: "visit-land", Max: 60, Window: time.Minute}}

// AppLinks are what the landing page and the .well-known files need to
// open the installed app: the chain's store links, the iOS app ids
// (TEAMID.bundle) and the Android apps (package:SHA-256 fingerprint).
type AppLinks struct {
	Chain       func(ctx context.Context) (*shop.Chain, error)
	AppleAppIDs []string
	// AndroidApps are package=SHA256[|SHA256…].
	AndroidApps []string
}

// landingRoutes are the web side of the phygital link.
func (a *API) landingRoutes() []web.Route {
	l := a.Limits
	return []web.Route{
		{Method: "GET", Path: "/q/:token", Auth: web.Public, Handler: a.landing, Limits: landIP},
		{Method: "POST", Path: "/q/signup", Auth: web.Public, Handler: a.landingSignup, Limits: []ratelimit.Limit{l.SignupIP}},
		{Method: "POST", Path: "/q/login", Auth: web.Public, Handler: a.landingLogin, Limits: []ratelimit.Limit{l.LoginIP}},
		{Method: "POST", Path: "/q/:token", Auth: web.Public, Handler: a.landingClaim, Limits: landIP}, // after signup and login
		{Method: "GET", Path: "/.well-known/apple-app-site-association", Auth: web.Public, Handler: a.appleAssociation},
		{Method: "GET", Path: "/.well-known/assetlinks.json", Auth: web.Public, Handler: a.assetLinks},
	}
}

var landingT = template.Must(template.New("landing").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.T.title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:30rem;margin:1.5rem auto;padding:0 1rem}label{display:block;margin:.6rem 0}
input{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}button,.app{display:block;width:100%;padding:.7rem;margin:.6rem 0;font-size:1.1rem;text-align:center}
.error{color:#a40000}.notice{color:#0a5c2a}details{margin:1rem 0}#notice{font-size:.9rem}#notice h2{font-size:1rem}
label.choice{display:flex;gap:.5rem;align-items:flex-start}label.choice input{width:auto;margin-top:.2rem}</style></head>
<body>
<p><a href="?lang=it">Italiano</a> · <a href="?lang=en">English</a></p>
{{if .Error}}<h1>{{.T.title}}</h1><p class="error" role="alert" id="problem">{{.Error}}</p>
{{else if .Done}}<h1 id="done">{{.T.done}}</h1><p class="notice">{{.T.done_text}} {{.Shop}}.</p>
{{else}}<h1>{{.T.welcome}} {{.Shop}}</h1><p id="where">{{.City}}{{if .Screen}} · {{.Screen}}{{end}}</p><p>{{.T.intro}}</p>
{{if .Confirm}}<form method="post" action="?lang={{.Lang}}" id="here"><button type="submit" autofocus>{{.T.here}}</button></form>{{end}}
{{end}}
{{if .IOS}}<a class="app" href="{{.IOS}}">{{.T.app_ios}}</a>{{end}}{{if .Android}}<a class="app" href="{{.Android}}">{{.T.app_android}}</a>{{end}}
{{if and (not .Done) .Pending}}
<details open><summary>{{.T.signup}}</summary>
<form method="post" action="/q/signup?lang={{.Lang}}" id="signup">
<label>{{.T.first_name}} <input name="first_name" required maxlength="100" autocomplete="given-name"></label>
<label>{{.T.last_name}} <input name="last_name" required maxlength="100" autocomplete="family-name"></label>
<label>{{.T.birth_date}} <input name="birth_date" type="date" required></label>
<label>{{.T.email}} <input name="email" type="email" required maxlength="254" autocomplete="email"></label>
<label>{{.T.password}} <input name="password" type="password" required minlength="10" maxlength="128" autocomplete="new-password"></label>
<section id="notice" aria-labelledby="notice-title"><h2 id="notice-title">{{.T.notice}}</h2><p>{{.NoticeText}}</p>
<input type="hidden" name="notice_version" value="{{.Notice.Version}}">
{{range $i, $c := .Notice.Choices}}<label class="choice"><input type="checkbox" name="consent" value="{{$c.Channel}}:{{$c.Purpose}}"> {{$c.Label}}</label>
{{end}}</section>
<button type="submit">{{.T.signup_go}}</button></form></details>
<details><summary>{{.T.login}}</summary>
<form method="post" action="/q/login?lang={{.Lang}}" id="login">
<label>{{.T.email}} <input name="email" type="email" required maxlength="254" autocomplete="email"></label>
<label>{{.T.password}} <input name="password" type="password" required maxlength="128" autocomplete="current-password"></label>
<button type="submit">{{.T.login_go}}</button></form></details>
{{end}}
</body></html>`))

var landingTexts = map[string]map[string]string{
	"it": {"title": "Vista", "welcome": "Benvenuto da", "intro": "Apri l'app per collegare questa visita al tuo profilo, oppure registrati o accedi qui: la visita sarà tua.",
		"app_ios": "Scarica l'app per iPhone", "app_android": "Scarica l'app per Android", "signup": "Registrati", "login": "Hai già un account? Accedi",
		"first_name": "Nome", "last_name": "Cognome", "birth_date": "Data di nascita", "email": "E-mail", "password": "Password (almeno 10 caratteri)",
		"signup_go": "Registrati", "login_go": "Accedi", "here": "Sono qui: collega la visita", "done": "Fatto!", "done_text": "La visita è nel tuo profilo:",
		"expired": "Questo codice è scaduto: inquadra di nuovo lo schermo.", "forged": "Questo non è un codice di uno schermo Vista.",
		"no_pending": "Inquadra di nuovo il codice sullo schermo.", "notice": "Informativa sulla privacy",
		"old_notice": "L'informativa è cambiata: leggila di nuovo e invia il modulo.", "bad_login": "E-mail o password non corretti.", "too_many": "Troppi tentativi: riprova tra qualche minuto."},
	"en": {"title": "Vista", "welcome": "Welcome to", "intro": "Open the app to link this visit to your profile, or sign up or in here: the visit will be yours.",
		"app_ios": "Get the iPhone app", "app_android": "Get the Android app", "signup": "Sign up", "login": "Already have an account? Sign in",
		"first_name": "First name", "last_name": "Last name", "birth_date": "Date of birth", "email": "E-mail", "password": "Password (at least 10 characters)",
		"signup_go": "Sign up", "login_go": "Sign in", "here": "I am here: link the visit", "done": "Done!", "done_text": "The visit is in your profile:",
		"expired": "This code has expired: scan the screen again.", "forged": "This is not a code of a Vista screen.",
		"no_pending": "Scan the code on the screen again.", "notice": "Privacy notice",
		"old_notice": "The notice has changed: read it again and send the form.", "bad_login": "E-mail or password is not correct.", "too_many": "Too many attempts: try again in a few minutes."},
}

func pageLang(c *fiber.Ctx) string {
	if c.Query("lang") == "en" || c.Query("lang") == "" && strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderAcceptLanguage)), "en") {
		return "en"
	}
	return "it"
}

func (a *API) renderLanding(c *fiber.Ctx, status int, v map[string]any) error {
	lang := pageLang(c)
	notice := customer.WebNotices[lang]
	v["Lang"], v["T"], v["Notice"] = lang, landingTexts[lang], notice
	chain := "Ottica Vista"
	if a.AppLinks.Chain != nil {
		if ch, err := a.AppLinks.Chain(c.UserContext()); err == nil {
			v["IOS"], v["Android"] = ch.IOSURL, ch.AndroidURL
			chain = cmp.Or(ch.Name, chain)
		}
	}
	v["NoticeText"] = fmt.Sprintf(notice.Text, chain)
	var b strings.Builder
	if err := landingT.Execute(&b, v); err != nil {
		return core.Internal(err)
	}
	c.Type("html", "utf-8")
	return c.Status(status).SendString(b.String())
}

// landing is the page a phone without the app opens from a screen's
// code: it tells where the screen is and uses nothing up (a link preview
// or a scanner that prefetches gets the same page); its button posts to
// landingClaim.
func (a *API) landing(c *fiber.Ctx) error {
	l, err := a.Visits.Peek(c.UserContext(), c.Params("token"))
	if err != nil {
		return a.landingProblem(c, err)
	}
	return a.renderLanding(c, fiber.StatusOK, map[string]any{"Shop": l.Shop.Name, "City": l.Shop.City, "Screen": l.Screen, "Confirm": true})
}

// landingClaim takes the code's visit for this browser, which keeps it
// (a cookie) until its person signs up or in on the page it answers.
func (a *API) landingClaim(c *fiber.Ctx) error {
	l, err := a.Visits.Land(c.UserContext(), c.Params("token"))
	if err != nil {
		return a.landingProblem(c, err)
	}
	c.Cookie(&fiber.Cookie{Name: pendingCookie, Value: l.Pending, Path: "/q", HTTPOnly: true, Secure: a.SecureCookie, SameSite: "Strict",
		MaxAge: int(auth.PendingVisit.TTL.Seconds())})
	return a.renderLanding(c, fiber.StatusOK, map[string]any{"Shop": l.Shop.Name, "City": l.Shop.City, "Screen": l.Screen, "Pending": true})
}

func (a *API) landingProblem(c *fiber.Ctx, err error) error {
	t := landingTexts[pageLang(c)]
	switch {
	case core.IsCode(err, core.EGONE):
		return a.renderLanding(c, fiber.StatusGone, map[string]any{"Error": t["expired"]})
	case core.IsCode(err, core.EMALFORMED) || core.IsCode(err, core.EUNAUTHORIZED):
		return a.renderLanding(c, fiber.StatusBadRequest, map[string]any{"Error": t["forged"]})
	}
	return err
}

// landingDone links the browser's pending visit to the customer who just
// signed up or in, and says so.
func (a *API) landingDone(c *fiber.Ctx, customerID string) error {
	place, err := a.Visits.LinkPending(c.UserContext(), c.Cookies(pendingCookie), customerID)
	if core.IsCode(err, core.EUNAUTHORIZED) {
		return a.renderLanding(c, fiber.StatusGone, map[string]any{"Error": landingTexts[pageLang(c)]["no_pending"]})
	} else if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: pendingCookie, Value: "", Path: "/q", HTTPOnly: true, Secure: a.SecureCookie, SameSite: "Strict", MaxAge: -1})
	return a.renderLanding(c, fiber.StatusOK, map[string]any{"Done": true, "Shop": place.Name})
}

// formProblem shows the landing page again with a problem its visitor
// can fix, or fails the request.
func (a *API) formProblem(c *fiber.Ctx, err error) error {
	t := landingTexts[pageLang(c)]
	switch core.ErrorCode(err) {
	case core.EINVALID, core.ECONFLICT:
		msg := err.Error()
		var ce *core.Error
		if errors.As(err, &ce) {
			msg = ce.Message
			for _, f := range ce.Fields {
				msg += " (" + f.Field + ": " + f.Message + ")"
			}
		}
		return a.renderLanding(c, fiber.StatusUnprocessableEntity, map[string]any{"Error": msg, "Pending": true})
	case core.EUNAUTHORIZED:
		return a.renderLanding(c, fiber.StatusUnauthorized, map[string]any{"Error": t["bad_login"], "Pending": true})
	case core.ETOOMANY:
		return a.renderLanding(c, fiber.StatusTooManyRequests, map[string]any{"Error": t["too_many"], "Pending": true})
	}
	return err
}

func (a *API) landingSignup(c *fiber.Ctx) error {
	if c.Cookies(pendingCookie) == "" {
		return a.renderLanding(c, fiber.StatusGone, map[string]any{"Error": landingTexts[pageLang(c)]["no_pending"]})
	}
	shopID, err := a.Visits.PendingShop(c.Cookies(pendingCookie))
	if err != nil {
		return a.renderLanding(c, fiber.StatusGone, map[string]any{"Error": landingTexts[pageLang(c)]["no_pending"]})
	}
	// The consents of the notice the page showed, each answered: a box
	// left empty is recorded as refused, under the same version.
	notice, ok := noticeOf(c.FormValue("notice_version"))
	if !ok {
		return a.renderLanding(c, fiber.StatusUnprocessableEntity, map[string]any{"Error": landingTexts[pageLang(c)]["old_notice"], "Pending": true})
	}
	ticked := map[string]bool{}
	for _, v := range c.Request().PostArgs().PeekMulti("consent") {
		ticked[string(v)] = true
	}
	var consents []customer.ConsentChoice
	for _, ch := range notice.Choices {
		consents = append(consents, customer.ConsentChoice{Channel: ch.Channel, Purpose: ch.Purpose, Granted: ticked[string(ch.Channel)+":"+string(ch.Purpose)]})
	}
	in := customer.SignupInput{Email: c.FormValue("email"), Password: c.FormValue("password"), FirstName: c.FormValue("first_name"),
		LastName: c.FormValue("last_name"), BirthDate: c.FormValue("birth_date"), Locale: pageLang(c), Source: "web:visit",
		ShopID: shopID, Consents: consents, TextVersion: notice.Version}
	if err := a.Limiter.Hit(c.UserContext(), a.Limits.SignupAccount, core.NormalizeEmail(in.Email)); err != nil {
		return a.formProblem(c, err)
	}
	s, err := a.Customers.Signup(c.UserContext(), in)
	if err != nil {
		return a.formProblem(c, err)
	}
	return a.landingDone(c, s.Customer.ID)
}

// noticeOf is the web notice of version v.
func noticeOf(v string) (customer.Notice, bool) {
	for _, n := range customer.WebNotices {
		if n.Version == v {
			return n, true
		}
	}
	return customer.Notice{}, false
}

func (a *API) landingLogin(c *fiber.Ctx) error {
	if c.Cookies(pendingCookie) == "" {
		return a.renderLanding(c, fiber.StatusGone, map[string]any{"Error": landingTexts[pageLang(c)]["no_pending"]})
	}
	s, err := a.Customers.Login(c.UserContext(), c.FormValue("email"), c.FormValue("password"))
	if err != nil {
		return a.formProblem(c, err)
	}
	return a.landingDone(c, s.Customer.ID)
}

// apps are the iOS and Android apps that open visit codes: the server's
// flags and the chain's settings (the console's), each named once.
func (a *API) apps(ctx context.Context) (apple, android []string, err error) {
	apple, android = slices.Clone(a.AppLinks.AppleAppIDs), slices.Clone(a.AppLinks.AndroidApps)
	if a.AppLinks.Chain != nil {
		ch, err := a.AppLinks.Chain(ctx)
		if err != nil {
			return nil, nil, err
		}
		apple, android = append(apple, ch.AppleAppIDs...), append(android, ch.AndroidApps...)
	}
	slices.Sort(apple)
	slices.Sort(android)
	return slices.Compact(apple), slices.Compact(android), nil
}

// appleAssociation lets iOS open PUBLIC_URL/q/… in the installed app.
func (a *API) appleAssociation(c *fiber.Ctx) error {
	apple, _, err := a.apps(c.UserContext())
	if err != nil {
		return err
	}
	if len(apple) == 0 {
		return core.Errorf(core.ENOTFOUND, "no iOS app is configured (the console's settings or VISTA_APPLE_APP_IDS)")
	}
	b, _ := json.Marshal(map[string]any{"applinks": map[string]any{"details": []map[string]any{{
		"appIDs": apple, "components": []map[string]string{{"/": "/q/*"}}}}}})
	c.Type("json")
	return c.Send(b)
}

// assetLinks lets Android open PUBLIC_URL/q/… in the installed app.
func (a *API) assetLinks(c *fiber.Ctx) error {
	_, android, err := a.apps(c.UserContext())
	if err != nil {
		return err
	}
	if len(android) == 0 {
		return core.Errorf(core.ENOTFOUND, "no Android app is configured (the console's settings or VISTA_ANDROID_APPS)")
	}
	var out []map[string]any
	for _, app := range android {
		pkg, fp, _ := strings.Cut(app, "=")
		out = append(out, map[string]any{"relation": []string{"delegate_permission/common.handle_all_urls"},
			"target": map[string]any{"namespace": "android_app", "package_name": pkg, "sha256_cert_fingerprints": strings.Split(fp, "|")}})
	}
	b, _ := json.Marshal(out)
	c.Type("json")
	return c.Send(b)
}
