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
// hide that the suite did not run.
func TestMain(m *testing.M) {
	if uri := os.Getenv("VISTA_TEST_MONGODB_URI"); uri == "" {
		fmt.Println("MongoDB conformance: SKIPPED (set VISTA_TEST_MONGODB_URI to a replica set to run it)")
	} else {
		fmt.Println("MongoDB conformance: RUNNING against", redact(uri))
	}
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
	uri := os.Getenv("VISTA_TEST_MONGODB_URI")
	if uri == "" {
		t.Skip("VISTA_TEST_MONGODB_URI not set: MongoDB conformance suite skipped")
	}
	storetest.Run(t, func(t *testing.T) storetest.Engine {
		ctx := context.Background()
		db, err := mongo.Open(ctx, uri, "vista_test_"+core.NewID(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = db.Drop(context.Background())
			_ = db.Close()
		})
		return db
	})
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
