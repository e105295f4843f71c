package media_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/media"
)

var now = time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)

func encodePNG(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestPrepareShrinksAPhotoToJPEG(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 3200, 1800))
	for y := 0; y < 1800; y++ {
		for x := 0; x < 3200; x++ {
			src.Set(x, y, color.RGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	im, err := media.Prepare(encodePNG(t, src), media.ProductSide, now)
	if err != nil {
		t.Fatal(err)
	}
	if im.ContentType != "image/jpeg" || im.Width != 1600 || im.Height != 900 || !media.ValidID(im.ID) || im.URL() != "/media/"+im.ID {
		t.Fatalf("Prepare = %s %dx%d %q", im.ContentType, im.Width, im.Height, im.ID)
	}
	got, err := jpeg.Decode(bytes.NewReader(im.Data))
	if err != nil || got.Bounds().Dx() != 1600 {
		t.Fatalf("stored JPEG: %v %v", err, got.Bounds())
	}
	// The same upload is the same picture, at the same address.
	again, err := media.Prepare(encodePNG(t, src), media.ProductSide, now)
	if err != nil || again.ID != im.ID {
		t.Fatalf("second upload: %v %q, want %q", err, again.ID, im.ID)
	}
}

func TestPrepareKeepsTransparencyAndSmallPictures(t *testing.T) {
	logo := image.NewNRGBA(image.Rect(0, 0, 300, 120)) // transparent but for a bar
	for x := 20; x < 280; x++ {
		logo.Set(x, 60, color.NRGBA{200, 0, 0, 255})
	}
	im, err := media.Prepare(encodePNG(t, logo), media.LogoSide, now)
	if err != nil {
		t.Fatal(err)
	}
	if im.ContentType != "image/png" || im.Width != 300 || im.Height != 120 {
		t.Fatalf("logo = %s %dx%d, want a PNG as uploaded", im.ContentType, im.Width, im.Height)
	}
	tall := image.NewGray(image.Rect(0, 0, 500, 2000))
	im, err = media.Prepare(encodePNG(t, tall), media.LogoSide, now)
	if err != nil || im.Width != 200 || im.Height != 800 {
		t.Fatalf("portrait = %v %dx%d, want 200x800", err, im.Width, im.Height)
	}
}

// bomb is a PNG header that claims w×h pixels, with no pixels behind it.
func bomb(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func TestPrepareRefuses(t *testing.T) {
	for name, data := range map[string][]byte{
		"nothing":           nil,
		"not a picture":     []byte("sku,brand\nRB-1,Ray-Ban\n"),
		"a canvas too wide": bomb(100_000, 100_000),
		"too many pixels":   bomb(10_000, 10_000),
		"a file too large":  make([]byte, media.MaxBytes+1),
	} {
		_, err := media.Prepare(data, media.ProductSide, now)
		var ce *core.Error
		if !core.IsCode(err, core.EINVALID) || !asError(err, &ce) || len(ce.Fields) != 1 || ce.Fields[0].Field != "image" {
			t.Errorf("%s: err = %v, want a field error on image", name, err)
		}
	}
}

func asError(err error, ce **core.Error) bool {
	e, ok := err.(*core.Error)
	*ce = e
	return ok
}

// FuzzPrepare: whatever is uploaded, Prepare answers a picture within the
// bounds or a field error, and never panics.
func FuzzPrepare(f *testing.F) {
	small := image.NewNRGBA(image.Rect(0, 0, 4, 3))
	f.Add(encodePNG(f, small))
	f.Add(bomb(100_000, 2))
	f.Add([]byte("GIF89a"))
	f.Fuzz(func(t *testing.T, data []byte) {
		im, err := media.Prepare(data, 64, now)
		if err != nil {
			if !core.IsCode(err, core.EINVALID) {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			return
		}
		if im.Width > 64 || im.Height > 64 || im.Width < 1 || im.Height < 1 || len(im.Data) == 0 {
			t.Fatalf("picture %dx%d of %d bytes", im.Width, im.Height, len(im.Data))
		}
	})
}
