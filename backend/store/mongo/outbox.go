package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
)

type messageDoc struct {
	ID         string            `bson:"_id"`
	CustomerID string            `bson:"customer_id"`
	ShopID     string            `bson:"shop_id"`
	Channel    core.Channel      `bson:"channel"`
	Purpose    core.Purpose      `bson:"purpose"`
	DedupeKey  string            `bson:"dedupe_key"`
	Cause      string            `bson:"cause"`
	Title      string            `bson:"title"`
	Body       string            `bson:"body"`
	Data       map[string]string `bson:"data,omitempty"`
	DueAt      time.Time         `bson:"due_at"`
	Attempts   int               `bson:"attempts"`
	Status     string            `bson:"status"`
	LeaseOwner string            `bson:"lease_owner"`
	LeaseUntil *time.Time        `bson:"lease_until,omitempty"`
	LastError  string            `bson:"last_error"`
	CreatedAt  time.Time         `bson:"created_at"`
	UpdatedAt  time.Time         `bson:"updated_at"`
	SentAt     *time.Time        `bson:"sent_at,omitempty"`
	ReadAt     *time.Time        `bson:"read_at,omitempty"`
	OpenedAt   *time.Time        `bson:"opened_at,omitempty"`
}

func (d *messageDoc) model() *notify.Message {
	return &notify.Message{ID: d.ID, CustomerID: d.CustomerID, ShopID: d.ShopID, Channel: d.Channel, Purpose: d.Purpose,
		DedupeKey: d.DedupeKey, Cause: d.Cause, Title: d.Title, Body: d.Body, Data: d.Data, DueAt: utc(d.DueAt),
		Attempts: d.Attempts, Status: d.Status, LeaseOwner: d.LeaseOwner, LeaseUntil: utcp(d.LeaseUntil), LastError: d.LastError,
		CreatedAt: utc(d.CreatedAt), UpdatedAt: utc(d.UpdatedAt), SentAt: utcp(d.SentAt), ReadAt: utcp(d.ReadAt), OpenedAt: utcp(d.OpenedAt)}
}

// EnqueueMessage implements notify.Store: the unique index on dedupe_key
// decides, so concurrent enqueues of one cause store one message.
func (db *DB) EnqueueMessage(ctx context.Context, m *notify.Message) (bool, error) {
	_, err := db.col(colOutbox).InsertOne(ctx, messageDoc{ID: m.ID, CustomerID: m.CustomerID, ShopID: m.ShopID, Channel: m.Channel,
		Purpose: m.Purpose, DedupeKey: m.DedupeKey, Cause: m.Cause, Title: m.Title, Body: m.Body, Data: m.Data, DueAt: m.DueAt,
		Attempts: m.Attempts, Status: m.Status, LeaseOwner: m.LeaseOwner, LeaseUntil: m.LeaseUntil, LastError: m.LastError,
		CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, SentAt: m.SentAt, ReadAt: m.ReadAt, OpenedAt: m.OpenedAt})
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	return err == nil, mapErr(err)
}

// EnqueueMessages implements notify.Store: one unordered insert; duplicate
// dedupe keys are skipped, not failed.
func (db *DB) EnqueueMessages(ctx context.Context, msgs []*notify.Message) (int, error) {
	created := 0
	for _, m := range msgs { // per message, so a duplicate key is told apart from a failure
		ok, err := db.EnqueueMessage(ctx, m)
		if err != nil {
			return created, err
		}
		if ok {
			created++
		}
	}
	return created, nil
}

// CountSent implements notify.Store.
func (db *DB) CountSent(ctx context.Context, customerID string, purpose core.Purpose, since time.Time) (int, error) {
	n, err := db.col(colOutbox).CountDocuments(ctx, bson.D{{Key: "customer_id", Value: customerID}, {Key: "purpose", Value: purpose},
		{Key: "status", Value: notify.StatusSent}, {Key: "channel", Value: bson.D{{Key: "$ne", Value: notify.ChannelInbox}}},
		{Key: "sent_at", Value: bson.D{{Key: "$gte", Value: since}}}})
	return int(n), mapErr(err)
}

// CountMessages implements notify.Store.
func (db *DB) CountMessages(ctx context.Context, status string) (int, error) {
	n, err := db.col(colOutbox).CountDocuments(ctx, bson.D{{Key: "status", Value: status}})
	return int(n), mapErr(err)
}

