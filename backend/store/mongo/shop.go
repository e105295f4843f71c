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
	_, err := db.col(colShops).InsertOne(ctx, newShopDoc(s))
	return mapErr(err)
}

// UpdateShop implements shop.Store.
func (db *DB) UpdateShop(ctx context.Context, s *shop.Shop) error {
	res, err := db.col(colShops).ReplaceOne(ctx, bson.D{{Key: "_id", Value: s.ID}}, newShopDoc(s))
	if err != nil {
		return mapErr(err)
	}
	if res.MatchedCount == 0 {
		return core.Errorf(core.ENOTFOUND, "shop not found")
	}
	return nil
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
	_, err := db.col(colStaff).InsertOne(ctx, newStaffDoc(m))
	return mapErr(err)
}

// UpdateStaff implements shop.Store.
func (db *DB) UpdateStaff(ctx context.Context, m *shop.Staff) error {
	res, err := db.col(colStaff).ReplaceOne(ctx, bson.D{{Key: "_id", Value: m.ID}}, newStaffDoc(m))
	if err != nil {
		return mapErr(err)
	}
	if res.MatchedCount == 0 {
		return core.Errorf(core.ENOTFOUND, "staff member not found")
	}
	return nil
}

// AllStaff implements shop.Store.
func (db *DB) AllStaff(ctx context.Context) ([]*shop.Staff, error) {
	cur, err := db.col(colStaff).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}))
	return all(ctx, cur, err, (*staffDoc).model)
}

// ChainSettings implements shop.Store.
func (db *DB) ChainSettings(ctx context.Context) (*shop.Chain, error) {
	return findOne(ctx, db.col(colChainSettings), bson.D{{Key: "_id", Value: "chain"}}, "chain settings", (*chainDoc).model)
}

// SaveChainSettings implements shop.Store.
func (db *DB) SaveChainSettings(ctx context.Context, c *shop.Chain) error {
	_, err := db.col(colChainSettings).ReplaceOne(ctx, bson.D{{Key: "_id", Value: "chain"}},
		chainDoc{ID: "chain", Name: c.Name, IOSURL: c.IOSURL, AndroidURL: c.AndroidURL, DefaultLocale: c.DefaultLocale,
			AppleAppIDs: nonNil(c.AppleAppIDs), AndroidApps: nonNil(c.AndroidApps), LogoURL: c.LogoURL, Colour: c.Colour, Accent: c.Accent,
			UpdatedAt: c.UpdatedAt},
		options.Replace().SetUpsert(true))
	return mapErr(err)
}

type chainDoc struct {
	ID            string    `bson:"_id"`
	Name          string    `bson:"name"`
	IOSURL        string    `bson:"ios_url"`
	AndroidURL    string    `bson:"android_url"`
	DefaultLocale string    `bson:"default_locale"`
	AppleAppIDs   []string  `bson:"apple_app_ids"`
	AndroidApps   []string  `bson:"android_apps"`
	LogoURL       string    `bson:"logo_url"`
	Colour        string    `bson:"colour"`
	Accent        string    `bson:"accent"`
	UpdatedAt     time.Time `bson:"updated_at"`
}

func (d *chainDoc) model() *shop.Chain {
	return &shop.Chain{Name: d.Name, IOSURL: d.IOSURL, AndroidURL: d.AndroidURL, DefaultLocale: d.DefaultLocale,
		AppleAppIDs: d.AppleAppIDs, AndroidApps: d.AndroidApps, LogoURL: d.LogoURL, Colour: d.Colour, Accent: d.Accent, UpdatedAt: utc(d.UpdatedAt)}
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
	ID        string     `bson:"_id"`
	Slug      string     `bson:"slug"`
	Name      string     `bson:"name"`
	City      string     `bson:"city"`
	Address   string     `bson:"address"`
	Phone     string     `bson:"phone"`
	TimeZone  string     `bson:"time_zone"`
	Hours     shop.Hours `bson:"hours"`
	CreatedAt time.Time  `bson:"created_at"`
}

func newShopDoc(s *shop.Shop) shopDoc {
	return shopDoc{ID: s.ID, Slug: s.SlugOrID(), Name: s.Name, City: s.City, Address: s.Address, Phone: s.Phone, TimeZone: s.TimeZone,
		Hours: s.Hours, CreatedAt: s.CreatedAt}
}

func (d *shopDoc) model() *shop.Shop {
	s := &shop.Shop{ID: d.ID, Slug: d.Slug, Name: d.Name, City: d.City, Address: d.Address, Phone: d.Phone, TimeZone: d.TimeZone,
		Hours: d.Hours, CreatedAt: utc(d.CreatedAt)}
	s.Slug = s.SlugOrID() // written before shops had slugs
	return s
}

type staffDoc struct {
	ID           string    `bson:"_id"`
	Email        string    `bson:"email"`
	Name         string    `bson:"name"`
	PasswordHash string    `bson:"password_hash"`
	Role         string    `bson:"role"`
	ShopID       string    `bson:"shop_id,omitempty"`
	Active       bool      `bson:"active"`
	MustChange   bool      `bson:"must_change_password"`
	CreatedAt    time.Time `bson:"created_at"`
}

func newStaffDoc(m *shop.Staff) staffDoc {
	return staffDoc{ID: m.ID, Email: m.Email, Name: m.Name, PasswordHash: m.PasswordHash, Role: string(m.Role), ShopID: m.ShopID,
		Active: m.Active, MustChange: m.MustChangePassword, CreatedAt: m.CreatedAt}
}

func (d *staffDoc) model() *shop.Staff {
	return &shop.Staff{ID: d.ID, Email: d.Email, Name: d.Name, PasswordHash: d.PasswordHash, Role: core.Role(d.Role),
		ShopID: d.ShopID, Active: d.Active, MustChangePassword: d.MustChange, CreatedAt: utc(d.CreatedAt)}
}

func (db *DB) findStaff(ctx context.Context, filter bson.D) (*shop.Staff, error) {
	return findOne(ctx, db.col(colStaff), filter, "staff member", (*staffDoc).model)
}
