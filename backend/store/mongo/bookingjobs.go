package mongo

import (
	"context"
	"time"

	"github.com/vista-optical/vista/backend/booking"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// CancelExpiredHolds implements booking.Store.
func (db *DB) CancelExpiredHolds(ctx context.Context, before time.Time) (int, error) {
	res, err := db.col(colBookings).UpdateMany(ctx, bson.D{{Key: "status", Value: booking.StatusHeld}, {Key: "held_until", Value: bson.D{{Key: "$lt", Value: before}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: booking.StatusCancelled}}}, {Key: "$unset", Value: bson.D{{Key: "held_until", Value: ""}}}})
	if err != nil {
		return 0, mapErr(err)
	}
	return int(res.ModifiedCount), nil
}

// DueBookingReminders implements booking.Store.
func (db *DB) DueBookingReminders(ctx context.Context, now time.Time, limit int) ([]*booking.Booking, error) {
	if limit <= 0 { // no rows, as in SQL (a MongoDB limit of 0 is none)
		return []*booking.Booking{}, nil
	}
	cur, err := db.col(colBookings).Find(ctx, bson.D{{Key: "remind_at", Value: bson.D{{Key: "$lte", Value: now}}}, {Key: "status", Value: booking.StatusBooked}},
		options.Find().SetSort(bson.D{{Key: "remind_at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	return all(ctx, cur, err, (*bookingDoc).model)
}

// AdvanceBookingReminders implements booking.Store.
func (db *DB) AdvanceBookingReminders(ctx context.Context, rs []booking.Reminder) (int, error) {
	moved := 0
	for _, r := range rs {
		upd := bson.D{{Key: "$unset", Value: bson.D{{Key: "remind_at", Value: ""}}}}
		if r.Next != nil {
			upd = bson.D{{Key: "$set", Value: bson.D{{Key: "remind_at", Value: *r.Next}}}}
		}
		res, err := db.col(colBookings).UpdateOne(ctx, bson.D{{Key: "_id", Value: r.Booking.ID}, {Key: "remind_at", Value: r.Prev}}, upd)
		if err != nil {
			return moved, mapErr(err)
		}
		moved += int(res.ModifiedCount)
	}
	return moved, nil
}

// PurgeClaims implements booking.Store.
func (db *DB) PurgeClaims(ctx context.Context, before time.Time) (int, error) {
	res, err := db.col(colBookingClaims).DeleteMany(ctx, bson.D{{Key: "until", Value: bson.D{{Key: "$lt", Value: before}}}})
	if err != nil {
		return 0, mapErr(err)
	}
	return int(res.DeletedCount), nil
}

// ForgetGuests implements booking.Store.
func (db *DB) ForgetGuests(ctx context.Context, before time.Time) (int, error) {
	res, err := db.col(colBookings).UpdateMany(ctx, bson.D{{Key: "end", Value: bson.D{{Key: "$lt", Value: before}}},
		{Key: "$or", Value: bson.A{bson.D{{Key: "guest.name", Value: bson.D{{Key: "$ne", Value: ""}}}},
			bson.D{{Key: "guest.phone", Value: bson.D{{Key: "$exists", Value: true}}}}, bson.D{{Key: "guest.email", Value: bson.D{{Key: "$exists", Value: true}}}}}},
		{Key: "guest", Value: bson.D{{Key: "$exists", Value: true}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "guest.name", Value: ""}}}, {Key: "$unset", Value: bson.D{{Key: "guest.phone", Value: ""}, {Key: "guest.email", Value: ""}}}})
	if err != nil {
		return 0, mapErr(err)
	}
	return int(res.ModifiedCount), nil
}
