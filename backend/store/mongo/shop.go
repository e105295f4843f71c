package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/shop"
)

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

// CreateStaff implements shop.Store.
func (db *DB) CreateStaff(ctx context.Context, m *shop.Staff) error {
	_, err := db.col(colStaff).InsertOne(ctx, staffDoc{ID: m.ID, Email: m.Email, Name: m.Name, PasswordHash: m.PasswordHash,
		Role: string(m.Role), ShopID: m.ShopID, Active: m.Active, CreatedAt: m.CreatedAt})
	return mapErr(err)
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

func (db *DB) findStaff(ctx context.Context, filter bson.D) (*shop.Staff, error) {
	return findOne(ctx, db.col(colStaff), filter, "staff member", (*staffDoc).model)
}
