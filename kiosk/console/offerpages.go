package console

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/screen"
	"github.com/vista-optical/vista/backend/web"
)

// offerPageRoutes are the console's "Offerte" page: offers pushed to the
// shop's screens (and app), and the screens themselves.
func (c *Console) offerPageRoutes() []web.Route {
	return []web.Route{
		{Method: "GET", Path: "/console/offers", Auth: web.StaffPage(core.RoleManager), Handler: c.offersPage},
		{Method: "POST", Path: "/console/offers/:shop", Auth: web.StaffPage(core.RoleManager), Handler: sameOrigin(c.offerSubmit)},
		{Method: "POST", Path: "/console/offers/:shop/pairing-code", Auth: web.StaffPage(core.RoleManager), Handler: sameOrigin(c.pairingCodeSubmit)},
		{Method: "POST", Path: "/console/offers/:shop/kiosks/:id", Auth: web.StaffPage(core.RoleManager), Handler: sameOrigin(c.kioskSubmit)},
		{Method: "POST", Path: "/console/offers/:shop/:id/end", Auth: web.StaffPage(core.RoleManager), Handler: sameOrigin(c.endOfferSubmit)},
		{Method: "POST", Path: "/console/offers/:shop/import", Auth: web.StaffPage(core.RoleManager), Handler: sameOrigin(c.importSubmit)},
		{Method: "POST", Path: "/console/offers/:shop/products", Auth: web.StaffPage(core.RoleManager), Handler: sameOrigin(c.productSubmit)},
		{Method: "POST", Path: "/console/offers/:shop/products/:id/image", Auth: web.StaffPage(core.RoleManager), Handler: sameOrigin(c.pictureSubmit)},
		{Method: "POST", Path: "/console/offers/:shop/promotions", Auth: web.StaffPage(core.RoleManager), Handler: sameOrigin(c.promotionSubmit)},
		{Method: "POST", Path: "/console/offers/:shop/promotions/:id/end", Auth: web.StaffPage(core.RoleManager), Handler: sameOrigin(c.endPromotionSubmit)},
	}
}

// shopPage fills what a page of one shop shows around it: who is signed
// in, the shops they see, and shopID among them (the first if empty).
func (c *Console) shopPage(ctx *fiber.Ctx, shopID string, p *page) error {
	uctx := ctx.UserContext()
	m, err := c.Shops.Me(uctx)
	if err != nil {
		return err
	}
	shops, err := c.Shops.VisibleShops(uctx)
	if err != nil {
		return err
	}
	if len(shops) == 0 {
		return core.Errorf(core.ENOTFOUND, "no shop yet: create one in the settings")
	}
	p.Staff, p.Shops, p.Shop = m, shops, shops[0]
	for _, sh := range shops {
		if sh.ID == shopID {
			p.Shop = sh
		}
	}
	return nil
}

// offersView fills the page for shopID (the first visible shop if empty).
func (c *Console) offersView(ctx *fiber.Ctx, shopID string, p page) error {
	uctx := ctx.UserContext()
	if err := c.shopPage(ctx, shopID, &p); err != nil {
		return err
	}
	var err error
	if p.Kiosks, err = c.Screens.Kiosks(uctx, p.Shop.ID); err != nil {
		return err
	}
	if p.Offers, err = c.Screens.StaffOffers(uctx, p.Shop.ID); err != nil {
		return err
	}
	if p.Products, err = c.Catalog.Products(uctx); err != nil {
		return err
	}
	if p.Promotions, err = c.Catalog.StaffPromotions(uctx); err != nil {
		return err
	}
	p.Categories = catalog.Categories
	if p.Names, err = c.screenNames(uctx, texts[lang(ctx)], p.Offers, p.Products); err != nil {
		return err
	}
	if p.Until == "" {
		p.Until = c.Screens.DefaultOfferEnd(p.Shop.Location())
	}
	p.Weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	return c.render(ctx, "offers.html", p)
}

