package mongo

import (
	"context"
	"time"

	"github.com/vista-optical/vista/backend/booking"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

type waitDoc struct {
	ID         string     `bson:"_id"`
	ShopID     string     `bson:"shop_id"`
	ServiceID  string     `bson:"service_id"`
	Day        string     `bson:"day"`
	CustomerID string     `bson:"customer_id"`
	CreatedAt  time.Time  `bson:"created_at"`
	OfferedAt  *time.Time `bson:"offered_at"`
	OfferStart *time.Time `bson:"offer_start,omitempty"`
	OfferStaff string     `bson:"offer_staff,omitempty"`
}

func (d *waitDoc) model() *booking.WaitEntry {
	return &booking.WaitEntry{ID: d.ID, ShopID: d.ShopID, ServiceID: d.ServiceID, Day: d.Day, CustomerID: d.CustomerID, CreatedAt: utc(d.CreatedAt),
		OfferedAt: utcp(d.OfferedAt), OfferStart: utcp(d.OfferStart), OfferStaff: d.OfferStaff}
}

// JoinWaitlist implements booking.Store.
func (db *DB) JoinWaitlist(ctx context.Context, e *booking.WaitEntry) error {
	_, err := db.col(colWaitlist).InsertOne(ctx, waitDoc{ID: e.ID, ShopID: e.ShopID, ServiceID: e.ServiceID, Day: e.Day, CustomerID: e.CustomerID,
		CreatedAt: e.CreatedAt, OfferedAt: e.OfferedAt, OfferStart: e.OfferStart, OfferStaff: e.OfferStaff})
	return mapErr(err)
}

// WaitEntry implements booking.Store.
func (db *DB) WaitEntry(ctx context.Context, id string) (*booking.WaitEntry, error) {
	return findOne(ctx, db.col(colWaitlist), bson.D{{Key: "_id", Value: id}}, "waitlist entry", (*waitDoc).model)
}

// CustomerWaitlist implements booking.Store.
func (db *DB) CustomerWaitlist(ctx context.Context, customerID string) ([]*booking.WaitEntry, error) {
	cur, err := db.col(colWaitlist).Find(ctx, bson.D{{Key: "customer_id", Value: customerID}}, options.Find().SetSort(bson.D{{Key: "day", Value: 1}, {Key: "_id", Value: 1}}))
	return all(ctx, cur, err, (*waitDoc).model)
}

// LeaveWaitlist implements booking.Store.
func (db *DB) LeaveWaitlist(ctx context.Context, customerID, id string) error {
	res, err := db.col(colWaitlist).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "customer_id", Value: customerID}})
	if err != nil {
		return mapErr(err)
	}
	if res.DeletedCount == 0 {
		return notFound("waitlist entry")
	}
	return nil
}
