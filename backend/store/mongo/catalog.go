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
	"github.com/vista-optical/vista/backend/core"
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

// PutCatalog implements catalog.Store, all or nothing: in one
// transaction where the deployment has them (a replica set). Where it has
// none (a standalone server), a batch whose SKUs clash, with each other or
// with products of other ids, is refused before anything is written, and
// a write that fails midway anyway (a concurrent import taking the same
// SKU) puts back what the batch had replaced or added; readers may see
// part of the batch meanwhile.
func (db *DB) PutCatalog(ctx context.Context, products []*catalog.Product, levels []catalog.Level) error {
	var pm []mongo.WriteModel
	owner := map[string]string{} // SKU → the batch's id for it
	ids := bson.A{}
	for _, p := range products {
		if id, ok := owner[p.SKU]; ok && id != p.ID {
			return core.Errorf(core.ECONFLICT, "SKU %s is given to two products of the batch", p.SKU)
		}
		owner[p.SKU] = p.ID
		ids = append(ids, p.ID)
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
	stockIDs := bson.A{}
	for _, l := range levels {
		id := l.ShopID + "/" + l.ProductID
		stockIDs = append(stockIDs, id)
		sm = append(sm, mongo.NewReplaceOneModel().SetFilter(bson.D{{Key: "_id", Value: id}}).SetUpsert(true).
			SetReplacement(stockDoc{ID: id, ShopID: l.ShopID, ProductID: l.ProductID, Quantity: l.Quantity, UpdatedAt: l.UpdatedAt}))
	}
	skus := make(bson.A, 0, len(owner))
	for sku := range owner {
		skus = append(skus, sku)
	}
	return db.inTransaction(ctx, func(ctx context.Context) error {
		if len(skus) > 0 {
			cur, err := db.col(colProducts).Find(ctx, bson.D{{Key: "sku", Value: bson.D{{Key: "$in", Value: skus}}}},
				options.Find().SetProjection(bson.D{{Key: "sku", Value: 1}}))
			held, err := all(ctx, cur, err, func(d *productDoc) productDoc { return *d })
			if err != nil {
				return err
			}
			for _, h := range held {
				if owner[h.SKU] != h.ID {
					return core.Errorf(core.ECONFLICT, "SKU %s belongs to another product", h.SKU)
				}
			}
		}
		var undo func()
		if mongo.SessionFromContext(ctx) == nil { // no transaction to take the batch back
			var err error
			if undo, err = db.catalogUndo(ctx, ids, stockIDs); err != nil {
				return err
			}
		}
		err := db.bulkWrite(ctx, colProducts, pm)
		if err == nil {
			err = db.bulkWrite(ctx, colStock, sm)
		}
		if err != nil && undo != nil {
			undo()
		}
		return err
	})
}

func (db *DB) bulkWrite(ctx context.Context, col string, ms []mongo.WriteModel) error {
	if len(ms) == 0 {
		return nil
	}
	_, err := db.col(col).BulkWrite(ctx, ms)
	return err
}

// catalogUndo reads what a catalog batch will replace (the products ids
// and the stock stockIDs) and returns what puts it back: the documents as
// they were, and none of those the batch added.
func (db *DB) catalogUndo(ctx context.Context, ids, stockIDs bson.A) (func(), error) {
	type saved struct {
		col  string
		ids  bson.A
		docs []bson.Raw
	}
	var before []saved
	for col, ids := range map[string]bson.A{colProducts: ids, colStock: stockIDs} {
		if len(ids) == 0 {
			continue
		}
		cur, err := db.col(col).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
		if err != nil {
			return nil, err
		}
		var docs []bson.Raw
		if err := cur.All(ctx, &docs); err != nil {
			return nil, err
		}
		before = append(before, saved{col, ids, docs})
	}
	return func() {
		// Put back with a context of its own: the batch's may be what
		// failed.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		defer cancel()
		// What the batch added goes first, so that a SKU it took is free
		// again for the product it came from.
		for _, s := range before {
			keep := bson.A{}
			for _, d := range s.docs {
				keep = append(keep, d.Lookup("_id"))
			}
			_, err := db.col(s.col).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: s.ids}, {Key: "$nin", Value: keep}}}})
			if err != nil {
				db.logger.Error("catalog import: taking back added documents failed", "collection", s.col, "err", err)
			}
		}
		for _, s := range before {
			for _, d := range s.docs {
				_, err := db.col(s.col).ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.Lookup("_id")}}, d, options.Replace().SetUpsert(true))
				if err != nil {
					db.logger.Error("catalog import: putting back a document failed", "collection", s.col, "err", err)
				}
			}
		}
	}, nil
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
