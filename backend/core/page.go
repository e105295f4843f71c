package core

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// Page asks a store for one page of a list kept newest first (by a time,
// then by id, both descending): at most Limit items, strictly after the
// cursor After; a zero After starts at the newest. Staff lists are paged
// this way rather than cut at the newest N, so nothing falls out of view
// however long a list grows, and a page stays put while newer items
// arrive.
type Page struct {
	After Cursor
	Limit int
}

// Cursor is where a page ended: the last item's time and id.
type Cursor struct {
	At time.Time
	ID string
}

// IsZero reports whether c is the start of a list.
func (c Cursor) IsZero() bool { return c.ID == "" }

// String is c as an opaque token for a URL ("" for the start).
func (c Cursor) String() string {
	if c.IsZero() {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.At.UnixMilli(), 10) + "." + c.ID))
}

// ParseCursor reads a cursor written by String; "" is the start. EINVALID
// (on field after) for anything else.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	bad := Invalid("after is not a page cursor", FieldError{Field: "after", Message: "must be the next_after value of a previous page"})
	if len(s) > 200 {
		return Cursor{}, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, bad
	}
	ms, id, ok := strings.Cut(string(b), ".")
	n, err := strconv.ParseInt(ms, 10, 64)
	if !ok || err != nil || id == "" || n < 0 || n > 1<<53 {
		return Cursor{}, bad
	}
	return Cursor{At: time.UnixMilli(n).UTC(), ID: id}, nil
}

// Paged reads the page p of a list from fetch, which returns at most the
// Limit it is given, and returns it with the cursor of the next page (""
// when this page is the last). at gives an item's place in the list.
func Paged[T any](p Page, fetch func(Page) ([]T, error), at func(T) Cursor) ([]T, string, error) {
	items, err := fetch(Page{After: p.After, Limit: p.Limit + 1})
	if err != nil || len(items) <= p.Limit {
		return items, "", err
	}
	items = items[:p.Limit]
	return items, at(items[p.Limit-1]).String(), nil
}