func (c *Console) offersPage(ctx *fiber.Ctx) error {
	return c.offersView(ctx, ctx.Query("shop"), page{Notice: ctx.Query("notice")})
}

func (c *Console) backToOffers(ctx *fiber.Ctx, notice string) error {
	return ctx.Redirect("/console/offers?shop="+url.QueryEscape(ctx.Params("shop"))+"&lang="+lang(ctx)+"&notice="+url.QueryEscape(notice), fiber.StatusSeeOther)
}

// offerSubmit previews an offer (with how many app customers it would
// reach) or pushes it.
func (c *Console) offerSubmit(ctx *fiber.Ctx) error {
	t := texts[lang(ctx)]
	in := screen.OfferInput{Title: ctx.FormValue("title"), Text: ctx.FormValue("text"), ImageURL: ctx.FormValue("image_url"), App: ctx.FormValue("app") == "1"}
	picked := map[string]bool{}
	for _, v := range ctx.Request().PostArgs().PeekMulti("product_ids") {
		in.ProductIDs = append(in.ProductIDs, string(v))
		picked[string(v)] = true
	}
	days := map[string]bool{}
	for _, v := range ctx.Request().PostArgs().PeekMulti("weekdays") {
		in.Schedule.Weekdays = append(in.Schedule.Weekdays, string(v))
		days[string(v)] = true
	}
	in.Schedule.From, in.Schedule.To = ctx.FormValue("from"), ctx.FormValue("to")
	until := ctx.FormValue("until")
	if until != "" {
		sh, err := c.Shops.VisibleShop(ctx.UserContext(), ctx.Params("shop"))
		if err != nil {
			return err
		}
		day, err := time.ParseInLocation(time.DateOnly, until, sh.Location())
		if err != nil {
			return c.offersView(ctx, ctx.Params("shop"), page{Error: "until: YYYY-MM-DD", Preview: &in, Picked: picked, PickedDays: days, Until: until})
		}
		end := day.AddDate(0, 0, 1) // to the end of that day
		in.Until = &end
	}
	if ctx.FormValue("action") == "preview" {
		n, err := c.Screens.Reach(ctx.UserContext(), ctx.Params("shop"))
		if err != nil {
			return err
		}
		return c.offersView(ctx, ctx.Params("shop"), page{Preview: &in, Reach: n, Picked: picked, PickedDays: days, Until: until, App: in.App})
	}
	b, err := c.Screens.Push(ctx.UserContext(), ctx.Params("shop"), in)
	if msg, ok := formProblem(ctx, err); ok {
		ctx.Status(fiber.StatusUnprocessableEntity)
		return c.offersView(ctx, ctx.Params("shop"), page{Error: msg, Preview: &in, Picked: picked, PickedDays: days, Until: until, App: in.App})
	} else if err != nil {
		return err
	}
	notice := t["offer_sent"]
	if in.App {
		notice = counted(t, "offer_sent_app", b.Customers)
	}
	return c.backToOffers(ctx, notice)
}

func (c *Console) pairingCodeSubmit(ctx *fiber.Ctx) error {
	code, _, err := c.Screens.CreatePairingCode(ctx.UserContext(), ctx.Params("shop"))
	if err != nil {
		return err
	}
	return c.offersView(ctx, ctx.Params("shop"), page{Code: code})
}

func (c *Console) kioskSubmit(ctx *fiber.Ctx) error {
	in := screen.KioskChange{Revoke: ctx.FormValue("revoke") == "1"}
	if l := ctx.FormValue("label"); l != "" && !in.Revoke {
		in.Label = &l
	}
	if _, err := c.Screens.ChangeKiosk(ctx.UserContext(), ctx.Params("shop"), ctx.Params("id"), in); err != nil {
		return err
	}
	return c.backToOffers(ctx, texts[lang(ctx)]["done_kiosk"])
}

