package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/vista-optical/vista/backend/store/sqlite"
	"github.com/vista-optical/vista/backend/store/storetest"
)

func openTemp(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "vista.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Engine { return openTemp(t) })
}
