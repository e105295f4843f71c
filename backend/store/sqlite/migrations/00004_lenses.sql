-- +goose Up
CREATE TABLE family_members (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    first_name  TEXT NOT NULL,
    last_name   TEXT NOT NULL,
    birth_date  TEXT NOT NULL,
    relation    TEXT NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX family_members_customer ON family_members (customer_id, created_at);

CREATE TABLE lens_supplies (
    id                 TEXT PRIMARY KEY,
    customer_id        TEXT NOT NULL REFERENCES customers (id),
    member_id          TEXT NOT NULL DEFAULT '',
    shop_id            TEXT NOT NULL DEFAULT '',
    eye                TEXT NOT NULL CHECK (eye IN ('right', 'left', 'both')),
    brand              TEXT NOT NULL,
    product            TEXT NOT NULL,
    modality           TEXT NOT NULL,
    catalog_id         TEXT NOT NULL DEFAULT '',
    boxes              INTEGER NOT NULL,
    lenses_per_box     INTEGER NOT NULL,
    start_date         TEXT NOT NULL,
    wear_days_per_week INTEGER NOT NULL,
    runs_out_on        TEXT NOT NULL,
    next_reminder_at   INTEGER,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
) STRICT;
CREATE INDEX lens_supplies_customer ON lens_supplies (customer_id, created_at);
-- The reminder scan reads only this partial index: supplies with a
-- reminder still to send, by when it is due.
CREATE INDEX lens_supplies_next_reminder ON lens_supplies (next_reminder_at) WHERE next_reminder_at IS NOT NULL;

CREATE TABLE reservations (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    shop_id     TEXT NOT NULL,
    supply_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    status      TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX reservations_shop ON reservations (shop_id, created_at);
CREATE INDEX reservations_customer ON reservations (customer_id, created_at);

ALTER TABLE outbox ADD COLUMN read_at INTEGER;
ALTER TABLE outbox ADD COLUMN opened_at INTEGER;
CREATE INDEX outbox_inbox ON outbox (customer_id, created_at) WHERE channel = 'inbox' AND status = 'sent';

-- +goose Down
DROP INDEX outbox_inbox;
ALTER TABLE outbox DROP COLUMN opened_at;
ALTER TABLE outbox DROP COLUMN read_at;
DROP TABLE reservations;
DROP TABLE lens_supplies;
DROP TABLE family_members;
