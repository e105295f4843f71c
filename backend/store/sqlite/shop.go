package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/shop"
)

const shopColumns = `id, slug, name, city, address, phone, time_zone, hours, created_at`

// CreateShop implements shop.Store.
func (db *DB) CreateShop(ctx context.Context, s *shop.Shop) error {
	hours, err := json.Marshal(s.Hours)
	if err != nil {
		return core.Internal(err)
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO shops (`+shopColumns+`) VALUES (?,?,?,?,?,?,?,?,?)`,
		s.ID, s.SlugOrID(), s.Name, s.City, s.Address, s.Phone, s.TimeZone, string(hours), ms(s.CreatedAt))
	return mapErr(err)
}

// UpdateShop implements shop.Store.
func (db *DB) UpdateShop(ctx context.Context, s *shop.Shop) error {
	hours, err := json.Marshal(s.Hours)
	if err != nil {
		return core.Internal(err)
	}
	return db.updateOne(ctx, "shop", `UPDATE shops SET slug = ?, name = ?, city = ?, address = ?, phone = ?, time_zone = ?, hours = ? WHERE id = ?`,
		s.Slug, s.Name, s.City, s.Address, s.Phone, s.TimeZone, string(hours), s.ID)
}

func scanShop(row scanner) (*shop.Shop, error) {
	var s shop.Shop
	var created int64
	var hours string
	if err := row.Scan(&s.ID, &s.Slug, &s.Name, &s.City, &s.Address, &s.Phone, &s.TimeZone, &hours, &created); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(hours), &s.Hours); err != nil {
		return nil, core.Internal(err)
	}
	s.CreatedAt = fromMS(created)
	return &s, nil
}

// Shop implements shop.Store.
func (db *DB) Shop(ctx context.Context, id string) (*shop.Shop, error) {
	s, err := scanShop(db.queryRow(ctx, `SELECT `+shopColumns+` FROM shops WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return nil, notFound("shop")
	}
	return s, mapErr(err)
}

// Shops implements shop.Store.
func (db *DB) Shops(ctx context.Context) ([]*shop.Shop, error) {
	rows, err := db.query(ctx, `SELECT `+shopColumns+` FROM shops ORDER BY name, id`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []*shop.Shop{}
	for rows.Next() {
		s, err := scanShop(rows)
		if err != nil {
			return nil, mapErr(err)
		}
		out = append(out, s)
	}
	return out, mapErr(rows.Err())
}

const staffColumns = `id, email, name, password_hash, role, shop_id, active, must_change_password, created_at`

func scanStaff(row scanner) (*shop.Staff, error) {
	var m shop.Staff
	var role string
	var shopID sql.NullString
	var created int64
	if err := row.Scan(&m.ID, &m.Email, &m.Name, &m.PasswordHash, &role, &shopID, &m.Active, &m.MustChangePassword, &created); err != nil {
		return nil, err
	}
	m.Role, m.ShopID, m.CreatedAt = core.Role(role), shopID.String, fromMS(created)
	return &m, nil
}

// CreateStaff implements shop.Store.
func (db *DB) CreateStaff(ctx context.Context, m *shop.Staff) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO staff (`+staffColumns+`) VALUES (?,?,?,?,?,?,?,?,?)`,
		m.ID, m.Email, m.Name, m.PasswordHash, string(m.Role), nullString(m.ShopID), m.Active, m.MustChangePassword, ms(m.CreatedAt))
	return mapErr(err)
}

// StaffMember implements shop.Store.
func (db *DB) StaffMember(ctx context.Context, id string) (*shop.Staff, error) {
	m, err := scanStaff(db.queryRow(ctx, `SELECT `+staffColumns+` FROM staff WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return nil, notFound("staff member")
	}
	return m, mapErr(err)
}

// StaffByEmail implements shop.Store.
func (db *DB) StaffByEmail(ctx context.Context, email string) (*shop.Staff, error) {
	m, err := scanStaff(db.queryRow(ctx, `SELECT `+staffColumns+` FROM staff WHERE email = ?`, email))
	if err == sql.ErrNoRows {
		return nil, notFound("staff member")
	}
	return m, mapErr(err)
}

// UpdateStaff implements shop.Store.
func (db *DB) UpdateStaff(ctx context.Context, m *shop.Staff) error {
	return db.updateOne(ctx, "staff member", `UPDATE staff SET name = ?, password_hash = ?, role = ?, shop_id = ?, active = ?, must_change_password = ?
		WHERE id = ?`, m.Name, m.PasswordHash, string(m.Role), nullString(m.ShopID), m.Active, m.MustChangePassword, m.ID)
}

// StaffOfShop implements shop.Store.
func (db *DB) StaffOfShop(ctx context.Context, shopID string) ([]*shop.Staff, error) {
	return db.staffWhere(ctx, `WHERE shop_id = ?`, shopID)
}

// AllStaff implements shop.Store.
func (db *DB) AllStaff(ctx context.Context) ([]*shop.Staff, error) {
	return db.staffWhere(ctx, ``)
}

func (db *DB) staffWhere(ctx context.Context, where string, args ...any) ([]*shop.Staff, error) {
	rows, err := db.query(ctx, `SELECT `+staffColumns+` FROM staff `+where+` ORDER BY name, id`, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []*shop.Staff{}
	for rows.Next() {
		m, err := scanStaff(rows)
		if err != nil {
			return nil, mapErr(err)
		}
		out = append(out, m)
	}
	return out, mapErr(rows.Err())
}

// ChainSettings implements shop.Store.
func (db *DB) ChainSettings(ctx context.Context) (*shop.Chain, error) {
	var c shop.Chain
	var updated int64
	var apple, android string
	err := db.queryRow(ctx, `SELECT name, ios_url, android_url, default_locale, apple_app_ids, android_apps, logo_url, colour, accent, updated_at
		FROM chain_settings WHERE id = 1`).
		Scan(&c.Name, &c.IOSURL, &c.AndroidURL, &c.DefaultLocale, &apple, &android, &c.LogoURL, &c.Colour, &c.Accent, &updated)
	if err == sql.ErrNoRows {
		return nil, notFound("chain settings")
	} else if err != nil {
		return nil, mapErr(err)
	}
	if err := errors.Join(json.Unmarshal([]byte(apple), &c.AppleAppIDs), json.Unmarshal([]byte(android), &c.AndroidApps)); err != nil {
		return nil, core.Internal(err)
	}
	c.UpdatedAt = fromMS(updated)
	return &c, nil
}

// SaveChainSettings implements shop.Store.
func (db *DB) SaveChainSettings(ctx context.Context, c *shop.Chain) error {
	apple, err := json.Marshal(nonNil(c.AppleAppIDs))
	if err != nil {
		return core.Internal(err)
	}
	android, err := json.Marshal(nonNil(c.AndroidApps))
	if err != nil {
		return core.Internal(err)
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO chain_settings (id, name, ios_url, android_url, default_locale,
		apple_app_ids, android_apps, logo_url, colour, accent, updated_at) VALUES (1,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, ios_url = excluded.ios_url, android_url = excluded.android_url,
		default_locale = excluded.default_locale, apple_app_ids = excluded.apple_app_ids, android_apps = excluded.android_apps,
		logo_url = excluded.logo_url, colour = excluded.colour, accent = excluded.accent, updated_at = excluded.updated_at`,
		c.Name, c.IOSURL, c.AndroidURL, c.DefaultLocale, string(apple), string(android), c.LogoURL, c.Colour, c.Accent, ms(c.UpdatedAt))
	return mapErr(err)
}
