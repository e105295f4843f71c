package mongo

import (
	"cmp"
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
)

type customerDoc struct {
	ID           string     `bson:"_id"`
	Email        string     `bson:"email,omitempty"`
	PasswordHash string     `bson:"password_hash"`
	FirstName    string     `bson:"first_name"`
	LastName     string     `bson:"last_name"`
	Phone        string     `bson:"phone"`
	BirthDate    string     `bson:"birth_date"`
	ShopID       string     `bson:"shop_id,omitempty"`
	TaxCode      string     `bson:"tax_code,omitempty"`
	Address      string     `bson:"address,omitempty"`
	Origin       string     `bson:"origin,omitempty"`
	Locale       string     `bson:"locale"`
	FirebaseUID  string     `bson:"firebase_uid,omitempty"`
	Status       string     `bson:"status"`
	CreatedAt    time.Time  `bson:"created_at"`
	UpdatedAt    time.Time  `bson:"updated_at"`
	ErasedAt     *time.Time `bson:"erased_at,omitempty"`
	// Search holds the name keys (customer.SearchKeys), kept with the
	// record in one document.
	Search []string `bson:"search,omitempty"`
}

func (d *customerDoc) model() *customer.Customer {
	return &customer.Customer{
		ID: d.ID, Email: d.Email, PasswordHash: d.PasswordHash, FirstName: d.FirstName, LastName: d.LastName, Phone: d.Phone,
		BirthDate: d.BirthDate, ShopID: d.ShopID, TaxCode: d.TaxCode, Address: d.Address, Origin: cmp.Or(d.Origin, customer.OriginApp),
		Locale: d.Locale, FirebaseUID: d.FirebaseUID, Status: d.Status,
		CreatedAt: utc(d.CreatedAt), UpdatedAt: utc(d.UpdatedAt), ErasedAt: utcp(d.ErasedAt),
	}
}

// CreateCustomer implements customer.Store.
func (db *DB) CreateCustomer(ctx context.Context, c *customer.Customer) error {
	_, err := db.col(colCustomers).InsertOne(ctx, customerDoc{
		ID: c.ID, Email: c.Email, PasswordHash: c.PasswordHash, FirstName: c.FirstName, LastName: c.LastName, Phone: c.Phone,
		BirthDate: c.BirthDate, ShopID: c.ShopID, TaxCode: c.TaxCode, Address: c.Address, Origin: cmp.Or(c.Origin, customer.OriginApp),
		Locale: c.Locale, FirebaseUID: c.FirebaseUID, Status: c.Status,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, ErasedAt: c.ErasedAt, Search: customer.SearchKeys(c),
	})
	return mapErr(err)
}

func (db *DB) findCustomer(ctx context.Context, filter bson.D) (*customer.Customer, error) {
	return findOne(ctx, db.col(colCustomers), filter, "customer", (*customerDoc).model)
}

// Customer implements customer.Store.
func (db *DB) Customer(ctx context.Context, id string) (*customer.Customer, error) {
	return db.findCustomer(ctx, bson.D{{Key: "_id", Value: id}})
}

