package kiosk

import (
	"cmp"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/screen"
	"github.com/vista-optical/vista/backend/shop"
	"github.com/vista-optical/vista/qr"
)

// view is what every kiosk template receives.
type view struct {
	T       map[string]string
	Lang    string
	Error   string
	Label   string
	Shop    *shop.Shop
	Content *screen.Content
	Items   []catalog.Listing
	Item    *catalog.Listing
	Query   string
	// QR is the address of the product's QR image.
	QR string
	// The window layout's brand (the chain's colours and logo) and the
	// shop's hours today.
	Colour, Accent, Logo, Today string
	OpenToday                   bool
}

// Layouts of a display: a touch totem inside the shop (search, product
// panels, the visit's QR code) or a window display read from the street.
const (
	LayoutTotem  = "totem"
	LayoutWindow = "window"
	layoutCookie = "vista_kiosk_layout"
)

// layoutOf is the display's layout: ?layout= (kept in the display's
// cookie from then on), else the cookie, else a totem.
func (s *Screens) layoutOf(c *fiber.Ctx) string {
	if l := c.Query("layout"); l == LayoutTotem || l == LayoutWindow {
		s.setLayout(c, l)
		return l
	}
	if c.Cookies(layoutCookie) == LayoutWindow {
		return LayoutWindow
	}
	return LayoutTotem
}

func (s *Screens) setLayout(c *fiber.Ctx, l string) {
	c.Cookie(&fiber.Cookie{Name: layoutCookie, Value: l, Path: "/kiosk", SameSite: "Strict", Secure: s.SecureCookie, MaxAge: 10 * 365 * 24 * 3600})
}

// windowSlide is one product's slide of the window layout.
type windowSlide struct {
	Item              *catalog.Listing
	Kind, ID, Tag, QR string
	T                 map[string]string
}

func wslide(v view, l catalog.Listing, kind, id, tag string) windowSlide {
	return windowSlide{Item: &l, Kind: kind, ID: id, Tag: tag, T: v.T,
		QR: "/p/" + url.PathEscape(v.Shop.SlugOrID()) + "/" + url.PathEscape(l.ID) + "/qr.svg?tp=window"}
}

// initial is the first letter of s, as a picture's stand-in.
func initial(s string) string {
	for _, r := range s {
		return strings.ToUpper(string(r))
	}
	return ""
}

// windowView is what the window layout shows around its slides: the
// shop, the chain's brand, and whether and when the shop is open today.
func (s *Screens) windowView(c *fiber.Ctx, ct *screen.Content) (view, error) {
	sh, err := s.kioskShop(c)
	if err != nil {
		return view{}, err
	}
	v := view{Content: ct, Shop: sh, Colour: shop.DefaultColour, Accent: shop.DefaultAccent, Lang: langOf(c)}
	if s.Chain != nil {
		ch, err := s.Chain(c.UserContext())
		if err != nil {
			return view{}, err
		}
		v.Colour, v.Accent, v.Logo = cmp.Or(ch.Colour, v.Colour), cmp.Or(ch.Accent, v.Accent), ch.LogoURL
	}
	t := texts[v.Lang]
	var spans []string
	for _, sp := range s.Screens.HoursToday(sh) {
		spans = append(spans, sp.Open+"–"+sp.Close)
	}
	v.Today = t["today_closed"]
	if v.OpenToday = len(spans) > 0; v.OpenToday {
		v.Today = fmt.Sprintf(t["today_open"], strings.Join(spans, ", "))
	}
	return v, nil
}

// langOf is the page's language: ?lang=, then the display's cookie,
// then the browser's; Italian first.
func langOf(c *fiber.Ctx) string {
	for _, l := range []string{c.Query("lang"), c.Cookies("vista_kiosk_lang")} {
		if l == "it" || l == "en" {
			return l
		}
	}
	if strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderAcceptLanguage)), "en") {
		return "en"
	}
	return "it"
}

