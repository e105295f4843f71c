package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vista-optical/vista/backend/booking"
)

// CreateService implements booking.Store.
func (db *DB) CreateService(ctx context.Context, s *booking.Service) error {
	_, err := db.col(colServices).InsertOne(ctx, serviceDoc{ID: s.ID, Name: s.Name, NameEN: s.NameEN, DurationMin: s.DurationMin,
		BufferMin: s.BufferMin, PerformedBy: s.PerformedBy, CreatedAt: s.CreatedAt})
	return mapErr(err)
}

// Services implements booking.Store.
func (db *DB) Services(ctx context.Context) ([]*booking.Service, error) {
	cur, err := db.col(colServices).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}))
	return all(ctx, cur, err, (*serviceDoc).model)
}

type serviceDoc struct {
	ID          string    `bson:"_id"`
	Name        string    `bson:"name"`
	NameEN      string    `bson:"name_en"`
	DurationMin int       `bson:"duration_min"`
	BufferMin   int       `bson:"buffer_min"`
	PerformedBy string    `bson:"performed_by"`
	CreatedAt   time.Time `bson:"created_at"`
}

func (d *serviceDoc) model() *booking.Service {
	return &booking.Service{ID: d.ID, Name: d.Name, NameEN: d.NameEN, DurationMin: d.DurationMin, BufferMin: d.BufferMin,
		PerformedBy: d.PerformedBy, CreatedAt: utc(d.CreatedAt)}
}
