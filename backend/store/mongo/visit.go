package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/visit"
)

type visitDoc struct {
	ID         string     `bson:"_id"`
	ShopID     string     `bson:"shop_id"`
	KioskID    string     `bson:"kiosk_id"`
	StartedAt  time.Time  `bson:"started_at"`
	LastAt     time.Time  `bson:"last_at"`
	CustomerID string     `bson:"customer_id"`
	LinkedAt   *time.Time `bson:"linked_at,omitempty"`
	Via        string     `bson:"via,omitempty"`
}

func (d *visitDoc) model() *visit.Visit {
	return &visit.Visit{ID: d.ID, ShopID: d.ShopID, KioskID: d.KioskID, StartedAt: utc(d.StartedAt), LastAt: utc(d.LastAt), CustomerID: d.CustomerID,
		LinkedAt: utcp(d.LinkedAt), Via: d.Via}
}

// CreateVisit implements visit.Store.
func (db *DB) CreateVisit(ctx context.Context, v *visit.Visit) error {
	_, err := db.col(colVisits).InsertOne(ctx, visitDoc{ID: v.ID, ShopID: v.ShopID, KioskID: v.KioskID, StartedAt: v.StartedAt, LastAt: v.LastAt,
		CustomerID: v.CustomerID, LinkedAt: v.LinkedAt, Via: v.Via})
	return mapErr(err)
}

// Visit implements visit.Store.
func (db *DB) Visit(ctx context.Context, id string) (*visit.Visit, error) {
	return findOne(ctx, db.col(colVisits), bson.D{{Key: "_id", Value: id}}, "visit", (*visitDoc).model)
}

// OpenVisit implements visit.Store.
func (db *DB) OpenVisit(ctx context.Context, kioskID string, since time.Time) (*visit.Visit, error) {
	var d visitDoc
	err := db.col(colVisits).FindOne(ctx, bson.D{{Key: "kiosk_id", Value: kioskID}, {Key: "customer_id", Value: ""},
		{Key: "last_at", Value: bson.D{{Key: "$gte", Value: since}}}, {Key: "ended_at", Value: nil}},
		options.FindOne().SetSort(bson.D{{Key: "last_at", Value: -1}, {Key: "_id", Value: -1}})).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, notFound("open visit")
	} else if err != nil {
		return nil, mapErr(err)
	}
	return d.model(), nil
}

// EndVisit implements visit.Store.
func (db *DB) EndVisit(ctx context.Context, kioskID string, at time.Time) error {
	var d visitDoc
	err := db.col(colVisits).FindOneAndUpdate(ctx, bson.D{{Key: "kiosk_id", Value: kioskID}, {Key: "customer_id", Value: ""}, {Key: "ended_at", Value: nil}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "ended_at", Value: at}}}},
		options.FindOneAndUpdate().SetSort(bson.D{{Key: "last_at", Value: -1}, {Key: "_id", Value: -1}})).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil
	} else if err != nil {
		return mapErr(err)
	}
	_, err = db.col(colVisitCodes).UpdateMany(ctx, bson.D{{Key: "visit_id", Value: d.ID}, {Key: "claimed_at", Value: nil}},
		bson.D{{Key: "$min", Value: bson.D{{Key: "expires_at", Value: at}}}})
	return mapErr(err)
}

// TouchVisit implements visit.Store: $max never moves it back.
func (db *DB) TouchVisit(ctx context.Context, id string, at time.Time) error {
	return db.updateOne(ctx, colVisits, "visit", id, bson.D{{Key: "$max", Value: bson.D{{Key: "last_at", Value: at}}}})
}

