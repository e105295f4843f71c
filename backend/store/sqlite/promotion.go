package sqlite

import (
	"context"
	"encoding/json"
	"time"

	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
)

const promotionCols = `id, name, kind, percent_off, fixed_cents, starts, ends, shop_ids, product_ids, categories, tags, channels`

// promotionLists are p's list fields, in promotionCols' order.
func promotionLists(p *catalog.Promotion) []*[]string {
	return []*[]string{&p.ShopIDs, &p.ProductIDs, &p.Categories, &p.Tags, &p.Channels}
}

// CreatePromotion implements catalog.PromotionStore.
func (db *DB) CreatePromotion(ctx context.Context, p *catalog.Promotion) error {
	args := []any{p.ID, p.Name, p.Kind, p.PercentOff, p.FixedCents, ms(p.Starts), ms(p.Ends)}
	for _, l := range promotionLists(p) {
		args = append(args, jsonList(*l))
	}
	_, err := db.write.ExecContext(ctx, `INSERT INTO promotions (`+promotionCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`, args...)
	return mapErr(err)
}

func scanPromotion(s scanner) (catalog.Promotion, error) {
	var p catalog.Promotion
	var starts, ends int64
	lists := make([]string, 5)
	if err := s.Scan(&p.ID, &p.Name, &p.Kind, &p.PercentOff, &p.FixedCents, &starts, &ends, &lists[0], &lists[1], &lists[2], &lists[3], &lists[4]); err != nil {
		return p, err
	}
	for i, dst := range promotionLists(&p) {
		if err := json.Unmarshal([]byte(lists[i]), dst); err != nil {
			return p, core.Internal(err)
		}
		if len(*dst) == 0 {
			*dst = nil
		}
	}
	p.Starts, p.Ends = fromMS(starts), fromMS(ends)
	return p, nil
}

// ActivePromotions implements catalog.PromotionStore.
func (db *DB) ActivePromotions(ctx context.Context, t time.Time) ([]catalog.Promotion, error) {
	rows, err := db.query(ctx, `SELECT `+promotionCols+` FROM promotions WHERE ends > ? AND starts <= ? ORDER BY id`, ms(t), ms(t))
	return collect(rows, err, scanPromotion)
}

// Promotions implements catalog.PromotionStore.
func (db *DB) Promotions(ctx context.Context, t time.Time) ([]catalog.Promotion, error) {
	rows, err := db.query(ctx, `SELECT `+promotionCols+` FROM promotions WHERE ends > ? ORDER BY starts, id`, ms(t))
	return collect(rows, err, scanPromotion)
}

// DeletePromotion implements catalog.PromotionStore.
func (db *DB) DeletePromotion(ctx context.Context, id string) error {
	return db.updateOne(ctx, "promotion", `DELETE FROM promotions WHERE id = ?`, id)
}
