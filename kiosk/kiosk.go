// Package kiosk serves the screens in the shops: wall screens and touch
// totems, each paired once with a code from the console and signed in
// from then on with its own device token bound to one shop. It also
// serves the public product page that the QR codes on screens and
// products open. The staff console lives beside it in kiosk/console.
package kiosk

import (
	"context"
	"embed"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/media"
	"github.com/vista-optical/vista/backend/ratelimit"
	"github.com/vista-optical/vista/backend/screen"
	"github.com/vista-optical/vista/backend/shop"
	"github.com/vista-optical/vista/backend/validate"
	"github.com/vista-optical/vista/backend/visit"
	"github.com/vista-optical/vista/backend/web"
)

//go:embed templates/*.html static/*
var files embed.FS

// OpenAPI is the OpenAPI 3.1 document of the kiosk API and of the staff
// routes of screens, offers and the catalog.
//
//go:embed openapi.json
var OpenAPI []byte

// CookieName is the display page's cookie: its device token, HttpOnly,
// SameSite=Strict, sent to /kiosk only.
const CookieName = "vista_kiosk"

// PairPath is the pairing page.
const PairPath = "/kiosk"

// Screens serves the kiosk API, the display pages and public product
// pages.
type Screens struct {
	Screens *screen.Service
	Catalog *catalog.Service
	Hub     *screen.Hub
	Visits  *visit.Service
	// Chain reads the chain's settings: the window layout's colours and logo.
	Chain func(ctx context.Context) (*shop.Chain, error)
	// PublicURL is where customers reach this service (QR codes link there).
	PublicURL func() string
	// SecureCookie marks the display's cookie Secure (HTTPS deployments).
	SecureCookie bool
	// Heartbeat is how often an idle event stream sends a comment, which
	// also tells a dead connection apart.
	Heartbeat time.Duration
	tmpl      *template.Template
	qrs       qrCache
	visitQRs  visitQRCache
}

// Limits of the public routes.
var (
	pageIP = []ratelimit.Limit{{Name: "public-page", Max: 600, Window: time.Minute, Local: true}}
	pairIP = []ratelimit.Limit{screen.PairIP}
)

// Routes is the kiosk route table.
func (s *Screens) Routes() []web.Route {
	s.tmpl = template.Must(template.New("").Funcs(template.FuncMap{"euro": catalog.Euro, "wslide": wslide, "initial": initial, "phone": validate.DisplayPhone, "date": func(t time.Time) string { return t.Format("02/01/2006") }}).
		ParseFS(files, "templates/*.html"))
	if s.Heartbeat <= 0 {
		s.Heartbeat = 15 * time.Second
	}
	return []web.Route{
		{Method: "GET", Path: "/kiosk/v1/openapi.json", Auth: web.Public, Handler: func(c *fiber.Ctx) error {
			c.Type("json")
			return c.Send(OpenAPI)
		}},
		{Method: "POST", Path: "/kiosk/v1/pair", Auth: web.Public, Handler: s.apiPair, Limits: pairIP},
		{Method: "GET", Path: "/kiosk/v1/session", Auth: web.Kiosk, Handler: s.session},
		{Method: "GET", Path: "/kiosk/v1/content", Auth: web.Kiosk, Handler: s.content},
		{Method: "GET", Path: "/kiosk/v1/products", Auth: web.Kiosk, Handler: s.products},
		{Method: "GET", Path: "/kiosk/v1/events", Auth: web.Kiosk, Handler: s.events},
		{Method: "POST", Path: "/kiosk/v1/plays", Auth: web.Kiosk, Handler: s.plays},
		{Method: "GET", Path: "/kiosk/v1/visit-qr", Auth: web.Kiosk, Handler: s.visitQR},
		{Method: "GET", Path: "/kiosk/v1/visit-qr/:file", Auth: web.Kiosk, Handler: s.visitQRImage},
		{Method: "POST", Path: "/kiosk/v1/visit/end", Auth: web.Kiosk, Handler: s.endVisit},

		{Method: "GET", Path: PairPath, Auth: web.Public, Handler: s.pairPage},
		{Method: "POST", Path: PairPath, Auth: web.Public, Handler: s.pairSubmit, Limits: pairIP},
		{Method: "GET", Path: "/kiosk/display", Auth: web.KioskPage, Handler: s.display},
		{Method: "GET", Path: "/kiosk/display/slides", Auth: web.KioskPage, Handler: s.slides},
		{Method: "GET", Path: "/kiosk/display/search", Auth: web.KioskPage, Handler: s.search},
		{Method: "GET", Path: "/kiosk/display/product/:id", Auth: web.KioskPage, Handler: s.detail},
		{Method: "GET", Path: "/kiosk/static/:file", Auth: web.Public, Handler: static, Cache: "no-cache"},

		{Method: "GET", Path: media.Path + ":id", Auth: web.Public, Handler: s.picture, Cache: media.CacheControl, Limits: pageIP},
		{Method: "GET", Path: "/p/:shop/:product", Auth: web.Public, Handler: s.productPage, Limits: pageIP},
		{Method: "GET", Path: "/p/:shop/:product/qr.svg", Auth: web.Public, Handler: s.productQR, Cache: "public, max-age=3600", Limits: pageIP},
	}
}

