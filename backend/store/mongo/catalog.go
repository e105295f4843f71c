package mongo

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vista-optical/vista/backend/catalog"
)

type productDoc struct {
	ID         string    `bson:"_id"`
	SKU        string    `bson:"sku"`
	Brand      string    `bson:"brand"`
	Name       string    `bson:"name"`
	Model      string    `bson:"model,omitempty"`
	Colour     string    `bson:"colour,omitempty"`
	Category   string    `bson:"category"`
	PriceCents int64     `bson:"price_cents"`
	ImageURL   string    `bson:"image_url,omitempty"`
	Tags       []string  `bson:"tags,omitempty"`
	Novelty    bool      `bson:"novelty"`
	Inactive   bool      `bson:"inactive,omitempty"` // so that products stored before the flag read as active
	CreatedAt  time.Time `bson:"created_at"`
	UpdatedAt  time.Time `bson:"updated_at,omitempty"`
	// SortKey and Search are what products are listed by and searched in,
	// lower case (written here, never read back into the model).
	SortKey string `bson:"sort_key"`
	Search  string `bson:"search"`
}

func (d *productDoc) model() *catalog.Product {
	p := &catalog.Product{ID: d.ID, SKU: d.SKU, Brand: d.Brand, Name: d.Name, Model: d.Model, Colour: d.Colour, Category: d.Category,
		PriceCents: d.PriceCents, ImageURL: d.ImageURL, Tags: d.Tags, Novelty: d.Novelty, Active: !d.Inactive,
		CreatedAt: utc(d.CreatedAt), UpdatedAt: utc(d.UpdatedAt)}
	if d.UpdatedAt.IsZero() {
		p.UpdatedAt = p.CreatedAt
	}
	if len(p.Tags) == 0 {
		p.Tags = nil
	}
	return p
}

func newProductDoc(p *catalog.Product) productDoc {
	updated := p.UpdatedAt
	if updated.IsZero() {
		updated = p.CreatedAt
	}
	return productDoc{ID: p.ID, SKU: p.SKU, Brand: p.Brand, Name: p.Name, Model: p.Model, Colour: p.Colour, Category: p.Category,
		PriceCents: p.PriceCents, ImageURL: p.ImageURL, Tags: p.Tags, Novelty: p.Novelty, Inactive: !p.Active, CreatedAt: p.CreatedAt,
		UpdatedAt: updated, SortKey: strings.ToLower(p.Brand + " " + p.Name),
		Search: strings.ToLower(strings.Join(append([]string{p.Brand, p.Name, p.Model, p.Colour, p.SKU}, p.Tags...), " "))}
}

// CreateProduct implements catalog.Store.
func (db *DB) CreateProduct(ctx context.Context, p *catalog.Product) error {
	_, err := db.col(colProducts).InsertOne(ctx, newProductDoc(p))
	return mapErr(err)
}

// Products implements catalog.Store.
func (db *DB) Products(ctx context.Context) ([]*catalog.Product, error) {
	cur, err := db.col(colProducts).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "brand", Value: 1}, {Key: "name", Value: 1}, {Key: "_id", Value: 1}}))
	return all(ctx, cur, err, (*productDoc).model)
}

// Product implements catalog.Store.
func (db *DB) Product(ctx context.Context, id string) (*catalog.Product, error) {
	return findOne(ctx, db.col(colProducts), bson.D{{Key: "_id", Value: id}}, "product", (*productDoc).model)
}

// ProductsBySKU implements catalog.Store.
func (db *DB) ProductsBySKU(ctx context.Context, skus []string) (map[string]*catalog.Product, error) {
	cur, err := db.col(colProducts).Find(ctx, bson.D{{Key: "sku", Value: bson.D{{Key: "$in", Value: nonNil(skus)}}}})
	ps, err := all(ctx, cur, err, (*productDoc).model)
	out := map[string]*catalog.Product{}
	for _, p := range ps {
		out[p.SKU] = p
	}
	return out, err
}