func (s *Screens) render(c *fiber.Ctx, name string, v view) error {
	if v.Lang == "" {
		v.Lang = langOf(c)
	}
	v.T = texts[v.Lang]
	var b strings.Builder
	if err := s.tmpl.ExecuteTemplate(&b, name, v); err != nil {
		return core.Internal(err)
	}
	c.Type("html", "utf-8")
	return c.SendString(b.String())
}

func (s *Screens) pairPage(c *fiber.Ctx) error {
	return s.render(c, "pair.html", view{})
}

// pairSubmit pairs this browser from the form, keeps the device token in
// the display's cookie and opens the display.
func (s *Screens) pairSubmit(c *fiber.Ctx) error {
	in := screen.PairInput{Code: c.FormValue("code"), Label: c.FormValue("label")}
	l := langOf(c)
	if v := c.FormValue("lang"); v == "en" || v == "it" {
		l = v
	}
	tok, _, err := s.Screens.Pair(c.UserContext(), in)
	if err != nil {
		msg := texts[l]["pair_unknown"]
		switch core.ErrorCode(err) {
		case core.EGONE:
			msg = texts[l]["pair_gone"]
		case core.ETOOMANY:
			msg = texts[l]["pair_too_many"]
		case core.ENOTFOUND, core.EINVALID:
		default:
			return err
		}
		c.Status(fiber.StatusUnprocessableEntity)
		return s.render(c, "pair.html", view{Lang: l, Error: msg, Label: in.Label})
	}
	s.setCookie(c, tok)
	if l := c.FormValue("layout"); l == LayoutWindow || l == LayoutTotem {
		s.setLayout(c, l)
	}
	c.Cookie(&fiber.Cookie{Name: "vista_kiosk_lang", Value: l, Path: "/kiosk", SameSite: "Strict", Secure: s.SecureCookie, MaxAge: 10 * 365 * 24 * 3600})
	return c.Redirect("/kiosk/display", fiber.StatusSeeOther)
}

func (s *Screens) kioskShop(c *fiber.Ctx) (*shop.Shop, error) {
	a, _ := core.ActorFrom(c.UserContext())
	return s.Catalog.ResolveShop(c.UserContext(), a.Shop)
}

// display is the full-screen page of a touch totem or a window display.
func (s *Screens) display(c *fiber.Ctx) error {
	ct, err := s.Screens.Content(c.UserContext())
	if err != nil {
		return err
	}
	if s.layoutOf(c) == LayoutWindow {
		v, err := s.windowView(c, ct)
		if err != nil {
			return err
		}
		return s.render(c, "window.html", v)
	}
	return s.render(c, "display.html", view{Content: ct})
}

// slides is the carousel alone, which the display fetches again when an
// offer arrives or its schedule turns.
func (s *Screens) slides(c *fiber.Ctx) error {
	ct, err := s.Screens.Content(c.UserContext())
	if err != nil {
		return err
	}
	if s.layoutOf(c) == LayoutWindow {
		v, err := s.windowView(c, ct)
		if err != nil {
			return err
		}
		return s.render(c, "window-slides", v)
	}
	return s.render(c, "slides", view{Content: ct})
}

// search is the touch screen's product search, as a panel.
func (s *Screens) search(c *fiber.Ctx) error {
	sh, err := s.kioskShop(c)
	if err != nil {
		return err
	}
	q := c.Query("q")
	ls, _, err := s.Catalog.ShopProducts(c.UserContext(), sh, catalog.Search{Query: q, Category: c.Query("category"), Limit: 24})
	if err != nil {
		return err
	}
	return s.render(c, "results", view{Items: ls, Query: q})
}

