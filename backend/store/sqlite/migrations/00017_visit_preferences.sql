-- +goose Up
-- Whether a customer lets screens greet them by first name: off until
-- they turn it on.
CREATE TABLE visit_preferences (
    customer_id TEXT PRIMARY KEY,
    greet       INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE visit_preferences;
