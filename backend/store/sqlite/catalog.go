package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
)

const productCols = `id, sku, brand, name, model, colour, category, price_cents, image_url, tags, novelty, active, created_at, updated_at`

// productKeys are what a product is listed by and searched in, lower case.
func productKeys(p *catalog.Product) (sortKey, search string) {
	sortKey = strings.ToLower(p.Brand + " " + p.Name)
	search = strings.ToLower(strings.Join(append([]string{p.Brand, p.Name, p.Model, p.Colour, p.SKU}, p.Tags...), " "))
	return sortKey, search
}

func putProduct(ctx context.Context, ex interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, p *catalog.Product, replace bool) error {
	tags, err := json.Marshal(nonNil(p.Tags))
	if err != nil {
		return core.Internal(err)
	}
	sortKey, search := productKeys(p)
	q := `INSERT INTO products (` + productCols + `, sort_key, search) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`
	if replace {
		q += ` ON CONFLICT (id) DO UPDATE SET sku = excluded.sku, brand = excluded.brand, name = excluded.name, model = excluded.model,
			colour = excluded.colour, category = excluded.category, price_cents = excluded.price_cents, image_url = excluded.image_url,
			tags = excluded.tags, novelty = excluded.novelty, active = excluded.active, updated_at = excluded.updated_at,
			sort_key = excluded.sort_key, search = excluded.search`
	}
	_, err = ex.ExecContext(ctx, q, p.ID, p.SKU, p.Brand, p.Name, p.Model, p.Colour, p.Category, p.PriceCents, p.ImageURL, string(tags),
		p.Novelty, p.Active, ms(p.CreatedAt), ms(updatedOr(p)), sortKey, search)
	return err
}

