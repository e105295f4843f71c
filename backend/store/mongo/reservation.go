package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
)

// CreateReservation implements catalog.ReservationStore.
func (db *DB) CreateReservation(ctx context.Context, r *catalog.Reservation) error {
	_, err := db.col(colReservations).InsertOne(ctx, reservationDoc{ID: r.ID, CustomerID: r.CustomerID, ShopID: r.ShopID,
		SupplyID: r.SupplyID, Kind: r.Kind, Status: r.Status, Note: r.Note, CreatedAt: r.CreatedAt})
	return mapErr(err)
}

// ShopReservations implements catalog.ReservationStore.
func (db *DB) ShopReservations(ctx context.Context, shopID string, p core.Page) ([]*catalog.Reservation, error) {
	return findPage(ctx, db.col(colReservations), bson.D{{Key: "shop_id", Value: shopID}}, "created_at", p, (*reservationDoc).model)
}

// CustomerReservations implements catalog.ReservationStore.
func (db *DB) CustomerReservations(ctx context.Context, customerID string) ([]*catalog.Reservation, error) {
	cur, err := db.col(colReservations).Find(ctx, bson.D{{Key: "customer_id", Value: customerID}},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}))
	return all(ctx, cur, err, (*reservationDoc).model)
}

// DeleteCustomerReservations implements catalog.ReservationStore.
func (db *DB) DeleteCustomerReservations(ctx context.Context, customerID string) error {
	_, err := db.col(colReservations).DeleteMany(ctx, bson.D{{Key: "customer_id", Value: customerID}})
	return mapErr(err)
}

type reservationDoc struct {
	ID         string    `bson:"_id"`
	CustomerID string    `bson:"customer_id"`
	ShopID     string    `bson:"shop_id"`
	SupplyID   string    `bson:"supply_id"`
	Kind       string    `bson:"kind"`
	Status     string    `bson:"status"`
	Note       string    `bson:"note"`
	CreatedAt  time.Time `bson:"created_at"`
}

func (d *reservationDoc) model() *catalog.Reservation {
	return &catalog.Reservation{ID: d.ID, CustomerID: d.CustomerID, ShopID: d.ShopID, SupplyID: d.SupplyID, Kind: d.Kind,
		Status: d.Status, Note: d.Note, CreatedAt: utc(d.CreatedAt)}
}