// LinkVisit implements visit.Store with one conditional update.
func (db *DB) LinkVisit(ctx context.Context, id, customerID, via string, at time.Time) error {
	res, err := db.col(colVisits).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "customer_id", Value: ""}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "customer_id", Value: customerID}, {Key: "linked_at", Value: at}, {Key: "via", Value: via}}},
			{Key: "$max", Value: bson.D{{Key: "last_at", Value: at}}}})
	if err != nil {
		return mapErr(err)
	}
	if res.MatchedCount == 1 {
		return nil
	}
	if _, err := db.Visit(ctx, id); err != nil {
		return err
	}
	return core.Errorf(core.ECONFLICT, "this visit is already linked")
}

type visitEventDoc struct {
	VisitID string    `bson:"visit_id"`
	Kind    string    `bson:"kind"`
	ItemID  string    `bson:"item_id,omitempty"`
	At      time.Time `bson:"at"`
}

// AddVisitEvents implements visit.Store with one insertMany.
func (db *DB) AddVisitEvents(ctx context.Context, es []visit.Event) error {
	if len(es) == 0 {
		return nil
	}
	docs := make([]any, len(es))
	for i, e := range es {
		docs[i] = visitEventDoc{VisitID: e.VisitID, Kind: e.Kind, ItemID: e.ItemID, At: e.At}
	}
	_, err := db.col(colVisitEvents).InsertMany(ctx, docs)
	return mapErr(err)
}

// VisitEvents implements visit.Store.
func (db *DB) VisitEvents(ctx context.Context, visitID string) ([]visit.Event, error) {
	cur, err := db.col(colVisitEvents).Find(ctx, bson.D{{Key: "visit_id", Value: visitID}}, options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}))
	return all(ctx, cur, err, func(d *visitEventDoc) visit.Event {
		return visit.Event{VisitID: d.VisitID, Kind: d.Kind, ItemID: d.ItemID, At: utc(d.At)}
	})
}

// CustomerVisits implements visit.Store.
func (db *DB) CustomerVisits(ctx context.Context, customerID string) ([]*visit.Visit, error) {
	if customerID == "" {
		return []*visit.Visit{}, nil
	}
	cur, err := db.col(colVisits).Find(ctx, bson.D{{Key: "customer_id", Value: customerID}}, options.Find().SetSort(bson.D{{Key: "started_at", Value: -1}, {Key: "_id", Value: -1}}))
	return all(ctx, cur, err, (*visitDoc).model)
}

