package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/vista-optical/vista/backend/shop"
)

type staffSessionDoc struct {
	ID         string     `bson:"_id"`
	StaffID    string     `bson:"staff_id"`
	CreatedAt  time.Time  `bson:"created_at"`
	LastSeenAt time.Time  `bson:"last_seen_at"`
	RevokedAt  *time.Time `bson:"revoked_at,omitempty"`
}

func (d *staffSessionDoc) model() *shop.Session {
	return &shop.Session{ID: d.ID, StaffID: d.StaffID, CreatedAt: utc(d.CreatedAt), LastSeenAt: utc(d.LastSeenAt), RevokedAt: utcp(d.RevokedAt)}
}

// CreateStaffSession implements shop.SessionStore.
func (db *DB) CreateStaffSession(ctx context.Context, s *shop.Session) error {
	_, err := db.col(colStaffSessions).InsertOne(ctx, staffSessionDoc{ID: s.ID, StaffID: s.StaffID, CreatedAt: s.CreatedAt,
		LastSeenAt: s.LastSeenAt, RevokedAt: s.RevokedAt})
	return mapErr(err)
}

// StaffSession implements shop.SessionStore.
func (db *DB) StaffSession(ctx context.Context, id string) (*shop.Session, error) {
	return findOne(ctx, db.col(colStaffSessions), bson.D{{Key: "_id", Value: id}}, "staff session", (*staffSessionDoc).model)
}

// TouchStaffSession implements shop.SessionStore: $max never moves it back.
func (db *DB) TouchStaffSession(ctx context.Context, id string, at time.Time) error {
	res, err := db.col(colStaffSessions).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$max", Value: bson.D{{Key: "last_seen_at", Value: at}}}})
	if err != nil {
		return mapErr(err)
	}
	if res.MatchedCount == 0 {
		return notFound("staff session")
	}
	return nil
}

// RevokeStaffSession implements shop.SessionStore: the first revocation's
// time is kept by matching only a session not yet revoked.
func (db *DB) RevokeStaffSession(ctx context.Context, id string, at time.Time) error {
	res, err := db.col(colStaffSessions).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "revoked_at", Value: nil}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "revoked_at", Value: at}}}})
	if err != nil {
		return mapErr(err)
	}
	if res.MatchedCount == 0 {
		if _, err := db.StaffSession(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// PurgeStaffSessions implements shop.SessionStore.
func (db *DB) PurgeStaffSessions(ctx context.Context, before time.Time) (int, error) {
	res, err := db.col(colStaffSessions).DeleteMany(ctx, bson.D{{Key: "created_at", Value: bson.D{{Key: "$lt", Value: before}}}})
	if err != nil {
		return 0, mapErr(err)
	}
	return int(res.DeletedCount), nil
}

// RevokeStaffSessionsOf implements shop.SessionStore.
func (db *DB) RevokeStaffSessionsOf(ctx context.Context, staffID string, at time.Time) error {
	_, err := db.col(colStaffSessions).UpdateMany(ctx, bson.D{{Key: "staff_id", Value: staffID}, {Key: "revoked_at", Value: nil}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "revoked_at", Value: at}}}})
	return mapErr(err)
}
