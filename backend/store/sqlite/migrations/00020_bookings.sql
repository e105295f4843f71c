-- +goose Up
-- Bookings. A service's rules and a staff member's agenda are read whole
-- and never queried inside, so they are kept as JSON documents next to
-- the columns that are. A booking holds one row of booking_claims per
-- staff member (and person) and five-minute unit it occupies: the
-- primary key is what stops a second booking of the same time.
CREATE TABLE booking_services (
    id         TEXT PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    shop_id    TEXT NOT NULL DEFAULT '',
    name       TEXT NOT NULL,
    doc        TEXT NOT NULL CHECK (json_valid(doc)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
INSERT INTO booking_services (id, code, shop_id, name, doc, created_at, updated_at)
SELECT id, 'svc-' || lower(substr(id, -20)), '', name,
       json_object('name_en', name_en, 'duration_min', duration_min, 'buffer_before_min', 0, 'buffer_after_min', buffer_min,
                   'min_notice_min', 120, 'max_ahead_days', 60, 'cancel_notice_min', 1440, 'daily_cap', 0,
                   'skills', json_array(performed_by), 'active', json('true')),
       created_at, created_at
FROM services;
DROP TABLE services;

CREATE TABLE practitioners (
    staff_id   TEXT PRIMARY KEY,
    shop_id    TEXT NOT NULL,
    doc        TEXT NOT NULL CHECK (json_valid(doc)),
    feed_hash  TEXT,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX practitioners_shop ON practitioners (shop_id, staff_id);
CREATE UNIQUE INDEX practitioners_feed ON practitioners (feed_hash) WHERE feed_hash IS NOT NULL;

CREATE TABLE bookings (
    id               TEXT PRIMARY KEY,
    shop_id          TEXT NOT NULL,
    service_id       TEXT NOT NULL,
    variant          TEXT NOT NULL DEFAULT '',
    staff_id         TEXT NOT NULL,
    customer_id      TEXT,
    family_member_id TEXT NOT NULL DEFAULT '',
    guest            TEXT CHECK (guest IS NULL OR json_valid(guest)),
    day              TEXT NOT NULL,
    start_at         INTEGER NOT NULL,
    end_at           INTEGER NOT NULL CHECK (end_at > start_at),
    hold_start       INTEGER NOT NULL,
    hold_end         INTEGER NOT NULL CHECK (hold_end > hold_start),
    status           TEXT NOT NULL CHECK (status IN ('held', 'booked', 'cancelled', 'arrived', 'no_show')),
    held_until       INTEGER CHECK ((status = 'held') = (held_until IS NOT NULL)),
    source           TEXT NOT NULL,
    utm              TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(utm)),
    made_by          TEXT NOT NULL,
    note             TEXT NOT NULL DEFAULT '',
    idem_scope       TEXT,
    idem_key         TEXT,
    idem_hash        TEXT NOT NULL DEFAULT '',
    visit_id         TEXT NOT NULL DEFAULT '',
    remind_at        INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX bookings_shop_hold ON bookings (shop_id, hold_start);
CREATE INDEX bookings_staff_start ON bookings (staff_id, start_at);
CREATE INDEX bookings_customer ON bookings (customer_id, start_at) WHERE customer_id IS NOT NULL;
CREATE INDEX bookings_remind ON bookings (remind_at) WHERE remind_at IS NOT NULL;
CREATE UNIQUE INDEX bookings_idem ON bookings (idem_scope, idem_key) WHERE idem_key IS NOT NULL;

CREATE TABLE booking_claims (
    key        TEXT PRIMARY KEY,
    booking_id TEXT NOT NULL,
    until_at   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX booking_claims_booking ON booking_claims (booking_id);

CREATE TABLE waitlist (
    id          TEXT PRIMARY KEY,
    shop_id     TEXT NOT NULL,
    service_id  TEXT NOT NULL,
    day         TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    offered_at  INTEGER,
    offer_start INTEGER,
    offer_staff TEXT NOT NULL DEFAULT '',
    UNIQUE (customer_id, shop_id, service_id, day)
) STRICT;
CREATE INDEX waitlist_queue ON waitlist (shop_id, service_id, day, created_at);

-- +goose Down
DROP TABLE waitlist;
DROP TABLE booking_claims;
DROP TABLE bookings;
DROP TABLE practitioners;
CREATE TABLE services (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    duration_min INTEGER NOT NULL CHECK (duration_min > 0),
    buffer_min   INTEGER NOT NULL CHECK (buffer_min >= 0),
    performed_by TEXT NOT NULL CHECK (performed_by IN ('optometrist', 'assistant')),
    created_at   INTEGER NOT NULL
) STRICT;
DROP TABLE booking_services;
