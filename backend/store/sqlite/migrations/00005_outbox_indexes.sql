-- +goose Up
-- Every state change of a message rewrote an entry of this index; only the
-- dead-letter list needs an order by state, so a partial index serves it.
DROP INDEX outbox_status_updated;
CREATE INDEX outbox_dead ON outbox (updated_at) WHERE status = 'dead';

-- +goose Down
DROP INDEX outbox_dead;
CREATE INDEX outbox_status_updated ON outbox (status, updated_at);