// detail is a product's panel on a touch screen, with a QR code to its
// public page carrying the touchpoint "kiosk".
func (s *Screens) detail(c *fiber.Ctx) error {
	sh, err := s.kioskShop(c)
	if err != nil {
		return err
	}
	l, err := s.Catalog.Product(c.UserContext(), sh, c.Params("id"))
	if err != nil {
		return err
	}
	if err := s.Visits.Record(c.UserContext(), "product_viewed", l.ID); err != nil {
		return err
	}
	return s.render(c, "detail", view{Item: l, Shop: sh, QR: "/p/" + url.PathEscape(sh.SlugOrID()) + "/" + url.PathEscape(l.ID) + "/qr.svg"})
}

// productPage is a product's public page, opened from a QR code on a
// screen or a product, or a shared link. ?tp= names the touchpoint.
func (s *Screens) productPage(c *fiber.Ctx) error {
	sh, err := s.Catalog.ResolveShop(c.UserContext(), c.Params("shop"))
	if err != nil {
		return err
	}
	l, err := s.Catalog.Product(c.UserContext(), sh, c.Params("product"))
	if err != nil {
		return err
	}
	source := c.Query("tp", "web")
	if err := s.Catalog.RecordTouch(c.UserContext(), sh.ID, l.ID, source); err != nil {
		return err
	}
	return s.render(c, "product.html", view{Item: l, Shop: sh})
}

// productURL is the public address of a product in a shop, as a QR on a
// screen opens it.
func (s *Screens) productURL(sh *shop.Shop, productID, touchpoint string) string {
	return strings.TrimRight(s.PublicURL(), "/") + "/p/" + url.PathEscape(sh.SlugOrID()) + "/" + url.PathEscape(productID) + "?tp=" + touchpoint
}

// productQR is the QR code of a product's public page (touchpoint
// kiosk), rendered once per address and kept.
func (s *Screens) productQR(c *fiber.Ctx) error {
	sh, err := s.Catalog.ResolveShop(c.UserContext(), c.Params("shop"))
	if err != nil {
		return err
	}
	l, err := s.Catalog.Product(c.UserContext(), sh, c.Params("product"))
	if err != nil {
		return err
	}
	tp := "kiosk"
	if c.Query("tp") == LayoutWindow {
		tp = LayoutWindow // a passer-by at the window, counted apart
	}
	svg, err := s.qrs.get(s.productURL(sh, l.ID, tp))
	if err != nil {
		return core.Internal(err)
	}
	c.Type("svg")
	return c.Send(svg)
}

// qrCache keeps rendered QR codes, at most qrCacheSize, emptied whole
// when full.
type qrCache struct {
	mu sync.Mutex
	m  map[string][]byte
}

const qrCacheSize = 5000

func (q *qrCache) get(content string) ([]byte, error) {
	q.mu.Lock()
	b, ok := q.m[content]
	q.mu.Unlock()
	if ok {
		return b, nil
	}
	b, err := qr.SVG(content)
	if err != nil {
		return nil, err
	}
	q.mu.Lock()
	if q.m == nil || len(q.m) >= qrCacheSize {
		q.m = map[string][]byte{}
	}
	q.m[content] = b
	q.mu.Unlock()
	return b, nil
}

// visitQRCache keeps the last few codes each kiosk rendered: a display
// fetches its image once or twice during the minute a code lives.
type visitQRCache struct {
	mu sync.Mutex
	m  map[string][]renderedCode // by kiosk, newest last
}

type renderedCode struct {
	token    string
	png, svg []byte
}

const codesPerKiosk = 3

func (q *visitQRCache) put(kioskID, token string, png, svg []byte) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.m == nil || len(q.m) >= qrCacheSize {
		q.m = map[string][]renderedCode{}
	}
	l := append(q.m[kioskID], renderedCode{token, png, svg})
	if len(l) > codesPerKiosk {
		l = l[len(l)-codesPerKiosk:]
	}
	q.m[kioskID] = l
}

func (q *visitQRCache) get(kioskID, token string) (png, svg []byte, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, r := range q.m[kioskID] {
		if r.token == token {
			return r.png, r.svg, true
		}
	}
	return nil, nil, false
}