// apiPair pairs a device: 201 with its token and kiosk.
func (s *Screens) apiPair(c *fiber.Ctx) error {
	var in screen.PairInput
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	tok, k, err := s.Screens.Pair(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"token": tok, "kiosk": k})
}

// session tells a kiosk which device it is and which shop it shows, with
// a fresh device token: a screen that asks now and then never expires.
func (s *Screens) session(c *fiber.Ctx) error {
	a, _ := core.ActorFrom(c.UserContext())
	sh, err := s.Catalog.ResolveShop(c.UserContext(), a.Shop)
	if err != nil {
		return err
	}
	k, err := s.Screens.Kiosk(c.UserContext())
	if err != nil {
		return err
	}
	tok, err := s.Screens.Token(k)
	if err != nil {
		return err
	}
	if c.Cookies(CookieName) != "" {
		s.setCookie(c, tok)
	}
	return c.JSON(fiber.Map{"device_id": a.ID, "label": k.Label, "token": tok, "shop": fiber.Map{"id": sh.ID, "name": sh.Name, "city": sh.City}})
}

func (s *Screens) content(c *fiber.Ctx) error {
	ct, err := s.Screens.Content(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(ct)
}

// products searches the kiosk's shop's catalog.
func (s *Screens) products(c *fiber.Ctx) error {
	a, _ := core.ActorFrom(c.UserContext())
	sh, err := s.Catalog.ResolveShop(c.UserContext(), a.Shop)
	if err != nil {
		return err
	}
	ls, next, err := s.Catalog.ShopProducts(c.UserContext(), sh, catalog.Search{Query: c.Query("q"), Category: c.Query("category"),
		Cursor: c.Query("cursor"), Limit: 24})
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"products": ls, "next_cursor": next})
}

// plays records proof of play and the screen's heartbeat.
func (s *Screens) plays(c *fiber.Ctx) error {
	var in screen.PlayInput
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	n, err := s.Screens.ReportPlays(c.UserContext(), in)
	if err != nil {
		return err
	}
	// Offers shown while someone is at the screen join that visit.
	var offers []string
	for _, p := range in.Plays {
		if p.ItemKind == "offer" && !slices.Contains(offers, p.ItemID) {
			offers = append(offers, p.ItemID)
		}
	}
	if err := s.Visits.RecordShown(c.UserContext(), "offer_shown", offers); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"recorded": n})
}

func (s *Screens) setCookie(c *fiber.Ctx, token string) {
	c.Cookie(&fiber.Cookie{Name: CookieName, Value: token, Path: "/kiosk", HTTPOnly: true, Secure: s.SecureCookie, SameSite: "Strict",
		MaxAge: int((30 * 24 * time.Hour).Seconds())})
}

// picture serves an uploaded picture. Its address is the hash of its
// bytes, so a browser, a screen or a proxy keeps it for a year and asks
// again only with If-None-Match.
func (s *Screens) picture(c *fiber.Ctx) error {
	id := c.Params("id")
	etag := `"` + id + `"`
	if c.Get(fiber.HeaderIfNoneMatch) == etag {
		c.Set(fiber.HeaderETag, etag)
		return c.SendStatus(fiber.StatusNotModified)
	}
	im, err := s.Catalog.Picture(c.UserContext(), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, etag)
	c.Set(fiber.HeaderContentType, im.ContentType)
	c.Set("Content-Security-Policy", "default-src 'none'")
	return c.Send(im.Data)
}

// static serves the display's script and style sheet.
func static(c *fiber.Ctx) error {
	name := c.Params("file")
	b, err := files.ReadFile("static/" + name)
	if err != nil || strings.Contains(name, "/") {
		return core.Errorf(core.ENOTFOUND, "no such file")
	}
	switch {
	case strings.HasSuffix(name, ".js"):
		c.Type("js", "utf-8")
	case strings.HasSuffix(name, ".css"):
		c.Type("css", "utf-8")
	}
	return c.Send(b)
}