func updatedOr(p *catalog.Product) time.Time {
	if p.UpdatedAt.IsZero() {
		return p.CreatedAt
	}
	return p.UpdatedAt
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// CreateProduct implements catalog.Store.
func (db *DB) CreateProduct(ctx context.Context, p *catalog.Product) error {
	return mapErr(putProduct(ctx, db.write, p, false))
}

func scanProduct(s scanner) (*catalog.Product, error) {
	var p catalog.Product
	var tags string
	var created, updated int64
	if err := s.Scan(&p.ID, &p.SKU, &p.Brand, &p.Name, &p.Model, &p.Colour, &p.Category, &p.PriceCents, &p.ImageURL, &tags,
		&p.Novelty, &p.Active, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(tags), &p.Tags); err != nil {
		return nil, core.Internal(err)
	}
	if len(p.Tags) == 0 {
		p.Tags = nil
	}
	p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
	return &p, nil
}

// Products implements catalog.Store.
func (db *DB) Products(ctx context.Context) ([]*catalog.Product, error) {
	rows, err := db.query(ctx, `SELECT `+productCols+` FROM products ORDER BY brand, name, id`)
	return collect(rows, err, scanProduct)
}

// Product implements catalog.Store.
func (db *DB) Product(ctx context.Context, id string) (*catalog.Product, error) {
	p, err := scanProduct(db.queryRow(ctx, `SELECT `+productCols+` FROM products WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return nil, notFound("product")
	}
	return p, mapErr(err)
}

// ProductsBySKU implements catalog.Store.
func (db *DB) ProductsBySKU(ctx context.Context, skus []string) (map[string]*catalog.Product, error) {
	rows, err := db.query(ctx, `SELECT `+productCols+` FROM products WHERE sku IN (SELECT value FROM json_each(?))`, jsonList(skus))
	ps, err := collect(rows, err, scanProduct)
	out := map[string]*catalog.Product{}
	for _, p := range ps {
		out[p.SKU] = p
	}
	return out, err
}

// SearchProducts implements catalog.Store.
func (db *DB) SearchProducts(ctx context.Context, q catalog.Query) ([]*catalog.Product, error) {
	where, args := []string{"1=1"}, []any{}
	if q.Text != "" {
		text := strings.ToLower(q.Text)
		if utf8.RuneCountInString(text) >= 3 {
			// The trigram index answers "contains" for three characters or
			// more: a phrase of them matches where it occurs as a substring.
			where = append(where, `rowid IN (SELECT rowid FROM products_fts WHERE products_fts MATCH ?)`)
			args = append(args, `"`+strings.ReplaceAll(text, `"`, `""`)+`"`)
		} else {
			where = append(where, `search LIKE ? ESCAPE '\'`)
			args = append(args, "%"+likeEscape(text)+"%")
		}
	}
	if q.Category != "" {
		where, args = append(where, `category = ?`), append(args, q.Category)
	}
	if q.Tag != "" {
		where, args = append(where, `EXISTS (SELECT 1 FROM json_each(tags) WHERE value = ?)`), append(args, q.Tag)
	}
	if q.ActiveOnly {
		where = append(where, `active = 1`)
	}
	if q.NoveltyOnly {
		where = append(where, `novelty = 1`)
	}
	if q.IDs != nil {
		if len(q.IDs) == 0 || len(q.IDs) > 500 {
			return []*catalog.Product{}, nil
		}
		where, args = append(where, `id IN (SELECT value FROM json_each(?))`), append(args, jsonList(q.IDs))
	}
	if q.After != "" {
		where = append(where, `(sort_key, id) > (SELECT sort_key, id FROM products WHERE id = ?)`)
		args = append(args, q.After)
	}
	// The page is chosen on (sort_key, id) alone, then its rows read: a
	// sort of a thousand matches then moves keys, not whole products.
	rows, err := db.read.QueryContext(ctx, `SELECT `+productCols+` FROM products WHERE id IN (SELECT id FROM products WHERE `+
		strings.Join(where, " AND ")+` ORDER BY sort_key, id LIMIT ?) ORDER BY sort_key, id`, append(args, q.Limit)...)
	return collect(rows, err, scanProduct)
}

// PutCatalog implements catalog.Store.
func (db *DB) PutCatalog(ctx context.Context, products []*catalog.Product, levels []catalog.Level) error {
	return db.withTx(ctx, func(tx *sql.Tx) error {
		for _, p := range products {
			if err := putProduct(ctx, tx, p, true); err != nil {
				return err
			}
		}
		for _, l := range levels {
			if _, err := tx.ExecContext(ctx, `INSERT INTO stock (shop_id, product_id, quantity, updated_at) VALUES (?,?,?,?)
				ON CONFLICT (shop_id, product_id) DO UPDATE SET quantity = excluded.quantity, updated_at = excluded.updated_at`,
				l.ShopID, l.ProductID, l.Quantity, ms(l.UpdatedAt)); err != nil {
				return err
			}
		}
		return nil
	})
}

// StockLevels implements catalog.Store.
func (db *DB) StockLevels(ctx context.Context, shopID string, productIDs []string) (map[string]int, error) {
	rows, err := db.query(ctx, `SELECT product_id, quantity FROM stock WHERE shop_id = ? AND product_id IN (SELECT value FROM json_each(?))`,
		shopID, jsonList(productIDs))
	return countsBy(rows, err)
}

// CatalogSettings implements catalog.Store.
func (db *DB) CatalogSettings(ctx context.Context, shopID string) (*catalog.Settings, error) {
	var s catalog.Settings
	var updated int64
	err := db.queryRow(ctx, `SELECT shop_id, reserve_min_stock, click_collect, updated_at FROM catalog_settings WHERE shop_id = ?`, shopID).
		Scan(&s.ShopID, &s.ReserveMinStock, &s.ClickCollect, &updated)
	if err == sql.ErrNoRows {
		return nil, notFound("catalog settings")
	} else if err != nil {
		return nil, mapErr(err)
	}
	s.UpdatedAt = fromMS(updated)
	return &s, nil
}

// SaveCatalogSettings implements catalog.Store.
func (db *DB) SaveCatalogSettings(ctx context.Context, s *catalog.Settings) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO catalog_settings (shop_id, reserve_min_stock, click_collect, updated_at) VALUES (?,?,?,?)
		ON CONFLICT (shop_id) DO UPDATE SET reserve_min_stock = excluded.reserve_min_stock, click_collect = excluded.click_collect,
		updated_at = excluded.updated_at`, s.ShopID, s.ReserveMinStock, s.ClickCollect, ms(s.UpdatedAt))
	return mapErr(err)
}

// RecordTouch implements catalog.Store.
func (db *DB) RecordTouch(ctx context.Context, t *catalog.Touch) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO touches (shop_id, product_id, source, at) VALUES (?,?,?,?)`,
		t.ShopID, t.ProductID, t.Source, ms(t.At))
	return mapErr(err)
}

// CountTouches implements catalog.Store.
func (db *DB) CountTouches(ctx context.Context, shopID string, since time.Time) (map[string]int, error) {
	rows, err := db.query(ctx, `SELECT source, count(*) FROM touches WHERE shop_id = ? AND at >= ? GROUP BY source`, shopID, ms(since))
	return countsBy(rows, err)
}

// PurgeTouches implements catalog.Store.
func (db *DB) PurgeTouches(ctx context.Context, before time.Time) (int, error) {
	return db.affected(ctx, `DELETE FROM touches WHERE at < ?`, ms(before))
}

// likeEscape escapes the wildcards of LIKE (with ESCAPE '\').
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// countsBy reads rows of (key, count) into a map.
func countsBy(rows *sql.Rows, err error) (map[string]int, error) {
	type count struct {
		key string
		n   int
	}
	cs, err := collect(rows, err, func(s scanner) (count, error) {
		var c count
		return c, s.Scan(&c.key, &c.n)
	})
	out := map[string]int{}
	for _, c := range cs {
		out[c.key] = c.n
	}
	return out, err
}