func (c *Console) endOfferSubmit(ctx *fiber.Ctx) error {
	if err := c.Screens.EndOffer(ctx.UserContext(), ctx.Params("shop"), ctx.Params("id")); err != nil {
		return err
	}
	return c.backToOffers(ctx, "")
}

// importSubmit reads a catalog file (CSV, as Excel writes it) for the
// shop: products and the shop's stock. A file with a bad line stores
// nothing unless the manager asked to skip such lines; the page lists
// them by line.
func (c *Console) importSubmit(ctx *fiber.Ctx) error {
	t := texts[lang(ctx)]
	fh, err := ctx.FormFile("file")
	if err != nil {
		ctx.Status(fiber.StatusUnprocessableEntity)
		return c.offersView(ctx, ctx.Params("shop"), page{Error: t["import_none"]})
	}
	f, err := fh.Open()
	if err != nil {
		return core.Internal(err)
	}
	defer f.Close()
	res, err := c.Catalog.Import(ctx.UserContext(), ctx.Params("shop"), f, ctx.FormValue("skip_errors") == "1")
	if msg, ok := formProblem(ctx, err); ok {
		ctx.Status(fiber.StatusUnprocessableEntity)
		return c.offersView(ctx, ctx.Params("shop"), page{Error: msg})
	} else if err != nil {
		return err
	}
	if !res.Stored {
		ctx.Status(fiber.StatusUnprocessableEntity)
		return c.offersView(ctx, ctx.Params("shop"), page{Error: t["import_refused"], Import: res})
	}
	return c.backToOffers(ctx, fmt.Sprintf(t["import_done"], res.Products, res.Levels, len(res.Errors)))
}

// productInputs are the inputs of the product form.
var productInputs = []string{"sku", "brand", "name", "model", "colour", "category", "price", "tags", "novelty", "image"}

// productSubmit creates a product from the page's form, or changes the one
// with its SKU, with its picture when one is chosen: a product a shop
// adds without writing a catalog file.
func (c *Console) productSubmit(ctx *fiber.Ctx) error {
	in := catalog.ProductInput{SKU: strings.TrimSpace(ctx.FormValue("sku")), Brand: ctx.FormValue("brand"), Name: ctx.FormValue("name"),
		Model: strings.TrimSpace(ctx.FormValue("model")), Colour: strings.TrimSpace(ctx.FormValue("colour")), Category: ctx.FormValue("category"),
		Novelty: ctx.FormValue("novelty") == "1"}
	for _, tag := range strings.Split(ctx.FormValue("tags"), ",") {
		if tag = strings.ToLower(strings.TrimSpace(tag)); tag != "" {
			in.Tags = append(in.Tags, tag)
		}
	}
	price, ok := catalog.ParseEuros(ctx.FormValue("price"))
	var err error
	if !ok {
		err = core.Invalid("the product is not valid", core.FieldError{Field: "price", Code: "invalid", Message: "must be a price in euro, such as 159,00"})
	} else {
		in.PriceCents = price
	}
	var data []byte
	if err == nil {
		if fh, ferr := ctx.FormFile("image"); ferr == nil && fh.Size > 0 {
			data, err = uploaded(ctx)
		}
	}
	if err == nil && data != nil {
		// The picture first: a refused one stores no product, and the
		// product is stored with its picture in one write.
		in.ImageURL, err = c.Catalog.StorePicture(ctx.UserContext(), data)
	}
	var p *catalog.Product
	if err == nil {
		p, err = c.Catalog.SaveProduct(ctx.UserContext(), in)
	}
	if err != nil {
		msg, fe, ok := problemOf(err, lang(ctx), productInputs)
		if !ok {
			return err
		}
		ctx.Status(fiber.StatusUnprocessableEntity)
		return c.offersView(ctx, ctx.Params("shop"), page{Error: msg, Failed: &failedForm{ID: "product", Typed: typedValues(ctx, productInputs), Fields: fe}})
	}
	return c.backToOffers(ctx, fmt.Sprintf(texts[lang(ctx)]["product_done"], p.Brand+" "+p.Name))
}

