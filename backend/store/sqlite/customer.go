package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
)

const customerColumns = `id, email, password_hash, first_name, last_name, phone, birth_date, shop_id, locale,
	firebase_uid, status, created_at, updated_at, erased_at, tax_code, address, origin`

type scanner interface{ Scan(dest ...any) error }

func scanCustomer(row scanner) (*customer.Customer, error) {
	var (
		c                  customer.Customer
		email, shop, fbUID sql.NullString
		created, updated   int64
		erased             sql.NullInt64
	)
	err := row.Scan(&c.ID, &email, &c.PasswordHash, &c.FirstName, &c.LastName, &c.Phone, &c.BirthDate, &shop, &c.Locale,
		&fbUID, &c.Status, &created, &updated, &erased, &c.TaxCode, &c.Address, &c.Origin)
	if err != nil {
		return nil, err
	}
	c.Email, c.ShopID, c.FirebaseUID = email.String, shop.String, fbUID.String
	c.CreatedAt, c.UpdatedAt, c.ErasedAt = fromMS(created), fromMS(updated), fromNullMS(erased)
	return &c, nil
}

// CreateCustomer implements customer.Store.
func (db *DB) CreateCustomer(ctx context.Context, c *customer.Customer) error {
	return db.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO customers (`+customerColumns+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			c.ID, nullString(c.Email), c.PasswordHash, c.FirstName, c.LastName, c.Phone, c.BirthDate, nullString(c.ShopID), c.Locale,
			nullString(c.FirebaseUID), c.Status, ms(c.CreatedAt), ms(c.UpdatedAt), nullMS(c.ErasedAt), c.TaxCode, c.Address,
			cmp.Or(c.Origin, customer.OriginApp))
		if err != nil {
			return err
		}
		return writeKeys(ctx, tx, c)
	})
}

// Customer implements customer.Store.
func (db *DB) Customer(ctx context.Context, id string) (*customer.Customer, error) {
	c, err := scanCustomer(db.queryRow(ctx, `SELECT `+customerColumns+` FROM customers WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return nil, notFound("customer")
	}
	return c, mapErr(err)
}

// CustomersByContact implements customer.Store. The column is compared
// with the empty string written out, not the parameter: only then may the
// planner use the partial indexes, which hold only non-empty values.
func (db *DB) CustomersByContact(ctx context.Context, phone, taxCode string) ([]*customer.Customer, error) {
	rows, err := db.query(ctx, `SELECT `+customerColumns+` FROM customers WHERE status = 'active' AND phone = ?1 AND phone <> ''
		UNION SELECT `+customerColumns+` FROM customers WHERE status = 'active' AND tax_code = ?2 AND tax_code <> '' LIMIT 20`, phone, taxCode)
	return collect(rows, err, scanCustomer)
}

// CustomersByIDs implements customer.Store.
func (db *DB) CustomersByIDs(ctx context.Context, ids []string) ([]*customer.Customer, error) {
	rows, err := db.query(ctx, `SELECT `+customerColumns+` FROM customers WHERE id IN (SELECT value FROM json_each(?))`, jsonList(ids))
	return collect(rows, err, scanCustomer)
}

// CustomerByEmail implements customer.Store.
func (db *DB) CustomerByEmail(ctx context.Context, email string) (*customer.Customer, error) {
	c, err := scanCustomer(db.queryRow(ctx,
		`SELECT `+customerColumns+` FROM customers WHERE email = ? AND status = 'active'`, email))
	if err == sql.ErrNoRows {
		return nil, notFound("customer")
	}
	return c, mapErr(err)
}

// CustomerByFirebaseUID implements customer.Store.
func (db *DB) CustomerByFirebaseUID(ctx context.Context, uid string) (*customer.Customer, error) {
	c, err := scanCustomer(db.queryRow(ctx,
		`SELECT `+customerColumns+` FROM customers WHERE firebase_uid = ? AND status = 'active'`, uid))
	if err == sql.ErrNoRows {
		return nil, notFound("customer")
	}
	return c, mapErr(err)
}

