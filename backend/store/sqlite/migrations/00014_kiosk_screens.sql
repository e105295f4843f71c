-- +goose Up
-- The catalog grows what screens and the app show of a product; stock
-- per shop; channel toggles; touches of public product pages. Products
-- are listed by sort_key (brand and name, lower case) and searched in
-- search (every text field, lower case), both written by the engine.
ALTER TABLE products ADD COLUMN model TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN colour TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN image_url TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE products ADD COLUMN novelty INTEGER NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE products ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN search TEXT NOT NULL DEFAULT '';
UPDATE products SET updated_at = created_at, sort_key = lower(brand || ' ' || name),
    search = lower(brand || ' ' || name || ' ' || sku);
CREATE INDEX products_sort ON products (sort_key, id);

CREATE TABLE stock (
    shop_id    TEXT NOT NULL,
    product_id TEXT NOT NULL REFERENCES products (id),
    quantity   INTEGER NOT NULL CHECK (quantity >= 0),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (shop_id, product_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE catalog_settings (
    shop_id           TEXT PRIMARY KEY,
    reserve_min_stock INTEGER NOT NULL,
    click_collect     INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
) STRICT;

CREATE TABLE touches (
    id         INTEGER PRIMARY KEY,
    shop_id    TEXT NOT NULL,
    product_id TEXT NOT NULL,
    source     TEXT NOT NULL,
    at         INTEGER NOT NULL
) STRICT;
CREATE INDEX touches_shop_at ON touches (shop_id, at);
CREATE INDEX touches_at ON touches (at);

ALTER TABLE promotions ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';

-- Screens: devices paired by a one-time code, offers pushed to them, the
-- events every instance tails to reach the screens connected to it, and
-- proof of play.
CREATE TABLE kiosks (
    id           TEXT PRIMARY KEY,
    shop_id      TEXT NOT NULL,
    label        TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER,
    showing      TEXT NOT NULL DEFAULT '',
    revoked_at   INTEGER
) STRICT;
CREATE INDEX kiosks_shop ON kiosks (shop_id, created_at);

CREATE TABLE pairing_codes (
    hash       TEXT PRIMARY KEY,
    shop_id    TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) STRICT;

CREATE TABLE offers (
    id           TEXT PRIMARY KEY,
    shop_id      TEXT NOT NULL, -- '' for the chain
    title        TEXT NOT NULL,
    text         TEXT NOT NULL,
    image_url    TEXT NOT NULL,
    product_ids  TEXT NOT NULL,
    promotion_id TEXT NOT NULL,
    starts       INTEGER NOT NULL,
    ends         INTEGER NOT NULL,
    schedule     TEXT NOT NULL,
    customers    INTEGER NOT NULL DEFAULT 0,
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX offers_ends ON offers (ends);

-- AUTOINCREMENT: a sequence number is never reused, so a screen that
-- replays from Last-Event-ID never receives another event under an old id.
CREATE TABLE screen_events (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id  TEXT NOT NULL,
    kiosk_id TEXT NOT NULL,
    kind     TEXT NOT NULL,
    data     TEXT NOT NULL,
    at       INTEGER NOT NULL
) STRICT;
CREATE INDEX screen_events_at ON screen_events (at);

CREATE TABLE plays (
    id        INTEGER PRIMARY KEY,
    kiosk_id  TEXT NOT NULL,
    shop_id   TEXT NOT NULL,
    item_kind TEXT NOT NULL,
    item_id   TEXT NOT NULL,
    shown_at  INTEGER NOT NULL,
    seconds   INTEGER NOT NULL
) STRICT;
CREATE INDEX plays_shop ON plays (shop_id, shown_at);
CREATE INDEX plays_shown ON plays (shown_at);

-- +goose Down
DROP TABLE plays;
DROP TABLE screen_events;
DROP TABLE offers;
DROP TABLE pairing_codes;
DROP TABLE kiosks;
ALTER TABLE promotions DROP COLUMN tags;
DROP TABLE touches;
DROP TABLE catalog_settings;
DROP TABLE stock;
DROP INDEX products_sort;
ALTER TABLE products DROP COLUMN search;
ALTER TABLE products DROP COLUMN sort_key;
ALTER TABLE products DROP COLUMN updated_at;
ALTER TABLE products DROP COLUMN active;
ALTER TABLE products DROP COLUMN novelty;
ALTER TABLE products DROP COLUMN tags;
ALTER TABLE products DROP COLUMN image_url;
ALTER TABLE products DROP COLUMN colour;
ALTER TABLE products DROP COLUMN model;
