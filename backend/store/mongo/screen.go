package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/screen"
)

type pairingCodeDoc struct {
	Hash      string     `bson:"_id"`
	ShopID    string     `bson:"shop_id"`
	CreatedBy string     `bson:"created_by"`
	CreatedAt time.Time  `bson:"created_at"`
	ExpiresAt time.Time  `bson:"expires_at"`
	UsedAt    *time.Time `bson:"used_at"`
}

func (d *pairingCodeDoc) model() *screen.PairingCode {
	return &screen.PairingCode{Hash: d.Hash, ShopID: d.ShopID, CreatedBy: d.CreatedBy, CreatedAt: utc(d.CreatedAt), ExpiresAt: utc(d.ExpiresAt), UsedAt: utcp(d.UsedAt)}
}

// CreatePairingCode implements screen.Store.
func (db *DB) CreatePairingCode(ctx context.Context, c *screen.PairingCode) error {
	_, err := db.col(colPairingCodes).InsertOne(ctx, pairingCodeDoc{Hash: c.Hash, ShopID: c.ShopID, CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt, ExpiresAt: c.ExpiresAt})
	return mapErr(err)
}

// UsePairingCode implements screen.Store with one conditional update.
func (db *DB) UsePairingCode(ctx context.Context, hash string, now time.Time) (*screen.PairingCode, error) {
	var d pairingCodeDoc
	err := db.col(colPairingCodes).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: hash}, {Key: "used_at", Value: nil}, {Key: "expires_at", Value: bson.D{{Key: "$gt", Value: now}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "used_at", Value: now}}}}, after()).Decode(&d)
	if err == nil {
		return d.model(), nil
	}
	if _, ferr := findOne(ctx, db.col(colPairingCodes), bson.D{{Key: "_id", Value: hash}}, "pairing code", (*pairingCodeDoc).model); ferr != nil {
		return nil, ferr
	}
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, core.Errorf(core.EGONE, "pairing code used or expired")
	}
	return nil, mapErr(err)
}

type kioskDoc struct {
	ID         string     `bson:"_id"`
	ShopID     string     `bson:"shop_id"`
	Label      string     `bson:"label"`
	CreatedAt  time.Time  `bson:"created_at"`
	LastSeenAt *time.Time `bson:"last_seen_at,omitempty"`
	Showing    string     `bson:"showing,omitempty"`
	RevokedAt  *time.Time `bson:"revoked_at,omitempty"`
}

func (d *kioskDoc) model() *screen.Kiosk {
	return &screen.Kiosk{ID: d.ID, ShopID: d.ShopID, Label: d.Label, CreatedAt: utc(d.CreatedAt), LastSeenAt: utcp(d.LastSeenAt), Showing: d.Showing, RevokedAt: utcp(d.RevokedAt)}
}

// CreateKiosk implements screen.Store.
func (db *DB) CreateKiosk(ctx context.Context, k *screen.Kiosk) error {
	_, err := db.col(colKiosks).InsertOne(ctx, kioskDoc{ID: k.ID, ShopID: k.ShopID, Label: k.Label, CreatedAt: k.CreatedAt, LastSeenAt: k.LastSeenAt,
		Showing: k.Showing, RevokedAt: k.RevokedAt})
	return mapErr(err)
}

// Kiosk implements screen.Store.
func (db *DB) Kiosk(ctx context.Context, id string) (*screen.Kiosk, error) {
	return findOne(ctx, db.col(colKiosks), bson.D{{Key: "_id", Value: id}}, "kiosk", (*kioskDoc).model)
}

// ShopKiosks implements screen.Store.
func (db *DB) ShopKiosks(ctx context.Context, shopID string) ([]*screen.Kiosk, error) {
	cur, err := db.col(colKiosks).Find(ctx, bson.D{{Key: "shop_id", Value: shopID}},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}))
	return all(ctx, cur, err, (*kioskDoc).model)
}

// UpdateKiosk implements screen.Store.
func (db *DB) UpdateKiosk(ctx context.Context, k *screen.Kiosk) error {
	set := bson.D{{Key: "label", Value: k.Label}}
	update := bson.D{{Key: "$set", Value: set}}
	if k.RevokedAt != nil {
		update[0].Value = append(set, bson.E{Key: "revoked_at", Value: *k.RevokedAt})
	} else {
		update = append(update, bson.E{Key: "$unset", Value: bson.D{{Key: "revoked_at", Value: ""}}})
	}
	return db.updateOne(ctx, colKiosks, "kiosk", k.ID, update)
}