// UpdateCustomer implements customer.Store.
func (db *DB) UpdateCustomer(ctx context.Context, id string, u customer.Update, now time.Time) (*customer.Customer, error) {
	sets := []string{"updated_at = ?"}
	args := []any{ms(now)}
	add := func(col string, v *string, nullable bool) {
		if v == nil {
			return
		}
		sets = append(sets, col+" = ?")
		if nullable {
			args = append(args, nullString(*v))
		} else {
			args = append(args, *v)
		}
	}
	add("email", u.Email, true)
	add("password_hash", u.PasswordHash, false)
	add("first_name", u.FirstName, false)
	add("last_name", u.LastName, false)
	add("phone", u.Phone, false)
	add("shop_id", u.ShopID, true)
	add("locale", u.Locale, false)
	add("firebase_uid", u.FirebaseUID, true)
	args = append(args, id)
	var c *customer.Customer
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = scanCustomer(tx.QueryRowContext(ctx, `UPDATE customers SET `+strings.Join(sets, ", ")+
			` WHERE id = ? AND status = 'active' RETURNING `+customerColumns, args...))
		if err == sql.ErrNoRows {
			return notFound("customer")
		}
		if err != nil || u.FirstName == nil && u.LastName == nil {
			return err
		}
		return writeKeys(ctx, tx, c)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// CustomersByShop implements customer.Store.
func (db *DB) CustomersByShop(ctx context.Context, shop string, p core.Page) ([]*customer.Customer, error) {
	tail, args := page("created_at", p)
	rows, err := db.query(ctx, `SELECT `+customerColumns+` FROM customers WHERE shop_id = ? AND status = 'active'`+tail, append([]any{shop}, args...)...)
	return collect(rows, err, scanCustomer)
}

// EraseCustomer implements customer.Store.
func (db *DB) EraseCustomer(ctx context.Context, id string, now time.Time) error {
	return db.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM customer_keys WHERE customer_id = ?`, id); err != nil {
			return err
		}
		return eraseCustomer(ctx, tx, id, now)
	})
}

func eraseCustomer(ctx context.Context, tx *sql.Tx, id string, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE customers SET email = NULL, password_hash = '', first_name = '', last_name = '',
		phone = '', birth_date = '', tax_code = '', address = '', firebase_uid = NULL, status = 'erased', updated_at = ?, erased_at = COALESCE(erased_at, ?)
		WHERE id = ?`, ms(now), ms(now), id)
	if err != nil {
		return mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("customer")
	}
	return nil
}

// AppendConsentEvents implements customer.Store.
func (db *DB) AppendConsentEvents(ctx context.Context, events []customer.ConsentEvent) error {
	return db.withTx(ctx, func(tx *sql.Tx) error {
		for _, e := range events {
			_, err := tx.ExecContext(ctx, `INSERT INTO consent_events (id, customer_id, channel, purpose, granted, occurred_at, source, text_version)
				VALUES (?,?,?,?,?,?,?,?)`, e.ID, e.CustomerID, e.Channel, e.Purpose, e.Granted, ms(e.OccurredAt), e.Source, e.TextVersion)
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// ConsentEvents implements customer.Store.
func (db *DB) ConsentEvents(ctx context.Context, customerID string, until time.Time) ([]customer.ConsentEvent, error) {
	rows, err := db.query(ctx, `SELECT id, customer_id, channel, purpose, granted, occurred_at, source, text_version
		FROM consent_events WHERE customer_id = ? AND occurred_at <= ? ORDER BY occurred_at, id`, customerID, ms(until))
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []customer.ConsentEvent{}
	for rows.Next() {
		var e customer.ConsentEvent
		var at int64
		if err := rows.Scan(&e.ID, &e.CustomerID, &e.Channel, &e.Purpose, &e.Granted, &at, &e.Source, &e.TextVersion); err != nil {
			return nil, mapErr(err)
		}
		e.OccurredAt = fromMS(at)
		out = append(out, e)
	}
	return out, mapErr(rows.Err())
}

// DeleteConsentEvents implements customer.Store.
func (db *DB) DeleteConsentEvents(ctx context.Context, customerID string) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM consent_events WHERE customer_id = ?`, customerID)
	return mapErr(err)
}

// UpsertDevice implements customer.Store.
func (db *DB) UpsertDevice(ctx context.Context, d *customer.Device) error {
	var created int64
	err := db.write.QueryRowContext(ctx, `INSERT INTO devices (token, customer_id, platform, app_version, created_at, last_seen_at)
		VALUES (?,?,?,?,?,?)
		ON CONFLICT (token) DO UPDATE SET customer_id = excluded.customer_id, platform = excluded.platform,
			app_version = excluded.app_version, last_seen_at = excluded.last_seen_at
		RETURNING created_at`,
		d.Token, d.CustomerID, d.Platform, d.AppVersion, ms(d.CreatedAt), ms(d.LastSeenAt)).Scan(&created)
	if err != nil {
		return mapErr(err)
	}
	d.CreatedAt = fromMS(created)
	return nil
}

// Devices implements customer.Store.
func (db *DB) Devices(ctx context.Context, customerID string) ([]*customer.Device, error) {
	rows, err := db.query(ctx, `SELECT token, customer_id, platform, app_version, created_at, last_seen_at
		FROM devices WHERE customer_id = ? ORDER BY created_at DESC, token`, customerID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []*customer.Device{}
	for rows.Next() {
		var d customer.Device
		var created, seen int64
		if err := rows.Scan(&d.Token, &d.CustomerID, &d.Platform, &d.AppVersion, &created, &seen); err != nil {
			return nil, mapErr(err)
		}
		d.CreatedAt, d.LastSeenAt = fromMS(created), fromMS(seen)
		out = append(out, &d)
	}
	return out, mapErr(rows.Err())
}

// DeleteDevice implements customer.Store.
func (db *DB) DeleteDevice(ctx context.Context, customerID, token string) error {
	res, err := db.write.ExecContext(ctx, `DELETE FROM devices WHERE customer_id = ? AND token = ?`, customerID, token)
	if err != nil {
		return mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("device")
	}
	return nil
}

// DeleteDevices implements customer.Store.
func (db *DB) DeleteDevices(ctx context.Context, customerID string) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM devices WHERE customer_id = ?`, customerID)
	return mapErr(err)
}
