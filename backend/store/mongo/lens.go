package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/lens"
)

type supplyDoc struct {
	ID              string     `bson:"_id"`
	CustomerID      string     `bson:"customer_id"`
	MemberID        string     `bson:"member_id"`
	ShopID          string     `bson:"shop_id"`
	Eye             string     `bson:"eye"`
	Brand           string     `bson:"brand"`
	Product         string     `bson:"product"`
	Modality        string     `bson:"modality"`
	CatalogID       string     `bson:"catalog_id"`
	Boxes           int        `bson:"boxes"`
	LensesPerBox    int        `bson:"lenses_per_box"`
	StartDate       string     `bson:"start_date"`
	WearDaysPerWeek int        `bson:"wear_days_per_week"`
	RunsOutOn       string     `bson:"runs_out_on"`
	NextReminderAt  *time.Time `bson:"next_reminder_at,omitempty"`
	CreatedAt       time.Time  `bson:"created_at"`
	UpdatedAt       time.Time  `bson:"updated_at"`
}

func supplyToDoc(s *lens.Supply) supplyDoc {
	return supplyDoc{ID: s.ID, CustomerID: s.CustomerID, MemberID: s.MemberID, ShopID: s.ShopID, Eye: s.Eye, Brand: s.Brand,
		Product: s.Product, Modality: string(s.Modality), CatalogID: s.CatalogID, Boxes: s.Boxes, LensesPerBox: s.LensesPerBox,
		StartDate: s.StartDate, WearDaysPerWeek: s.WearDaysPerWeek, RunsOutOn: s.RunsOutOn, NextReminderAt: s.NextReminderAt,
		CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

func (d *supplyDoc) model() *lens.Supply {
	return &lens.Supply{ID: d.ID, CustomerID: d.CustomerID, MemberID: d.MemberID, ShopID: d.ShopID, Eye: d.Eye, Brand: d.Brand,
		Product: d.Product, Modality: lens.Modality(d.Modality), CatalogID: d.CatalogID, Boxes: d.Boxes, LensesPerBox: d.LensesPerBox,
		StartDate: d.StartDate, WearDaysPerWeek: d.WearDaysPerWeek, RunsOutOn: d.RunsOutOn, NextReminderAt: utcp(d.NextReminderAt),
		CreatedAt: utc(d.CreatedAt), UpdatedAt: utc(d.UpdatedAt)}
}

// CreateSupply implements lens.Store.
func (db *DB) CreateSupply(ctx context.Context, s *lens.Supply) error {
	_, err := db.col(colSupplies).InsertOne(ctx, supplyToDoc(s))
	return mapErr(err)
}

// Supply implements lens.Store.
func (db *DB) Supply(ctx context.Context, customerID, id string) (*lens.Supply, error) {
	return findOne(ctx, db.col(colSupplies), bson.D{{Key: "_id", Value: id}, {Key: "customer_id", Value: customerID}}, "lens supply", (*supplyDoc).model)
}

// Supplies implements lens.Store.
func (db *DB) Supplies(ctx context.Context, customerID string) ([]*lens.Supply, error) {
	cur, err := db.col(colSupplies).Find(ctx, bson.D{{Key: "customer_id", Value: customerID}},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}))
	return all(ctx, cur, err, (*supplyDoc).model)
}

// UpdateSupply implements lens.Store.
func (db *DB) UpdateSupply(ctx context.Context, s *lens.Supply) error {
	d := supplyToDoc(s)
	set := bson.D{{Key: "member_id", Value: d.MemberID}, {Key: "eye", Value: d.Eye}, {Key: "brand", Value: d.Brand},
		{Key: "product", Value: d.Product}, {Key: "modality", Value: d.Modality}, {Key: "catalog_id", Value: d.CatalogID},
		{Key: "boxes", Value: d.Boxes}, {Key: "lenses_per_box", Value: d.LensesPerBox}, {Key: "start_date", Value: d.StartDate},
		{Key: "wear_days_per_week", Value: d.WearDaysPerWeek}, {Key: "runs_out_on", Value: d.RunsOutOn}, {Key: "updated_at", Value: d.UpdatedAt}}
	update := bson.D{{Key: "$set", Value: set}}
	if d.NextReminderAt != nil {
		update[0].Value = append(set, bson.E{Key: "next_reminder_at", Value: *d.NextReminderAt})
	} else {
		update = append(update, bson.E{Key: "$unset", Value: bson.D{{Key: "next_reminder_at", Value: ""}}})
	}
	res, err := db.col(colSupplies).UpdateOne(ctx, bson.D{{Key: "_id", Value: s.ID}, {Key: "customer_id", Value: s.CustomerID}}, update)
	if err != nil {
		return mapErr(err)
	}
	if res.MatchedCount == 0 {
		return notFound("lens supply")
	}
	return nil
}

