package core

import (
	"testing"
	"time"
)

func TestCursorRoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 2, 10, 30, 0, 123e6, time.UTC)
	c := Cursor{At: at, ID: "06h3gy1n7b6z9da5tw7av1b4e0"}
	got, err := ParseCursor(c.String())
	if err != nil || got != c {
		t.Fatalf("ParseCursor(%q) = %+v, %v; want %+v", c.String(), got, err, c)
	}
	if (Cursor{}).String() != "" {
		t.Fatal("the start of a list has a cursor")
	}
	for _, bad := range []string{"!!", "bm9kb3Q", "LTEuYQ", "MTIz"} { // not base64, "nodot", "-1.a", "123"
		if _, err := ParseCursor(bad); ErrorCode(err) != EINVALID {
			t.Errorf("ParseCursor(%q) = %v, want EINVALID", bad, err)
		}
	}
}

func TestPaged(t *testing.T) {
	items := []int{9, 8, 7, 6, 5}
	fetch := func(p Page) ([]int, error) { return items[:min(p.Limit, len(items))], nil }
	at := func(i int) Cursor { return Cursor{At: time.UnixMilli(int64(i)), ID: "x"} }
	page, next, err := Paged(Page{Limit: 3}, fetch, at)
	if err != nil || len(page) != 3 || next != at(7).String() {
		t.Fatalf("Paged = %v, %q, %v", page, next, err)
	}
	page, next, _ = Paged(Page{Limit: 5}, fetch, at)
	if len(page) != 5 || next != "" {
		t.Fatalf("a last page that is full claims a next page: %v %q", page, next)
	}
}

func FuzzParseCursor(f *testing.F) {
	f.Add(Cursor{At: time.UnixMilli(1764671400123), ID: "abc"}.String())
	f.Add("")
	f.Add("MTIzLg")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCursor(s)
		if err != nil {
			return
		}
		if c.IsZero() {
			if s != "" {
				t.Fatalf("%q read as the start", s)
			}
			return
		}
		if again, err := ParseCursor(c.String()); err != nil || again != c {
			t.Fatalf("%q: %+v does not round-trip: %+v %v", s, c, again, err)
		}
	})
}
