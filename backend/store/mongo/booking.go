package mongo

import (
	"context"
	"errors"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
)

type bookingDoc struct {
	ID             string            `bson:"_id"`
	ShopID         string            `bson:"shop_id"`
	ServiceID      string            `bson:"service_id"`
	Variant        string            `bson:"variant,omitempty"`
	StaffID        string            `bson:"staff_id"`
	CustomerID     string            `bson:"customer_id,omitempty"`
	FamilyMemberID string            `bson:"family_member_id,omitempty"`
	Guest          *booking.Guest    `bson:"guest,omitempty"`
	Day            string            `bson:"day"`
	Start          time.Time         `bson:"start"`
	End            time.Time         `bson:"end"`
	HoldStart      time.Time         `bson:"hold_start"`
	HoldEnd        time.Time         `bson:"hold_end"`
	Status         string            `bson:"status"`
	HeldUntil      *time.Time        `bson:"held_until,omitempty"`
	Source         string            `bson:"source"`
	UTM            map[string]string `bson:"utm,omitempty"`
	By             string            `bson:"by"`
	Note           string            `bson:"note,omitempty"`
	IdemScope      string            `bson:"idem_scope,omitempty"`
	IdemKey        string            `bson:"idem_key,omitempty"`
	IdemHash       string            `bson:"idem_hash,omitempty"`
	VisitID        string            `bson:"visit_id,omitempty"`
	RemindAt       *time.Time        `bson:"remind_at,omitempty"`
	CreatedAt      time.Time         `bson:"created_at"`
	UpdatedAt      time.Time         `bson:"updated_at"`
}

func toBookingDoc(b *booking.Booking) bookingDoc {
	scope := b.IdemScope
	if b.IdemKey == "" {
		scope = "" // the unique (scope, key) index is sparse: no key, no scope
	}
	return bookingDoc{ID: b.ID, ShopID: b.ShopID, ServiceID: b.ServiceID, Variant: b.Variant, StaffID: b.StaffID, CustomerID: b.CustomerID,
		FamilyMemberID: b.FamilyMemberID, Guest: b.Guest, Day: b.Day, Start: b.Start, End: b.End, HoldStart: b.HoldStart, HoldEnd: b.HoldEnd,
		Status: b.Status, HeldUntil: b.HeldUntil, Source: b.Source, UTM: b.UTM, By: b.By, Note: b.Note, IdemScope: scope, IdemKey: b.IdemKey, IdemHash: b.IdemHash,
		VisitID: b.VisitID, RemindAt: b.RemindAt, CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt}
}

func (d *bookingDoc) model() *booking.Booking {
	b := &booking.Booking{ID: d.ID, ShopID: d.ShopID, ServiceID: d.ServiceID, Variant: d.Variant, StaffID: d.StaffID, CustomerID: d.CustomerID,
		FamilyMemberID: d.FamilyMemberID, Guest: d.Guest, Day: d.Day, Start: utc(d.Start), End: utc(d.End), HoldStart: utc(d.HoldStart),
		HoldEnd: utc(d.HoldEnd), Status: d.Status, HeldUntil: utcp(d.HeldUntil), Source: d.Source, UTM: d.UTM, By: d.By, Note: d.Note, IdemScope: d.IdemScope,
		IdemKey: d.IdemKey, IdemHash: d.IdemHash, VisitID: d.VisitID, RemindAt: utcp(d.RemindAt), CreatedAt: utc(d.CreatedAt), UpdatedAt: utc(d.UpdatedAt)}
	if b.Guest != nil {
		b.Guest.ConsentAt = utc(b.Guest.ConsentAt)
	}
	return b
}