// ClaimMessages implements notify.Store: one findOneAndUpdate per message,
// each an atomic conditional update, so no two dispatchers hold the same
// message.
func (db *DB) ClaimMessages(ctx context.Context, owner string, now, leaseUntil time.Time, n int) ([]*notify.Message, error) {
	filter := bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "status", Value: notify.StatusPending}, {Key: "due_at", Value: bson.D{{Key: "$lte", Value: now}}}},
		bson.D{{Key: "status", Value: notify.StatusSending}, {Key: "lease_until", Value: bson.D{{Key: "$lte", Value: now}}}},
	}}}
	update := bson.D{
		{Key: "$set", Value: bson.D{{Key: "status", Value: notify.StatusSending}, {Key: "lease_owner", Value: owner},
			{Key: "lease_until", Value: leaseUntil}, {Key: "updated_at", Value: now}}},
		{Key: "$inc", Value: bson.D{{Key: "attempts", Value: 1}}},
	}
	opts := options.FindOneAndUpdate().SetReturnDocument(options.After).SetSort(bson.D{{Key: "due_at", Value: 1}})
	out := []*notify.Message{}
	for range n {
		var d messageDoc
		err := db.col(colOutbox).FindOneAndUpdate(ctx, filter, update, opts).Decode(&d)
		if errors.Is(err, mongo.ErrNoDocuments) {
			break
		} else if err != nil {
			return out, mapErr(err)
		}
		out = append(out, d.model())
	}
	return out, nil
}

// FinishMessage implements notify.Store.
func (db *DB) FinishMessage(ctx context.Context, id, owner string, o notify.Outcome) error {
	set := bson.D{{Key: "status", Value: o.Status}, {Key: "last_error", Value: o.Error}, {Key: "lease_owner", Value: ""},
		{Key: "updated_at", Value: o.At}}
	if o.Status == notify.StatusSent {
		set = append(set, bson.E{Key: "sent_at", Value: o.At})
	}
	if o.Status == notify.StatusPending {
		set = append(set, bson.E{Key: "due_at", Value: o.RetryAt})
	}
	update := bson.D{{Key: "$set", Value: set}, {Key: "$unset", Value: bson.D{{Key: "lease_until", Value: ""}}}}
	if o.Deferred {
		update = append(update, bson.E{Key: "$inc", Value: bson.D{{Key: "attempts", Value: -1}}})
	}
	res, err := db.col(colOutbox).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "status", Value: notify.StatusSending}, {Key: "lease_owner", Value: owner}}, update)
	if err != nil {
		return mapErr(err)
	}
	if res.MatchedCount == 1 {
		return nil
	}
	if _, err := db.Message(ctx, id); err != nil {
		return err
	}
	return core.Errorf(core.ECONFLICT, "the lease on message %s was lost", id)
}

// FinishMessages implements notify.Store with one conditional update per
// outcome: a bulk write would not say which of them matched.
func (db *DB) FinishMessages(ctx context.Context, owner string, fs []notify.Finish) ([]string, error) {
	var lost []string
	for _, f := range fs {
		err := db.FinishMessage(ctx, f.ID, owner, f.Outcome)
		if core.IsCode(err, core.ECONFLICT) || core.IsCode(err, core.ENOTFOUND) {
			lost = append(lost, f.ID)
		} else if err != nil {
			return lost, err
		}
	}
	return lost, nil
}

// FinishAndClaim implements notify.Store: the outcomes, then the claim.
// Each update is atomic on its own; nothing needs the two in one
// transaction, which here would cost, not save, round trips.
func (db *DB) FinishAndClaim(ctx context.Context, owner string, fs []notify.Finish, now, leaseUntil time.Time, n int) ([]string, []*notify.Message, error) {
	lost, err := db.FinishMessages(ctx, owner, fs)
	if err != nil || n <= 0 {
		return lost, nil, err
	}
	claimed, err := db.ClaimMessages(ctx, owner, now, leaseUntil, n)
	return lost, claimed, err
}

// Message implements notify.Store.
func (db *DB) Message(ctx context.Context, id string) (*notify.Message, error) {
	return findOne(ctx, db.col(colOutbox), bson.D{{Key: "_id", Value: id}}, "message", (*messageDoc).model)
}

