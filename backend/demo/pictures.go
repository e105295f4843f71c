package demo

import (
	"image"
	"image/color"
	"math"
	"sync"
	"time"

	"github.com/vista-optical/vista/backend/media"
)

// The demo products' pictures are drawn, not shipped: a pair of frames, of
// sunglasses, a box of lenses, a bottle of solution, each in the
// product's colours, so that the screens of a first start show products
// rather than empty cards. They are drawn once per process.
var (
	pictureOnce sync.Once
	pictures    map[string]*media.Image
)

// picture is the demo picture of a product drawn as kind, in the colours
// given; kinds: frames, sunglasses, lenses, bottle.
type picture struct {
	kind          string
	frame, detail color.NRGBA
}

var demoPictures = map[string]picture{
	"AC-OASYS-1D-30": {"lenses", color.NRGBA{0x00, 0x5e, 0xb8, 255}, color.NRGBA{0x6c, 0xc2, 0xe8, 255}},
	"AL-TOTAL30-6":   {"lenses", color.NRGBA{0x7a, 0x1f, 0x8f, 255}, color.NRGBA{0xf2, 0xa9, 0x00, 255}},
	"BL-BIOTRUE-360": {"bottle", color.NRGBA{0x1d, 0x8a, 0x5a, 255}, color.NRGBA{0xe6, 0xf4, 0xec, 255}},
	"RB-2140-901":    {"sunglasses", color.NRGBA{0x14, 0x14, 0x14, 255}, color.NRGBA{0x26, 0x3a, 0x2e, 230}},
	"PE-PO3007V":     {"frames", color.NRGBA{0x6b, 0x3e, 0x1f, 255}, color.NRGBA{0xb0, 0x74, 0x3c, 255}},
}

// demoPicture returns the drawn picture of a demo product's SKU.
func demoPicture(sku string, now time.Time) *media.Image {
	pictureOnce.Do(func() {
		pictures = map[string]*media.Image{}
		for sku, p := range demoPictures {
			im, err := media.Encode(p.draw(), now)
			if err == nil {
				pictures[sku] = im
			}
		}
	})
	return pictures[sku]
}

const picW, picH = 1000, 700

func (p picture) draw() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, picW, picH))
	for y := 0; y < picH; y++ { // a soft shop-window light, top to bottom
		v := uint8(250 - 18*y/picH)
		for x := 0; x < picW; x++ {
			img.SetRGBA(x, y, color.RGBA{v, v - 2, v - 6, 255})
		}
	}
	shadow := color.NRGBA{0, 0, 0, 40}
	switch p.kind {
	case "frames", "sunglasses":
		fill(img, ellipse(500, 560, 400, 26), shadow)
		for _, cx := range []float64{300, 700} {
			if p.kind == "sunglasses" {
				fill(img, box(cx, 330, 165, 120, 60), p.detail)
			}
			fill(img, ring(box(cx, 330, 165, 120, 60), 14), p.frame)
		}
		fill(img, segment(465, 300, 535, 300, 12), p.frame) // the bridge
		fill(img, segment(135, 260, 60, 235, 11), p.frame)  // the temples, seen from the front
		fill(img, segment(865, 260, 940, 235, 11), p.frame)
		fill(img, ellipse(230, 290, 30, 14), color.NRGBA{255, 255, 255, 70}) // a glint
	case "lenses":
		fill(img, ellipse(500, 600, 330, 24), shadow)
		fill(img, box(500, 350, 300, 230, 18), color.NRGBA{255, 255, 255, 255})
		fill(img, box(500, 200, 300, 80, 18), p.frame)
		fill(img, box(500, 275, 300, 8, 0), p.detail)
		fill(img, ring(ellipse(500, 420, 110, 110), 10), p.frame)
		fill(img, ellipse(500, 420, 95, 95), withAlpha(p.detail, 110))
	case "bottle":
		fill(img, ellipse(500, 640, 190, 20), shadow)
		fill(img, box(500, 110, 70, 55, 14), p.frame)
		fill(img, box(500, 190, 100, 30, 10), withAlpha(p.frame, 200))
		fill(img, box(500, 420, 170, 220, 40), p.detail)
		fill(img, box(500, 440, 170, 90, 0), p.frame)
		fill(img, ellipse(500, 440, 60, 60), color.NRGBA{255, 255, 255, 230})
	}
	return img
}

func withAlpha(c color.NRGBA, a uint8) color.NRGBA { c.A = a; return c }

// shape is a signed distance (negative inside) and the box it lies in.
type shape struct {
	dist                   func(x, y float64) float64
	minX, minY, maxX, maxY float64
}

func ellipse(cx, cy, a, b float64) shape {
	return shape{func(x, y float64) float64 {
		return (math.Hypot((x-cx)/a, (y-cy)/b) - 1) * math.Min(a, b)
	}, cx - a, cy - b, cx + a, cy + b}
}

// box is a rectangle of half sizes hw, hh with corners of radius r.
func box(cx, cy, hw, hh, r float64) shape {
	return shape{func(x, y float64) float64 {
		qx, qy := math.Abs(x-cx)-(hw-r), math.Abs(y-cy)-(hh-r)
		return math.Hypot(math.Max(qx, 0), math.Max(qy, 0)) + math.Min(math.Max(qx, qy), 0) - r
	}, cx - hw, cy - hh, cx + hw, cy + hh}
}

func ring(s shape, width float64) shape {
	w := width / 2
	return shape{func(x, y float64) float64 { return math.Abs(s.dist(x, y)+w) - w }, s.minX - 1, s.minY - 1, s.maxX + 1, s.maxY + 1}
}

func segment(ax, ay, bx, by, r float64) shape {
	return shape{func(x, y float64) float64 {
		dx, dy := bx-ax, by-ay
		t := math.Max(0, math.Min(1, ((x-ax)*dx+(y-ay)*dy)/(dx*dx+dy*dy)))
		return math.Hypot(x-ax-t*dx, y-ay-t*dy) - r
	}, math.Min(ax, bx) - r, math.Min(ay, by) - r, math.Max(ax, bx) + r, math.Max(ay, by) + r}
}

// fill paints s in c over img, its edge smoothed over one pixel.
func fill(img *image.RGBA, s shape, c color.NRGBA) {
	for y := max(0, int(s.minY)-1); y <= min(picH-1, int(s.maxY)+1); y++ {
		for x := max(0, int(s.minX)-1); x <= min(picW-1, int(s.maxX)+1); x++ {
			cover := math.Max(0, math.Min(1, 0.5-s.dist(float64(x)+0.5, float64(y)+0.5)))
			if cover == 0 {
				continue
			}
			a := cover * float64(c.A) / 255
			o := img.RGBAAt(x, y)
			mix := func(src, dst uint8) uint8 { return uint8(float64(src)*a + float64(dst)*(1-a) + 0.5) }
			img.SetRGBA(x, y, color.RGBA{mix(c.R, o.R), mix(c.G, o.G), mix(c.B, o.B), 255})
		}
	}
}
