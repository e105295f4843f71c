-- +goose Up
CREATE TABLE shops (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    city       TEXT NOT NULL DEFAULT '',
    address    TEXT NOT NULL DEFAULT '',
    time_zone  TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE staff (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'assistant')),
    shop_id       TEXT REFERENCES shops (id),
    active        INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    CHECK ((role = 'owner') = (shop_id IS NULL))
) STRICT;
CREATE INDEX staff_shop ON staff (shop_id, name);

CREATE TABLE customers (
    id            TEXT PRIMARY KEY,
    email         TEXT,
    password_hash TEXT NOT NULL DEFAULT '',
    first_name    TEXT NOT NULL DEFAULT '',
    last_name     TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    birth_date    TEXT NOT NULL DEFAULT '',
    shop_id       TEXT REFERENCES shops (id),
    locale        TEXT NOT NULL DEFAULT 'it',
    firebase_uid  TEXT,
    status        TEXT NOT NULL CHECK (status IN ('active', 'erased')),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    erased_at     INTEGER
) STRICT;
CREATE UNIQUE INDEX customers_email ON customers (email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX customers_firebase_uid ON customers (firebase_uid) WHERE firebase_uid IS NOT NULL;
CREATE INDEX customers_shop ON customers (shop_id, id) WHERE status = 'active';

CREATE TABLE consent_events (
    id           TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers (id),
    channel      TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    granted      INTEGER NOT NULL,
    occurred_at  INTEGER NOT NULL,
    source       TEXT NOT NULL,
    text_version TEXT NOT NULL
) STRICT;
CREATE INDEX consent_events_customer ON consent_events (customer_id, occurred_at, id);
-- +goose StatementBegin
CREATE TRIGGER consent_events_append_only BEFORE UPDATE ON consent_events
BEGIN
    SELECT RAISE(ABORT, 'consent events are append-only');
END;
-- +goose StatementEnd

CREATE TABLE devices (
    token        TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers (id),
    platform     TEXT NOT NULL,
    app_version  TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) STRICT;
CREATE INDEX devices_customer ON devices (customer_id, created_at);

CREATE TABLE refresh_families (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
) STRICT;
CREATE INDEX refresh_families_customer ON refresh_families (customer_id, created_at);

CREATE TABLE refresh_tokens (
    hash        TEXT PRIMARY KEY,
    family_id   TEXT NOT NULL REFERENCES refresh_families (id) ON DELETE CASCADE,
    parent_hash TEXT NOT NULL DEFAULT '',
    customer_id TEXT NOT NULL,
    issued_at   INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
) STRICT;
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_customer ON refresh_tokens (customer_id);
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);

CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_role  TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    customer_id TEXT NOT NULL DEFAULT '',
    shop_id     TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_log_customer ON audit_log (customer_id, at) WHERE customer_id != '';
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
-- +goose StatementEnd

CREATE TABLE rate_hits (
    key        TEXT PRIMARY KEY,
    count      INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX rate_hits_expires ON rate_hits (expires_at);

-- +goose Down
DROP TABLE rate_hits;
DROP TABLE audit_log;
DROP TABLE refresh_tokens;
DROP TABLE refresh_families;
DROP TABLE devices;
DROP TABLE consent_events;
DROP TABLE customers;
DROP TABLE staff;
DROP TABLE shops;
