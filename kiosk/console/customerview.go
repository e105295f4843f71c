package console

import (
	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
	"github.com/vista-optical/vista/backend/shop"
	"github.com/vista-optical/vista/backend/web"
)

// customerRoutes are the customers' pages: the one search box and each
// customer's single view, with the staff API they are clients of.
func (c *Console) customerRoutes() []web.Route {
	assistant := web.Staff(core.RoleAssistant)
	return []web.Route{
		{Method: "GET", Path: "/v1/staff/customers", Auth: assistant, Handler: c.apiSearchCustomers},
		{Method: "GET", Path: "/console/customers", Auth: web.StaffPage(core.RoleAssistant), Handler: c.customersPage},
		{Method: "GET", Path: "/console/search.js", Auth: web.Public, Handler: searchScript, Cache: "no-cache"},
	}
}

// apiSearchCustomers is the one search box: ?q= a name (typos forgiven),
// a phone number, an e-mail or a codice fiscale; ?limit= up to 50.
func (c *Console) apiSearchCustomers(ctx *fiber.Ctx) error {
	limit, err := web.LimitQuery(ctx, 20, 50)
	if err != nil {
		return err
	}
	found, err := c.Customers.SearchForStaff(ctx.UserContext(), customer.SearchInput{Q: ctx.Query("q"), Limit: limit})
	if err != nil {
		return err
	}
	return ctx.JSON(fiber.Map{"customers": found})
}

// customersPage is the search page: a box that searches as one types
// (and on Enter without script), the results as links; the arrow keys go
// from the box down the results and back.
func (c *Console) customersPage(ctx *fiber.Ctx) error {
	uctx := ctx.UserContext()
	m, err := c.Shops.Me(uctx)
	if err != nil {
		return err
	}
	p := page{Staff: m, Query: ctx.Query("q")}
	if p.Shop, err = c.shopOf(ctx); err != nil {
		return err
	}
	if p.Query != "" {
		found, err := c.Customers.SearchForStaff(uctx, customer.SearchInput{Q: p.Query})
		if _, fields, ok := problemOf(err, lang(ctx), []string{"q"}); ok {
			ctx.Status(fiber.StatusUnprocessableEntity)
			p.Error = fields["q"]
		} else if err != nil {
			return err
		}
		p.Rows, p.Searched = found, err == nil
	}
	if ctx.Query("results") == "1" { // the box's own request as one types
		return c.render(ctx, "customerresults", p)
	}
	return c.render(ctx, "customers.html", p)
}

// shopOf is the shop ?shop= names, when the staff member may see it: the
// pages that are not about one shop keep it in their header's links.
func (c *Console) shopOf(ctx *fiber.Ctx) (*shop.Shop, error) {
	id := ctx.Query("shop")
	if id == "" {
		return nil, nil
	}
	shops, err := c.Shops.VisibleShops(ctx.UserContext())
	if err != nil {
		return nil, err
	}
	for _, s := range shops {
		if s.ID == id {
			return s, nil
		}
	}
	return nil, nil
}

// searchJS is the search page's script, served as a file: the console's
// Content-Security-Policy runs no inline script.
const searchJS = `// Searches as one types; ↓ and ↑ go from the box through the results,
// Enter opens the one in focus. Without script the form does the same.
(function () {
  var box = document.getElementById("q"), results = document.getElementById("results"), timer, last = box.value;
  function links() { return Array.prototype.slice.call(results.querySelectorAll("a.customer")); }
  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = box.value.trim();
      if (q === last) { return; }
      last = q;
      if (q.length < 2) { results.innerHTML = ""; return; }
      fetch("/console/customers?results=1&lang=" + document.documentElement.lang + "&q=" + encodeURIComponent(q), {credentials: "same-origin"})
        .then(function (r) { return r.text(); })
        .then(function (html) { if (box.value.trim() === q) { results.innerHTML = html; } });
    }, 150);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") { return; }
    var l = links(), i = l.indexOf(document.activeElement);
    if (document.activeElement === box) { i = -1; } else if (i < 0) { return; }
    e.preventDefault();
    i += e.key === "ArrowDown" ? 1 : -1;
    if (i < 0) { box.focus(); } else if (i < l.length) { l[i].focus(); }
  });
})();
`

func searchScript(ctx *fiber.Ctx) error {
	ctx.Type("js", "utf-8")
	return ctx.SendString(searchJS)
}
