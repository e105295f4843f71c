-- +goose Up
-- Promotions, read by the one price engine: those holding at an instant
-- are found through their end (most have ended) and checked for start.
CREATE TABLE promotions (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL CHECK (kind IN ('percent', 'fixed_price')),
    percent_off INTEGER NOT NULL DEFAULT 0,
    fixed_cents INTEGER NOT NULL DEFAULT 0,
    starts      INTEGER NOT NULL,
    ends        INTEGER NOT NULL,
    shop_ids    TEXT NOT NULL DEFAULT '[]',
    product_ids TEXT NOT NULL DEFAULT '[]',
    categories  TEXT NOT NULL DEFAULT '[]',
    channels    TEXT NOT NULL DEFAULT '[]',
    CHECK (ends > starts)
) STRICT;
CREATE INDEX promotions_ends ON promotions (ends, starts);

-- +goose Down
DROP TABLE promotions;
