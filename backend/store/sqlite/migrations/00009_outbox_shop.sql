-- +goose Up
CREATE INDEX outbox_shop_recalls ON outbox (shop_id, created_at) WHERE channel = 'recall';

-- +goose Down
DROP INDEX outbox_shop_recalls;
