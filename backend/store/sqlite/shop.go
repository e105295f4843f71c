package sqlite

import (
	"context"
	"database/sql"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/shop"
)

// CreateShop implements shop.Store.
func (db *DB) CreateShop(ctx context.Context, s *shop.Shop) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO shops (id, name, city, address, time_zone, created_at) VALUES (?,?,?,?,?,?)`,
		s.ID, s.Name, s.City, s.Address, s.TimeZone, ms(s.CreatedAt))
	return mapErr(err)
}

func scanShop(row scanner) (*shop.Shop, error) {
	var s shop.Shop
	var created int64
	if err := row.Scan(&s.ID, &s.Name, &s.City, &s.Address, &s.TimeZone, &created); err != nil {
		return nil, err
	}
	s.CreatedAt = fromMS(created)
	return &s, nil
}

// Shop implements shop.Store.
func (db *DB) Shop(ctx context.Context, id string) (*shop.Shop, error) {
	s, err := scanShop(db.queryRow(ctx, `SELECT id, name, city, address, time_zone, created_at FROM shops WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return nil, notFound("shop")
	}
	return s, mapErr(err)
}

// Shops implements shop.Store.
func (db *DB) Shops(ctx context.Context) ([]*shop.Shop, error) {
	rows, err := db.query(ctx, `SELECT id, name, city, address, time_zone, created_at FROM shops ORDER BY name, id`)
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

const staffColumns = `id, email, name, password_hash, role, shop_id, active, created_at`

func scanStaff(row scanner) (*shop.Staff, error) {
	var m shop.Staff
	var role string
	var shopID sql.NullString
	var created int64
	if err := row.Scan(&m.ID, &m.Email, &m.Name, &m.PasswordHash, &role, &shopID, &m.Active, &created); err != nil {
		return nil, err
	}
	m.Role, m.ShopID, m.CreatedAt = core.Role(role), shopID.String, fromMS(created)
	return &m, nil
}

// CreateStaff implements shop.Store.
func (db *DB) CreateStaff(ctx context.Context, m *shop.Staff) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO staff (`+staffColumns+`) VALUES (?,?,?,?,?,?,?,?)`,
		m.ID, m.Email, m.Name, m.PasswordHash, string(m.Role), nullString(m.ShopID), m.Active, ms(m.CreatedAt))
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

// StaffOfShop implements shop.Store.
func (db *DB) StaffOfShop(ctx context.Context, shopID string) ([]*shop.Staff, error) {
	rows, err := db.query(ctx, `SELECT `+staffColumns+` FROM staff WHERE shop_id = ? ORDER BY name, id`, shopID)
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
