package sqlite

import (
	"context"
	"database/sql"

	"github.com/vista-optical/vista/backend/media"
)

// PutImage implements media.Store: a picture's id is its hash, so a second
// upload of the same picture changes nothing.
func (db *DB) PutImage(ctx context.Context, im *media.Image) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO images (id, content_type, width, height, data, created_at) VALUES (?,?,?,?,?,?)
		ON CONFLICT (id) DO NOTHING`, im.ID, im.ContentType, im.Width, im.Height, im.Data, ms(im.CreatedAt))
	return mapErr(err)
}

// Image implements media.Store.
func (db *DB) Image(ctx context.Context, id string) (*media.Image, error) {
	var im media.Image
	var created int64
	err := db.queryRow(ctx, `SELECT id, content_type, width, height, data, created_at FROM images WHERE id = ?`, id).
		Scan(&im.ID, &im.ContentType, &im.Width, &im.Height, &im.Data, &created)
	if err == sql.ErrNoRows {
		return nil, notFound("picture")
	} else if err != nil {
		return nil, mapErr(err)
	}
	im.CreatedAt = fromMS(created)
	return &im, nil
}
