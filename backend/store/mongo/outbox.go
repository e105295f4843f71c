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
	// LeaseID is the claim that leased it: one per ClaimMessages call, to
	// read back what that call's updateMany took.
	LeaseID   string     `bson:"lease_id,omitempty"`
	LastError string     `bson:"last_error"`
	CreatedAt time.Time  `bson:"created_at"`
	UpdatedAt time.Time  `bson:"updated_at"`
	SentAt    *time.Time `bson:"sent_at,omitempty"`
	ReadAt    *time.Time `bson:"read_at,omitempty"`
	OpenedAt  *time.Time `bson:"opened_at,omitempty"`
}

func (d *messageDoc) model() *notify.Message {
	return &notify.Message{ID: d.ID, CustomerID: d.CustomerID, ShopID: d.ShopID, Channel: d.Channel, Purpose: d.Purpose,
		DedupeKey: d.DedupeKey, Cause: d.Cause, Title: d.Title, Body: d.Body, Data: d.Data, DueAt: utc(d.DueAt),
		Attempts: d.Attempts, Status: d.Status, LeaseOwner: d.LeaseOwner, LeaseUntil: utcp(d.LeaseUntil), LastError: d.LastError,
		CreatedAt: utc(d.CreatedAt), UpdatedAt: utc(d.UpdatedAt), SentAt: utcp(d.SentAt), ReadAt: utcp(d.ReadAt), OpenedAt: utcp(d.OpenedAt)}
}

func toMessageDoc(m *notify.Message) messageDoc {
	return messageDoc{ID: m.ID, CustomerID: m.CustomerID, ShopID: m.ShopID, Channel: m.Channel,
		Purpose: m.Purpose, DedupeKey: m.DedupeKey, Cause: m.Cause, Title: m.Title, Body: m.Body, Data: m.Data, DueAt: m.DueAt,
		Attempts: m.Attempts, Status: m.Status, LeaseOwner: m.LeaseOwner, LeaseUntil: m.LeaseUntil, LastError: m.LastError,
		CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, SentAt: m.SentAt, ReadAt: m.ReadAt, OpenedAt: m.OpenedAt}
}

// EnqueueMessage implements notify.Store: the unique index on dedupe_key
// decides, so concurrent enqueues of one cause store one message.
func (db *DB) EnqueueMessage(ctx context.Context, m *notify.Message) (bool, error) {
	_, err := db.col(colOutbox).InsertOne(ctx, toMessageDoc(m))
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	return err == nil, mapErr(err)
}

// EnqueueMessages implements notify.Store in one unordered insertMany
// (one round trip, one majority wait, for a whole campaign page): a
// duplicate dedupe key fails only its own document, which counts as
// already enqueued; any other failure fails the call.
func (db *DB) EnqueueMessages(ctx context.Context, msgs []*notify.Message) (int, error) {
	if len(msgs) == 0 {
		return 0, nil
	}
	docs := make([]any, len(msgs))
	for i, m := range msgs {
		docs[i] = toMessageDoc(m)
	}
	res, err := db.col(colOutbox).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	created := 0
	if res != nil {
		created = len(res.InsertedIDs)
	}
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && bwe.WriteConcernError == nil {
		for _, we := range bwe.WriteErrors {
			if we.Code != 11000 {
				return created, mapErr(err)
			}
		}
		return len(msgs) - len(bwe.WriteErrors), nil
	}
	return created, mapErr(err)
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
	if n <= 0 {
		return []*notify.Message{}, nil
	}
	// A claimed message's due_at is its lease end (as on SQLite), so one
	// condition covers both what is due and what a dead dispatcher held,
	// and the index (status, due_at) serves the filter and the sort.
	claimable := bson.D{{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{notify.StatusPending, notify.StatusSending}}}},
		{Key: "due_at", Value: bson.D{{Key: "$lte", Value: now}}}}
	cur, err := db.col(colOutbox).Find(ctx, claimable, options.Find().SetSort(bson.D{{Key: "due_at", Value: 1}}).SetLimit(int64(n)).
		SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, mapErr(err)
	}
	var found []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &found); err != nil {
		return nil, mapErr(err)
	}
	if len(found) == 0 {
		return []*notify.Message{}, nil
	}
	ids := make(bson.A, len(found))
	for i, f := range found {
		ids[i] = f.ID
	}
	// One conditional updateMany stamps a fresh lease on those still
	// claimable: each document is updated atomically, so of two
	// dispatchers that found the same ids, one takes each.
	lease := core.NewID()
	filter := append(bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}, claimable...)
	update := bson.D{
		{Key: "$set", Value: bson.D{{Key: "status", Value: notify.StatusSending}, {Key: "lease_owner", Value: owner}, {Key: "lease_id", Value: lease},
			{Key: "lease_until", Value: leaseUntil}, {Key: "due_at", Value: leaseUntil}, {Key: "updated_at", Value: now}}},
		{Key: "$inc", Value: bson.D{{Key: "attempts", Value: 1}}},
	}
	if _, err := db.col(colOutbox).UpdateMany(ctx, filter, update); err != nil {
		return nil, mapErr(err)
	}
	cur, err = db.col(colOutbox).Find(ctx, bson.D{{Key: "lease_id", Value: lease}})
	got, err := all(ctx, cur, err, (*messageDoc).model)
	if err != nil {
		return nil, err
	}
	// Oldest due first, as found (their due_at is now the lease end).
	byID := make(map[string]*notify.Message, len(got))
	for _, m := range got {
		byID[m.ID] = m
	}
	out := make([]*notify.Message, 0, len(got))
	for _, f := range found {
		if m := byID[f.ID]; m != nil {
			out = append(out, m)
		}
	}
	return out, nil
}