// CustomersByContact implements customer.Store: one query per field, each
// on its index.
func (db *DB) CustomersByContact(ctx context.Context, phone, taxCode string) ([]*customer.Customer, error) {
	out := []*customer.Customer{}
	seen := map[string]bool{}
	for _, f := range []struct{ field, value string }{{"phone", phone}, {"tax_code", taxCode}} {
		if f.value == "" {
			continue
		}
		cur, err := db.col(colCustomers).Find(ctx, bson.D{{Key: f.field, Value: f.value}, {Key: "status", Value: customer.StatusActive}},
			options.Find().SetLimit(20))
		cs, err := all(ctx, cur, err, (*customerDoc).model)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if !seen[c.ID] && len(out) < 20 {
				seen[c.ID] = true
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// CustomersByIDs implements customer.Store.
func (db *DB) CustomersByIDs(ctx context.Context, ids []string) ([]*customer.Customer, error) {
	if len(ids) == 0 {
		return []*customer.Customer{}, nil
	}
	cur, err := db.col(colCustomers).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	return all(ctx, cur, err, (*customerDoc).model)
}

// CustomerByEmail implements customer.Store.
func (db *DB) CustomerByEmail(ctx context.Context, email string) (*customer.Customer, error) {
	return db.findCustomer(ctx, bson.D{{Key: "email", Value: email}, {Key: "status", Value: customer.StatusActive}})
}

// CustomerByFirebaseUID implements customer.Store.
func (db *DB) CustomerByFirebaseUID(ctx context.Context, uid string) (*customer.Customer, error) {
	return db.findCustomer(ctx, bson.D{{Key: "firebase_uid", Value: uid}, {Key: "status", Value: customer.StatusActive}})
}

// UpdateCustomer implements customer.Store.
func (db *DB) UpdateCustomer(ctx context.Context, id string, u customer.Update, now time.Time) (*customer.Customer, error) {
	set := bson.D{{Key: "updated_at", Value: now}}
	unset := bson.D{}
	put := func(field string, v *string, optional bool) {
		if v == nil {
			return
		}
		if optional && *v == "" {
			unset = append(unset, bson.E{Key: field, Value: ""})
			return
		}
		set = append(set, bson.E{Key: field, Value: *v})
	}
	put("email", u.Email, true)
	put("password_hash", u.PasswordHash, false)
	put("first_name", u.FirstName, false)
	put("last_name", u.LastName, false)
	put("phone", u.Phone, false)
	put("shop_id", u.ShopID, true)
	put("locale", u.Locale, false)
	put("firebase_uid", u.FirebaseUID, true)
	update := bson.D{{Key: "$set", Value: set}}
	if len(unset) > 0 {
		update = append(update, bson.E{Key: "$unset", Value: unset})
	}
	var d customerDoc
	err := db.col(colCustomers).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "status", Value: customer.StatusActive}}, update, after()).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, notFound("customer")
	} else if err != nil {
		return nil, mapErr(err)
	}
	c := d.model()
	if u.FirstName != nil || u.LastName != nil {
		if err := db.writeKeys(ctx, c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// writeKeys sets the name keys of c, as long as its name is still the
// one they are made of: of two changes of name at once, the keys of the
// later are kept whatever the order of the two writes.
func (db *DB) writeKeys(ctx context.Context, c *customer.Customer) error {
	_, err := db.col(colCustomers).UpdateOne(ctx, bson.D{{Key: "_id", Value: c.ID}, {Key: "first_name", Value: c.FirstName},
		{Key: "last_name", Value: c.LastName}, {Key: "status", Value: customer.StatusActive}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "search", Value: customer.SearchKeys(c)}}}})
	return mapErr(err)
}

