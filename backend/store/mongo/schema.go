package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
)

// colSchema records the schema steps applied, one document each
// ({_id: version}), and holds the lock of whoever applies them.
const colSchema = "schema_migrations"

// A schema step changes the database once, in order, as the SQLite
// engine's embedded migrations do: a changed index is dropped and
// rebuilt in a step of its own, so instances with the new definition
// never meet the old one (MongoDB would refuse to start them with
// IndexOptionsConflict or IndexKeySpecsConflict). Steps never change;
// a new definition is a new step.
type schemaStep struct {
	version int
	name    string
	run     func(ctx context.Context, db *DB) error
}

var schemaSteps = []schemaStep{
	{1, "baseline indexes", baseline},
	{2, "portable unique indexes; outbox claims in bulk", portableIndexes},
	{3, "booking retention indexes", func(ctx context.Context, db *DB) error { return db.createIndexes(ctx, retentionIndexModels()) }},
	{4, "links by subject", func(ctx context.Context, db *DB) error { return db.createIndexes(ctx, linkSubjectIndexModels()) }},
	{5, "a shop's customers newest first", func(ctx context.Context, db *DB) error { return db.createIndexes(ctx, newestCustomersIndexModels()) }},
	{6, "customers by phone and tax code", func(ctx context.Context, db *DB) error { return db.createIndexes(ctx, contactIndexModels()) }},
	{7, "customers found by name", searchKeys},
}

// searchIndexModels are the indexes step 7 creates: customers by the
// keys of their name, in their home shop.
func searchIndexModels() map[string][]mongo.IndexModel {
	return map[string][]mongo.IndexModel{colCustomers: {{Keys: bson.D{{Key: "search", Value: 1}, {Key: "shop_id", Value: 1}}}}}
}

