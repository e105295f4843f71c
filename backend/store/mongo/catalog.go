package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vista-optical/vista/backend/catalog"
)

type productDoc struct {
	ID         string    `bson:"_id"`
	SKU        string    `bson:"sku"`
	Brand      string    `bson:"brand"`
	Name       string    `bson:"name"`
	Category   string    `bson:"category"`
	PriceCents int64     `bson:"price_cents"`
	CreatedAt  time.Time `bson:"created_at"`
}

func (d *productDoc) model() *catalog.Product {
	return &catalog.Product{ID: d.ID, SKU: d.SKU, Brand: d.Brand, Name: d.Name, Category: d.Category, PriceCents: d.PriceCents, CreatedAt: utc(d.CreatedAt)}
}

// CreateProduct implements catalog.Store.
func (db *DB) CreateProduct(ctx context.Context, p *catalog.Product) error {
	_, err := db.col(colProducts).InsertOne(ctx, productDoc{ID: p.ID, SKU: p.SKU, Brand: p.Brand, Name: p.Name, Category: p.Category,
		PriceCents: p.PriceCents, CreatedAt: p.CreatedAt})
	return mapErr(err)
}

// Products implements catalog.Store.
func (db *DB) Products(ctx context.Context) ([]*catalog.Product, error) {
	cur, err := db.col(colProducts).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "brand", Value: 1}, {Key: "name", Value: 1}, {Key: "_id", Value: 1}}))
	return all(ctx, cur, err, (*productDoc).model)
}
