package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vista-optical/vista/backend/customer"
)

// CreateFamilyMember implements customer.FamilyStore.
func (db *DB) CreateFamilyMember(ctx context.Context, f *customer.FamilyMember) error {
	_, err := db.col(colFamily).InsertOne(ctx, familyMemberDoc{ID: f.ID, CustomerID: f.CustomerID, FirstName: f.FirstName,
		LastName: f.LastName, BirthDate: f.BirthDate, Relation: f.Relation, CreatedAt: f.CreatedAt})
	return mapErr(err)
}

// FamilyMember implements customer.FamilyStore.
func (db *DB) FamilyMember(ctx context.Context, customerID, id string) (*customer.FamilyMember, error) {
	return findOne(ctx, db.col(colFamily), bson.D{{Key: "_id", Value: id}, {Key: "customer_id", Value: customerID}}, "family member", (*familyMemberDoc).model)
}

// FamilyMembers implements customer.FamilyStore.
func (db *DB) FamilyMembers(ctx context.Context, customerID string) ([]*customer.FamilyMember, error) {
	cur, err := db.col(colFamily).Find(ctx, bson.D{{Key: "customer_id", Value: customerID}},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}))
	return all(ctx, cur, err, (*familyMemberDoc).model)
}

// DeleteFamilyMember implements customer.FamilyStore.
func (db *DB) DeleteFamilyMember(ctx context.Context, customerID, id string) error {
	res, err := db.col(colFamily).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "customer_id", Value: customerID}})
	if err != nil {
		return mapErr(err)
	}
	if res.DeletedCount == 0 {
		return notFound("family member")
	}
	return nil
}

// DeleteFamilyMembers implements customer.FamilyStore.
func (db *DB) DeleteFamilyMembers(ctx context.Context, customerID string) error {
	_, err := db.col(colFamily).DeleteMany(ctx, bson.D{{Key: "customer_id", Value: customerID}})
	return mapErr(err)
}

type familyMemberDoc struct {
	ID         string    `bson:"_id"`
	CustomerID string    `bson:"customer_id"`
	FirstName  string    `bson:"first_name"`
	LastName   string    `bson:"last_name"`
	BirthDate  string    `bson:"birth_date"`
	Relation   string    `bson:"relation"`
	CreatedAt  time.Time `bson:"created_at"`
}

func (d *familyMemberDoc) model() *customer.FamilyMember {
	return &customer.FamilyMember{ID: d.ID, CustomerID: d.CustomerID, FirstName: d.FirstName, LastName: d.LastName,
		BirthDate: d.BirthDate, Relation: d.Relation, CreatedAt: utc(d.CreatedAt)}
}
