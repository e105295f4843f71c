package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vista-optical/vista/backend/media"
)

type imageDoc struct {
	ID          string    `bson:"_id"`
	ContentType string    `bson:"content_type"`
	Width       int       `bson:"width"`
	Height      int       `bson:"height"`
	Data        []byte    `bson:"data"`
	CreatedAt   time.Time `bson:"created_at"`
}

func (d *imageDoc) model() *media.Image {
	return &media.Image{ID: d.ID, ContentType: d.ContentType, Width: d.Width, Height: d.Height, Data: d.Data, CreatedAt: utc(d.CreatedAt)}
}

// PutImage implements media.Store: an upsert that only ever inserts, as a
// picture's id is the hash of its bytes.
func (db *DB) PutImage(ctx context.Context, im *media.Image) error {
	_, err := db.col(colImages).UpdateOne(ctx, bson.D{{Key: "_id", Value: im.ID}},
		bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "content_type", Value: im.ContentType}, {Key: "width", Value: im.Width},
			{Key: "height", Value: im.Height}, {Key: "data", Value: im.Data}, {Key: "created_at", Value: im.CreatedAt}}}},
		options.UpdateOne().SetUpsert(true))
	return mapErr(err)
}

// Image implements media.Store.
func (db *DB) Image(ctx context.Context, id string) (*media.Image, error) {
	return findOne(ctx, db.col(colImages), bson.D{{Key: "_id", Value: id}}, "picture", (*imageDoc).model)
}
