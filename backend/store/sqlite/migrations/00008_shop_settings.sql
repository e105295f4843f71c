-- +goose Up
CREATE TABLE shop_reminder_settings (
    shop_id              TEXT PRIMARY KEY REFERENCES shops (id),
    runs_out_days_before TEXT NOT NULL,
    replace_day          INTEGER NOT NULL,
    hour_local           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE shop_reminder_settings;
