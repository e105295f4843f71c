// Package mongo is the production storage engine of Vista on MongoDB
// (go.mongodb.org/mongo-driver/v2), implementing the same Store
// interfaces as the SQLite engine.
//
// Deployments: a replica set or a sharded cluster. Writes are acknowledged
// by a majority with journal and reads see majority-committed data from
// the primary, as the URI says or by default; a URI asking for less is
// refused at start (checkConcerns). Races are decided by single-document
// atomic updates, conditional filters and unique indexes (a booking's
// claims, a message's lease); a write an interface calls all or nothing
// (a booking with its claims and messages, an import) is a transaction.
// A standalone server, for development, has no transactions: those writes
// are then checked before their first document, ordered so that the
// deciding write comes first, and taken back on failure; the conformance
// suite runs a second time with transactions forced off
// (WithoutTransactions, in tests) to hold them to it. The schema has
// versions (schema.go).
//
// What has been shown, and on what: the conformance suite (storetest)
// and the HTTP tests ran on 2026-12-03 and 2026-12-07 against
// mongo-java-server (bwaldvogel, memory backend, no transactions), a
// MongoDB wire-protocol peer, not MongoDB; the tests that failed there
// rely on what that peer lacks (partial index filters, find-and-modify
// atomic under concurrency, transactions). This engine has not yet
// answered a real MongoDB server in this project.
package mongo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/store"
)

// Collection names, the same as the SQLite tables.
const (
	colShops           = "shops"
	colStaff           = "staff"
	colCustomers       = "customers"
	colConsentEvents   = "consent_events"
	colDevices         = "devices"
	colRefreshFamilies = "refresh_families"
	colRefreshTokens   = "refresh_tokens"
	colAudit           = "audit_log"
	colRateHits        = "rate_hits"
	colProducts        = "products"
	colOutbox          = "outbox"
	colSupplies        = "lens_supplies"
	colFamily          = "family_members"
	colReservations    = "reservations"
	colExams           = "eye_exams"
	colShopSettings    = "shop_reminder_settings"
	colRevocations     = "token_revocations"
	colStaffSessions   = "staff_sessions"
	colLinks           = "links"
	colChainSettings   = "chain_settings"
	colPromotions      = "promotions"
	colStock           = "stock"
	colCatalogSettings = "catalog_settings"
	colTouches         = "touches"
	colKiosks          = "kiosks"
	colPairingCodes    = "pairing_codes"
	colOffers          = "offers"
	colScreenEvents    = "screen_events"
	colPlays           = "plays"
	colCounters        = "counters"
	colVisits          = "visits"
	colVisitEvents     = "visit_events"
	colVisitCodes      = "visit_codes"
	colVisitPrefs      = "visit_preferences"
	colBookingServices = "booking_services"
	colPractitioners   = "practitioners"
	colBookings        = "bookings"
	colBookingClaims   = "booking_claims"
	colWaitlist        = "waitlist"
	colImages          = "images"
)

// DB implements every Store of the domain.
var _ store.Engine = (*DB)(nil)

// DB is a Vista database on a MongoDB deployment.
type DB struct {
	client *mongo.Client
	db     *mongo.Database
	logger *slog.Logger
	// noTransactions warns once that the deployment has none.
	noTransactions sync.Once
	// withoutTransactions runs every all-or-nothing write as on a
	// standalone server, for the conformance suite to show what holds
	// there.
	withoutTransactions bool
}

