// Package qr renders the QR codes Vista shows on kiosk screens and prints
// on products: PNG for screens, SVG for print. It is pure: no HTTP, no
// storage. What a code links to (a signed, short-lived QR-link token, see
// auth.QRLink) is decided by its caller.
package qr

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// MaxContent bounds what a code may hold; longer links make codes too dense
// to scan from across a shop.
const MaxContent = 512

// LinkURL is the address a kiosk QR opens: PUBLIC_URL/q/<token>.
func LinkURL(publicURL, token string) string {
	return strings.TrimRight(publicURL, "/") + "/q/" + url.PathEscape(token)
}

// PNG renders content as a square PNG of size pixels (at least 64), with
// medium error correction.
func PNG(content string, size int) ([]byte, error) {
	if err := check(content); err != nil {
		return nil, err
	}
	if size < 64 || size > 2048 {
		return nil, fmt.Errorf("qr: size %d outside 64–2048", size)
	}
	return qrcode.Encode(content, qrcode.Medium, size)
}

// SVG renders content as a scalable SVG, one path for all dark modules,
// with the quiet zone the standard asks for.
func SVG(content string) ([]byte, error) {
	if err := check(content); err != nil {
		return nil, err
	}
	code, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	bitmap := code.Bitmap() // includes the quiet zone
	n := len(bitmap)
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range bitmap {
		for x, dark := range row {
			if dark {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return b.Bytes(), nil
}

func check(content string) error {
	if content == "" {
		return errors.New("qr: empty content")
	}
	if len(content) > MaxContent {
		return fmt.Errorf("qr: content of %d bytes, at most %d", len(content), MaxContent)
	}
	return nil
}
