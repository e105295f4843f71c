// Package sqlite is the embedded storage engine of Vista and its default:
// one file in the data folder, pure Go (modernc.org/sqlite), WAL with
// synchronous=FULL so that what a user was told is saved survives a power
// cut, one writer connection whose transactions start with BEGIN IMMEDIATE,
// and a pool of read-only connections. It implements every Store interface
// of the domain packages.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"runtime"
	"sync"
	"time"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/lens"
	"github.com/vista-optical/vista/backend/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB implements every Store of the domain.
var _ store.Engine = (*DB)(nil)

// DB is an open Vista database file.
type DB struct {
	path  string
	write *sql.DB // one connection: SQLite has one writer
	read  *sql.DB // read-only pool
	// writers queues transactions for the one write connection in the
	// order they asked: database/sql hands a freed connection to a random
	// waiter, which under load starves some for many commits in a row.
	// A sync.Mutex turns FIFO once a waiter has waited 1 ms.
	writers sync.Mutex
	// claims batches visit claims into shared transactions (visit.go).
	claims claims
	logger *slog.Logger

	stmts  sync.Map // query text → *sql.Stmt on the read pool
	wstmts sync.Map // query text → *sql.Stmt on the writer

	stop chan struct{}
	wg   sync.WaitGroup
}

// Open opens (creating if needed) the database at path. Call Migrate before
// use, and Close when done.
func Open(path string, logger *slog.Logger) (*DB, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// Pragmas run in this order on every new connection: the busy timeout
	// first so that the others wait rather than fail, then WAL, then FULL
	// sync (what is acknowledged survives power loss), then foreign keys.
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "cache_size(-65536)") // 64 MiB of pages for the writer
	q.Set("_txlock", "immediate")
	write, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)

	rq := url.Values{}
	rq.Add("_pragma", "busy_timeout(10000)")
	rq.Add("_pragma", "foreign_keys(1)")
	rq.Add("_pragma", "query_only(1)")
	rq.Add("_pragma", "cache_size(-16384)") // 16 MiB per reader
	read, err := sql.Open("sqlite", "file:"+path+"?"+rq.Encode())
	if err != nil {
		write.Close()
		return nil, err
	}
	n := max(4, runtime.GOMAXPROCS(0)*2)
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxLifetime(0)

	db := &DB{path: path, write: write, read: read, logger: logger, stop: make(chan struct{})}
	if err := db.write.Ping(); err != nil {
		db.closeConns()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// Migrate applies the embedded schema migrations that have not run yet,
// each in its own transaction, then checks the connection settings. It is
// safe to run at every start.
func (db *DB) Migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db.write, sub, goose.WithDisableGlobalRegistry(true),
		goose.WithGoMigrations(searchKeysMigration()))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range res {
		db.logger.Info("migration applied", "engine", "sqlite", "version", r.Source.Version, "duration_ms", r.Duration.Milliseconds())
	}
	return db.CheckSettings(ctx)
}

// Settings are the connection settings Vista relies on.
type Settings struct {
	JournalMode string
	Synchronous int // 2 = FULL
	BusyTimeout int
	ForeignKeys int
}

// CurrentSettings reads the settings of the writer connection.
func (db *DB) CurrentSettings(ctx context.Context) (Settings, error) {
	var s Settings
	row := db.write.QueryRowContext(ctx, `SELECT (SELECT journal_mode FROM pragma_journal_mode), (SELECT synchronous FROM pragma_synchronous),
		(SELECT timeout FROM pragma_busy_timeout), (SELECT foreign_keys FROM pragma_foreign_keys)`)
	err := row.Scan(&s.JournalMode, &s.Synchronous, &s.BusyTimeout, &s.ForeignKeys)
	return s, err
}

// CheckSettings fails unless the writer runs in WAL mode with FULL sync, a
// busy timeout of at least 5 s and foreign keys on (T31).
func (db *DB) CheckSettings(ctx context.Context) error {
	s, err := db.CurrentSettings(ctx)
	if err != nil {
		return err
	}
	if s.JournalMode != "wal" || s.Synchronous != 2 || s.BusyTimeout < 5000 || s.ForeignKeys != 1 {
		return fmt.Errorf("sqlite settings %+v: want journal_mode=wal, synchronous=FULL(2), busy_timeout>=5000, foreign_keys=1", s)
	}
	return nil
}

// StartMaintenance runs PRAGMA optimize and a passive WAL checkpoint every
// interval until Close.
func (db *DB) StartMaintenance(interval time.Duration) {
	db.wg.Add(1)
	go func() {
		defer db.wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-db.stop:
				return
			case <-t.C:
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				if _, err := db.write.ExecContext(ctx, `PRAGMA optimize; PRAGMA wal_checkpoint(PASSIVE);`); err != nil {
					db.logger.Warn("sqlite maintenance failed", "err", err)
				}
				cancel()
			}
		}
	}()
}

// Ping checks that the database answers a read and a write lock.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return err
	}
	return db.write.PingContext(ctx)
}

