-- +goose Up
-- A shop's customers are listed newest first, as every staff list is:
-- the customer created at the counter a minute ago comes first.
CREATE INDEX customers_shop_created ON customers (shop_id, created_at DESC, id DESC) WHERE status = 'active';
DROP INDEX customers_shop;

-- +goose Down
CREATE INDEX customers_shop ON customers (shop_id, id) WHERE status = 'active';
DROP INDEX customers_shop_created;
