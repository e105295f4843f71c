// Package media keeps the pictures Vista shows: product photos and the
// chain's logo. A picture is resized once, when it is uploaded, stored
// under the hash of what it became, and served from then on with caching
// headers that let a screen or a phone keep it for a year: a new picture
// is a new address.
package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	stddraw "image/draw"
	_ "image/gif" // decoders the upload accepts
	"image/jpeg"
	"image/png"
	"strings"
	"time"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"

	"github.com/vista-optical/vista/backend/core"
)

// Image is one stored picture.
type Image struct {
	// ID is the picture's address: the first 32 hex digits of the SHA-256
	// of Data.
	ID          string
	ContentType string // image/jpeg, or image/png for a picture with transparency
	Width       int
	Height      int
	Data        []byte
	CreatedAt   time.Time
}

// URL is where Vista serves the picture.
func (im *Image) URL() string { return Path + im.ID }

// Path is the prefix of every picture's address.
const Path = "/media/"

// CacheControl is how long a picture may be kept: it never changes at its
// address.
const CacheControl = "public, max-age=31536000, immutable"

// Store keeps pictures.
type Store interface {
	// PutImage stores im; storing a picture already stored changes nothing.
	PutImage(ctx context.Context, im *Image) error
	// Image returns the picture with id, or ENOTFOUND.
	Image(ctx context.Context, id string) (*Image, error)
}

// Bounds of an upload. A picture is refused before it is decoded when its
// file or its canvas is larger: a small file that claims a huge canvas
// (a decompression bomb) never reaches the decoder.
const (
	MaxBytes  = 8 << 20
	MaxPixels = 50_000_000
	// ProductSide and LogoSide are the longest side of a stored product
	// photo and logo: enough for a 4K window display at half its width.
	ProductSide = 1600
	LogoSide    = 800
)

// Prepare checks an uploaded picture (JPEG, PNG, GIF or WebP), shrinks it
// so that its longest side is at most maxSide, and encodes it: PNG when
// it has transparency (a logo over the shop's colours), JPEG otherwise.
func Prepare(data []byte, maxSide int, now time.Time) (*Image, error) {
	if len(data) == 0 {
		return nil, core.Invalid("no picture was sent", core.FieldError{Field: "image", Code: "required", Message: "choose a picture"})
	}
	if len(data) > MaxBytes {
		return nil, TooLarge()
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, notPicture()
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxPixels || cfg.Width > 20000 || cfg.Height > 20000 {
		return nil, core.Invalid("the picture is too large", core.FieldError{Field: "image", Code: "too_large", Param: "50 MP", Message: "must be at most 50 megapixels"})
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, notPicture()
	}
	return Encode(Fit(src, maxSide), now)
}

func notPicture() error {
	return core.Invalid("the file is not a picture", core.FieldError{Field: "image", Code: "not_image", Message: "must be a JPEG, PNG, GIF or WebP picture"})
}

// Fit is src shrunk (never enlarged) so that its longest side is at most
// maxSide.
func Fit(src image.Image, maxSide int) image.Image {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= maxSide && h <= maxSide {
		return src
	}
	if w >= h {
		w, h = maxSide, max(1, h*maxSide/w)
	} else {
		w, h = max(1, w*maxSide/h), maxSide
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
	return dst
}

// Encode stores img as PNG when any pixel is not opaque, else as JPEG.
func Encode(img image.Image, now time.Time) (*Image, error) {
	var buf bytes.Buffer
	ct := "image/jpeg"
	if opaque(img) {
		// JPEG has no alpha: flatten over white, as a page would show it.
		flat := image.NewRGBA(img.Bounds())
		stddraw.Draw(flat, flat.Bounds(), image.NewUniform(color.White), image.Point{}, stddraw.Src)
		stddraw.Draw(flat, flat.Bounds(), img, img.Bounds().Min, stddraw.Over)
		if err := jpeg.Encode(&buf, flat, &jpeg.Options{Quality: 85}); err != nil {
			return nil, core.Internal(err)
		}
	} else {
		ct = "image/png"
		if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img); err != nil {
			return nil, core.Internal(err)
		}
	}
	sum := sha256.Sum256(buf.Bytes())
	b := img.Bounds()
	return &Image{ID: hex.EncodeToString(sum[:16]), ContentType: ct, Width: b.Dx(), Height: b.Dy(), Data: buf.Bytes(), CreatedAt: now}, nil
}

func opaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if _, _, _, a := img.At(x, y).RGBA(); a != 0xffff {
				return false
			}
		}
	}
	return true
}

// ValidID tells whether id can name a picture, before any look-up: 32
// lower-case hex digits, as Encode writes them.
func ValidID(id string) bool {
	return len(id) == 32 && strings.Trim(id, "0123456789abcdef") == ""
}

// ValidURL tells whether u is the address of a picture stored in Vista.
func ValidURL(u string) bool {
	id, ok := strings.CutPrefix(u, Path)
	return ok && ValidID(id)
}

// TooLarge is the error of a picture over MaxBytes, for a reader that
// can tell before reading it.
func TooLarge() error {
	return core.Invalid("the picture is too large", core.FieldError{Field: "image", Code: "too_large", Param: "8 MB", Message: "must be at most 8 MB"})
}
