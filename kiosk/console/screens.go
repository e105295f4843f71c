package console

import (
	"bytes"
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/screen"
	"github.com/vista-optical/vista/backend/web"
)

// screenRoutes are the staff API of the catalog, the screens and the
// offers pushed to them.
func (c *Console) screenRoutes() []web.Route {
	return []web.Route{
		{Method: "POST", Path: "/v1/staff/shops/:shop/kiosks/pairing-codes", Auth: web.Staff(core.RoleManager), Handler: c.apiPairingCode},
		{Method: "GET", Path: "/v1/staff/shops/:shop/kiosks", Auth: web.Staff(core.RoleAssistant), Handler: c.apiKiosks},
		{Method: "PATCH", Path: "/v1/staff/shops/:shop/kiosks/:id", Auth: web.Staff(core.RoleManager), Handler: c.apiChangeKiosk},
		{Method: "DELETE", Path: "/v1/staff/shops/:shop/kiosks/:id", Auth: web.Staff(core.RoleManager), Handler: c.apiRevokeKiosk},
		{Method: "POST", Path: "/v1/staff/shops/:shop/screens/broadcast", Auth: web.Staff(core.RoleManager), Handler: c.apiBroadcast},
		{Method: "POST", Path: "/v1/staff/screens/broadcast", Auth: web.Staff(core.RoleOwner), Handler: c.apiBroadcast},
		{Method: "GET", Path: "/v1/staff/shops/:shop/offers", Auth: web.Staff(core.RoleAssistant), Handler: c.apiOffers},
		{Method: "GET", Path: "/v1/staff/shops/:shop/offers/reach", Auth: web.Staff(core.RoleAssistant), Handler: c.apiReach},
		{Method: "DELETE", Path: "/v1/staff/shops/:shop/offers/:id", Auth: web.Staff(core.RoleManager), Handler: c.apiEndOffer},
		{Method: "GET", Path: "/v1/staff/shops/:shop/plays", Auth: web.Staff(core.RoleAssistant), Handler: c.apiPlays},
		{Method: "GET", Path: "/v1/staff/shops/:shop/checkins", Auth: web.Staff(core.RoleAssistant), Handler: c.apiCheckins},
		{Method: "POST", Path: "/v1/staff/shops/:shop/kiosks/:id/link", Auth: web.Staff(core.RoleAssistant), Handler: c.apiDeskLink},

		{Method: "POST", Path: "/v1/staff/products", Auth: web.Staff(core.RoleManager), Handler: c.apiSaveProduct},
		{Method: "PUT", Path: "/v1/staff/products/:id/image", Auth: web.Staff(core.RoleManager), Handler: c.apiProductImage},
		{Method: "GET", Path: "/v1/staff/shops/:shop/products", Auth: web.Staff(core.RoleAssistant), Handler: c.apiShopProducts},
		{Method: "PUT", Path: "/v1/staff/shops/:shop/stock", Auth: web.Staff(core.RoleManager), Handler: c.apiSetStock},
		{Method: "POST", Path: "/v1/staff/shops/:shop/catalog/import", Auth: web.Staff(core.RoleManager), Handler: c.apiImport},
		{Method: "GET", Path: "/v1/staff/shops/:shop/catalog-settings", Auth: web.Staff(core.RoleAssistant), Handler: c.apiCatalogSettings},
		{Method: "PUT", Path: "/v1/staff/shops/:shop/catalog-settings", Auth: web.Staff(core.RoleManager), Handler: c.apiSaveCatalogSettings},
		{Method: "GET", Path: "/v1/staff/promotions", Auth: web.Staff(core.RoleAssistant), Handler: c.apiPromotions},
		{Method: "POST", Path: "/v1/staff/promotions", Auth: web.Staff(core.RoleManager), Handler: c.apiCreatePromotion},
		{Method: "DELETE", Path: "/v1/staff/promotions/:id", Auth: web.Staff(core.RoleManager), Handler: c.apiDeletePromotion},
	}
}

func (c *Console) apiPairingCode(ctx *fiber.Ctx) error {
	code, expires, err := c.Screens.CreatePairingCode(ctx.UserContext(), ctx.Params("shop"))
	if err != nil {
		return err
	}
	return ctx.Status(fiber.StatusCreated).JSON(fiber.Map{"code": code, "expires_at": expires})
}

func (c *Console) apiKiosks(ctx *fiber.Ctx) error {
	ks, err := c.Screens.Kiosks(ctx.UserContext(), ctx.Params("shop"))
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"kiosks": ks})
}

func (c *Console) apiChangeKiosk(ctx *fiber.Ctx) error {
	var in screen.KioskChange
	if err := web.Decode(ctx, &in); err != nil {
		return err
	}
	k, err := c.Screens.ChangeKiosk(ctx.UserContext(), ctx.Params("shop"), ctx.Params("id"), in)
	if err != nil {
		return err
	}
	return ctx.JSON(k)
}