// SearchProducts implements catalog.Store.
func (db *DB) SearchProducts(ctx context.Context, q catalog.Query) ([]*catalog.Product, error) {
	if q.Limit <= 0 { // no rows, as in SQL
		return []*catalog.Product{}, nil
	}
	filter := bson.D{}
	if q.Text != "" {
		filter = append(filter, bson.E{Key: "search", Value: bson.Regex{Pattern: regexp.QuoteMeta(strings.ToLower(q.Text))}})
	}
	if q.Category != "" {
		filter = append(filter, bson.E{Key: "category", Value: q.Category})
	}
	if q.Tag != "" {
		filter = append(filter, bson.E{Key: "tags", Value: q.Tag})
	}
	if q.ActiveOnly {
		filter = append(filter, bson.E{Key: "inactive", Value: bson.D{{Key: "$ne", Value: true}}})
	}
	if q.NoveltyOnly {
		filter = append(filter, bson.E{Key: "novelty", Value: true})
	}
	if q.IDs != nil {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$in", Value: q.IDs}}})
	}
	if q.After != "" {
		var last productDoc
		err := db.col(colProducts).FindOne(ctx, bson.D{{Key: "_id", Value: q.After}}).Decode(&last)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return []*catalog.Product{}, nil
		} else if err != nil {
			return nil, mapErr(err)
		}
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "sort_key", Value: bson.D{{Key: "$gt", Value: last.SortKey}}}},
			bson.D{{Key: "sort_key", Value: last.SortKey}, {Key: "_id", Value: bson.D{{Key: "$gt", Value: last.ID}}}},
		}})
	}
	cur, err := db.col(colProducts).Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "sort_key", Value: 1}, {Key: "_id", Value: 1}}).
		SetLimit(int64(q.Limit)))
	return all(ctx, cur, err, (*productDoc).model)
}

type stockDoc struct {
	ID        string    `bson:"_id"` // shop_id/product_id
	ShopID    string    `bson:"shop_id"`
	ProductID string    `bson:"product_id"`
	Quantity  int       `bson:"quantity"`
	UpdatedAt time.Time `bson:"updated_at"`
}

// PutCatalog implements catalog.Store, in one transaction when the
// deployment has them (a replica set), as one bulk write per collection
// otherwise.
func (db *DB) PutCatalog(ctx context.Context, products []*catalog.Product, levels []catalog.Level) error {
	var pm []mongo.WriteModel
	for _, p := range products {
		d := newProductDoc(p)
		pm = append(pm, mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: p.ID}}).SetUpsert(true).SetUpdate(bson.D{
			{Key: "$set", Value: bson.D{{Key: "sku", Value: d.SKU}, {Key: "brand", Value: d.Brand}, {Key: "name", Value: d.Name},
				{Key: "model", Value: d.Model}, {Key: "colour", Value: d.Colour}, {Key: "category", Value: d.Category},
				{Key: "price_cents", Value: d.PriceCents}, {Key: "image_url", Value: d.ImageURL}, {Key: "tags", Value: nonNil(d.Tags)},
				{Key: "novelty", Value: d.Novelty}, {Key: "inactive", Value: d.Inactive}, {Key: "updated_at", Value: d.UpdatedAt},
				{Key: "sort_key", Value: d.SortKey}, {Key: "search", Value: d.Search}}},
			{Key: "$setOnInsert", Value: bson.D{{Key: "created_at", Value: d.CreatedAt}}},
		}))
	}
	var sm []mongo.WriteModel
	for _, l := range levels {
		sm = append(sm, mongo.NewReplaceOneModel().SetFilter(bson.D{{Key: "_id", Value: l.ShopID + "/" + l.ProductID}}).SetUpsert(true).
			SetReplacement(stockDoc{ID: l.ShopID + "/" + l.ProductID, ShopID: l.ShopID, ProductID: l.ProductID, Quantity: l.Quantity, UpdatedAt: l.UpdatedAt}))
	}
	return db.inTransaction(ctx, func(ctx context.Context) error {
		if len(pm) > 0 {
			if _, err := db.col(colProducts).BulkWrite(ctx, pm); err != nil {
				return err
			}
		}
		if len(sm) > 0 {
			if _, err := db.col(colStock).BulkWrite(ctx, sm); err != nil {
				return err
			}
		}
		return nil
	})
}

