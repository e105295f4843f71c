-- +goose Up
CREATE TABLE outbox (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    shop_id     TEXT NOT NULL DEFAULT '',
    channel     TEXT NOT NULL,
    purpose     TEXT NOT NULL CHECK (purpose IN ('service', 'marketing')),
    dedupe_key  TEXT NOT NULL UNIQUE,
    cause       TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}',
    due_at      INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'skipped', 'dead')),
    lease_owner TEXT NOT NULL DEFAULT '',
    lease_until INTEGER,
    last_error  TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    sent_at     INTEGER
) STRICT;
-- The claim query reads only these partial indexes: its cost grows with
-- what is due, not with the history of sent messages.
CREATE INDEX outbox_pending_due ON outbox (due_at) WHERE status = 'pending';
CREATE INDEX outbox_sending_lease ON outbox (lease_until) WHERE status = 'sending';
CREATE INDEX outbox_customer ON outbox (customer_id, created_at);
CREATE INDEX outbox_status_updated ON outbox (status, updated_at);

-- +goose Down
DROP TABLE outbox;