func (c *Console) apiRevokeKiosk(ctx *fiber.Ctx) error {
	if _, err := c.Screens.ChangeKiosk(ctx.UserContext(), ctx.Params("shop"), ctx.Params("id"), screen.KioskChange{Revoke: true}); err != nil {
		return err
	}
	return ctx.SendStatus(fiber.StatusNoContent)
}

// apiBroadcast pushes an offer: 202, the screens receive it through their
// event streams, the app customers through the outbox.
func (c *Console) apiBroadcast(ctx *fiber.Ctx) error {
	var in screen.OfferInput
	if err := web.Decode(ctx, &in); err != nil {
		return err
	}
	b, err := c.Screens.Push(ctx.UserContext(), ctx.Params("shop"), in)
	if err != nil {
		return err
	}
	return ctx.Status(fiber.StatusAccepted).JSON(fiber.Map{"id": b.Offer.ID, "offer": b.Offer, "customers": b.Customers})
}

func (c *Console) apiOffers(ctx *fiber.Ctx) error {
	os, err := c.Screens.StaffOffers(ctx.UserContext(), ctx.Params("shop"))
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"offers": os})
}

func (c *Console) apiReach(ctx *fiber.Ctx) error {
	n, err := c.Screens.Reach(ctx.UserContext(), ctx.Params("shop"))
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"customers": n})
}

func (c *Console) apiEndOffer(ctx *fiber.Ctx) error {
	if err := c.Screens.EndOffer(ctx.UserContext(), ctx.Params("shop"), ctx.Params("id")); err != nil {
		return err
	}
	return ctx.SendStatus(fiber.StatusNoContent)
}

func (c *Console) apiPlays(ctx *fiber.Ctx) error {
	var since time.Time // the last 24 hours
	if v := ctx.Query("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return core.Invalid("since is not a time", core.FieldError{Field: "since", Code: "invalid", Message: "must be an RFC 3339 time"})
		}
		since = t
	}
	limit, err := web.LimitQuery(ctx, 200, 1000)
	if err != nil {
		return err
	}
	uctx := ctx.UserContext()
	ps, err := c.Screens.ShopPlays(uctx, ctx.Params("shop"), since, limit)
	if err != nil {
		return err
	}
	kiosks, err := c.Screens.Kiosks(uctx, ctx.Params("shop"))
	if err != nil {
		return err
	}
	labels := map[string]string{}
	for _, k := range kiosks {
		labels[k.ID] = k.Label
	}
	offers, err := c.Screens.StaffOffers(uctx, ctx.Params("shop"))
	if err != nil {
		return err
	}
	products, err := c.Catalog.Products(uctx)
	if err != nil {
		return err
	}
	names, err := c.screenNames(uctx, texts[lang(ctx)], offers, products)
	if err != nil {
		return err
	}
	t := texts[lang(ctx)]
	out := make([]namedPlay, len(ps))
	for i, p := range ps {
		key := p.ItemKind + ":" + p.ItemID
		if _, ok := names[key]; !ok && p.ItemKind == "offer" {
			// An offer that has ended since is no longer current, but
			// the play was of it: read its title once.
			names[key] = t["showing_offer"]
			if o, err := c.Screens.StaffOffer(uctx, ctx.Params("shop"), p.ItemID); err == nil {
				names[key] += " «" + o.Title + "»"
			} else if !core.IsCode(err, core.ENOTFOUND) {
				return err
			}
		}
		out[i] = namedPlay{Play: p, KioskLabel: labels[p.KioskID], ItemName: names[key]}
	}
	return ctx.JSON(fiber.Map{"plays": out})
}

// namedPlay is a play with the names staff read: the screen's label and
// what it showed.
type namedPlay struct {
	screen.Play
	KioskLabel string `json:"kiosk_label"`
	ItemName   string `json:"item_name"`
}

