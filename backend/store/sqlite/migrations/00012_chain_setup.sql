-- +goose Up
-- A real chain sets itself up: shops get a slug (the public booking and
-- product pages name them by it), a phone and opening hours; staff can be
-- invited before they have a password, and are asked to change one an
-- operator generated; one-time links (invitations, password resets,
-- e-mail confirmations) are kept by the SHA-256 of their token only.
ALTER TABLE shops ADD COLUMN slug TEXT NOT NULL DEFAULT '';
ALTER TABLE shops ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE shops ADD COLUMN hours TEXT NOT NULL DEFAULT '{}';
UPDATE shops SET slug = CASE WHEN id LIKE 'shop-%' THEN substr(id, 6) ELSE id END;
CREATE UNIQUE INDEX shops_slug ON shops (slug);

ALTER TABLE staff ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
CREATE INDEX staff_name ON staff (name, id);

CREATE TABLE links (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    data       TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) STRICT;
CREATE INDEX links_expires ON links (expires_at);

CREATE TABLE chain_settings (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    name           TEXT NOT NULL,
    ios_url        TEXT NOT NULL DEFAULT '',
    android_url    TEXT NOT NULL DEFAULT '',
    default_locale TEXT NOT NULL DEFAULT 'it',
    updated_at     INTEGER NOT NULL
) STRICT;

-- Account messages (a reset link, an invitation) are a purpose of their
-- own: SQLite cannot change a CHECK, so the outbox is rebuilt as it was
-- with 'account' allowed, and its indexes made again.
CREATE TABLE outbox_new (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    shop_id     TEXT NOT NULL DEFAULT '',
    channel     TEXT NOT NULL,
    purpose     TEXT NOT NULL CHECK (purpose IN ('service', 'marketing', 'account')),
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
    sent_at     INTEGER,
    read_at     INTEGER,
    opened_at   INTEGER
) STRICT;
INSERT INTO outbox_new (id, customer_id, shop_id, channel, purpose, dedupe_key, cause, title, body, data, due_at, attempts,
    status, lease_owner, lease_until, last_error, created_at, updated_at, sent_at, read_at, opened_at)
SELECT id, customer_id, shop_id, channel, purpose, dedupe_key, cause, title, body, data, due_at, attempts,
    status, lease_owner, lease_until, last_error, created_at, updated_at, sent_at, read_at, opened_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_customer ON outbox (customer_id, created_at);
CREATE INDEX outbox_inbox ON outbox (customer_id, created_at) WHERE channel = 'inbox' AND status = 'sent';
CREATE INDEX outbox_dead ON outbox (updated_at) WHERE status = 'dead';
CREATE INDEX outbox_due ON outbox (due_at) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_shop_recalls ON outbox (shop_id, created_at) WHERE channel = 'recall';
CREATE INDEX outbox_shop_dead ON outbox (shop_id, updated_at, id) WHERE status = 'dead';

-- +goose Down
DROP TABLE chain_settings;
DROP TABLE links;
DROP INDEX staff_name;
ALTER TABLE staff DROP COLUMN must_change_password;
DROP INDEX shops_slug;
ALTER TABLE shops DROP COLUMN hours;
ALTER TABLE shops DROP COLUMN phone;
ALTER TABLE shops DROP COLUMN slug;
