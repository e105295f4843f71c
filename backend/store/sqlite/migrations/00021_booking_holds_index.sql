-- +goose Up
-- Free slots read every active booking of a shop in a date range: an
-- index holding all they need answers that read without the table.
DROP INDEX bookings_shop_hold;
CREATE INDEX bookings_shop_hold ON bookings (shop_id, hold_start, hold_end, status, staff_id, service_id, day);

-- +goose Down
DROP INDEX bookings_shop_hold;
CREATE INDEX bookings_shop_hold ON bookings (shop_id, hold_start);
