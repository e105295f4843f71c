package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vista-optical/vista/backend/audit"
)

// AppendAudit implements audit.Store.
func (db *DB) AppendAudit(ctx context.Context, e *audit.Entry) error {
	_, err := db.col(colAudit).InsertOne(ctx, auditDoc{ID: e.ID, At: e.At, ActorKind: e.ActorKind, ActorID: e.ActorID, ActorRole: e.ActorRole,
		Action: e.Action, CustomerID: e.CustomerID, ShopID: e.ShopID, Detail: e.Detail})
	return mapErr(err)
}

// AuditEntries implements audit.Store.
func (db *DB) AuditEntries(ctx context.Context, f audit.Filter) ([]*audit.Entry, error) {
	filter := bson.D{}
	if f.CustomerID != "" {
		filter = append(filter, bson.E{Key: "customer_id", Value: f.CustomerID})
	}
	if f.ActorID != "" {
		filter = append(filter, bson.E{Key: "actor_id", Value: f.ActorID})
	}
	at := bson.D{}
	if !f.From.IsZero() {
		at = append(at, bson.E{Key: "$gte", Value: f.From})
	}
	if !f.To.IsZero() {
		at = append(at, bson.E{Key: "$lt", Value: f.To})
	}
	if len(at) > 0 {
		filter = append(filter, bson.E{Key: "at", Value: at})
	}
	if !f.After.IsZero() {
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "at", Value: bson.D{{Key: "$gt", Value: f.After.At}}}},
			bson.D{{Key: "at", Value: f.After.At}, {Key: "_id", Value: bson.D{{Key: "$gt", Value: f.After.ID}}}},
		}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}})
	if f.Limit > 0 {
		opts.SetLimit(int64(f.Limit))
	}
	cur, err := db.col(colAudit).Find(ctx, filter, opts)
	return all(ctx, cur, err, (*auditDoc).model)
}

type auditDoc struct {
	ID         string    `bson:"_id"`
	At         time.Time `bson:"at"`
	ActorKind  string    `bson:"actor_kind"`
	ActorID    string    `bson:"actor_id"`
	ActorRole  string    `bson:"actor_role"`
	Action     string    `bson:"action"`
	CustomerID string    `bson:"customer_id"`
	ShopID     string    `bson:"shop_id"`
	Detail     string    `bson:"detail"`
}

func (d *auditDoc) model() *audit.Entry {
	return &audit.Entry{ID: d.ID, At: utc(d.At), ActorKind: d.ActorKind, ActorID: d.ActorID, ActorRole: d.ActorRole,
		Action: d.Action, CustomerID: d.CustomerID, ShopID: d.ShopID, Detail: d.Detail}
}