// ShopCheckins implements visit.Store.
func (db *DB) ShopCheckins(ctx context.Context, shopID string, from, to time.Time) ([]*visit.Visit, error) {
	cur, err := db.col(colVisits).Find(ctx, bson.D{{Key: "shop_id", Value: shopID}, {Key: "customer_id", Value: bson.D{{Key: "$ne", Value: ""}}},
		{Key: "last_at", Value: bson.D{{Key: "$gte", Value: from}}}, {Key: "started_at", Value: bson.D{{Key: "$lt", Value: to}}}},
		options.Find().SetSort(bson.D{{Key: "linked_at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(500))
	return all(ctx, cur, err, (*visitDoc).model)
}

// visitIDs returns the ids of the visits filter matches.
func (db *DB) visitIDs(ctx context.Context, filter bson.D) ([]string, error) {
	cur, err := db.col(colVisits).Find(ctx, filter, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	return all(ctx, cur, err, func(d *struct {
		ID string `bson:"_id"`
	}) string {
		return d.ID
	})
}

// deleteVisits removes the visits with ids, their events and codes.
func (db *DB) deleteVisits(ctx context.Context, ids []string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	in := bson.D{{Key: "$in", Value: ids}}
	if _, err := db.deleteMany(ctx, colVisitEvents, bson.D{{Key: "visit_id", Value: in}}); err != nil {
		return 0, err
	}
	if _, err := db.deleteMany(ctx, colVisitCodes, bson.D{{Key: "visit_id", Value: in}}); err != nil {
		return 0, err
	}
	return db.deleteMany(ctx, colVisits, bson.D{{Key: "_id", Value: in}})
}

// DeleteCustomerVisits implements visit.Store.
func (db *DB) DeleteCustomerVisits(ctx context.Context, customerID string) error {
	if customerID == "" {
		return nil
	}
	ids, err := db.visitIDs(ctx, bson.D{{Key: "customer_id", Value: customerID}})
	if err != nil {
		return err
	}
	if _, err = db.deleteVisits(ctx, ids); err != nil {
		return err
	}
	if _, err := db.deleteMany(ctx, colVisitPrefs, bson.D{{Key: "_id", Value: customerID}}); err != nil {
		return err
	}
	_, err = db.col(colVisitCodes).UpdateMany(ctx, bson.D{{Key: "resolved_by", Value: customerID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "resolved_by", Value: ""}}}})
	return mapErr(err)
}

// Greets implements visit.Store.
func (db *DB) Greets(ctx context.Context, customerID string) (bool, error) {
	var d struct {
		Greet bool `bson:"greet"`
	}
	err := db.col(colVisitPrefs).FindOne(ctx, bson.D{{Key: "_id", Value: customerID}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	return d.Greet, mapErr(err)
}

// SetGreets implements visit.Store.
func (db *DB) SetGreets(ctx context.Context, customerID string, greet bool, at time.Time) error {
	_, err := db.col(colVisitPrefs).UpdateOne(ctx, bson.D{{Key: "_id", Value: customerID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "greet", Value: greet}, {Key: "updated_at", Value: at}}}}, options.UpdateOne().SetUpsert(true))
	return mapErr(err)
}

// Code implements visit.Store.
func (db *DB) Code(ctx context.Context, id string) (*visit.Code, error) {
	return findOne(ctx, db.col(colVisitCodes), bson.D{{Key: "_id", Value: id}}, "visit code", (*codeDoc).model)
}

// PurgeAnonymousVisits implements visit.Store.
func (db *DB) PurgeAnonymousVisits(ctx context.Context, before time.Time) (int, error) {
	ids, err := db.visitIDs(ctx, bson.D{{Key: "customer_id", Value: ""}, {Key: "last_at", Value: bson.D{{Key: "$lt", Value: before}}}})
	if err != nil {
		return 0, err
	}
	return db.deleteVisits(ctx, ids)
}

type codeDoc struct {
	ID         string     `bson:"_id"`
	VisitID    string     `bson:"visit_id"`
	KioskID    string     `bson:"kiosk_id"`
	ShopID     string     `bson:"shop_id"`
	CreatedAt  time.Time  `bson:"created_at"`
	ExpiresAt  time.Time  `bson:"expires_at"`
	ResolvedBy string     `bson:"resolved_by"`
	ClaimedBy  string     `bson:"claimed_by"`
	ClaimedAt  *time.Time `bson:"claimed_at"`
}

func (d *codeDoc) model() *visit.Code {
	return &visit.Code{ID: d.ID, VisitID: d.VisitID, KioskID: d.KioskID, ShopID: d.ShopID, CreatedAt: utc(d.CreatedAt), ExpiresAt: utc(d.ExpiresAt),
		ResolvedBy: d.ResolvedBy, ClaimedBy: d.ClaimedBy, ClaimedAt: utcp(d.ClaimedAt)}
}

// CreateCode implements visit.Store.
func (db *DB) CreateCode(ctx context.Context, c *visit.Code) error {
	_, err := db.col(colVisitCodes).InsertOne(ctx, codeDoc{ID: c.ID, VisitID: c.VisitID, KioskID: c.KioskID, ShopID: c.ShopID, CreatedAt: c.CreatedAt,
		ExpiresAt: c.ExpiresAt})
	return mapErr(err)
}

// ResolveCode implements visit.Store.
func (db *DB) ResolveCode(ctx context.Context, id, customerID string, now time.Time) (*visit.Code, error) {
	var d codeDoc
	err := db.col(colVisitCodes).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}, {Key: "claimed_at", Value: nil},
		{Key: "expires_at", Value: bson.D{{Key: "$gt", Value: now}}},
		{Key: "resolved_by", Value: bson.D{{Key: "$in", Value: bson.A{"", nil, customerID}}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "resolved_by", Value: customerID}}}}, after()).Decode(&d)
	if err == nil {
		return d.model(), nil
	}
	return nil, db.codeMiss(ctx, id, customerID, err, now)
}