// checkConcerns refuses a URI asking for less than Vista's promises need:
// writes acknowledged by a majority with journal (an acknowledged booking
// survives a failover), reads of majority-committed data from the
// primary (a read sees what was acknowledged).
func checkConcerns(cs *connstring.ConnString) error {
	switch {
	case cs.WNumberSet || (cs.WString != "" && cs.WString != "majority"):
		w := cs.WString
		if cs.WNumberSet {
			w = fmt.Sprint(cs.WNumber)
		}
		return fmt.Errorf("mongodb uri: w=%s is weaker than w=majority, which Vista needs (an acknowledged write must survive a failover): remove it or set w=majority", w)
	case cs.JSet && !cs.J:
		return errors.New("mongodb uri: journal=false lets an acknowledged write be lost in a crash: remove it")
	case cs.ReadConcernLevel != "" && cs.ReadConcernLevel != "majority" && cs.ReadConcernLevel != "linearizable":
		return fmt.Errorf("mongodb uri: readConcernLevel=%s can read writes a failover rolls back: remove it or use majority", cs.ReadConcernLevel)
	case cs.ReadPreference != "" && !strings.EqualFold(cs.ReadPreference, "primary"):
		return fmt.Errorf("mongodb uri: readPreference=%s reads from secondaries, which lag: a customer would not see what they just saved; remove it", cs.ReadPreference)
	}
	return nil
}

// Open connects to uri and uses database name. Call Migrate before use.
func Open(ctx context.Context, uri, name string, logger *slog.Logger) (*DB, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cs, err := connstring.Parse(uri)
	if err != nil {
		return nil, fmt.Errorf("mongodb uri: %w", err)
	}
	if err := checkConcerns(cs); err != nil {
		return nil, err
	}
	opts := options.Client().ApplyURI(uri)
	// What the URI leaves out is majority with journal, reads of majority-
	// committed data from the primary; what it says (no weaker) stays.
	if cs.WString == "" && !cs.WNumberSet {
		wc := writeconcern.Majority()
		journal := true
		wc.Journal = &journal
		opts.SetWriteConcern(wc)
	}
	if cs.ReadConcernLevel == "" {
		opts.SetReadConcern(readconcern.Majority())
	}
	if cs.ReadPreference == "" {
		opts.SetReadPreference(readpref.Primary())
	}
	opts.SetRetryWrites(true).
		SetRetryReads(true).
		SetTimeout(15 * time.Second).
		SetAppName("vista")
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, fmt.Errorf("mongodb connect: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := client.Ping(pctx, readpref.Primary()); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("mongodb ping: %w", err)
	}
	return &DB{client: client, db: client.Database(name), logger: logger}, nil
}

// Ping checks that the primary answers.
func (db *DB) Ping(ctx context.Context) error {
	return db.client.Ping(ctx, readpref.Primary())
}

// Drop deletes the whole database (tests only).
func (db *DB) Drop(ctx context.Context) error { return db.db.Drop(ctx) }

// Close disconnects.
func (db *DB) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return db.client.Disconnect(ctx)
}

func (db *DB) col(name string) *mongo.Collection { return db.db.Collection(name) }

// findPage finds one core.Page of the documents matching filter in a list
// kept newest first by field then _id.
func findPage[D any, T any](ctx context.Context, c *mongo.Collection, filter bson.D, field string, p core.Page, conv func(*D) T) ([]T, error) {
	if p.Limit <= 0 { // no rows, as in SQL (a MongoDB limit of 0 is none)
		return []T{}, nil
	}
	if !p.After.IsZero() {
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: field, Value: bson.D{{Key: "$lt", Value: p.After.At}}}},
			bson.D{{Key: field, Value: p.After.At}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: p.After.ID}}}},
		}})
	}
	cur, err := c.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: field, Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(p.Limit)))
	return all(ctx, cur, err, conv)
}

// mapErr turns driver errors into core errors.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	var ce *core.Error
	if errors.As(err, &ce) {
		return err
	}
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return &core.Error{Code: core.ENOTFOUND, Message: "not found", Err: err}
	case mongo.IsDuplicateKeyError(err):
		return &core.Error{Code: core.ECONFLICT, Message: "already exists", Err: err}
	case mongo.IsTimeout(err), mongo.IsNetworkError(err), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return &core.Error{Code: core.EUNAVAILABLE, Message: "the database is not answering; try again", Err: err}
	case unavailable(err):
		return &core.Error{Code: core.EUNAVAILABLE, Message: "the database is changing primary; try again", Err: err}
	}
	return core.Internal(err)
}

