package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vista-optical/vista/backend/auth"
)

// CreateRefreshFamily implements auth.RefreshStore.
func (db *DB) CreateRefreshFamily(ctx context.Context, f *auth.RefreshFamily) error {
	_, err := db.col(colRefreshFamilies).InsertOne(ctx, familyDoc{ID: f.ID, CustomerID: f.CustomerID, CreatedAt: f.CreatedAt, RevokedAt: f.RevokedAt})
	return mapErr(err)
}

// RefreshFamily implements auth.RefreshStore.
func (db *DB) RefreshFamily(ctx context.Context, id string) (*auth.RefreshFamily, error) {
	return findOne(ctx, db.col(colRefreshFamilies), bson.D{{Key: "_id", Value: id}}, "refresh family", (*familyDoc).model)
}

// CreateRefreshToken implements auth.RefreshStore.
func (db *DB) CreateRefreshToken(ctx context.Context, t *auth.RefreshToken) error {
	_, err := db.col(colRefreshTokens).InsertOne(ctx, refreshDoc{Hash: t.Hash, FamilyID: t.FamilyID, ParentHash: t.ParentHash,
		CustomerID: t.CustomerID, IssuedAt: t.IssuedAt, ExpiresAt: t.ExpiresAt, UsedAt: t.UsedAt})
	return mapErr(err)
}

// ClaimRefreshToken implements auth.RefreshStore with one conditional
// findOneAndUpdate: only the caller that finds used_at missing sets it.
func (db *DB) ClaimRefreshToken(ctx context.Context, hash string, now time.Time) (*auth.RefreshToken, bool, error) {
	var d refreshDoc
	err := db.col(colRefreshTokens).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: hash}, {Key: "used_at", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "used_at", Value: now}}}}, after()).Decode(&d)
	if err == nil {
		return d.model(), true, nil
	} else if !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, false, mapErr(err)
	}
	err = db.col(colRefreshTokens).FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, false, notFound("refresh token")
	} else if err != nil {
		return nil, false, mapErr(err)
	}
	return d.model(), false, nil
}

// RevokeRefreshFamily implements auth.RefreshStore.
func (db *DB) RevokeRefreshFamily(ctx context.Context, id string, now time.Time) error {
	// $min keeps the first revocation (absent until then); an operator,
	// not an update pipeline, so that compatible services revoke too.
	res, err := db.col(colRefreshFamilies).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$min", Value: bson.D{{Key: "revoked_at", Value: now}}}})
	if err != nil {
		return mapErr(err)
	}
	if res.MatchedCount == 0 {
		return notFound("refresh family")
	}
	return nil
}

// DeleteCustomerSessions implements auth.RefreshStore. Tokens go first, so
// an interrupted run leaves no token without its family.
func (db *DB) DeleteCustomerSessions(ctx context.Context, customerID string) error {
	if _, err := db.col(colRefreshTokens).DeleteMany(ctx, bson.D{{Key: "customer_id", Value: customerID}}); err != nil {
		return mapErr(err)
	}
	_, err := db.col(colRefreshFamilies).DeleteMany(ctx, bson.D{{Key: "customer_id", Value: customerID}})
	return mapErr(err)
}

// CustomerSessions implements auth.RefreshStore.
func (db *DB) CustomerSessions(ctx context.Context, customerID string) ([]*auth.RefreshFamily, error) {
	cur, err := db.col(colRefreshFamilies).Find(ctx, bson.D{{Key: "customer_id", Value: customerID}},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}))
	return all(ctx, cur, err, (*familyDoc).model)
}

// PurgeRefreshTokens implements auth.RefreshStore.
func (db *DB) PurgeRefreshTokens(ctx context.Context, before time.Time) (int, error) {
	res, err := db.col(colRefreshTokens).DeleteMany(ctx, bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lt", Value: before}}}})
	if err != nil {
		return 0, mapErr(err)
	}
	return int(res.DeletedCount), nil
}

type familyDoc struct {
	ID         string     `bson:"_id"`
	CustomerID string     `bson:"customer_id"`
	CreatedAt  time.Time  `bson:"created_at"`
	RevokedAt  *time.Time `bson:"revoked_at,omitempty"`
}

func (d *familyDoc) model() *auth.RefreshFamily {
	return &auth.RefreshFamily{ID: d.ID, CustomerID: d.CustomerID, CreatedAt: utc(d.CreatedAt), RevokedAt: utcp(d.RevokedAt)}
}

type refreshDoc struct {
	Hash       string     `bson:"_id"`
	FamilyID   string     `bson:"family_id"`
	ParentHash string     `bson:"parent_hash"`
	CustomerID string     `bson:"customer_id"`
	IssuedAt   time.Time  `bson:"issued_at"`
	ExpiresAt  time.Time  `bson:"expires_at"`
	UsedAt     *time.Time `bson:"used_at,omitempty"`
}

func (d *refreshDoc) model() *auth.RefreshToken {
	return &auth.RefreshToken{Hash: d.Hash, FamilyID: d.FamilyID, ParentHash: d.ParentHash, CustomerID: d.CustomerID,
		IssuedAt: utc(d.IssuedAt), ExpiresAt: utc(d.ExpiresAt), UsedAt: utcp(d.UsedAt)}
}
