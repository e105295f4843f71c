package mongo

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// baseline is schema step 1: the indexes as they were before the schema
// had versions, so a deployment from then records it without a change.
func baseline(ctx context.Context, db *DB) error { return db.createIndexes(ctx, baselineIndexes()) }

// baselineIndexes are the indexes of schema step 1.
func baselineIndexes() map[string][]mongo.IndexModel {
	unique := func() *options.IndexOptionsBuilder { return options.Index().SetUnique(true) }
	exists := func(field string) bson.D { return bson.D{{Key: field, Value: bson.D{{Key: "$exists", Value: true}}}} }
	indexes := map[string][]mongo.IndexModel{
		colStaff: {
			{Keys: bson.D{{Key: "email", Value: 1}}, Options: unique()},
			{Keys: bson.D{{Key: "shop_id", Value: 1}, {Key: "name", Value: 1}}},
			{Keys: bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}},
		},
		colCustomers: {
			{Keys: bson.D{{Key: "email", Value: 1}}, Options: unique().SetPartialFilterExpression(exists("email"))},
			{Keys: bson.D{{Key: "firebase_uid", Value: 1}}, Options: unique().SetPartialFilterExpression(exists("firebase_uid"))},
			{Keys: bson.D{{Key: "shop_id", Value: 1}, {Key: "_id", Value: 1}}, Options: options.Index().
				SetPartialFilterExpression(bson.D{{Key: "status", Value: "active"}})},
		},
		colConsentEvents: {
			{Keys: bson.D{{Key: "customer_id", Value: 1}, {Key: "occurred_at", Value: 1}, {Key: "_id", Value: 1}}},
		},
		colDevices: {
			{Keys: bson.D{{Key: "customer_id", Value: 1}, {Key: "created_at", Value: -1}}},
		},
		colRefreshFamilies: {
			{Keys: bson.D{{Key: "customer_id", Value: 1}, {Key: "created_at", Value: -1}}},
		},
		colRefreshTokens: {
			{Keys: bson.D{{Key: "family_id", Value: 1}}},
			{Keys: bson.D{{Key: "customer_id", Value: 1}}},
			{Keys: bson.D{{Key: "expires_at", Value: 1}}},
		},
		colAudit: {
			{Keys: bson.D{{Key: "customer_id", Value: 1}, {Key: "at", Value: 1}}},
			{Keys: bson.D{{Key: "actor_id", Value: 1}, {Key: "at", Value: 1}}},
			{Keys: bson.D{{Key: "at", Value: 1}}},
		},
		colRateHits: {
			// The TTL monitor removes ended windows; PurgeRates does it on demand.
			{Keys: bson.D{{Key: "expires_at", Value: 1}}, Options: options.Index().SetExpireAfterSeconds(0)},
		},
		colShops: {
			{Keys: bson.D{{Key: "name", Value: 1}}},
			{Keys: bson.D{{Key: "slug", Value: 1}}, Options: unique().SetPartialFilterExpression(exists("slug"))},
		},
		colPromotions: {
			{Keys: bson.D{{Key: "ends", Value: 1}, {Key: "starts", Value: 1}}},
		},
		colLinks: {
			// The TTL monitor removes expired links; PurgeLinks does it on demand.
			{Keys: bson.D{{Key: "expires_at", Value: 1}}, Options: options.Index().SetExpireAfterSeconds(0)},
		},
		colProducts: {
			{Keys: bson.D{{Key: "sku", Value: 1}}, Options: unique()},
			{Keys: bson.D{{Key: "brand", Value: 1}, {Key: "name", Value: 1}}},
			{Keys: bson.D{{Key: "sort_key", Value: 1}, {Key: "_id", Value: 1}}},
		},
		colStock: {
			{Keys: bson.D{{Key: "shop_id", Value: 1}, {Key: "product_id", Value: 1}}},
		},
		colTouches: {
			{Keys: bson.D{{Key: "shop_id", Value: 1}, {Key: "at", Value: 1}}},
			{Keys: bson.D{{Key: "at", Value: 1}}},
		},
		colKiosks: {
			{Keys: bson.D{{Key: "shop_id", Value: 1}, {Key: "created_at", Value: -1}}},
		},
		colPairingCodes: {
			{Keys: bson.D{{Key: "expires_at", Value: 1}}, Options: options.Index().SetExpireAfterSeconds(24 * 3600)},
		},
		colOffers: {
			{Keys: bson.D{{Key: "ends", Value: 1}}},
		},
		colScreenEvents: {
			{Keys: bson.D{{Key: "at", Value: 1}}},
		},
		colVisits: {
			{Keys: bson.D{{Key: "kiosk_id", Value: 1}, {Key: "customer_id", Value: 1}, {Key: "last_at", Value: -1}}},
			{Keys: bson.D{{Key: "customer_id", Value: 1}, {Key: "started_at", Value: -1}}},
			{Keys: bson.D{{Key: "shop_id", Value: 1}, {Key: "last_at", Value: -1}}},
		},
		colVisitEvents: {
			{Keys: bson.D{{Key: "visit_id", Value: 1}, {Key: "at", Value: 1}}},
		},
		colVisitCodes: {
			{Keys: bson.D{{Key: "visit_id", Value: 1}}},
			{Keys: bson.D{{Key: "claimed_by", Value: 1}, {Key: "claimed_at", Value: 1}}},
			{Keys: bson.D{{Key: "kiosk_id", Value: 1}, {Key: "claimed_at", Value: 1}}},
		},
		colPlays: {
			{Keys: bson.D{{Key: "shop_id", Value: 1}, {Key: "shown_at", Value: -1}}},
			{Keys: bson.D{{Key: "shown_at", Value: 1}}},
		},
		colOutbox: {
			{Keys: bson.D{{Key: "dedupe_key", Value: 1}}, Options: unique()},
			{Keys: bson.D{{Key: "due_at", Value: 1}}, Options: options.Index().
				SetPartialFilterExpression(bson.D{{Key: "status", Value: "pending"}})},
			{Keys: bson.D{{Key: "lease_until", Value: 1}}, Options: options.Index().
				SetPartialFilterExpression(bson.D{{Key: "status", Value: "sending"}})},
			{Keys: bson.D{{Key: "customer_id", Value: 1}, {Key: "created_at", Value: -1}}},
			{Keys: bson.D{{Key: "status", Value: 1}, {Key: "updated_at", Value: -1}}},
			{Keys: bson.D{{Key: "shop_id", Value: 1}, {Key: "channel", Value: 1}, {Key: "created_at", Value: -1}}},
			{Keys: bson.D{{Key: "shop_id", Value: 1}, {Key: "status", Value: 1}, {Key: "updated_at", Value: -1}}},
		},
		colSupplies: {
			{Keys: bson.D{{Key: "customer_id", Value: 1}, {Key: "created_at", Value: -1}}},
			// Sparse: only supplies with a reminder still to send are in it.
			{Keys: bson.D{{Key: "next_reminder_at", Value: 1}}, Options: options.Index().SetSparse(true)},
		},
		colExams: {
			{Keys: bson.D{{Key: "customer_id", Value: 1}, {Key: "member_id", Value: 1}}, Options: unique()},
			{Keys: bson.D{{Key: "next_reminder_at", Value: 1}}, Options: options.Index().SetSparse(true)},
		},
		colFamily: {
			{Keys: bson.D{{Key: "customer_id", Value: 1}, {Key: "created_at", Value: 1}}},
		},
		colReservations: {
			{Keys: bson.D{{Key: "shop_id", Value: 1}, {Key: "created_at", Value: -1}}},
			{Keys: bson.D{{Key: "customer_id", Value: 1}, {Key: "created_at", Value: -1}}},
			// One open reorder request per supply: a repeat finds the open one.
			{Keys: bson.D{{Key: "supply_id", Value: 1}}, Options: unique().SetName("open_supply").
				SetPartialFilterExpression(bson.D{{Key: "status", Value: "requested"}, {Key: "supply_id", Value: bson.D{{Key: "$gt", Value: ""}}}})},
		},
		colRevocations: {
			{Keys: bson.D{{Key: "recorded_at", Value: 1}}},
		},
		colStaffSessions: {
			{Keys: bson.D{{Key: "created_at", Value: 1}}},
			{Keys: bson.D{{Key: "staff_id", Value: 1}}},
		},
		colBookingServices: {
			{Keys: bson.D{{Key: "code", Value: 1}}, Options: unique()},
			{Keys: bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}},
		},
		colPractitioners: {
			{Keys: bson.D{{Key: "shop_id", Value: 1}, {Key: "_id", Value: 1}}},
			{Keys: bson.D{{Key: "feed_hash", Value: 1}}, Options: unique().SetPartialFilterExpression(exists("feed_hash"))},
		},
		colBookings: {
			{Keys: bson.D{{Key: "shop_id", Value: 1}, {Key: "hold_start", Value: 1}}},
			{Keys: bson.D{{Key: "staff_id", Value: 1}, {Key: "start", Value: 1}}},
			{Keys: bson.D{{Key: "customer_id", Value: 1}, {Key: "start", Value: -1}}},
			{Keys: bson.D{{Key: "remind_at", Value: 1}}, Options: options.Index().SetSparse(true)},
			{Keys: bson.D{{Key: "idem_scope", Value: 1}, {Key: "idem_key", Value: 1}}, Options: unique().SetPartialFilterExpression(exists("idem_key"))},
		},
		// A claim's _id is its staff member (or person) and unit: the
		// unique _id is what refuses a second booking of the same time.
		colBookingClaims: {
			{Keys: bson.D{{Key: "booking_id", Value: 1}}},
		},
		colWaitlist: {
			{Keys: bson.D{{Key: "customer_id", Value: 1}, {Key: "shop_id", Value: 1}, {Key: "service_id", Value: 1}, {Key: "day", Value: 1}}, Options: unique()},
			{Keys: bson.D{{Key: "shop_id", Value: 1}, {Key: "service_id", Value: 1}, {Key: "day", Value: 1}, {Key: "created_at", Value: 1}}},
		},
	}
	return indexes
}

func (db *DB) createIndexes(ctx context.Context, indexes map[string][]mongo.IndexModel) error {
	for col, models := range indexes {
		if _, err := db.db.Collection(col).Indexes().CreateMany(ctx, models); err != nil {
			return fmt.Errorf("indexes of %s: %w", col, err)
		}
	}
	return nil
}