// ClaimCode implements visit.Store with one conditional update.
func (db *DB) ClaimCode(ctx context.Context, id, customerID string, now time.Time) (*visit.Code, error) {
	var d codeDoc
	err := db.col(colVisitCodes).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}, {Key: "resolved_by", Value: customerID}, {Key: "claimed_at", Value: nil},
		{Key: "expires_at", Value: bson.D{{Key: "$gt", Value: now}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "claimed_by", Value: customerID}, {Key: "claimed_at", Value: now}}}}, after()).Decode(&d)
	if err == nil {
		return d.model(), nil
	}
	return nil, db.codeMiss(ctx, id, customerID, err, now)
}

// codeMiss says why a conditional update of code id by customerID
// matched nothing.
func (db *DB) codeMiss(ctx context.Context, id, customerID string, err error, now time.Time) error {
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return mapErr(err)
	}
	c, ferr := findOne(ctx, db.col(colVisitCodes), bson.D{{Key: "_id", Value: id}}, "visit code", (*codeDoc).model)
	switch {
	case ferr != nil:
		return ferr
	case c.ClaimedAt != nil || !c.ExpiresAt.After(now) || c.ResolvedBy != "" && c.ResolvedBy != customerID:
		return core.Errorf(core.EGONE, "this code was already used or has expired: scan the screen's next one")
	}
	return core.Errorf(core.ECONFLICT, "resolve the code before claiming it")
}

// ClaimVisit implements visit.Store: the conditional claim is the one
// gate (only its winner goes on), then the link, or a new visit, and the
// event.
//
// The limits are counted before the claim, not in the same write: under
// concurrent claims of one customer a few more than the maximum may pass.
func (db *DB) ClaimVisit(ctx context.Context, id, customerID, via, newID string, now time.Time, l visit.ClaimLimits) (*visit.Code, *visit.Visit, error) {
	pre, err := db.Code(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	since := bson.D{{Key: "$gt", Value: now.Add(-l.Window)}}
	mine, err := db.col(colVisitCodes).CountDocuments(ctx, bson.D{{Key: "claimed_by", Value: customerID}, {Key: "claimed_at", Value: since}})
	if err != nil {
		return nil, nil, mapErr(err)
	}
	kiosk, err := db.col(colVisitCodes).CountDocuments(ctx, bson.D{{Key: "kiosk_id", Value: pre.KioskID}, {Key: "claimed_at", Value: since}})
	if err != nil {
		return nil, nil, mapErr(err)
	}
	if mine >= int64(l.PerCustomer) || kiosk >= int64(l.PerKiosk) {
		return nil, nil, core.Errorf(core.ETOOMANY, "too many visits linked in the last minute: try again shortly")
	}
	c, err := db.ClaimCode(ctx, id, customerID, now)
	if err != nil {
		return nil, nil, err
	}
	visitID := c.VisitID
	err = db.LinkVisit(ctx, visitID, customerID, via, now)
	if core.IsCode(err, core.ECONFLICT) || core.IsCode(err, core.ENOTFOUND) {
		visitID = newID
		err = db.CreateVisit(ctx, &visit.Visit{ID: newID, ShopID: c.ShopID, KioskID: c.KioskID, StartedAt: now, LastAt: now, CustomerID: customerID,
			LinkedAt: &now, Via: via})
	}
	if err != nil {
		return nil, nil, err
	}
	if err := db.AddVisitEvents(ctx, []visit.Event{{VisitID: visitID, Kind: "qr_scanned", At: now}}); err != nil {
		return nil, nil, err
	}
	v, err := db.Visit(ctx, visitID)
	return c, v, err
}
