-- +goose Up
-- A claim counts the claims of its customer and of its kiosk in the last
-- minute inside its own transaction (the rate limits of linking, exact
-- under SQLite's one writer, at no extra commit).
CREATE INDEX visit_codes_claimed_by ON visit_codes (claimed_by, claimed_at) WHERE claimed_at IS NOT NULL;
CREATE INDEX visit_codes_kiosk_claims ON visit_codes (kiosk_id, claimed_at) WHERE claimed_at IS NOT NULL;

-- +goose Down
DROP INDEX visit_codes_kiosk_claims;
DROP INDEX visit_codes_claimed_by;