// unavailableCodes are the server's answers while a replica set elects a
// primary, or a member shuts down or cannot be reached: the driver
// retries a read or a write once, and one that fails again is worth a
// retry a moment later (503), not a bug (500).
var unavailableCodes = []int{
	6,     // HostUnreachable
	7,     // HostNotFound
	64,    // WriteConcernFailed: the majority did not acknowledge in time
	89,    // NetworkTimeout
	91,    // ShutdownInProgress
	189,   // PrimarySteppedDown
	262,   // ExceededTimeLimit
	9001,  // SocketException
	10058, // LegacyNotPrimary
	10107, // NotWritablePrimary
	11600, // InterruptedAtShutdown
	11602, // InterruptedDueToReplStateChange
	13435, // NotPrimaryNoSecondaryOk
	13436, // NotPrimaryOrSecondary
}

// unavailable reports whether err is a failover or shutdown answer, or one
// the server labels retryable.
func unavailable(err error) bool {
	var se mongo.ServerError
	if !errors.As(err, &se) {
		return false
	}
	for _, code := range unavailableCodes {
		if se.HasErrorCode(code) {
			return true
		}
	}
	return se.HasErrorLabel("RetryableWriteError") || se.HasErrorLabel("TransientTransactionError")
}

func notFound(what string) error { return core.Errorf(core.ENOTFOUND, "%s not found", what) }

func utc(t time.Time) time.Time { return t.UTC() }

func utcp(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func afterUpsert() *options.FindOneAndUpdateOptionsBuilder {
	return options.FindOneAndUpdate().SetReturnDocument(options.After).SetUpsert(true)
}

func after() *options.FindOneAndUpdateOptionsBuilder {
	return options.FindOneAndUpdate().SetReturnDocument(options.After)
}

// findOne decodes the one document matching filter with conv, or returns
// ENOTFOUND naming what.
func findOne[D any, T any](ctx context.Context, c *mongo.Collection, filter bson.D, what string, conv func(*D) T) (T, error) {
	var d D
	var zero T
	err := c.FindOne(ctx, filter).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return zero, notFound(what)
	} else if err != nil {
		return zero, mapErr(err)
	}
	return conv(&d), nil
}

// all decodes every document of cur with conv.
func all[D any, T any](ctx context.Context, cur *mongo.Cursor, err error, conv func(*D) T) ([]T, error) {
	if err != nil {
		return nil, mapErr(err)
	}
	defer cur.Close(ctx)
	out := []T{}
	for cur.Next(ctx) {
		var d D
		if err := cur.Decode(&d); err != nil {
			return nil, mapErr(err)
		}
		out = append(out, conv(&d))
	}
	return out, mapErr(cur.Err())
}

// inTransaction runs fn in a transaction where the deployment has them (a
// replica set or a sharded cluster). A standalone server, for development,
// has none: fn then runs without one, each of its writes atomic alone.
func (db *DB) inTransaction(ctx context.Context, fn func(ctx context.Context) error) error {
	if db.withoutTransactions {
		return mapErr(fn(ctx))
	}
	sess, err := db.client.StartSession()
	if err != nil {
		return mapErr(err)
	}
	defer sess.EndSession(ctx)
	_, err = sess.WithTransaction(ctx, func(ctx context.Context) (any, error) { return nil, fn(ctx) })
	var ce mongo.CommandError
	// IllegalOperation: transactions need a replica set; the driver's own
	// refusal of a server without sessions has no error value to match.
	if errors.As(err, &ce) && ce.Code == 20 || err != nil && strings.Contains(err.Error(), "does not support sessions") {
		db.noTransactions.Do(func() {
			db.logger.Warn("this MongoDB deployment has no transactions (a standalone server?): each write is atomic alone; use a replica set in production")
		})
		return mapErr(fn(ctx))
	}
	return mapErr(err)
}
