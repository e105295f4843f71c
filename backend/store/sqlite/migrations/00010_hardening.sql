-- +goose Up
-- One row per subject whose tokens ended before they expire (erasure, a
-- password reset); every instance reads the rows recorded since it last looked.
CREATE TABLE token_revocations (
    subject     TEXT PRIMARY KEY,
    valid_after INTEGER NOT NULL,
    closed      INTEGER NOT NULL DEFAULT 0,
    recorded_at INTEGER NOT NULL
) STRICT;
CREATE INDEX token_revocations_recorded ON token_revocations (recorded_at);

-- Staff sign-ins, so that sign-out, idleness and deactivation end them.
CREATE TABLE staff_sessions (
    id           TEXT PRIMARY KEY,
    staff_id     TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    revoked_at   INTEGER
) STRICT;
CREATE INDEX staff_sessions_created ON staff_sessions (created_at);

-- One open reorder request per supply: a repeat finds the open one. Repeats
-- stored before this rule are folded into the oldest.
UPDATE reservations SET status = 'merged'
    WHERE status = 'requested' AND supply_id != '' AND rowid NOT IN (
        SELECT min(rowid) FROM reservations WHERE status = 'requested' AND supply_id != '' GROUP BY supply_id);
CREATE UNIQUE INDEX reservations_open_supply ON reservations (supply_id) WHERE status = 'requested' AND supply_id != '';

-- +goose Down
DROP INDEX reservations_open_supply;
DROP TABLE staff_sessions;
DROP TABLE token_revocations;