// TouchKiosk implements screen.Store: $max keeps the latest heartbeat.
func (db *DB) TouchKiosk(ctx context.Context, id string, at time.Time, showing string) error {
	update := bson.D{{Key: "$max", Value: bson.D{{Key: "last_seen_at", Value: at}}}}
	if showing != "" {
		update = append(update, bson.E{Key: "$set", Value: bson.D{{Key: "showing", Value: showing}}})
	}
	return db.updateOne(ctx, colKiosks, "kiosk", id, update)
}

// updateOne applies update to the document id of col: ENOTFOUND (naming
// what) when there is none.
func (db *DB) updateOne(ctx context.Context, col, what, id string, update bson.D) error {
	res, err := db.col(col).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, update)
	if err != nil {
		return mapErr(err)
	}
	if res.MatchedCount == 0 {
		return notFound(what)
	}
	return nil
}

type offerDoc struct {
	ID          string          `bson:"_id"`
	ShopID      string          `bson:"shop_id"`
	Title       string          `bson:"title"`
	Text        string          `bson:"text,omitempty"`
	ImageURL    string          `bson:"image_url,omitempty"`
	ProductIDs  []string        `bson:"product_ids,omitempty"`
	PromotionID string          `bson:"promotion_id,omitempty"`
	Starts      time.Time       `bson:"starts"`
	Ends        time.Time       `bson:"ends"`
	Schedule    screen.Schedule `bson:"schedule"`
	Customers   int             `bson:"customers"`
	CreatedBy   string          `bson:"created_by"`
	CreatedAt   time.Time       `bson:"created_at"`
}

func (d *offerDoc) model() *screen.Offer {
	o := &screen.Offer{ID: d.ID, ShopID: d.ShopID, Title: d.Title, Text: d.Text, ImageURL: d.ImageURL, ProductIDs: d.ProductIDs,
		PromotionID: d.PromotionID, Starts: utc(d.Starts), Ends: utc(d.Ends), Schedule: d.Schedule, Customers: d.Customers,
		CreatedBy: d.CreatedBy, CreatedAt: utc(d.CreatedAt)}
	if len(o.ProductIDs) == 0 {
		o.ProductIDs = nil
	}
	if len(o.Schedule.Weekdays) == 0 {
		o.Schedule.Weekdays = nil
	}
	return o
}

// CreateOffer implements screen.Store.
func (db *DB) CreateOffer(ctx context.Context, o *screen.Offer) error {
	_, err := db.col(colOffers).InsertOne(ctx, offerDoc{ID: o.ID, ShopID: o.ShopID, Title: o.Title, Text: o.Text, ImageURL: o.ImageURL,
		ProductIDs: o.ProductIDs, PromotionID: o.PromotionID, Starts: o.Starts, Ends: o.Ends, Schedule: o.Schedule, Customers: o.Customers,
		CreatedBy: o.CreatedBy, CreatedAt: o.CreatedAt})
	return mapErr(err)
}

// Offer implements screen.Store.
func (db *DB) Offer(ctx context.Context, id string) (*screen.Offer, error) {
	return findOne(ctx, db.col(colOffers), bson.D{{Key: "_id", Value: id}}, "offer", (*offerDoc).model)
}

// Offers implements screen.Store.
func (db *DB) Offers(ctx context.Context, shopID string, t time.Time, limit int) ([]*screen.Offer, error) {
	if limit <= 0 { // no rows, as in SQL (a MongoDB limit of 0 is none)
		return []*screen.Offer{}, nil
	}
	filter := bson.D{{Key: "ends", Value: bson.D{{Key: "$gt", Value: t}}}}
	if shopID != "" {
		filter = append(filter, bson.E{Key: "shop_id", Value: bson.D{{Key: "$in", Value: bson.A{"", shopID}}}})
	}
	cur, err := db.col(colOffers).Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}).
		SetLimit(int64(limit)))
	return all(ctx, cur, err, (*offerDoc).model)
}

// EndOffer implements screen.Store: $min never moves an end later.
func (db *DB) EndOffer(ctx context.Context, id string, at time.Time) error {
	o, err := db.Offer(ctx, id)
	if err != nil {
		return err
	}
	if !at.After(o.Starts) {
		at = o.Starts.Add(time.Millisecond)
	}
	return db.updateOne(ctx, colOffers, "offer", id, bson.D{{Key: "$min", Value: bson.D{{Key: "ends", Value: at}}}})
}

// SetOfferCustomers implements screen.Store.
func (db *DB) SetOfferCustomers(ctx context.Context, id string, n int) error {
	return db.updateOne(ctx, colOffers, "offer", id, bson.D{{Key: "$set", Value: bson.D{{Key: "customers", Value: n}}}})
}

