package sqlite_test

import (
	"testing"

	"github.com/vista-optical/vista/backend/store/sqlite"
	"github.com/vista-optical/vista/backend/store/sqlite/sqlitetest"
	"github.com/vista-optical/vista/backend/store/storetest"
)

func openTemp(t *testing.T) *sqlite.DB { return sqlitetest.Open(t) }

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Engine { return openTemp(t) })
}
