package storetest

import (
	"bytes"
	"context"
	"testing"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/media"
)

func testImages(t *testing.T, e Engine) {
	ctx := context.Background()
	_, err := e.Image(ctx, "0123456789abcdef0123456789abcdef")
	wantCode(t, err, core.ENOTFOUND)
	data := bytes.Repeat([]byte{0xff, 0xd8, 0x00, 0x7f}, 64<<10) // 256 KiB, every byte value kept as is
	im := &media.Image{ID: "0123456789abcdef0123456789abcdef", ContentType: "image/jpeg", Width: 1600, Height: 900, Data: data, CreatedAt: base}
	must(t, e.PutImage(ctx, im))
	// The same picture again, as a second upload of one file: nothing changes.
	again := *im
	again.CreatedAt = base.AddDate(0, 0, 1)
	must(t, e.PutImage(ctx, &again))
	got, err := e.Image(ctx, im.ID)
	must(t, err)
	if !bytes.Equal(got.Data, data) || got.ContentType != "image/jpeg" || got.Width != 1600 || got.Height != 900 || !got.CreatedAt.Equal(base) {
		t.Fatalf("Image = %s %dx%d %d bytes at %v", got.ContentType, got.Width, got.Height, len(got.Data), got.CreatedAt)
	}
}
