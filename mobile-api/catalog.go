package mobileapi

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/ratelimit"
	"github.com/vista-optical/vista/backend/web"
)

// browseIP bounds the public catalog reads per address.
var browseIP = []ratelimit.Limit{{Name: "catalog-browse", Max: 600, Window: time.Minute, Local: true}}

// catalogRoutes are what the app shows of a shop's catalog and offers;
// public, since a shop's prices are.
func (a *API) catalogRoutes() []web.Route {
	return []web.Route{
		{Method: "GET", Path: "/v1/shops/:shop/products", Auth: web.Public, Handler: a.shopProducts, Limits: browseIP, OpenAPI: true},
		{Method: "GET", Path: "/v1/shops/:shop/products/:id", Auth: web.Public, Handler: a.shopProduct, Limits: browseIP, OpenAPI: true},
		{Method: "GET", Path: "/v1/offers", Auth: web.Public, Handler: a.offers, Limits: browseIP, OpenAPI: true},
	}
}

func (a *API) shopProducts(c *fiber.Ctx) error {
	sh, err := a.Catalog.ResolveShop(c.UserContext(), c.Params("shop"))
	if err != nil {
		return err
	}
	limit, err := web.LimitQuery(c, 24, 100)
	if err != nil {
		return err
	}
	ls, next, err := a.Catalog.ShopProducts(c.UserContext(), sh, catalog.Search{Query: c.Query("q"), Category: c.Query("category"),
		Cursor: c.Query("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"products": ls, "next_cursor": next})
}

func (a *API) shopProduct(c *fiber.Ctx) error {
	sh, err := a.Catalog.ResolveShop(c.UserContext(), c.Params("shop"))
	if err != nil {
		return err
	}
	l, err := a.Catalog.Product(c.UserContext(), sh, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(l)
}

// offers is what a shop advertises in the app now: its offers, products
// on a promotion advertised in the app, and novelties.
func (a *API) offers(c *fiber.Ctx) error {
	ref := c.Query("shop")
	if ref == "" {
		return core.Invalid("which shop?", core.FieldError{Field: "shop", Code: "required", Message: "is required"})
	}
	sh, err := a.Catalog.ResolveShop(c.UserContext(), ref)
	if err != nil {
		return err
	}
	ct, err := a.Screens.ShopContent(c.UserContext(), sh, "app")
	if err != nil {
		return err
	}
	return c.JSON(ct)
}
