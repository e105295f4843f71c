// Package sqlitetest gives a test or benchmark a migrated SQLite database
// of its own, in its temporary directory, closed when it ends.
package sqlitetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/vista-optical/vista/backend/store/sqlite"
)

// Open returns a new, migrated database for tb.
func Open(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(filepath.Join(tb.TempDir(), "vista.db"), nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return db
}