// MessagesByStatus implements notify.Store.
func (db *DB) MessagesByStatus(ctx context.Context, status string, limit int) ([]*notify.Message, error) {
	cur, err := db.col(colOutbox).Find(ctx, bson.D{{Key: "status", Value: status}},
		options.Find().SetSort(bson.D{{Key: "updated_at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(limit)))
	return all(ctx, cur, err, (*messageDoc).model)
}

// ShopMessagesByStatus implements notify.Store.
func (db *DB) ShopMessagesByStatus(ctx context.Context, shopIDs []string, status string, p core.Page) ([]*notify.Message, error) {
	if len(shopIDs) == 0 {
		return []*notify.Message{}, nil
	}
	filter := bson.D{{Key: "status", Value: status}, {Key: "shop_id", Value: bson.D{{Key: "$in", Value: shopIDs}}}}
	return findPage(ctx, db.col(colOutbox), filter, "updated_at", p, (*messageDoc).model)
}

// RetryMessage implements notify.Store: one conditional update.
func (db *DB) RetryMessage(ctx context.Context, id string, now time.Time) (*notify.Message, error) {
	var d messageDoc
	err := db.col(colOutbox).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}, {Key: "status", Value: notify.StatusDead}},
		bson.D{
			{Key: "$set", Value: bson.D{{Key: "status", Value: notify.StatusPending}, {Key: "attempts", Value: 0}, {Key: "due_at", Value: now},
				{Key: "last_error", Value: ""}, {Key: "lease_owner", Value: ""}, {Key: "updated_at", Value: now}}},
			{Key: "$unset", Value: bson.D{{Key: "lease_until", Value: ""}}},
		}, options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
	if err == nil {
		return d.model(), nil
	}
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, mapErr(err)
	}
	if _, err := db.Message(ctx, id); err != nil {
		return nil, err
	}
	return nil, core.Errorf(core.ECONFLICT, "message %s is not dead", id)
}

// CustomerMessages implements notify.Store.
func (db *DB) CustomerMessages(ctx context.Context, customerID string, p core.Page) ([]*notify.Message, error) {
	return findPage(ctx, db.col(colOutbox), bson.D{{Key: "customer_id", Value: customerID}}, "created_at", p, (*messageDoc).model)
}

// DeleteCustomerMessages implements notify.Store.
func (db *DB) DeleteCustomerMessages(ctx context.Context, customerID string) error {
	_, err := db.col(colOutbox).DeleteMany(ctx, bson.D{{Key: "customer_id", Value: customerID}})
	return mapErr(err)
}

// ShopMessages implements notify.Store.
func (db *DB) ShopMessages(ctx context.Context, shopID string, channel core.Channel, p core.Page) ([]*notify.Message, error) {
	filter := bson.D{{Key: "shop_id", Value: shopID}, {Key: "channel", Value: channel}, {Key: "status", Value: notify.StatusSent}}
	return findPage(ctx, db.col(colOutbox), filter, "created_at", p, (*messageDoc).model)
}

// Inbox implements notify.Store.
func (db *DB) Inbox(ctx context.Context, customerID string, limit int) ([]*notify.Message, error) {
	cur, err := db.col(colOutbox).Find(ctx, bson.D{{Key: "customer_id", Value: customerID}, {Key: "channel", Value: notify.ChannelInbox}, {Key: "status", Value: notify.StatusSent}},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(limit)))
	return all(ctx, cur, err, (*messageDoc).model)
}

// MarkMessage implements notify.Store.
func (db *DB) MarkMessage(ctx context.Context, customerID, id, field string, at time.Time) error {
	col := map[string]string{"read": "read_at", "opened": "opened_at"}[field]
	if col == "" {
		return core.Errorf(core.EINVALID, "unknown mark %q", field)
	}
	res, err := db.col(colOutbox).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "customer_id", Value: customerID}}, mongo.Pipeline{
		{{Key: "$set", Value: bson.D{{Key: col, Value: bson.D{{Key: "$ifNull", Value: bson.A{"$" + col, at}}}}}}},
	})
	if err != nil {
		return mapErr(err)
	}
	if res.MatchedCount == 0 {
		return notFound("message")
	}
	return nil
}