type eventDoc struct {
	Seq     int64     `bson:"_id"`
	ShopID  string    `bson:"shop_id"`
	KioskID string    `bson:"kiosk_id"`
	Kind    string    `bson:"kind"`
	Data    string    `bson:"data"`
	At      time.Time `bson:"at"`
}

func (d *eventDoc) model() screen.Event {
	return screen.Event{Seq: d.Seq, ShopID: d.ShopID, KioskID: d.KioskID, Kind: d.Kind, Data: d.Data, At: utc(d.At)}
}

// AppendEvent implements screen.Store: the sequence number comes from a
// counter document ($inc), then the event is inserted under it. Two
// appends may become visible out of order for a moment; the screen hub
// waits at a gap (screen.Hub).
func (db *DB) AppendEvent(ctx context.Context, e *screen.Event) error {
	var c struct {
		N int64 `bson:"n"`
	}
	err := db.col(colCounters).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: "screen_events"}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: int64(1)}}}}, afterUpsert()).Decode(&c)
	if mongoDuplicate(err) { // a concurrent first append created the counter
		err = db.col(colCounters).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: "screen_events"}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: int64(1)}}}}, afterUpsert()).Decode(&c)
	}
	if err != nil {
		return mapErr(err)
	}
	e.Seq = c.N
	_, err = db.col(colScreenEvents).InsertOne(ctx, eventDoc{Seq: e.Seq, ShopID: e.ShopID, KioskID: e.KioskID, Kind: e.Kind, Data: e.Data, At: e.At})
	return mapErr(err)
}

// EventsAfter implements screen.Store.
func (db *DB) EventsAfter(ctx context.Context, seq int64, limit int) ([]screen.Event, error) {
	if limit <= 0 { // no rows, as in SQL (a MongoDB limit of 0 is none)
		return []screen.Event{}, nil
	}
	cur, err := db.col(colScreenEvents).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: seq}}}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	return all(ctx, cur, err, (*eventDoc).model)
}

// LastEventSeq implements screen.Store: the counter, which never goes
// back when events are purged.
func (db *DB) LastEventSeq(ctx context.Context) (int64, error) {
	var c struct {
		N int64 `bson:"n"`
	}
	err := db.col(colCounters).FindOne(ctx, bson.D{{Key: "_id", Value: "screen_events"}}).Decode(&c)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	return c.N, mapErr(err)
}

// PurgeEvents implements screen.Store.
func (db *DB) PurgeEvents(ctx context.Context, before time.Time) (int, error) {
	return db.deleteMany(ctx, colScreenEvents, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: before}}}})
}

type playDoc struct {
	KioskID  string    `bson:"kiosk_id"`
	ShopID   string    `bson:"shop_id"`
	ItemKind string    `bson:"item_kind"`
	ItemID   string    `bson:"item_id"`
	ShownAt  time.Time `bson:"shown_at"`
	Seconds  int       `bson:"seconds"`
}

// RecordPlays implements screen.Store with one insertMany.
func (db *DB) RecordPlays(ctx context.Context, ps []screen.Play) error {
	if len(ps) == 0 {
		return nil
	}
	docs := make([]any, len(ps))
	for i, p := range ps {
		docs[i] = playDoc{KioskID: p.KioskID, ShopID: p.ShopID, ItemKind: p.ItemKind, ItemID: p.ItemID, ShownAt: p.ShownAt, Seconds: p.Seconds}
	}
	_, err := db.col(colPlays).InsertMany(ctx, docs)
	return mapErr(err)
}

// Plays implements screen.Store.
func (db *DB) Plays(ctx context.Context, shopID string, since time.Time, limit int) ([]screen.Play, error) {
	if limit <= 0 { // no rows, as in SQL (a MongoDB limit of 0 is none)
		return []screen.Play{}, nil
	}
	cur, err := db.col(colPlays).Find(ctx, bson.D{{Key: "shop_id", Value: shopID}, {Key: "shown_at", Value: bson.D{{Key: "$gte", Value: since}}}},
		options.Find().SetSort(bson.D{{Key: "shown_at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(limit)))
	return all(ctx, cur, err, func(d *playDoc) screen.Play {
		return screen.Play{KioskID: d.KioskID, ShopID: d.ShopID, ItemKind: d.ItemKind, ItemID: d.ItemID, ShownAt: utc(d.ShownAt), Seconds: d.Seconds}
	})
}

// PurgePlays implements screen.Store.
func (db *DB) PurgePlays(ctx context.Context, before time.Time) (int, error) {
	return db.deleteMany(ctx, colPlays, bson.D{{Key: "shown_at", Value: bson.D{{Key: "$lt", Value: before}}}})
}