// searchKeys is step 7: the name keys of every active customer, and
// their index. A customer written by an older instance during a rolling
// upgrade has no keys until its name next changes or this step is run on
// a new database.
func searchKeys(ctx context.Context, db *DB) error {
	if err := db.createIndexes(ctx, searchIndexModels()); err != nil {
		return err
	}
	cur, err := db.col(colCustomers).Find(ctx, bson.D{{Key: "status", Value: customer.StatusActive}, {Key: "search", Value: bson.D{{Key: "$exists", Value: false}}}})
	if err != nil {
		return mapErr(err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d customerDoc
		if err := cur.Decode(&d); err != nil {
			return mapErr(err)
		}
		if err := db.writeKeys(ctx, d.model()); err != nil {
			return err
		}
	}
	return mapErr(cur.Err())
}

// contactIndexModels are the indexes step 6 creates: a new record's
// possible duplicates are found by phone or codice fiscale.
func contactIndexModels() map[string][]mongo.IndexModel {
	return map[string][]mongo.IndexModel{colCustomers: {
		{Keys: bson.D{{Key: "phone", Value: 1}, {Key: "status", Value: 1}}},
		{Keys: bson.D{{Key: "tax_code", Value: 1}, {Key: "status", Value: 1}}},
	}}
}

// newestCustomersIndexModels are the indexes step 5 creates: a shop's
// customers are listed newest first, as every staff list is.
func newestCustomersIndexModels() map[string][]mongo.IndexModel {
	return map[string][]mongo.IndexModel{colCustomers: {
		{Keys: bson.D{{Key: "shop_id", Value: 1}, {Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}, Options: options.Index().
			SetPartialFilterExpression(bson.D{{Key: "status", Value: "active"}})},
	}}
}

// linkSubjectIndexModels are the indexes step 4 creates: a new one-time
// link voids its subject's earlier ones of its kind.
func linkSubjectIndexModels() map[string][]mongo.IndexModel {
	return map[string][]mongo.IndexModel{colLinks: {{Keys: bson.D{{Key: "subject", Value: 1}, {Key: "kind", Value: 1}}}}}
}

// retentionIndexModels are the indexes step 3 creates for the hourly
// retention job: claims by end, bookings by end, holds by their end.
func retentionIndexModels() map[string][]mongo.IndexModel {
	return map[string][]mongo.IndexModel{
		colBookingClaims: {{Keys: bson.D{{Key: "until", Value: 1}}}},
		colBookings: {
			{Keys: bson.D{{Key: "end", Value: 1}}},
			{Keys: bson.D{{Key: "held_until", Value: 1}}, Options: options.Index().SetSparse(true)},
		},
	}
}

// SchemaVersion is the version Migrate brings a database to.
var SchemaVersion = schemaSteps[len(schemaSteps)-1].version

// Migrate applies the schema steps not applied yet, in order, under a
// lock: several instances starting at once apply each step once, the
// others wait for them. A lock whose holder died is taken over after
// lockTTL.
func (db *DB) Migrate(ctx context.Context) error {
	release, err := db.lockSchema(ctx)
	if err != nil {
		return err
	}
	defer release()
	applied, err := db.appliedSteps(ctx)
	if err != nil {
		return err
	}
	for _, st := range schemaSteps {
		if applied[st.version] {
			continue
		}
		start := time.Now()
		if err := st.run(ctx, db); err != nil {
			return fmt.Errorf("mongodb schema step %d (%s): %w", st.version, st.name, err)
		}
		if _, err := db.col(colSchema).InsertOne(ctx, bson.D{{Key: "_id", Value: st.version}, {Key: "name", Value: st.name},
			{Key: "applied_at", Value: time.Now().UTC()}}); err != nil {
			return fmt.Errorf("mongodb schema step %d recorded: %w", st.version, err)
		}
		db.logger.Info("migration applied", "engine", "mongodb", "version", st.version, "duration_ms", time.Since(start).Milliseconds())
	}
	return nil
}

// AppliedSchema lists the versions recorded as applied, in order.
func (db *DB) AppliedSchema(ctx context.Context) ([]int, error) {
	applied, err := db.appliedSteps(ctx)
	var out []int
	for _, st := range schemaSteps {
		if applied[st.version] {
			out = append(out, st.version)
		}
	}
	return out, err
}

func (db *DB) appliedSteps(ctx context.Context) (map[int]bool, error) {
	cur, err := db.col(colSchema).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$ne", Value: "lock"}}}})
	if err != nil {
		return nil, mapErr(err)
	}
	var docs []struct {
		Version int `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr(err)
	}
	out := map[int]bool{}
	for _, d := range docs {
		out[d.Version] = true
	}
	return out, nil
}

const lockTTL = 2 * time.Minute

// lockSchema takes the schema lock, a document whose unique _id admits
// one holder, waiting for another instance's steps as long as ctx lets.
func (db *DB) lockSchema(ctx context.Context) (release func(), err error) {
	owner := core.NewID()
	col := db.col(colSchema)
	for {
		now := time.Now().UTC()
		_, err := col.InsertOne(ctx, bson.D{{Key: "_id", Value: "lock"}, {Key: "owner", Value: owner}, {Key: "until", Value: now.Add(lockTTL)}})
		if err == nil {
			return func() {
				_, _ = col.DeleteOne(context.Background(), bson.D{{Key: "_id", Value: "lock"}, {Key: "owner", Value: owner}})
			}, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return nil, fmt.Errorf("mongodb schema lock: %w", err)
		}
		// Held: by a live instance (wait) or a dead one (take it over).
		if res, err := col.DeleteOne(ctx, bson.D{{Key: "_id", Value: "lock"}, {Key: "until", Value: bson.D{{Key: "$lt", Value: now}}}}); err == nil && res.DeletedCount == 1 {
			continue
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("mongodb schema lock: another instance is migrating: %w", ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// dropIndex drops the index name of col, if it is there.
func (db *DB) dropIndex(ctx context.Context, col, name string) error {
	err := db.col(col).Indexes().DropOne(ctx, name)
	var ce mongo.CommandError
	if errors.As(err, &ce) && (ce.Code == 27 || ce.Code == 26) { // IndexNotFound, NamespaceNotFound
		return nil
	}
	return err
}

// portableIndexes is schema step 2. Unique indexes that only skip absent
// fields become sparse instead of partial (the same rule, which MongoDB-
// compatible services that ignore or refuse partial filters keep too);
// the booking idempotency key is stored only with its scope for that.
// The outbox trades its two partial claim indexes for (status, due_at),
// which serves the bulk claim's filter and sort (a claimed message's
// due_at is its lease end), and lease_id, which reads a claim back.
func portableIndexes(ctx context.Context, db *DB) error {
	for _, d := range portableDrops {
		if err := db.dropIndex(ctx, d.col, d.name); err != nil {
			return fmt.Errorf("drop %s.%s: %w", d.col, d.name, err)
		}
	}
	if _, err := db.col(colBookings).UpdateMany(ctx, bson.D{{Key: "idem_key", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$unset", Value: bson.D{{Key: "idem_scope", Value: ""}}}}); err != nil {
		return err
	}
	return db.createIndexes(ctx, portableIndexModels())
}

// portableDrops are the indexes step 2 replaces.
var portableDrops = []struct{ col, name string }{
	{colCustomers, "email_1"}, {colCustomers, "firebase_uid_1"}, {colPractitioners, "feed_hash_1"},
	{colBookings, "idem_scope_1_idem_key_1"}, {colOutbox, "due_at_1"}, {colOutbox, "lease_until_1"},
}

// portableIndexModels are the indexes step 2 creates.
func portableIndexModels() map[string][]mongo.IndexModel {
	unique := func() *options.IndexOptionsBuilder { return options.Index().SetUnique(true).SetSparse(true) }
	return map[string][]mongo.IndexModel{
		colCustomers: {
			{Keys: bson.D{{Key: "email", Value: 1}}, Options: unique()},
			{Keys: bson.D{{Key: "firebase_uid", Value: 1}}, Options: unique()},
		},
		colPractitioners: {{Keys: bson.D{{Key: "feed_hash", Value: 1}}, Options: unique()}},
		colBookings:      {{Keys: bson.D{{Key: "idem_scope", Value: 1}, {Key: "idem_key", Value: 1}}, Options: unique()}},
		colOutbox: {
			{Keys: bson.D{{Key: "status", Value: 1}, {Key: "due_at", Value: 1}}},
			{Keys: bson.D{{Key: "lease_id", Value: 1}}, Options: options.Index().SetSparse(true)},
		},
	}
}
