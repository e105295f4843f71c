-- +goose Up
-- Visits: presences in a shop seen by a kiosk, anonymous until a shopper
-- claims the screen's QR code; their events; and the codes, under the
-- hash of their nonce, that are resolved then claimed once.
CREATE TABLE visits (
    id          TEXT PRIMARY KEY,
    shop_id     TEXT NOT NULL,
    kiosk_id    TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    last_at     INTEGER NOT NULL,
    customer_id TEXT NOT NULL DEFAULT '',
    linked_at   INTEGER,
    via         TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX visits_kiosk ON visits (kiosk_id, last_at) WHERE customer_id = '';
CREATE INDEX visits_customer ON visits (customer_id, started_at) WHERE customer_id <> '';
CREATE INDEX visits_shop ON visits (shop_id, last_at);
CREATE INDEX visits_anonymous ON visits (last_at) WHERE customer_id = '';

CREATE TABLE visit_events (
    id       INTEGER PRIMARY KEY,
    visit_id TEXT NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    kind     TEXT NOT NULL,
    item_id  TEXT NOT NULL,
    at       INTEGER NOT NULL
) STRICT;
CREATE INDEX visit_events_visit ON visit_events (visit_id, at);

CREATE TABLE visit_codes (
    id          TEXT PRIMARY KEY,
    visit_id    TEXT NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    kiosk_id    TEXT NOT NULL,
    shop_id     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    resolved_by TEXT NOT NULL DEFAULT '',
    claimed_by  TEXT NOT NULL DEFAULT '',
    claimed_at  INTEGER
) STRICT;
CREATE INDEX visit_codes_visit ON visit_codes (visit_id);

-- +goose Down
DROP TABLE visit_codes;
DROP TABLE visit_events;
DROP TABLE visits;
