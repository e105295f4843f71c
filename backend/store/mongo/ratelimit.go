package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// HitRate implements ratelimit.Store with an upserting $inc: atomic on one
// document, shared by every instance.
func (db *DB) HitRate(ctx context.Context, key string, expires time.Time) (int64, error) {
	update := bson.D{
		{Key: "$inc", Value: bson.D{{Key: "count", Value: int64(1)}}},
		{Key: "$setOnInsert", Value: bson.D{{Key: "expires_at", Value: expires}}},
	}
	var d struct {
		Count int64 `bson:"count"`
	}
	err := db.col(colRateHits).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: key}}, update, afterUpsert()).Decode(&d)
	if mongoDuplicate(err) { // a concurrent first hit inserted the window
		err = db.col(colRateHits).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: key}}, update, afterUpsert()).Decode(&d)
	}
	return d.Count, mapErr(err)
}

// UnhitRate implements ratelimit.Store with a conditional $inc.
func (db *DB) UnhitRate(ctx context.Context, key string) error {
	_, err := db.col(colRateHits).UpdateOne(ctx, bson.D{{Key: "_id", Value: key}, {Key: "count", Value: bson.D{{Key: "$gt", Value: 0}}}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "count", Value: int64(-1)}}}})
	return mapErr(err)
}

// RateCounts implements ratelimit.Store.
func (db *DB) RateCounts(ctx context.Context, keys []string) ([]int64, error) {
	out := make([]int64, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	cur, err := db.col(colRateHits).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: keys}}}})
	if err != nil {
		return nil, mapErr(err)
	}
	var docs []struct {
		Key   string `bson:"_id"`
		Count int64  `bson:"count"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr(err)
	}
	at := make(map[string]int, len(keys))
	for i, k := range keys {
		at[k] = i
	}
	for _, d := range docs {
		out[at[d.Key]] = d.Count
	}
	return out, nil
}

// PurgeRates implements ratelimit.Store.
func (db *DB) PurgeRates(ctx context.Context, before time.Time) (int, error) {
	res, err := db.col(colRateHits).DeleteMany(ctx, bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lt", Value: before}}}})
	if err != nil {
		return 0, mapErr(err)
	}
	return int(res.DeletedCount), nil
}