func (db *DB) enqueueIn(ctx context.Context, msgs []*notify.Message) error {
	for _, m := range msgs {
		if _, err := db.EnqueueMessage(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// CreateBooking implements booking.Store in one transaction.
func (db *DB) CreateBooking(ctx context.Context, b *booking.Booking, h booking.Hold, msgs []*notify.Message) (*booking.Booking, bool, error) {
	var got *booking.Booking
	err := db.inTransaction(ctx, func(ctx context.Context) error {
		got = nil
		if b.IdemKey != "" {
			old, err := findOne(ctx, db.col(colBookings), bson.D{{Key: "idem_scope", Value: b.IdemScope}, {Key: "idem_key", Value: b.IdemKey}}, "booking", (*bookingDoc).model)
			if err == nil {
				got = old
				return nil
			}
			if !core.IsCode(err, core.ENOTFOUND) {
				return err
			}
		}
		// Claims first: where the deployment has no transactions (a
		// standalone server), a refused booking then leaves nothing but
		// the claims it got, which it takes back.
		if err := db.hold(ctx, b.ID, h, b.CreatedAt); err != nil {
			db.release(ctx, b.ID)
			return err
		}
		if _, err := db.col(colBookings).InsertOne(ctx, toBookingDoc(b)); err != nil {
			db.release(ctx, b.ID)
			return err
		}
		return db.enqueueIn(ctx, msgs)
	})
	if errors.Is(err, booking.ErrTaken) && b.IdemKey != "" {
		// Without transactions (a standalone server) a retry of a request
		// still in flight meets its claims before its booking is written:
		// wait a moment for it.
		for range 20 {
			if old, err := db.BookingByKey(ctx, b.IdemScope, b.IdemKey); err == nil {
				return old, false, nil
			}
			time.Sleep(25 * time.Millisecond)
		}
	}
	if err != nil {
		return nil, false, err
	}
	if got != nil {
		return got, false, nil
	}
	return b, true, nil
}

// Booking implements booking.Store.
func (db *DB) Booking(ctx context.Context, id string) (*booking.Booking, error) {
	return findOne(ctx, db.col(colBookings), bson.D{{Key: "_id", Value: id}}, "booking", (*bookingDoc).model)
}

// BookingByKey implements booking.Store.
func (db *DB) BookingByKey(ctx context.Context, scope, key string) (*booking.Booking, error) {
	return findOne(ctx, db.col(colBookings), bson.D{{Key: "idem_scope", Value: scope}, {Key: "idem_key", Value: key}}, "booking", (*bookingDoc).model)
}

// MoveBooking implements booking.Store. It claims what the new time adds
// before it changes anything, and frees what the old time alone held
// last: a refused move leaves the booking as it was, with or without a
// transaction around it.
func (db *DB) MoveBooking(ctx context.Context, b *booking.Booking, h booking.Hold, msgs []*notify.Message) error {
	return db.inTransaction(ctx, func(ctx context.Context) error {
		claims := db.col(colBookingClaims)
		cur, err := claims.Find(ctx, bson.D{{Key: "booking_id", Value: b.ID}})
		if err != nil {
			return err
		}
		var mine []claimDoc
		if err := cur.All(ctx, &mine); err != nil {
			return err
		}
		keep, add, seats := moveClaims(mine, h)
		undo := func() {
			_, _ = claims.DeleteMany(ctx, bson.D{{Key: "booking_id", Value: b.ID}, {Key: "_id", Value: bson.D{{Key: "$nin", Value: keysOf(mine)}}}})
		}
		if err := db.hold(ctx, b.ID, booking.Hold{Keys: add, Until: h.Until, Seats: seats}, b.UpdatedAt); err != nil {
			undo()
			return err
		}
		res, err := db.col(colBookings).UpdateOne(ctx, bson.D{{Key: "_id", Value: b.ID}, {Key: "status", Value: booking.StatusBooked}}, moveUpdate(b))
		if err != nil {
			undo()
			return err
		}
		if res.MatchedCount == 0 {
			undo()
			return core.Errorf(core.ECONFLICT, "this appointment is no longer booked")
		}
		if stale := staleClaims(mine, keep); len(stale) > 0 {
			if _, err := claims.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: stale}}}, {Key: "booking_id", Value: b.ID}}); err != nil {
				return err
			}
		}
		return db.enqueueIn(ctx, msgs)
	})
}