// Path is the file the database lives in.
func (db *DB) Path() string { return db.path }

// CustomerTables lists the tables that hold rows about a customer: those
// with a customer_id column, and customers itself.
func (db *DB) CustomerTables(ctx context.Context) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT m.name FROM sqlite_schema m
		WHERE m.type = 'table' AND (m.name = 'customers' OR EXISTS (SELECT 1 FROM pragma_table_info(m.name) p WHERE p.name = 'customer_id'))
		ORDER BY m.name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// readStmt returns the read-pool statement for query, prepared once:
// parsing SQL costs more than running an indexed point read.
func (db *DB) readStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := db.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.read.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := db.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// writeStmt returns the writer's statement for query, prepared once, for
// hot write paths (outbox claims and outcomes).
func (db *DB) writeStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := db.wstmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.write.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := db.wstmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// queryRow runs a single-row read through a prepared statement.
func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := db.readStmt(ctx, query)
	if err != nil {
		return db.read.QueryRowContext(ctx, query, args...) // carries the error
	}
	return st.QueryRowContext(ctx, args...)
}

// query runs a read through a prepared statement.
func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := db.readStmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// Close stops maintenance and closes every connection, checkpointing the WAL.
func (db *DB) Close() error {
	close(db.stop)
	db.wg.Wait()
	return db.closeConns()
}

func (db *DB) closeConns() error {
	for _, m := range []*sync.Map{&db.stmts, &db.wstmts} {
		m.Range(func(_, st any) bool { st.(*sql.Stmt).Close(); return true })
	}
	return errors.Join(db.read.Close(), db.write.Close())
}

// withTx runs fn in a write transaction (BEGIN IMMEDIATE), committing when
// fn returns nil.
func (db *DB) withTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	db.writers.Lock()
	defer db.writers.Unlock()
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return mapErr(err)
	}
	return mapErr(tx.Commit())
}

// mapErr turns driver errors into core errors: constraint violations become
// ECONFLICT, sql.ErrNoRows ENOTFOUND, anything else EINTERNAL.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	var ce *core.Error
	if errors.As(err, &ce) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &core.Error{Code: core.ENOTFOUND, Message: "not found", Err: err}
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &core.Error{Code: core.ECONFLICT, Message: "already exists", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &core.Error{Code: core.EINVALID, Message: "refers to something that does not exist", Err: err}
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &core.Error{Code: core.EUNAVAILABLE, Message: "the request was cancelled", Err: err}
	}
	return core.Internal(err)
}

func notFound(what string) error { return core.Errorf(core.ENOTFOUND, "%s not found", what) }

func ms(t time.Time) int64 { return t.UnixMilli() }

// page is the tail of a query for one core.Page of a list kept newest
// first by col then id: the condition that starts after the cursor (with
// its leading AND), the order and the limit, and their arguments.
func page(col string, p core.Page) (string, []any) {
	tail := ` ORDER BY ` + col + ` DESC, id DESC LIMIT ?`
	if p.After.IsZero() {
		return tail, []any{p.Limit}
	}
	at := ms(p.After.At)
	return ` AND (` + col + ` < ? OR (` + col + ` = ? AND id < ?))` + tail, []any{at, at, p.After.ID, p.Limit}
}

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func nullMS(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

func fromNullMS(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// IntegrityCheck runs PRAGMA integrity_check and fails unless it says ok.
func (db *DB) IntegrityCheck(ctx context.Context) error {
	var res string
	if err := db.read.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("integrity check: %s", res)
	}
	return nil
}

// collect scans every row of a query with scan, closing the rows.
func collect[T any](rows *sql.Rows, err error, scan func(scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, mapErr(err)
		}
		out = append(out, v)
	}
	return out, mapErr(rows.Err())
}

// advanceReminders moves column (the next reminder) of table's rows from
// each Prev to Next, where it still is Prev, in one transaction.
func (db *DB) advanceReminders(ctx context.Context, table, column string, as []lens.Advance) (int, error) {
	moved := 0
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `UPDATE `+table+` SET `+column+` = ? WHERE id = ? AND `+column+` = ?`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, a := range as {
			res, err := st.ExecContext(ctx, nullMS(a.Next), a.ID, ms(a.Prev))
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			moved += int(n)
		}
		return nil
	})
	return moved, err
}

// affected runs a write and returns how many rows it changed.
func (db *DB) affected(ctx context.Context, query string, args ...any) (int, error) {
	res, err := db.write.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, mapErr(err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// updateOne runs an update of one row by id: ENOTFOUND (naming what) when
// no row matched.
func (db *DB) updateOne(ctx context.Context, what, query string, args ...any) error {
	n, err := db.affected(ctx, query, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound(what)
	}
	return nil
}

// jsonList is l as a JSON array, for "IN (SELECT value FROM json_each(?))":
// one argument however long the list.
func jsonList(l []string) string {
	b, _ := json.Marshal(nonNil(l))
	return string(b)
}
