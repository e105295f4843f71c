-- +goose Up
CREATE TABLE products (
    id          TEXT PRIMARY KEY,
    sku         TEXT NOT NULL UNIQUE,
    brand       TEXT NOT NULL,
    name        TEXT NOT NULL,
    category    TEXT NOT NULL,
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX products_brand_name ON products (brand, name);

CREATE TABLE services (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    duration_min INTEGER NOT NULL CHECK (duration_min > 0),
    buffer_min   INTEGER NOT NULL CHECK (buffer_min >= 0),
    performed_by TEXT NOT NULL CHECK (performed_by IN ('optometrist', 'assistant')),
    created_at   INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE services;
DROP TABLE products;
