package mongo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"

	"github.com/vista-optical/vista/backend/core"
)

// TestMapErr: the driver's answers during a failover, after its one
// retry, are "unavailable" (503 with Retry-After), not bugs; a duplicate
// key is a conflict; anything else stays internal.
func TestMapErr(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{mongo.CommandError{Code: 10107, Name: "NotWritablePrimary"}, core.EUNAVAILABLE},
		{mongo.CommandError{Code: 11602, Name: "InterruptedDueToReplStateChange"}, core.EUNAVAILABLE},
		{mongo.CommandError{Code: 189, Name: "PrimarySteppedDown"}, core.EUNAVAILABLE},
		{mongo.CommandError{Code: 91, Name: "ShutdownInProgress"}, core.EUNAVAILABLE},
		{mongo.CommandError{Code: 13435, Name: "NotPrimaryNoSecondaryOk"}, core.EUNAVAILABLE},
		{mongo.CommandError{Code: 251, Name: "NoSuchTransaction", Labels: []string{"TransientTransactionError"}}, core.EUNAVAILABLE},
		{mongo.CommandError{Code: 112, Name: "WriteConflict", Labels: []string{"TransientTransactionError"}}, core.EUNAVAILABLE},
		{mongo.WriteException{WriteConcernError: &mongo.WriteConcernError{Code: 64, Name: "WriteConcernFailed"}}, core.EUNAVAILABLE},
		{mongo.WriteException{WriteConcernError: &mongo.WriteConcernError{Code: 10107, Name: "NotWritablePrimary"}}, core.EUNAVAILABLE},
		{fmt.Errorf("find: %w", mongo.CommandError{Code: 10107}), core.EUNAVAILABLE},
		{context.DeadlineExceeded, core.EUNAVAILABLE},
		{mongo.WriteException{WriteErrors: mongo.WriteErrors{{Code: 11000, Message: "E11000 duplicate key"}}}, core.ECONFLICT},
		{mongo.ErrNoDocuments, core.ENOTFOUND},
		{mongo.CommandError{Code: 2, Name: "BadValue"}, core.EINTERNAL},
		{errors.New("something else"), core.EINTERNAL},
	} {
		if got := core.ErrorCode(mapErr(tc.err)); got != tc.want {
			t.Errorf("%v: %s, want %s", tc.err, got, tc.want)
		}
	}
}

// TestConcernsFromTheURI: what the URI says is kept, and a concern weaker
// than majority is refused at start with a clear message.
func TestConcernsFromTheURI(t *testing.T) {
	for uri, refused := range map[string]string{
		"mongodb://h/?replicaSet=rs0":                                     "",
		"mongodb://h/?w=majority&journal=true":                            "",
		"mongodb://h/?readConcernLevel=linearizable":                      "",
		"mongodb://h/?w=1":                                                "w=1 is weaker",
		"mongodb://h/?w=0":                                                "w=0 is weaker",
		"mongodb://h/?w=myTag":                                            "w=myTag is weaker",
		"mongodb://h/?journal=false":                                      "journal=false",
		"mongodb://h/?readConcernLevel=local":                             "readConcernLevel=local",
		"mongodb://h/?readConcernLevel=available":                         "readConcernLevel=available",
		"mongodb://h/?readPreference=secondaryPreferred":                  "readPreference=secondaryPreferred",
		"mongodb+srv://user:pass@cluster.example/?readPreference=primary": "",
	} {
		cs, err := connstring.Parse(uri)
		if err != nil {
			if refused == "" && !strings.HasPrefix(uri, "mongodb+srv") {
				t.Fatalf("%s: %v", uri, err)
			}
			continue
		}
		err = checkConcerns(cs)
		switch {
		case refused == "" && err != nil:
			t.Errorf("%s refused: %v", uri, err)
		case refused != "" && (err == nil || !strings.Contains(err.Error(), refused)):
			t.Errorf("%s: %v, want a refusal naming %q", uri, err, refused)
		}
	}
}

// TestSchemaStepRebuildsAChangedIndex: a deployment at schema 1 (its
// unique e-mail index partial) is brought to the sparse definition by a
// step of its own; creating the new definition over the old would fail
// with IndexOptionsConflict and stop every instance from starting.
func TestSchemaStepRebuildsAChangedIndex(t *testing.T) {
	uri := os.Getenv("VISTA_TEST_MONGODB_URI")
	if uri == "" {
		t.Skip("VISTA_TEST_MONGODB_URI not set")
	}
	ctx := context.Background()
	db, err := Open(ctx, uri, "vista_test_"+core.NewID(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Drop(ctx); _ = db.Close() }()
	if err := baseline(ctx, db); err != nil {
		t.Fatal(err)
	}
	if _, err := db.col(colSchema).InsertOne(ctx, bson.D{{Key: "_id", Value: 1}, {Key: "name", Value: "baseline indexes"}}); err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	cur, err := db.col(colCustomers).Indexes().List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var specs []bson.M
	if err := cur.All(ctx, &specs); err != nil {
		t.Fatal(err)
	}
	for _, s := range specs {
		if s["name"] == "email_1" {
			if s["sparse"] != true || s["unique"] != true || s["partialFilterExpression"] != nil {
				t.Fatalf("email index after the step: %v", s)
			}
			return
		}
	}
	t.Fatalf("no email index: %v", specs)
}