// moveClaims compares what a booking holds with what its move needs:
// the keys it keeps, the keys it must add, and the seat groups it does
// not hold yet (a seat already held in a group is kept).
func moveClaims(mine []claimDoc, h booking.Hold) (keep map[string]bool, add []string, seats []booking.Seats) {
	held := map[string]bool{}
	for _, c := range mine {
		held[c.Key] = true
	}
	keep = map[string]bool{}
	for _, k := range h.Keys {
		if held[k] {
			keep[k] = true
		} else {
			add = append(add, k)
		}
	}
	for _, g := range h.Seats {
		found := false
		for _, c := range mine {
			if strings.HasPrefix(c.Key, g.Group+"#") {
				keep[c.Key], found = true, true
			}
		}
		if !found {
			seats = append(seats, g)
		}
	}
	return keep, add, seats
}

// staleClaims returns the keys of mine that the move does not keep.
func staleClaims(mine []claimDoc, keep map[string]bool) []string {
	var stale []string
	for _, c := range mine {
		if !keep[c.Key] {
			stale = append(stale, c.Key)
		}
	}
	return stale
}

// moveUpdate sets a moved booking's new time, staff and reminder.
func moveUpdate(b *booking.Booking) bson.D {
	set := bson.D{{Key: "staff_id", Value: b.StaffID}, {Key: "day", Value: b.Day}, {Key: "start", Value: b.Start}, {Key: "end", Value: b.End},
		{Key: "hold_start", Value: b.HoldStart}, {Key: "hold_end", Value: b.HoldEnd}, {Key: "updated_at", Value: b.UpdatedAt}}
	if b.RemindAt == nil {
		return bson.D{{Key: "$unset", Value: bson.D{{Key: "remind_at", Value: ""}}}, {Key: "$set", Value: set}}
	}
	return bson.D{{Key: "$set", Value: append(set, bson.E{Key: "remind_at", Value: *b.RemindAt})}}
}

// CancelBooking implements booking.Store.
func (db *DB) CancelBooking(ctx context.Context, id string, at time.Time, msgs []*notify.Message, offer func(*booking.WaitEntry) []*notify.Message) (*booking.Booking, *booking.WaitEntry, error) {
	var got *booking.Booking
	var offered *booking.WaitEntry
	err := db.inTransaction(ctx, func(ctx context.Context) error {
		got, offered = nil, nil
		var d bookingDoc
		err := db.col(colBookings).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id},
			{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{booking.StatusBooked, booking.StatusHeld}}}}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: booking.StatusCancelled}, {Key: "updated_at", Value: at}}},
				{Key: "$unset", Value: bson.D{{Key: "remind_at", Value: ""}, {Key: "held_until", Value: ""}}}}, after()).Decode(&d)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return core.Errorf(core.ECONFLICT, "this appointment is no longer booked")
		}
		if err != nil {
			return err
		}
		got = d.model()
		if _, err := db.col(colBookingClaims).DeleteMany(ctx, bson.D{{Key: "booking_id", Value: id}}); err != nil {
			return err
		}
		if err := db.enqueueIn(ctx, msgs); err != nil {
			return err
		}
		if offer == nil {
			return nil
		}
		var wd waitDoc
		err = db.col(colWaitlist).FindOne(ctx, bson.D{{Key: "shop_id", Value: got.ShopID}, {Key: "service_id", Value: got.ServiceID},
			{Key: "day", Value: got.Day}, {Key: "offered_at", Value: nil}},
			options.FindOne().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}})).Decode(&wd)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil
		}
		if err != nil {
			return err
		}
		e := wd.model()
		om := offer(e)
		if len(om) == 0 {
			return nil
		}
		if _, err := db.col(colWaitlist).UpdateOne(ctx, bson.D{{Key: "_id", Value: e.ID}}, bson.D{{Key: "$set", Value: bson.D{
			{Key: "offered_at", Value: at}, {Key: "offer_start", Value: got.Start}, {Key: "offer_staff", Value: got.StaffID}}}}); err != nil {
			return err
		}
		e.OfferedAt, e.OfferStart, e.OfferStaff = &at, &got.Start, got.StaffID
		offered = e
		return db.enqueueIn(ctx, om)
	})
	return got, offered, err
}

