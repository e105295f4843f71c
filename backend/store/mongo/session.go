package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vista-optical/vista/backend/audit"
	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/shop"
)

type familyDoc struct {
	ID         string     `bson:"_id"`
	CustomerID string     `bson:"customer_id"`
	CreatedAt  time.Time  `bson:"created_at"`
	RevokedAt  *time.Time `bson:"revoked_at,omitempty"`
}

func (d *familyDoc) model() *auth.RefreshFamily {
	return &auth.RefreshFamily{ID: d.ID, CustomerID: d.CustomerID, CreatedAt: utc(d.CreatedAt), RevokedAt: utcp(d.RevokedAt)}
}

// CreateRefreshFamily implements auth.RefreshStore.
func (db *DB) CreateRefreshFamily(ctx context.Context, f *auth.RefreshFamily) error {
	_, err := db.col(colRefreshFamilies).InsertOne(ctx, familyDoc{ID: f.ID, CustomerID: f.CustomerID, CreatedAt: f.CreatedAt, RevokedAt: f.RevokedAt})
	return mapErr(err)
}

// RefreshFamily implements auth.RefreshStore.
func (db *DB) RefreshFamily(ctx context.Context, id string) (*auth.RefreshFamily, error) {
	return findOne(ctx, db.col(colRefreshFamilies), bson.D{{Key: "_id", Value: id}}, "refresh family", (*familyDoc).model)
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
	res, err := db.col(colRefreshFamilies).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, mongo.Pipeline{
		{{Key: "$set", Value: bson.D{{Key: "revoked_at", Value: bson.D{{Key: "$ifNull", Value: bson.A{"$revoked_at", now}}}}}}},
	})
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

type shopDoc struct {
	ID        string    `bson:"_id"`
	Name      string    `bson:"name"`
	City      string    `bson:"city"`
	Address   string    `bson:"address"`
	TimeZone  string    `bson:"time_zone"`
	CreatedAt time.Time `bson:"created_at"`
}

func (d *shopDoc) model() *shop.Shop {
	return &shop.Shop{ID: d.ID, Name: d.Name, City: d.City, Address: d.Address, TimeZone: d.TimeZone, CreatedAt: utc(d.CreatedAt)}
}

// CreateShop implements shop.Store.
func (db *DB) CreateShop(ctx context.Context, s *shop.Shop) error {
	_, err := db.col(colShops).InsertOne(ctx, shopDoc{ID: s.ID, Name: s.Name, City: s.City, Address: s.Address, TimeZone: s.TimeZone, CreatedAt: s.CreatedAt})
	return mapErr(err)
}

// Shop implements shop.Store.
func (db *DB) Shop(ctx context.Context, id string) (*shop.Shop, error) {
	return findOne(ctx, db.col(colShops), bson.D{{Key: "_id", Value: id}}, "shop", (*shopDoc).model)
}

// Shops implements shop.Store.
func (db *DB) Shops(ctx context.Context) ([]*shop.Shop, error) {
	cur, err := db.col(colShops).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}))
	return all(ctx, cur, err, (*shopDoc).model)
}

type staffDoc struct {
	ID           string    `bson:"_id"`
	Email        string    `bson:"email"`
	Name         string    `bson:"name"`
	PasswordHash string    `bson:"password_hash"`
	Role         string    `bson:"role"`
	ShopID       string    `bson:"shop_id,omitempty"`
	Active       bool      `bson:"active"`
	CreatedAt    time.Time `bson:"created_at"`
}

func (d *staffDoc) model() *shop.Staff {
	return &shop.Staff{ID: d.ID, Email: d.Email, Name: d.Name, PasswordHash: d.PasswordHash, Role: core.Role(d.Role),
		ShopID: d.ShopID, Active: d.Active, CreatedAt: utc(d.CreatedAt)}
}

// CreateStaff implements shop.Store.
func (db *DB) CreateStaff(ctx context.Context, m *shop.Staff) error {
	_, err := db.col(colStaff).InsertOne(ctx, staffDoc{ID: m.ID, Email: m.Email, Name: m.Name, PasswordHash: m.PasswordHash,
		Role: string(m.Role), ShopID: m.ShopID, Active: m.Active, CreatedAt: m.CreatedAt})
	return mapErr(err)
}

func (db *DB) findStaff(ctx context.Context, filter bson.D) (*shop.Staff, error) {
	return findOne(ctx, db.col(colStaff), filter, "staff member", (*staffDoc).model)
}

// StaffMember implements shop.Store.
func (db *DB) StaffMember(ctx context.Context, id string) (*shop.Staff, error) {
	return db.findStaff(ctx, bson.D{{Key: "_id", Value: id}})
}

// StaffByEmail implements shop.Store.
func (db *DB) StaffByEmail(ctx context.Context, email string) (*shop.Staff, error) {
	return db.findStaff(ctx, bson.D{{Key: "email", Value: email}})
}

// StaffOfShop implements shop.Store.
func (db *DB) StaffOfShop(ctx context.Context, shopID string) ([]*shop.Staff, error) {
	cur, err := db.col(colStaff).Find(ctx, bson.D{{Key: "shop_id", Value: shopID}},
		options.Find().SetSort(bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}))
	return all(ctx, cur, err, (*staffDoc).model)
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
