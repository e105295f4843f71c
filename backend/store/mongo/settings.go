package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vista-optical/vista/backend/lens"
)

type shopSettingsDoc struct {
	ShopID            string    `bson:"_id"`
	RunsOutDaysBefore []int     `bson:"runs_out_days_before"`
	ReplaceDay        bool      `bson:"replace_day"`
	HourLocal         int       `bson:"hour_local"`
	UpdatedAt         time.Time `bson:"updated_at"`
}

func (d *shopSettingsDoc) model() *lens.ShopSettings {
	return &lens.ShopSettings{ShopID: d.ShopID, RunsOutDaysBefore: d.RunsOutDaysBefore, ReplaceDay: d.ReplaceDay,
		HourLocal: d.HourLocal, UpdatedAt: utc(d.UpdatedAt)}
}

// ShopSettings implements lens.SettingsStore.
func (db *DB) ShopSettings(ctx context.Context, shopID string) (*lens.ShopSettings, error) {
	return findOne(ctx, db.col(colShopSettings), bson.D{{Key: "_id", Value: shopID}}, "shop settings", (*shopSettingsDoc).model)
}

// SaveShopSettings implements lens.SettingsStore with one replace-or-insert.
func (db *DB) SaveShopSettings(ctx context.Context, s *lens.ShopSettings) error {
	_, err := db.col(colShopSettings).ReplaceOne(ctx, bson.D{{Key: "_id", Value: s.ShopID}},
		shopSettingsDoc{ShopID: s.ShopID, RunsOutDaysBefore: s.RunsOutDaysBefore, ReplaceDay: s.ReplaceDay, HourLocal: s.HourLocal, UpdatedAt: s.UpdatedAt},
		options.Replace().SetUpsert(true))
	return mapErr(err)
}