// DeleteSupply implements lens.Store.
func (db *DB) DeleteSupply(ctx context.Context, customerID, id string) error {
	res, err := db.col(colSupplies).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "customer_id", Value: customerID}})
	if err != nil {
		return mapErr(err)
	}
	if res.DeletedCount == 0 {
		return notFound("lens supply")
	}
	return nil
}

// DeleteSupplies implements lens.Store.
func (db *DB) DeleteSupplies(ctx context.Context, customerID string) error {
	_, err := db.col(colSupplies).DeleteMany(ctx, bson.D{{Key: "customer_id", Value: customerID}})
	return mapErr(err)
}

// DueSupplies implements lens.Store through the sparse index on
// next_reminder_at.
func (db *DB) DueSupplies(ctx context.Context, now time.Time, limit int) ([]*lens.Supply, error) {
	if limit <= 0 { // no rows, as in SQL (a MongoDB limit of 0 is none)
		return []*lens.Supply{}, nil
	}
	cur, err := db.col(colSupplies).Find(ctx, bson.D{{Key: "next_reminder_at", Value: bson.D{{Key: "$lte", Value: now}}}},
		options.Find().SetSort(bson.D{{Key: "next_reminder_at", Value: 1}}).SetLimit(int64(limit)))
	return all(ctx, cur, err, (*supplyDoc).model)
}

// ImportSupplies implements lens.Store: a look-up of the ids, then one
// insert. Without a transaction, all-or-nothing holds by refusing a batch
// with a stored id before writing, and by taking back what an insert that
// meets one anyway (a concurrent import of the same ids) wrote.
func (db *DB) ImportSupplies(ctx context.Context, ss []*lens.Supply) error {
	ids := make([]string, len(ss))
	docs := make([]any, len(ss))
	for i, s := range ss {
		ids[i], docs[i] = s.ID, supplyToDoc(s)
	}
	// In one transaction, all or nothing as on SQLite; where the
	// deployment has none, an insert that fails midway takes back what it
	// stored (readers may see part of the batch meanwhile).
	return db.inTransaction(ctx, func(ctx context.Context) error {
		n, err := db.col(colSupplies).CountDocuments(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
		if err != nil {
			return err
		}
		if n > 0 {
			return core.Errorf(core.ECONFLICT, "%d of the supplies are already stored", n)
		}
		res, err := db.col(colSupplies).InsertMany(ctx, docs)
		if err != nil && res != nil && len(res.InsertedIDs) > 0 {
			_, _ = db.col(colSupplies).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: res.InsertedIDs}}}})
		}
		if mongo.IsDuplicateKeyError(err) {
			return core.Errorf(core.ECONFLICT, "some of the supplies are already stored")
		}
		return err
	})
}

// AdvanceReminders implements lens.Store: conditional single-document
// updates, one per supply.
func (db *DB) AdvanceReminders(ctx context.Context, as []lens.Advance) (int, error) {
	moved := 0
	for _, a := range as {
		ok, err := db.AdvanceReminder(ctx, a.ID, a.Prev, a.Next)
		if err != nil {
			return moved, err
		}
		if ok {
			moved++
		}
	}
	return moved, nil
}

// AdvanceReminder implements lens.Store with a conditional update.
func (db *DB) AdvanceReminder(ctx context.Context, id string, prev time.Time, next *time.Time) (bool, error) {
	update := bson.D{{Key: "$unset", Value: bson.D{{Key: "next_reminder_at", Value: ""}}}}
	if next != nil {
		update = bson.D{{Key: "$set", Value: bson.D{{Key: "next_reminder_at", Value: *next}}}}
	}
	res, err := db.col(colSupplies).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "next_reminder_at", Value: prev}}, update)
	if err != nil {
		return false, mapErr(err)
	}
	return res.MatchedCount == 1, nil
}