// screenNames says in words what a screen may show, keyed as screens
// report it ("offer:<id>", "product:<id>", "promotion:<id>"): the offers
// and products given, and the chain's promotions.
func (c *Console) screenNames(ctx context.Context, t map[string]string, offers []*screen.Offer, products []*catalog.Product) (map[string]string, error) {
	names := map[string]string{"": ""}
	for _, o := range offers {
		names["offer:"+o.ID] = t["showing_offer"] + " «" + o.Title + "»"
	}
	for _, p := range products {
		names["product:"+p.ID] = t["showing_product"] + " " + strings.TrimSpace(p.Brand+" "+p.Name)
	}
	promos, err := c.Catalog.StaffPromotions(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range promos {
		names["promotion:"+p.ID] = t["showing_promotion"] + " «" + p.Name + "»"
	}
	return names, nil
}

func (c *Console) apiSaveProduct(ctx *fiber.Ctx) error {
	var in catalog.ProductInput
	if err := web.Decode(ctx, &in); err != nil {
		return err
	}
	p, err := c.Catalog.SaveProduct(ctx.UserContext(), in)
	if err != nil {
		return err
	}
	return ctx.JSON(p)
}

// apiProductImage makes the picture in the body (or in a form's "image"
// file) the product's.
func (c *Console) apiProductImage(ctx *fiber.Ctx) error {
	data, err := uploaded(ctx)
	if err != nil {
		return err
	}
	p, err := c.Catalog.SetProductImage(ctx.UserContext(), ctx.Params("id"), data)
	if err != nil {
		return err
	}
	return ctx.JSON(p)
}

func (c *Console) apiShopProducts(ctx *fiber.Ctx) error {
	sh, err := c.Shops.VisibleShop(ctx.UserContext(), ctx.Params("shop"))
	if err != nil {
		return err
	}
	ls, next, err := c.Catalog.ShopProducts(ctx.UserContext(), sh, catalog.Search{Query: ctx.Query("q"), Category: ctx.Query("category"),
		Cursor: ctx.Query("cursor"), Limit: 50})
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"products": ls, "next_cursor": next})
}

func (c *Console) apiSetStock(ctx *fiber.Ctx) error {
	var in catalog.StockInput
	if err := web.Decode(ctx, &in); err != nil {
		return err
	}
	ls, err := c.Catalog.SetStock(ctx.UserContext(), ctx.Params("shop"), in)
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"levels": ls})
}

// apiImport reads a CSV file of products and stock: 200 with what was
// stored, or 422 with the errors of each line and nothing stored (unless
// ?skip_errors=true). The body is the file itself, as text/csv; a file
// that is not UTF-8 is read as Windows-1252.
func (c *Console) apiImport(ctx *fiber.Ctx) error {
	if err := web.BodyOfType(ctx, web.CSVTypes...); err != nil {
		return err
	}
	res, err := c.Catalog.Import(ctx.UserContext(), ctx.Params("shop"), bytes.NewReader(ctx.Body()), ctx.QueryBool("skip_errors"))
	if err != nil {
		return err
	}
	if !res.Stored {
		return ctx.Status(fiber.StatusUnprocessableEntity).JSON(res)
	}
	return ctx.JSON(res)
}

func (c *Console) apiCatalogSettings(ctx *fiber.Ctx) error {
	st, err := c.Catalog.Settings(ctx.UserContext(), ctx.Params("shop"))
	if err != nil {
		return err
	}
	return ctx.JSON(st)
}

func (c *Console) apiSaveCatalogSettings(ctx *fiber.Ctx) error {
	var in catalog.Settings
	if err := web.Decode(ctx, &in); err != nil {
		return err
	}
	st, err := c.Catalog.SaveSettings(ctx.UserContext(), ctx.Params("shop"), in)
	if err != nil {
		return err
	}
	return ctx.JSON(st)
}

func (c *Console) apiPromotions(ctx *fiber.Ctx) error {
	ps, err := c.Catalog.StaffPromotions(ctx.UserContext())
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"promotions": ps})
}

func (c *Console) apiCreatePromotion(ctx *fiber.Ctx) error {
	var in catalog.PromotionInput
	if err := web.Decode(ctx, &in); err != nil {
		return err
	}
	p, err := c.Catalog.CreatePromotion(ctx.UserContext(), in)
	if err != nil {
		return err
	}
	return ctx.Status(fiber.StatusCreated).JSON(p)
}

func (c *Console) apiDeletePromotion(ctx *fiber.Ctx) error {
	if err := c.Catalog.DeletePromotion(ctx.UserContext(), ctx.Params("id")); err != nil {
		return err
	}
	return ctx.SendStatus(fiber.StatusNoContent)
}

// apiCheckins lists who is or was in the shop on ?date= (YYYY-MM-DD, in
// the shop's zone; today by default): visits linked to a customer.
func (c *Console) apiCheckins(ctx *fiber.Ctx) error {
	out, err := c.checkins(ctx, ctx.Params("shop"), ctx.Query("date"))
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"checkins": out})
}

// apiDeskLink links the visit at a screen to a customer at the desk.
func (c *Console) apiDeskLink(ctx *fiber.Ctx) error {
	var in struct {
		CustomerID string `json:"customer_id" validate:"required,max=64"`
	}
	if err := web.DecodeValid(ctx, &in); err != nil {
		return err
	}
	v, err := c.Visits.LinkAtDesk(ctx.UserContext(), ctx.Params("shop"), ctx.Params("id"), in.CustomerID)
	if err != nil {
		return err
	}
	return ctx.JSON(v)
}
