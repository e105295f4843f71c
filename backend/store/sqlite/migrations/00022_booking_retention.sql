-- +goose Up
-- The hourly retention job: claims past their end, guests' details past
-- the retention, holds past their end.
CREATE INDEX booking_claims_until ON booking_claims (until_at);
CREATE INDEX bookings_guest_end ON bookings (end_at) WHERE guest IS NOT NULL;
CREATE INDEX bookings_held ON bookings (held_until) WHERE status = 'held';
-- Free slots also read when a hold ends: the covering index of 00021
-- holds it too.
DROP INDEX bookings_shop_hold;
CREATE INDEX bookings_shop_hold ON bookings (shop_id, hold_start, hold_end, status, staff_id, service_id, day, held_until);

-- +goose Down
DROP INDEX bookings_shop_hold;
CREATE INDEX bookings_shop_hold ON bookings (shop_id, hold_start, hold_end, status, staff_id, service_id, day);
DROP INDEX bookings_held;
DROP INDEX bookings_guest_end;
DROP INDEX booking_claims_until;