// FinishMessage implements notify.Store.
func (db *DB) FinishMessage(ctx context.Context, id, owner string, o notify.Outcome) error {
	m := finishModel(owner, notify.Finish{ID: id, Outcome: o})
	res, err := db.col(colOutbox).UpdateOne(ctx, m.Filter, m.Update)
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

// finishModel is the conditional update recording f where owner holds
// the lease.
func finishModel(owner string, f notify.Finish) *mongo.UpdateOneModel {
	o := f.Outcome
	set := bson.D{{Key: "status", Value: o.Status}, {Key: "last_error", Value: o.Error}, {Key: "lease_owner", Value: ""},
		{Key: "updated_at", Value: o.At}}
	if o.Status == notify.StatusSent {
		set = append(set, bson.E{Key: "sent_at", Value: o.At})
	}
	if o.Status == notify.StatusPending {
		set = append(set, bson.E{Key: "due_at", Value: o.RetryAt})
	}
	update := bson.D{{Key: "$set", Value: set}, {Key: "$unset", Value: bson.D{{Key: "lease_until", Value: ""}, {Key: "lease_id", Value: ""}}}}
	if o.Deferred {
		update = append(update, bson.E{Key: "$inc", Value: bson.D{{Key: "attempts", Value: -1}}})
	}
	return mongo.NewUpdateOneModel().SetUpdate(update).
		SetFilter(bson.D{{Key: "_id", Value: f.ID}, {Key: "status", Value: notify.StatusSending}, {Key: "lease_owner", Value: owner}})
}

// FinishMessages implements notify.Store in one unordered bulk write (a
// group commit: one majority wait for the batch). A bulk write reports
// only how many matched; when some did not, one read tells which ids
// owner no longer holds: a finished message has lease_owner "".
func (db *DB) FinishMessages(ctx context.Context, owner string, fs []notify.Finish) ([]string, error) {
	if len(fs) == 0 {
		return nil, nil
	}
	ids := make(bson.A, len(fs))
	models := make([]mongo.WriteModel, len(fs))
	for i, f := range fs {
		ids[i], models[i] = f.ID, finishModel(owner, f)
	}
	res, err := db.col(colOutbox).BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	if err != nil {
		return nil, mapErr(err)
	}
	if int(res.MatchedCount) == len(fs) {
		return nil, nil
	}
	// Unmatched: taken by another dispatcher (it holds the lease now, or
	// finished it), or unknown. Finished ones of ours kept lease_owner "".
	cur, err := db.col(colOutbox).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "lease_owner", Value: 1}, {Key: "updated_at", Value: 1}, {Key: "status", Value: 1}}))
	if err != nil {
		return nil, mapErr(err)
	}
	var docs []messageDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr(err)
	}
	ours := map[string]bool{}
	at := map[string]time.Time{}
	for _, f := range fs {
		at[f.ID] = f.Outcome.At
	}
	for _, d := range docs {
		if d.LeaseOwner == "" && d.Status != notify.StatusSending && d.UpdatedAt.Equal(at[d.ID]) {
			ours[d.ID] = true
		}
	}
	var lost []string
	for _, f := range fs {
		if !ours[f.ID] {
			lost = append(lost, f.ID)
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
	if limit <= 0 { // no rows, as in SQL (a MongoDB limit of 0 is none)
		return []*notify.Message{}, nil
	}
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
func (db *DB) Inbox(ctx context.Context, customerID string, p core.Page) ([]*notify.Message, error) {
	filter := bson.D{{Key: "customer_id", Value: customerID}, {Key: "channel", Value: notify.ChannelInbox}, {Key: "status", Value: notify.StatusSent}}
	return findPage(ctx, db.col(colOutbox), filter, "created_at", p, (*messageDoc).model)
}

// MarkMessage implements notify.Store.
func (db *DB) MarkMessage(ctx context.Context, customerID, id, field string, at time.Time) error {
	col := map[string]string{"read": "read_at", "opened": "opened_at"}[field]
	if col == "" {
		return core.Errorf(core.EINVALID, "unknown mark %q", field)
	}
	// The first time is kept: the field is absent until set, and $min
	// (an operator, not a pipeline, for portability) never moves it later.
	res, err := db.col(colOutbox).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "customer_id", Value: customerID}},
		bson.D{{Key: "$min", Value: bson.D{{Key: col, Value: at}}}})
	if err != nil {
		return mapErr(err)
	}
	if res.MatchedCount == 0 {
		return notFound("message")
	}
	return nil
}
