-- +goose Up
CREATE TABLE eye_exams (
    id               TEXT PRIMARY KEY,
    customer_id      TEXT NOT NULL REFERENCES customers (id),
    member_id        TEXT NOT NULL DEFAULT '',
    shop_id          TEXT NOT NULL DEFAULT '',
    due_on           TEXT NOT NULL,
    recorded_by      TEXT NOT NULL,
    next_reminder_at INTEGER,
    updated_at       INTEGER NOT NULL,
    UNIQUE (customer_id, member_id)
) STRICT;
CREATE INDEX eye_exams_next_reminder ON eye_exams (next_reminder_at) WHERE next_reminder_at IS NOT NULL;

-- +goose Down
DROP TABLE eye_exams;