// ConfirmBooking implements booking.Store.
func (db *DB) ConfirmBooking(ctx context.Context, b *booking.Booking, h booking.Hold, now time.Time, msgs []*notify.Message) (*booking.Booking, error) {
	var got *booking.Booking
	err := db.inTransaction(ctx, func(ctx context.Context) error {
		set := bson.D{{Key: "status", Value: booking.StatusBooked}, {Key: "updated_at", Value: now}}
		unset := bson.D{{Key: "held_until", Value: ""}}
		if b.RemindAt != nil {
			set = append(set, bson.E{Key: "remind_at", Value: *b.RemindAt})
		}
		var d bookingDoc
		err := db.col(colBookings).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: b.ID}, {Key: "status", Value: booking.StatusHeld},
			{Key: "held_until", Value: bson.D{{Key: "$gt", Value: now}}}},
			bson.D{{Key: "$set", Value: set}, {Key: "$unset", Value: unset}}, after()).Decode(&d)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return core.Errorf(core.ECONFLICT, "this slot is no longer held for you: book again")
		}
		if err != nil {
			return err
		}
		got = d.model()
		keys := make(bson.A, len(h.Keys))
		for i, k := range h.Keys {
			keys[i] = k
		}
		claims := db.col(colBookingClaims)
		if _, err := claims.UpdateMany(ctx, bson.D{{Key: "booking_id", Value: b.ID}, {Key: "_id", Value: bson.D{{Key: "$in", Value: keys}}}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "until", Value: h.Until}}}}); err != nil {
			return err
		}
		for _, g := range h.Seats {
			if _, err := claims.UpdateMany(ctx, bson.D{{Key: "booking_id", Value: b.ID},
				{Key: "_id", Value: bson.D{{Key: "$gte", Value: g.Group + "#"}, {Key: "$lt", Value: g.Group + "$"}}}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "until", Value: g.Until}}}}); err != nil {
				return err
			}
		}
		return db.enqueueIn(ctx, msgs)
	})
	return got, err
}

// MarkBooking implements booking.Store.
func (db *DB) MarkBooking(ctx context.Context, id, status, visitID string, at time.Time) (*booking.Booking, error) {
	var got *booking.Booking
	err := db.inTransaction(ctx, func(ctx context.Context) error {
		var d bookingDoc
		err := db.col(colBookings).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}, {Key: "status", Value: booking.StatusBooked}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: status}, {Key: "visit_id", Value: visitID}, {Key: "updated_at", Value: at}}},
				{Key: "$unset", Value: bson.D{{Key: "remind_at", Value: ""}}}}, after()).Decode(&d)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return core.Errorf(core.ECONFLICT, "this appointment is no longer booked")
		}
		if err != nil {
			return err
		}
		got = d.model()
		p := "u:" + got.Person()
		_, err = db.col(colBookingClaims).DeleteMany(ctx, bson.D{{Key: "booking_id", Value: id},
			{Key: "_id", Value: bson.D{{Key: "$gte", Value: p + "#"}, {Key: "$lt", Value: p + "$"}}}})
		return err
	})
	return got, err
}

