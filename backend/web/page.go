package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/core"
)

// PageQuery reads which page of a list a request asks for: ?after= (the
// next_after of the previous page; absent for the first) and ?limit= (1
// to most items a page; def when absent). 422 with the field otherwise.
func PageQuery(c *fiber.Ctx, def, most int) (core.Page, error) {
	limit, err := LimitQuery(c, def, most)
	if err != nil {
		return core.Page{}, err
	}
	after, err := core.ParseCursor(c.Query("after"))
	return core.Page{After: after, Limit: limit}, err
}

// LimitQuery reads ?limit= (1 to most; def when absent).
func LimitQuery(c *fiber.Ctx, def, most int) (int, error) {
	s := c.Query("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > most {
		return 0, core.Invalid("limit is out of range", core.FieldError{Field: "limit", Message: "must be a whole number from 1 to " + strconv.Itoa(most)})
	}
	return n, nil
}
