package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/pressly/goose/v3"

	"github.com/vista-optical/vista/backend/customer"
)

// customer_keys holds the name keys of every active customer
// (customer.SearchKeys), one row each, written in the transaction that
// writes the customer. Migration 27 makes the table and fills it for the
// customers already there; it is Go because the keys are.
func searchKeysMigration() *goose.Migration {
	return goose.NewGoMigration(27,
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `CREATE TABLE customer_keys (
				key TEXT NOT NULL,
				customer_id TEXT NOT NULL REFERENCES customers (id),
				PRIMARY KEY (key, customer_id)
			) WITHOUT ROWID;
			CREATE INDEX customer_keys_customer ON customer_keys (customer_id)`); err != nil {
				return err
			}
			rows, err := tx.QueryContext(ctx, `SELECT `+customerColumns+` FROM customers WHERE status = 'active'`)
			cs, err := collect(rows, err, scanCustomer)
			if err != nil {
				return err
			}
			for _, c := range cs {
				if err := writeKeys(ctx, tx, c); err != nil {
					return err
				}
			}
			return nil
		}},
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `DROP TABLE customer_keys`)
			return err
		}})
}

// writeKeys replaces the name keys of c by SearchKeys(c).
func writeKeys(ctx context.Context, tx *sql.Tx, c *customer.Customer) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM customer_keys WHERE customer_id = ?`, c.ID); err != nil {
		return err
	}
	keys := customer.SearchKeys(c)
	if len(keys) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO customer_keys (key, customer_id) SELECT value, ? FROM json_each(?)`, c.ID, jsonList(keys))
	return err
}

// SearchCustomers implements customer.Store: the customers having a key
// of every term, as an intersection of one indexed look-up per term.
func (db *DB) SearchCustomers(ctx context.Context, s customer.Search) ([]*customer.Customer, error) {
	if len(s.Terms) == 0 {
		return []*customer.Customer{}, nil
	}
	var (
		parts []string
		args  []any
	)
	for _, t := range s.Terms {
		from, to := t.PrefixKey()
		q := `SELECT customer_id FROM customer_keys WHERE key IN (SELECT value FROM json_each(?))`
		args = append(args, jsonList(t.Keys))
		if t.Prefix != "" {
			q += ` OR (key >= ? AND key < ?)`
			args = append(args, from, to)
		}
		parts = append(parts, q)
	}
	query := `SELECT ` + customerColumns + ` FROM customers WHERE id IN (` + strings.Join(parts, " INTERSECT ") + `) AND status = 'active'`
	if s.Shops != nil {
		query += ` AND shop_id IN (SELECT value FROM json_each(?))`
		args = append(args, jsonList(s.Shops))
	}
	query += ` LIMIT ?`
	args = append(args, max(s.Limit, 1))
	rows, err := db.read.QueryContext(ctx, query, args...)
	return collect(rows, err, scanCustomer)
}
