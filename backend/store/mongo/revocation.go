package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vista-optical/vista/backend/auth"
)

type revocationDoc struct {
	Subject    string    `bson:"_id"`
	ValidAfter time.Time `bson:"valid_after"`
	Closed     bool      `bson:"closed"`
	RecordedAt time.Time `bson:"recorded_at"`
}

// SaveRevocation implements auth.RevocationStore with one upsert: $max
// keeps the latest instant and a closed account closed.
func (db *DB) SaveRevocation(ctx context.Context, r *auth.Revocation) error {
	update := bson.D{
		{Key: "$max", Value: bson.D{{Key: "valid_after", Value: r.ValidAfter}, {Key: "closed", Value: r.Closed}}},
		{Key: "$set", Value: bson.D{{Key: "recorded_at", Value: r.RecordedAt}}},
	}
	_, err := db.col(colRevocations).UpdateOne(ctx, bson.D{{Key: "_id", Value: r.Subject}}, update, options.UpdateOne().SetUpsert(true))
	if mongoDuplicate(err) { // a concurrent first revocation inserted it
		_, err = db.col(colRevocations).UpdateOne(ctx, bson.D{{Key: "_id", Value: r.Subject}}, update)
	}
	return mapErr(err)
}

// RevocationsSince implements auth.RevocationStore.
func (db *DB) RevocationsSince(ctx context.Context, t time.Time) ([]*auth.Revocation, error) {
	cur, err := db.col(colRevocations).Find(ctx, bson.D{{Key: "recorded_at", Value: bson.D{{Key: "$gte", Value: t}}}},
		options.Find().SetSort(bson.D{{Key: "recorded_at", Value: 1}}))
	if err != nil {
		return nil, mapErr(err)
	}
	var docs []revocationDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr(err)
	}
	out := make([]*auth.Revocation, 0, len(docs))
	for _, d := range docs {
		out = append(out, &auth.Revocation{Subject: d.Subject, ValidAfter: utc(d.ValidAfter), Closed: d.Closed, RecordedAt: utc(d.RecordedAt)})
	}
	return out, nil
}

// PurgeRevocations implements auth.RevocationStore.
func (db *DB) PurgeRevocations(ctx context.Context, before time.Time) (int, error) {
	res, err := db.col(colRevocations).DeleteMany(ctx, bson.D{
		{Key: "recorded_at", Value: bson.D{{Key: "$lt", Value: before}}}, {Key: "closed", Value: false}})
	if err != nil {
		return 0, mapErr(err)
	}
	return int(res.DeletedCount), nil
}
