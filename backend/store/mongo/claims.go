package mongo

import (
	"context"
	"fmt"
	"time"

	"github.com/vista-optical/vista/backend/booking"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

type claimDoc struct {
	Key       string    `bson:"_id"`
	BookingID string    `bson:"booking_id"`
	Until     time.Time `bson:"until"`
}

// hold inserts h's claims for booking id inside a transaction: the keys
// in one insert (a duplicate is booking.ErrTaken), then a seat of each
// group after freeing the group's seats whose booking has ended.
func (db *DB) hold(ctx context.Context, id string, h booking.Hold, now time.Time) error {
	claims := db.col(colBookingClaims)
	if len(h.Keys) > 0 {
		keys := make(bson.A, len(h.Keys))
		docs := make([]any, 0, len(h.Keys))
		for i, k := range h.Keys {
			keys[i] = k
			docs = append(docs, claimDoc{Key: k, BookingID: id, Until: h.Until})
		}
		// Claims whose time is over (an unconfirmed hold's, a past
		// booking's) are free.
		if _, err := claims.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: keys}}}, {Key: "until", Value: bson.D{{Key: "$lte", Value: now}}}}); err != nil {
			return err
		}
		if _, err := claims.InsertMany(ctx, docs); err != nil {
			if mongo.IsDuplicateKeyError(err) {
				return booking.ErrTaken
			}
			return err
		}
	}
	for _, g := range h.Seats {
		group := bson.D{{Key: "_id", Value: bson.D{{Key: "$gte", Value: g.Group + "#"}, {Key: "$lt", Value: g.Group + "$"}}}}
		expired := append(group, bson.E{Key: "until", Value: bson.D{{Key: "$lte", Value: now}}})
		if _, err := claims.DeleteMany(ctx, expired); err != nil {
			return err
		}
		cur, err := claims.Find(ctx, group)
		if err != nil {
			return err
		}
		var held []claimDoc
		if err := cur.All(ctx, &held); err != nil {
			return err
		}
		taken := map[string]bool{}
		for _, c := range held {
			taken[c.Key] = true
		}
		seat := ""
		for n := 0; n < g.Max && seat == ""; n++ {
			if k := fmt.Sprintf("%s#%d", g.Group, n); !taken[k] {
				seat = k
			}
		}
		if seat == "" {
			return g.Full
		}
		if _, err := claims.InsertOne(ctx, claimDoc{Key: seat, BookingID: id, Until: g.Until}); err != nil {
			return err
		}
	}
	return nil
}

// release deletes what booking id claimed (a refused write's, outside a
// transaction; inside one the abort does it too).
func (db *DB) release(ctx context.Context, id string) {
	_, _ = db.col(colBookingClaims).DeleteMany(ctx, bson.D{{Key: "booking_id", Value: id}})
}

func keysOf(cs []claimDoc) bson.A {
	out := make(bson.A, len(cs))
	for i, c := range cs {
		out[i] = c.Key
	}
	return out
}
