package sqlite

import (
	"context"

	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/catalog"
)

// CreateProduct implements catalog.Store.
func (db *DB) CreateProduct(ctx context.Context, p *catalog.Product) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO products (id, sku, brand, name, category, price_cents, created_at) VALUES (?,?,?,?,?,?,?)`,
		p.ID, p.SKU, p.Brand, p.Name, p.Category, p.PriceCents, ms(p.CreatedAt))
	return mapErr(err)
}

// Products implements catalog.Store.
func (db *DB) Products(ctx context.Context) ([]*catalog.Product, error) {
	rows, err := db.query(ctx, `SELECT id, sku, brand, name, category, price_cents, created_at FROM products ORDER BY brand, name, id`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []*catalog.Product{}
	for rows.Next() {
		var p catalog.Product
		var created int64
		if err := rows.Scan(&p.ID, &p.SKU, &p.Brand, &p.Name, &p.Category, &p.PriceCents, &created); err != nil {
			return nil, mapErr(err)
		}
		p.CreatedAt = fromMS(created)
		out = append(out, &p)
	}
	return out, mapErr(rows.Err())
}

// CreateService implements booking.Store.
func (db *DB) CreateService(ctx context.Context, s *booking.Service) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO services (id, name, name_en, duration_min, buffer_min, performed_by, created_at) VALUES (?,?,?,?,?,?,?)`,
		s.ID, s.Name, s.NameEN, s.DurationMin, s.BufferMin, s.PerformedBy, ms(s.CreatedAt))
	return mapErr(err)
}

// Services implements booking.Store.
func (db *DB) Services(ctx context.Context) ([]*booking.Service, error) {
	rows, err := db.query(ctx, `SELECT id, name, name_en, duration_min, buffer_min, performed_by, created_at FROM services ORDER BY name, id`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []*booking.Service{}
	for rows.Next() {
		var s booking.Service
		var created int64
		if err := rows.Scan(&s.ID, &s.Name, &s.NameEN, &s.DurationMin, &s.BufferMin, &s.PerformedBy, &created); err != nil {
			return nil, mapErr(err)
		}
		s.CreatedAt = fromMS(created)
		out = append(out, &s)
	}
	return out, mapErr(rows.Err())
}
