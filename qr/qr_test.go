package qr

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"strings"
	"testing"
)

func TestPNG(t *testing.T) {
	b, err := PNG(LinkURL("https://vista.example/", "tok.en-1"), 256)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 256 {
		t.Fatalf("width %d", img.Bounds().Dx())
	}
	if _, err := PNG("", 256); err == nil {
		t.Fatal("empty content accepted")
	}
	if _, err := PNG(strings.Repeat("x", MaxContent+1), 256); err == nil {
		t.Fatal("oversized content accepted")
	}
}

func TestSVG(t *testing.T) {
	b, err := SVG("https://vista.example/q/abc")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName xml.Name
		ViewBox string `xml:"viewBox,attr"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil || doc.XMLName.Local != "svg" || doc.ViewBox == "" {
		t.Fatalf("not an SVG: %v %+v", err, doc)
	}
}

func TestLinkURL(t *testing.T) {
	if got := LinkURL("https://vista.example/", "a/b"); got != "https://vista.example/q/a%2Fb" {
		t.Fatal(got)
	}
}