// ShopBookings implements booking.Store.
func (db *DB) ShopBookings(ctx context.Context, shopID string, from, to time.Time) ([]*booking.Booking, error) {
	cur, err := db.col(colBookings).Find(ctx, bson.D{{Key: "shop_id", Value: shopID},
		{Key: "hold_start", Value: bson.D{{Key: "$gte", Value: from.Add(-24 * time.Hour)}, {Key: "$lt", Value: to}}},
		{Key: "hold_end", Value: bson.D{{Key: "$gt", Value: from}}}},
		options.Find().SetSort(bson.D{{Key: "start", Value: 1}, {Key: "_id", Value: 1}}))
	return all(ctx, cur, err, (*bookingDoc).model)
}

// ShopHolds implements booking.Store, reading only the fields free
// slots need.
func (db *DB) ShopHolds(ctx context.Context, shopID string, from, to time.Time) ([]*booking.Booking, error) {
	cur, err := db.col(colBookings).Find(ctx, bson.D{{Key: "shop_id", Value: shopID},
		{Key: "hold_start", Value: bson.D{{Key: "$gte", Value: from.Add(-24 * time.Hour)}, {Key: "$lt", Value: to}}},
		{Key: "hold_end", Value: bson.D{{Key: "$gt", Value: from}}},
		{Key: "status", Value: bson.D{{Key: "$ne", Value: booking.StatusCancelled}}}},
		options.Find().SetProjection(bson.D{{Key: "staff_id", Value: 1}, {Key: "service_id", Value: 1}, {Key: "day", Value: 1},
			{Key: "hold_start", Value: 1}, {Key: "hold_end", Value: 1}, {Key: "status", Value: 1}, {Key: "held_until", Value: 1}}))
	return all(ctx, cur, err, (*bookingDoc).model)
}

// StaffBookings implements booking.Store.
func (db *DB) StaffBookings(ctx context.Context, staffID string, from, to time.Time) ([]*booking.Booking, error) {
	cur, err := db.col(colBookings).Find(ctx, bson.D{{Key: "staff_id", Value: staffID},
		{Key: "start", Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lt", Value: to}}},
		{Key: "status", Value: bson.D{{Key: "$ne", Value: booking.StatusCancelled}}}},
		options.Find().SetSort(bson.D{{Key: "start", Value: 1}, {Key: "_id", Value: 1}}))
	return all(ctx, cur, err, (*bookingDoc).model)
}

// CustomerBookings implements booking.Store.
func (db *DB) CustomerBookings(ctx context.Context, customerID string, p core.Page) ([]*booking.Booking, error) {
	return findPage(ctx, db.col(colBookings), bson.D{{Key: "customer_id", Value: customerID}}, "start", p, (*bookingDoc).model)
}

// CountNoShows implements booking.Store.
func (db *DB) CountNoShows(ctx context.Context, customerID string) (int, error) {
	n, err := db.col(colBookings).CountDocuments(ctx, bson.D{{Key: "customer_id", Value: customerID}, {Key: "status", Value: booking.StatusNoShow}})
	return int(n), mapErr(err)
}

// DeleteCustomerBookings implements booking.Store.
func (db *DB) DeleteCustomerBookings(ctx context.Context, customerID string) error {
	cur, err := db.col(colBookings).Find(ctx, bson.D{{Key: "customer_id", Value: customerID}}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return mapErr(err)
	}
	var ids []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &ids); err != nil {
		return mapErr(err)
	}
	list := make([]string, 0, len(ids))
	for _, d := range ids {
		list = append(list, d.ID)
	}
	if _, err := db.col(colBookingClaims).DeleteMany(ctx, bson.D{{Key: "booking_id", Value: bson.D{{Key: "$in", Value: list}}}}); err != nil {
		return mapErr(err)
	}
	if _, err := db.col(colBookings).DeleteMany(ctx, bson.D{{Key: "customer_id", Value: customerID}}); err != nil {
		return mapErr(err)
	}
	_, err = db.col(colWaitlist).DeleteMany(ctx, bson.D{{Key: "customer_id", Value: customerID}})
	return mapErr(err)
}
