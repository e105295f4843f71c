package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/lens"
)

// ShopSettings implements lens.SettingsStore.
func (db *DB) ShopSettings(ctx context.Context, shopID string) (*lens.ShopSettings, error) {
	var s lens.ShopSettings
	var days string
	var updated int64
	err := db.queryRow(ctx, `SELECT shop_id, runs_out_days_before, replace_day, hour_local, updated_at FROM shop_reminder_settings
		WHERE shop_id = ?`, shopID).Scan(&s.ShopID, &days, &s.ReplaceDay, &s.HourLocal, &updated)
	if err == sql.ErrNoRows {
		return nil, notFound("shop settings")
	} else if err != nil {
		return nil, mapErr(err)
	}
	if err := json.Unmarshal([]byte(days), &s.RunsOutDaysBefore); err != nil {
		return nil, core.Internal(err)
	}
	s.UpdatedAt = fromMS(updated)
	return &s, nil
}

// SaveShopSettings implements lens.SettingsStore.
func (db *DB) SaveShopSettings(ctx context.Context, s *lens.ShopSettings) error {
	days, err := json.Marshal(s.RunsOutDaysBefore)
	if err != nil {
		return core.Internal(err)
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO shop_reminder_settings (shop_id, runs_out_days_before, replace_day, hour_local, updated_at)
		VALUES (?,?,?,?,?) ON CONFLICT (shop_id) DO UPDATE SET runs_out_days_before = excluded.runs_out_days_before,
		replace_day = excluded.replace_day, hour_local = excluded.hour_local, updated_at = excluded.updated_at`,
		s.ShopID, string(days), s.ReplaceDay, s.HourLocal, ms(s.UpdatedAt))
	return mapErr(err)
}
