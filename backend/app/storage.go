package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/store/mongo"
	"github.com/vista-optical/vista/backend/store/sqlite"
)

func (m *Main) setupLogger() {
	if m.Logger != nil {
		return
	}
	var level slog.Level
	_ = level.UnmarshalText([]byte(m.Config.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if m.Config.LogFormat == "json" {
		m.Logger = slog.New(slog.NewJSONHandler(os.Stderr, opts))
	} else {
		m.Logger = slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
}

func (m *Main) openStore(ctx context.Context) error {
	if m.Config.MongoURI != "" {
		db, err := mongo.Open(ctx, m.Config.MongoURI, m.Config.MongoDatabase, m.Logger)
		if err != nil {
			return err
		}
		m.Store = db
	} else {
		if err := writableDir(m.Config.DataDir); err != nil {
			return err
		}
		db, err := sqlite.Open(m.Config.SQLitePath(), m.Logger)
		if err != nil {
			return err
		}
		db.StartMaintenance(time.Hour)
		m.SQLite, m.Store = db, db
	}
	return m.Store.Migrate(ctx)
}

// writableDir makes dir if it is missing and checks that this process may
// write in it (SQLite adds its journal files beside the database), so
// that an operator reads what to fix rather than "unable to open database
// file (14)".
func writableDir(dir string) error {
	explain := func(err error) error {
		if errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("data dir: permission denied on %s: the user running vista must be able to write there (or set VISTA_DATA_DIR)", dir)
		}
		return fmt.Errorf("data dir %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return explain(err)
	}
	f, err := os.CreateTemp(dir, ".vista-write-check-*")
	if err != nil {
		return explain(err)
	}
	f.Close()
	return os.Remove(f.Name())
}

// loadKeys takes the signing keys from the configuration, else from the key
// file, else from (or into) the data dir, generating a key on first start.
func (m *Main) loadKeys() (*auth.Keys, error) {
	if m.Config.JWTKeys != "" {
		return auth.ParseKeys(m.Config.JWTKeys)
	}
	path := m.Config.JWTKeyFile
	if path == "" {
		if m.Config.MongoURI != "" {
			m.Logger.Warn("no VISTA_JWT_KEYS set: using a key kept in the data dir; every instance must share the same keys")
		}
		if err := os.MkdirAll(m.Config.DataDir, 0o750); err != nil {
			return nil, err
		}
		path = filepath.Join(m.Config.DataDir, "jwt-keys")
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			_, text, err := auth.GenerateKeys("k" + m.Clock.Now().Format("20060102"))
			if err != nil {
				return nil, err
			}
			if err := os.WriteFile(path, []byte(text+"\n"), 0o600); err != nil {
				return nil, fmt.Errorf("write generated key: %w", err)
			}
			m.Logger.Info("generated a token signing key", "file", path)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("jwt key file: %w", err)
	}
	return auth.ParseKeys(string(b))
}

func (m *Main) describeStore() string {
	if m.SQLite != nil {
		return "SQLite at " + m.SQLite.Path()
	}
	return "MongoDB database " + m.Config.MongoDatabase + " at " + m.Config.Redacted().MongoURI
}
