package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
)

type promotionDoc struct {
	ID         string    `bson:"_id"`
	Name       string    `bson:"name"`
	Kind       string    `bson:"kind"`
	PercentOff int       `bson:"percent_off"`
	FixedCents int64     `bson:"fixed_cents"`
	Starts     time.Time `bson:"starts"`
	Ends       time.Time `bson:"ends"`
	ShopIDs    []string  `bson:"shop_ids,omitempty"`
	ProductIDs []string  `bson:"product_ids,omitempty"`
	Categories []string  `bson:"categories,omitempty"`
	Tags       []string  `bson:"tags,omitempty"`
	Channels   []string  `bson:"channels,omitempty"`
}

func (d *promotionDoc) model() catalog.Promotion {
	return catalog.Promotion{ID: d.ID, Name: d.Name, Kind: d.Kind, PercentOff: d.PercentOff, FixedCents: d.FixedCents,
		Starts: utc(d.Starts), Ends: utc(d.Ends), ShopIDs: d.ShopIDs, ProductIDs: d.ProductIDs, Categories: d.Categories, Tags: d.Tags, Channels: d.Channels}
}

// CreatePromotion implements catalog.PromotionStore.
func (db *DB) CreatePromotion(ctx context.Context, p *catalog.Promotion) error {
	_, err := db.col(colPromotions).InsertOne(ctx, promotionDoc{ID: p.ID, Name: p.Name, Kind: p.Kind, PercentOff: p.PercentOff,
		FixedCents: p.FixedCents, Starts: p.Starts, Ends: p.Ends, ShopIDs: p.ShopIDs, ProductIDs: p.ProductIDs, Categories: p.Categories,
		Tags: p.Tags, Channels: p.Channels})
	return mapErr(err)
}

// ActivePromotions implements catalog.PromotionStore.
func (db *DB) ActivePromotions(ctx context.Context, t time.Time) ([]catalog.Promotion, error) {
	cur, err := db.col(colPromotions).Find(ctx, bson.D{{Key: "ends", Value: bson.D{{Key: "$gt", Value: t}}},
		{Key: "starts", Value: bson.D{{Key: "$lte", Value: t}}}}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	return all(ctx, cur, err, (*promotionDoc).model)
}

// Promotions implements catalog.PromotionStore.
func (db *DB) Promotions(ctx context.Context, t time.Time) ([]catalog.Promotion, error) {
	cur, err := db.col(colPromotions).Find(ctx, bson.D{{Key: "ends", Value: bson.D{{Key: "$gt", Value: t}}}},
		options.Find().SetSort(bson.D{{Key: "starts", Value: 1}, {Key: "_id", Value: 1}}))
	return all(ctx, cur, err, (*promotionDoc).model)
}

// DeletePromotion implements catalog.PromotionStore.
func (db *DB) DeletePromotion(ctx context.Context, id string) error {
	res, err := db.col(colPromotions).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return mapErr(err)
	}
	if res.DeletedCount == 0 {
		return core.Errorf(core.ENOTFOUND, "promotion not found")
	}
	return nil
}
