package mongo_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/store/mongo"
	"github.com/vista-optical/vista/backend/store/storetest"
)

// TestMain says plainly whether the MongoDB engine was exercised: no MongoDB
// server can be installed on our build machines, so a silent skip would
// hide that the suite did not run. `go test` shows this line only with -v
// or on failure; a URI that names a server that does not answer fails the
// package at once rather than test by test.
func TestMain(m *testing.M) {
	uri := os.Getenv("VISTA_TEST_MONGODB_URI")
	if uri == "" {
		fmt.Println("MongoDB conformance: SKIPPED (set VISTA_TEST_MONGODB_URI to a replica set to run it)")
		os.Exit(m.Run())
	}
	db, err := mongo.Open(context.Background(), uri, "vista_test_ping", nil)
	if err != nil {
		fmt.Println("MongoDB conformance: FAILED, VISTA_TEST_MONGODB_URI does not answer:", redact(err.Error()))
		os.Exit(1)
	}
	_ = db.Close()
	fmt.Println("MongoDB conformance: RUNNING against", redact(uri))
	os.Exit(m.Run())
}

func redact(uri string) string {
	if at := strings.LastIndex(uri, "@"); at > 0 {
		if scheme := strings.Index(uri, "://"); scheme > 0 {
			return uri[:scheme+3] + "…@" + uri[at+1:]
		}
	}
	return uri
}

func TestConformance(t *testing.T) {
	needMongo(t)
	storetest.Run(t, func(t *testing.T) storetest.Engine { return openTest(t) })
}

// TestConformanceWithoutTransactions runs the suite as a standalone
// server would: every write an interface calls all or nothing must still
// be, by checking before it writes and taking back what it wrote.
func TestConformanceWithoutTransactions(t *testing.T) {
	needMongo(t)
	storetest.Run(t, func(t *testing.T) storetest.Engine {
		db := openTest(t)
		db.WithoutTransactions()
		return db
	})
}

func needMongo(t *testing.T) {
	if os.Getenv("VISTA_TEST_MONGODB_URI") == "" {
		t.Skip("VISTA_TEST_MONGODB_URI not set: MongoDB conformance suite skipped")
	}
}

// openTest is a new, migrated database of its own, dropped at the end of t.
func openTest(t *testing.T) *mongo.DB {
	t.Helper()
	needMongo(t)
	ctx := context.Background()
	db, err := mongo.Open(ctx, os.Getenv("VISTA_TEST_MONGODB_URI"), "vista_test_"+core.NewID(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = db.Drop(context.Background())
		_ = db.Close()
	})
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

func openBare(t *testing.T) (*mongo.DB, string) {
	t.Helper()
	uri := os.Getenv("VISTA_TEST_MONGODB_URI")
	if uri == "" {
		t.Skip("VISTA_TEST_MONGODB_URI not set")
	}
	name := "vista_test_" + core.NewID()
	db, err := mongo.Open(context.Background(), uri, name, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = db.Drop(context.Background())
		_ = db.Close()
	})
	return db, name
}

// TestMigrateSeveralInstancesAtOnce: instances starting together apply
// each schema step once (the lock), and a later start applies nothing.
func TestMigrateSeveralInstancesAtOnce(t *testing.T) {
	db, _ := openBare(t)
	ctx := context.Background()
	errs := make(chan error, 3)
	for range 3 {
		go func() { errs <- db.Migrate(ctx) }()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	applied, err := db.AppliedSchema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != mongo.SchemaVersion || applied[len(applied)-1] != mongo.SchemaVersion {
		t.Fatalf("applied %v, want 1…%d once each", applied, mongo.SchemaVersion)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
}
