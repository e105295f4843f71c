package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/core"
)

type linkDoc struct {
	ID        string            `bson:"_id"`
	Kind      string            `bson:"kind"`
	Subject   string            `bson:"subject"`
	Data      map[string]string `bson:"data,omitempty"`
	CreatedAt time.Time         `bson:"created_at"`
	ExpiresAt time.Time         `bson:"expires_at"`
	UsedAt    *time.Time        `bson:"used_at"`
}

func (d *linkDoc) model() *auth.Link {
	return &auth.Link{ID: d.ID, Kind: d.Kind, Subject: d.Subject, Data: d.Data, CreatedAt: utc(d.CreatedAt), ExpiresAt: utc(d.ExpiresAt),
		UsedAt: utcp(d.UsedAt)}
}

// CreateLink implements auth.LinkStore.
func (db *DB) CreateLink(ctx context.Context, l *auth.Link) error {
	_, err := db.col(colLinks).InsertOne(ctx, linkDoc{ID: l.ID, Kind: l.Kind, Subject: l.Subject, Data: l.Data, CreatedAt: l.CreatedAt,
		ExpiresAt: l.ExpiresAt})
	return mapErr(err)
}

// UseLink implements auth.LinkStore: one conditional findOneAndUpdate
// decides who wins a race.
func (db *DB) UseLink(ctx context.Context, id, kind string, now time.Time) (*auth.Link, error) {
	var d linkDoc
	err := db.col(colLinks).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "kind", Value: kind}, {Key: "used_at", Value: nil}, {Key: "expires_at", Value: bson.D{{Key: "$gt", Value: now}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "used_at", Value: now}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
	if err == nil {
		return d.model(), nil
	}
	if _, ferr := findOne(ctx, db.col(colLinks), bson.D{{Key: "_id", Value: id}, {Key: "kind", Value: kind}}, "link", (*linkDoc).model); ferr != nil {
		return nil, ferr
	}
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, core.Errorf(core.EGONE, "link used or expired")
	}
	return nil, mapErr(err)
}

// VoidLinks implements auth.LinkStore.
func (db *DB) VoidLinks(ctx context.Context, kind, subject string, now time.Time) (int, error) {
	res, err := db.col(colLinks).UpdateMany(ctx,
		bson.D{{Key: "subject", Value: subject}, {Key: "kind", Value: kind}, {Key: "used_at", Value: nil}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "used_at", Value: now}}}})
	if err != nil {
		return 0, mapErr(err)
	}
	return int(res.ModifiedCount), nil
}

// PurgeLinks implements auth.LinkStore.
func (db *DB) PurgeLinks(ctx context.Context, before time.Time) (int, error) {
	res, err := db.col(colLinks).DeleteMany(ctx, bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lt", Value: before}}}})
	if err != nil {
		return 0, mapErr(err)
	}
	return int(res.DeletedCount), nil
}
