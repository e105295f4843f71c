-- +goose Up
-- The staff lists are read a page at a time, newest first: a shop's dead
-- letters by last change (the owner's view reads several shops at once).
CREATE INDEX outbox_shop_dead ON outbox (shop_id, updated_at, id) WHERE status = 'dead';

-- +goose Down
DROP INDEX outbox_shop_dead;
