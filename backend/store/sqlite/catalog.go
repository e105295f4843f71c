package sqlite

import (
	"context"

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
