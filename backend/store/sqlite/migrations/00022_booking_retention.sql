-- +goose Up
-- The hourly retention job: claims past their end, guests' details past
-- the retention.
CREATE INDEX booking_claims_until ON booking_claims (until_at);
CREATE INDEX bookings_guest_end ON bookings (end_at) WHERE guest IS NOT NULL;

-- +goose Down
DROP INDEX bookings_guest_end;
DROP INDEX booking_claims_until;