// pictureSubmit makes the uploaded picture a product's.
func (c *Console) pictureSubmit(ctx *fiber.Ctx) error {
	data, err := uploaded(ctx)
	if err != nil {
		return err
	}
	p, err := c.Catalog.SetProductImage(ctx.UserContext(), ctx.Params("id"), data)
	if msg, ok := formProblem(ctx, err); ok {
		ctx.Status(fiber.StatusUnprocessableEntity)
		return c.offersView(ctx, ctx.Params("shop"), page{Error: msg})
	} else if err != nil {
		return err
	}
	return c.backToOffers(ctx, fmt.Sprintf(texts[lang(ctx)]["picture_done"], p.Brand+" "+p.Name))
}

// promotionInputs are the inputs of the new promotion form.
var promotionInputs = []string{"name", "kind", "value", "starts", "ends", "categories", "product_ids"}

// promotionSubmit creates a promotion from the page's form: a percentage
// off or a price, from a day to a day (both included, in the shop's
// zone), on categories or products.
func (c *Console) promotionSubmit(ctx *fiber.Ctx) error {
	var p page
	if err := c.shopPage(ctx, ctx.Params("shop"), &p); err != nil {
		return err
	}
	loc := p.Shop.Location()
	in := catalog.PromotionInput{Name: strings.TrimSpace(ctx.FormValue("name")), Kind: ctx.FormValue("kind")}
	var fields []core.FieldError
	value := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(ctx.FormValue("value")), "%"))
	switch in.Kind {
	case catalog.PromoPercent:
		n, err := strconv.Atoi(value)
		if err != nil {
			fields = append(fields, core.FieldError{Field: "value", Code: "invalid", Message: "must be a whole percentage, such as 20"})
		}
		in.PercentOff = n
	case catalog.PromoFixedPrice:
		cents, ok := catalog.ParseEuros(strings.TrimSpace(strings.TrimSuffix(value, "€")))
		if !ok {
			fields = append(fields, core.FieldError{Field: "value", Code: "invalid", Message: "must be a price in euro, such as 99,00"})
		}
		in.FixedCents = cents
	}
	if d, err := time.ParseInLocation(time.DateOnly, ctx.FormValue("starts"), loc); err == nil {
		in.Starts = d
	}
	if d, err := time.ParseInLocation(time.DateOnly, ctx.FormValue("ends"), loc); err == nil {
		in.Ends = d.AddDate(0, 0, 1) // the last day is included
	}
	args := ctx.Request().PostArgs()
	for _, v := range args.PeekMulti("categories") {
		in.Categories = append(in.Categories, string(v))
	}
	for _, v := range args.PeekMulti("product_ids") {
		in.ProductIDs = append(in.ProductIDs, string(v))
	}
	var err error
	if len(fields) > 0 {
		err = core.Invalid("the promotion is not valid", fields...)
	} else {
		_, err = c.Catalog.CreatePromotion(ctx.UserContext(), in)
	}
	if err != nil {
		msg, fe, ok := problemOf(err, lang(ctx), promotionInputs)
		if !ok {
			return err
		}
		ctx.Status(fiber.StatusUnprocessableEntity)
		return c.offersView(ctx, p.Shop.ID, page{Error: msg, Failed: &failedForm{ID: "promotion", Typed: typedValues(ctx, promotionInputs), Fields: fe}})
	}
	return c.backToOffers(ctx, texts[lang(ctx)]["promotion_done"])
}

func (c *Console) endPromotionSubmit(ctx *fiber.Ctx) error {
	if err := c.Catalog.DeletePromotion(ctx.UserContext(), ctx.Params("id")); err != nil {
		if msg, ok := formProblem(ctx, err); ok {
			ctx.Status(fiber.StatusUnprocessableEntity)
			return c.offersView(ctx, ctx.Params("shop"), page{Error: msg})
		}
		return err
	}
	return c.backToOffers(ctx, texts[lang(ctx)]["promotion_ended"])
}
