package sqlite

import (
	"context"
	"encoding/json"
	"time"

	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
)

// CreatePromotion implements catalog.PromotionStore.
func (db *DB) CreatePromotion(ctx context.Context, p *catalog.Promotion) error {
	lists := make([]string, 4)
	for i, l := range [][]string{p.ShopIDs, p.ProductIDs, p.Categories, p.Channels} {
		if l == nil {
			l = []string{}
		}
		b, err := json.Marshal(l)
		if err != nil {
			return core.Internal(err)
		}
		lists[i] = string(b)
	}
	_, err := db.write.ExecContext(ctx, `INSERT INTO promotions (id, name, kind, percent_off, fixed_cents, starts, ends, shop_ids, product_ids,
		categories, channels) VALUES (?,?,?,?,?,?,?,?,?,?,?)`, p.ID, p.Name, p.Kind, p.PercentOff, p.FixedCents, ms(p.Starts), ms(p.Ends),
		lists[0], lists[1], lists[2], lists[3])
	return mapErr(err)
}

// ActivePromotions implements catalog.PromotionStore.
func (db *DB) ActivePromotions(ctx context.Context, t time.Time) ([]catalog.Promotion, error) {
	rows, err := db.query(ctx, `SELECT id, name, kind, percent_off, fixed_cents, starts, ends, shop_ids, product_ids, categories, channels
		FROM promotions WHERE ends > ? AND starts <= ? ORDER BY id`, ms(t), ms(t))
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []catalog.Promotion{}
	for rows.Next() {
		var p catalog.Promotion
		var starts, ends int64
		lists := make([]string, 4)
		if err := rows.Scan(&p.ID, &p.Name, &p.Kind, &p.PercentOff, &p.FixedCents, &starts, &ends, &lists[0], &lists[1], &lists[2], &lists[3]); err != nil {
			return nil, mapErr(err)
		}
		for i, dst := range []*[]string{&p.ShopIDs, &p.ProductIDs, &p.Categories, &p.Channels} {
			if err := json.Unmarshal([]byte(lists[i]), dst); err != nil {
				return nil, core.Internal(err)
			}
			if len(*dst) == 0 {
				*dst = nil
			}
		}
		p.Starts, p.Ends = fromMS(starts), fromMS(ends)
		out = append(out, p)
	}
	return out, mapErr(rows.Err())
}

// DeletePromotion implements catalog.PromotionStore.
func (db *DB) DeletePromotion(ctx context.Context, id string) error {
	return db.updateOne(ctx, "promotion", `DELETE FROM promotions WHERE id = ?`, id)
}