// StockLevels implements catalog.Store.
func (db *DB) StockLevels(ctx context.Context, shopID string, productIDs []string) (map[string]int, error) {
	cur, err := db.col(colStock).Find(ctx, bson.D{{Key: "shop_id", Value: shopID}, {Key: "product_id", Value: bson.D{{Key: "$in", Value: nonNil(productIDs)}}}})
	ls, err := all(ctx, cur, err, func(d *stockDoc) stockDoc { return *d })
	out := map[string]int{}
	for _, l := range ls {
		out[l.ProductID] = l.Quantity
	}
	return out, err
}

type catalogSettingsDoc struct {
	ShopID          string    `bson:"_id"`
	ReserveMinStock int       `bson:"reserve_min_stock"`
	ClickCollect    bool      `bson:"click_collect"`
	UpdatedAt       time.Time `bson:"updated_at"`
}

func (d *catalogSettingsDoc) model() *catalog.Settings {
	return &catalog.Settings{ShopID: d.ShopID, ReserveMinStock: d.ReserveMinStock, ClickCollect: d.ClickCollect, UpdatedAt: utc(d.UpdatedAt)}
}

// CatalogSettings implements catalog.Store.
func (db *DB) CatalogSettings(ctx context.Context, shopID string) (*catalog.Settings, error) {
	return findOne(ctx, db.col(colCatalogSettings), bson.D{{Key: "_id", Value: shopID}}, "catalog settings", (*catalogSettingsDoc).model)
}

// SaveCatalogSettings implements catalog.Store.
func (db *DB) SaveCatalogSettings(ctx context.Context, s *catalog.Settings) error {
	_, err := db.col(colCatalogSettings).ReplaceOne(ctx, bson.D{{Key: "_id", Value: s.ShopID}},
		catalogSettingsDoc{ShopID: s.ShopID, ReserveMinStock: s.ReserveMinStock, ClickCollect: s.ClickCollect, UpdatedAt: s.UpdatedAt},
		options.Replace().SetUpsert(true))
	return mapErr(err)
}

type touchDoc struct {
	ShopID    string    `bson:"shop_id"`
	ProductID string    `bson:"product_id"`
	Source    string    `bson:"source"`
	At        time.Time `bson:"at"`
}

// RecordTouch implements catalog.Store.
func (db *DB) RecordTouch(ctx context.Context, t *catalog.Touch) error {
	_, err := db.col(colTouches).InsertOne(ctx, touchDoc{ShopID: t.ShopID, ProductID: t.ProductID, Source: t.Source, At: t.At})
	return mapErr(err)
}

// CountTouches implements catalog.Store.
func (db *DB) CountTouches(ctx context.Context, shopID string, since time.Time) (map[string]int, error) {
	cur, err := db.col(colTouches).Aggregate(ctx, mongo.Pipeline{
		{{Key: "$match", Value: bson.D{{Key: "shop_id", Value: shopID}, {Key: "at", Value: bson.D{{Key: "$gte", Value: since}}}}}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$source"}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	})
	type count struct {
		Source string `bson:"_id"`
		N      int    `bson:"n"`
	}
	cs, err := all(ctx, cur, err, func(d *count) count { return *d })
	out := map[string]int{}
	for _, c := range cs {
		out[c.Source] = c.N
	}
	return out, err
}

// PurgeTouches implements catalog.Store.
func (db *DB) PurgeTouches(ctx context.Context, before time.Time) (int, error) {
	return db.deleteMany(ctx, colTouches, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: before}}}})
}

// deleteMany removes what filter matches in col and counts it.
func (db *DB) deleteMany(ctx context.Context, col string, filter bson.D) (int, error) {
	res, err := db.col(col).DeleteMany(ctx, filter)
	if err != nil {
		return 0, mapErr(err)
	}
	return int(res.DeletedCount), nil
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
