package mongo

import (
	"context"
	"time"

	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/shop"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

type serviceDoc struct {
	ID              string            `bson:"_id"`
	ShopID          string            `bson:"shop_id"`
	Code            string            `bson:"code"`
	Name            string            `bson:"name"`
	NameEN          string            `bson:"name_en"`
	DurationMin     int               `bson:"duration_min"`
	BufferBeforeMin int               `bson:"buffer_before_min"`
	BufferAfterMin  int               `bson:"buffer_after_min"`
	Variants        []booking.Variant `bson:"variants,omitempty"`
	MinNoticeMin    int               `bson:"min_notice_min"`
	MaxAheadDays    int               `bson:"max_ahead_days"`
	CancelNoticeMin int               `bson:"cancel_notice_min"`
	DailyCap        int               `bson:"daily_cap"`
	Skills          []string          `bson:"skills"`
	Active          bool              `bson:"active"`
	CreatedAt       time.Time         `bson:"created_at"`
	UpdatedAt       time.Time         `bson:"updated_at"`
}

func toServiceDoc(s *booking.Offering) serviceDoc {
	return serviceDoc{ID: s.ID, ShopID: s.ShopID, Code: s.Code, Name: s.Name, NameEN: s.NameEN, DurationMin: s.DurationMin,
		BufferBeforeMin: s.BufferBeforeMin, BufferAfterMin: s.BufferAfterMin, Variants: s.Variants, MinNoticeMin: s.MinNoticeMin,
		MaxAheadDays: s.MaxAheadDays, CancelNoticeMin: s.CancelNoticeMin, DailyCap: s.DailyCap, Skills: s.Skills, Active: s.Active,
		CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

func (d *serviceDoc) model() *booking.Offering {
	return &booking.Offering{ID: d.ID, ShopID: d.ShopID, Code: d.Code, Name: d.Name, NameEN: d.NameEN, DurationMin: d.DurationMin,
		BufferBeforeMin: d.BufferBeforeMin, BufferAfterMin: d.BufferAfterMin, Variants: d.Variants, MinNoticeMin: d.MinNoticeMin,
		MaxAheadDays: d.MaxAheadDays, CancelNoticeMin: d.CancelNoticeMin, DailyCap: d.DailyCap, Skills: d.Skills, Active: d.Active,
		CreatedAt: utc(d.CreatedAt), UpdatedAt: utc(d.UpdatedAt)}
}

// CreateOffering implements booking.Store.
func (db *DB) CreateOffering(ctx context.Context, s *booking.Offering) error {
	_, err := db.col(colBookingServices).InsertOne(ctx, toServiceDoc(s))
	return mapErr(err)
}

// UpdateOffering implements booking.Store.
func (db *DB) UpdateOffering(ctx context.Context, s *booking.Offering) error {
	res, err := db.col(colBookingServices).ReplaceOne(ctx, bson.D{{Key: "_id", Value: s.ID}}, toServiceDoc(s))
	if err != nil {
		return mapErr(err)
	}
	if res.MatchedCount == 0 {
		return notFound("service")
	}
	return nil
}

// Offering implements booking.Store.
func (db *DB) Offering(ctx context.Context, id string) (*booking.Offering, error) {
	return findOne(ctx, db.col(colBookingServices), bson.D{{Key: "_id", Value: id}}, "service", (*serviceDoc).model)
}

// Offerings implements booking.Store.
func (db *DB) Offerings(ctx context.Context) ([]*booking.Offering, error) {
	cur, err := db.col(colBookingServices).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}))
	return all(ctx, cur, err, (*serviceDoc).model)
}

type practitionerDoc struct {
	StaffID   string                 `bson:"_id"`
	ShopID    string                 `bson:"shop_id"`
	Skills    []string               `bson:"skills"`
	Hours     map[string][]shop.Span `bson:"hours,omitempty"`
	Absences  []booking.Absence      `bson:"absences,omitempty"`
	FeedHash  string                 `bson:"feed_hash,omitempty"`
	UpdatedAt time.Time              `bson:"updated_at"`
}

func (d *practitionerDoc) model() *booking.Practitioner {
	return &booking.Practitioner{StaffID: d.StaffID, ShopID: d.ShopID, Skills: d.Skills, Hours: d.Hours, Absences: d.Absences,
		FeedHash: d.FeedHash, UpdatedAt: utc(d.UpdatedAt)}
}

// SavePractitioner implements booking.Store.
func (db *DB) SavePractitioner(ctx context.Context, p *booking.Practitioner) error {
	d := practitionerDoc{StaffID: p.StaffID, ShopID: p.ShopID, Skills: p.Skills, Hours: p.Hours, Absences: p.Absences, FeedHash: p.FeedHash, UpdatedAt: p.UpdatedAt}
	_, err := db.col(colPractitioners).ReplaceOne(ctx, bson.D{{Key: "_id", Value: p.StaffID}}, d, options.Replace().SetUpsert(true))
	return mapErr(err)
}

// Practitioner implements booking.Store.
func (db *DB) Practitioner(ctx context.Context, staffID string) (*booking.Practitioner, error) {
	return findOne(ctx, db.col(colPractitioners), bson.D{{Key: "_id", Value: staffID}}, "agenda", (*practitionerDoc).model)
}

// Practitioners implements booking.Store.
func (db *DB) Practitioners(ctx context.Context, shopID string) ([]*booking.Practitioner, error) {
	cur, err := db.col(colPractitioners).Find(ctx, bson.D{{Key: "shop_id", Value: shopID}}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	return all(ctx, cur, err, (*practitionerDoc).model)
}

// PractitionerByFeed implements booking.Store.
func (db *DB) PractitionerByFeed(ctx context.Context, hash string) (*booking.Practitioner, error) {
	return findOne(ctx, db.col(colPractitioners), bson.D{{Key: "feed_hash", Value: hash}}, "agenda", (*practitionerDoc).model)
}