// SearchCustomers implements customer.Store: one query on the multikey
// index of the keys.
func (db *DB) SearchCustomers(ctx context.Context, s customer.Search) ([]*customer.Customer, error) {
	if len(s.Terms) == 0 {
		return []*customer.Customer{}, nil
	}
	and := bson.A{}
	for _, t := range s.Terms {
		or := bson.A{bson.D{{Key: "search", Value: bson.D{{Key: "$in", Value: t.Keys}}}}}
		if t.Prefix != "" {
			from, to := t.PrefixKey()
			or = append(or, bson.D{{Key: "search", Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lt", Value: to}}}})
		}
		and = append(and, bson.D{{Key: "$or", Value: or}})
	}
	filter := bson.D{{Key: "$and", Value: and}, {Key: "status", Value: customer.StatusActive}}
	if s.Shops != nil {
		filter = append(filter, bson.E{Key: "shop_id", Value: bson.D{{Key: "$in", Value: s.Shops}}})
	}
	cur, err := db.col(colCustomers).Find(ctx, filter, options.Find().SetLimit(int64(max(s.Limit, 1))))
	return all(ctx, cur, err, (*customerDoc).model)
}

// CustomersByShop implements customer.Store.
func (db *DB) CustomersByShop(ctx context.Context, shop string, p core.Page) ([]*customer.Customer, error) {
	filter := bson.D{{Key: "shop_id", Value: shop}, {Key: "status", Value: customer.StatusActive}}
	return findPage(ctx, db.col(colCustomers), filter, "created_at", p, (*customerDoc).model)
}

// EraseCustomer implements customer.Store: one single-document update that
// empties the personal fields and keeps the first erasure time ($min: the
// field is absent until then). Operators, not an update pipeline, so that
// MongoDB-compatible services that lack pipelines erase too.
func (db *DB) EraseCustomer(ctx context.Context, id string, now time.Time) error {
	update := bson.D{
		{Key: "$set", Value: bson.D{
			{Key: "password_hash", Value: ""}, {Key: "first_name", Value: ""}, {Key: "last_name", Value: ""},
			{Key: "phone", Value: ""}, {Key: "birth_date", Value: ""}, {Key: "status", Value: customer.StatusErased},
			{Key: "updated_at", Value: now},
		}},
		{Key: "$min", Value: bson.D{{Key: "erased_at", Value: now}}},
		{Key: "$unset", Value: bson.D{{Key: "email", Value: ""}, {Key: "firebase_uid", Value: ""}, {Key: "tax_code", Value: ""}, {Key: "address", Value: ""},
			{Key: "search", Value: ""}}},
	}
	res, err := db.col(colCustomers).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, update)
	if err != nil {
		return mapErr(err)
	}
	if res.MatchedCount == 0 {
		return notFound("customer")
	}
	return nil
}

type consentDoc struct {
	ID          string       `bson:"_id"`
	CustomerID  string       `bson:"customer_id"`
	Channel     core.Channel `bson:"channel"`
	Purpose     core.Purpose `bson:"purpose"`
	Granted     bool         `bson:"granted"`
	OccurredAt  time.Time    `bson:"occurred_at"`
	Source      string       `bson:"source"`
	TextVersion string       `bson:"text_version"`
}

func (d *consentDoc) model() customer.ConsentEvent {
	return customer.ConsentEvent{ID: d.ID, CustomerID: d.CustomerID, Channel: d.Channel, Purpose: d.Purpose, Granted: d.Granted,
		OccurredAt: utc(d.OccurredAt), Source: d.Source, TextVersion: d.TextVersion}
}

// AppendConsentEvents implements customer.Store.
func (db *DB) AppendConsentEvents(ctx context.Context, events []customer.ConsentEvent) error {
	if len(events) == 0 {
		return nil
	}
	docs := make([]any, 0, len(events))
	for _, e := range events {
		docs = append(docs, consentDoc{ID: e.ID, CustomerID: e.CustomerID, Channel: e.Channel, Purpose: e.Purpose, Granted: e.Granted,
			OccurredAt: e.OccurredAt, Source: e.Source, TextVersion: e.TextVersion})
	}
	_, err := db.col(colConsentEvents).InsertMany(ctx, docs)
	return mapErr(err)
}

// ConsentEvents implements customer.Store.
func (db *DB) ConsentEvents(ctx context.Context, customerID string, until time.Time) ([]customer.ConsentEvent, error) {
	cur, err := db.col(colConsentEvents).Find(ctx,
		bson.D{{Key: "customer_id", Value: customerID}, {Key: "occurred_at", Value: bson.D{{Key: "$lte", Value: until}}}},
		options.Find().SetSort(bson.D{{Key: "occurred_at", Value: 1}, {Key: "_id", Value: 1}}))
	return all(ctx, cur, err, (*consentDoc).model)
}

// DeleteConsentEvents implements customer.Store.
func (db *DB) DeleteConsentEvents(ctx context.Context, customerID string) error {
	_, err := db.col(colConsentEvents).DeleteMany(ctx, bson.D{{Key: "customer_id", Value: customerID}})
	return mapErr(err)
}

type deviceDoc struct {
	Token      string    `bson:"_id"`
	CustomerID string    `bson:"customer_id"`
	Platform   string    `bson:"platform"`
	AppVersion string    `bson:"app_version"`
	CreatedAt  time.Time `bson:"created_at"`
	LastSeenAt time.Time `bson:"last_seen_at"`
}

func (d *deviceDoc) model() *customer.Device {
	return &customer.Device{Token: d.Token, CustomerID: d.CustomerID, Platform: d.Platform, AppVersion: d.AppVersion,
		CreatedAt: utc(d.CreatedAt), LastSeenAt: utc(d.LastSeenAt)}
}

// UpsertDevice implements customer.Store.
func (db *DB) UpsertDevice(ctx context.Context, d *customer.Device) error {
	update := bson.D{
		{Key: "$set", Value: bson.D{{Key: "customer_id", Value: d.CustomerID}, {Key: "platform", Value: d.Platform},
			{Key: "app_version", Value: d.AppVersion}, {Key: "last_seen_at", Value: d.LastSeenAt}}},
		{Key: "$setOnInsert", Value: bson.D{{Key: "created_at", Value: d.CreatedAt}}},
	}
	var got deviceDoc
	err := db.col(colDevices).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: d.Token}}, update, afterUpsert()).Decode(&got)
	if mongoDuplicate(err) { // two first registrations raced: the second is an update
		err = db.col(colDevices).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: d.Token}}, update, afterUpsert()).Decode(&got)
	}
	if err != nil {
		return mapErr(err)
	}
	d.CreatedAt = utc(got.CreatedAt)
	return nil
}

// Devices implements customer.Store.
func (db *DB) Devices(ctx context.Context, customerID string) ([]*customer.Device, error) {
	cur, err := db.col(colDevices).Find(ctx, bson.D{{Key: "customer_id", Value: customerID}},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: 1}}))
	return all(ctx, cur, err, (*deviceDoc).model)
}

// DeleteDevice implements customer.Store.
func (db *DB) DeleteDevice(ctx context.Context, customerID, token string) error {
	res, err := db.col(colDevices).DeleteOne(ctx, bson.D{{Key: "_id", Value: token}, {Key: "customer_id", Value: customerID}})
	if err != nil {
		return mapErr(err)
	}
	if res.DeletedCount == 0 {
		return notFound("device")
	}
	return nil
}

// DeleteDevices implements customer.Store.
func (db *DB) DeleteDevices(ctx context.Context, customerID string) error {
	_, err := db.col(colDevices).DeleteMany(ctx, bson.D{{Key: "customer_id", Value: customerID}})
	return mapErr(err)
}

func mongoDuplicate(err error) bool { return err != nil && mongo.IsDuplicateKeyError(err) }
