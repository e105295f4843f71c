-- +goose Up
-- Customers created by staff at the counter: a codice fiscale, an
-- address, and where the record began. A new record that shares a phone
-- or a codice fiscale with another is shown as a possible duplicate.
ALTER TABLE customers ADD COLUMN tax_code TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN origin TEXT NOT NULL DEFAULT 'app';
CREATE INDEX customers_phone ON customers (phone) WHERE status = 'active' AND phone <> '';
CREATE INDEX customers_tax_code ON customers (tax_code) WHERE status = 'active' AND tax_code <> '';

-- +goose Down
DROP INDEX customers_tax_code;
DROP INDEX customers_phone;
ALTER TABLE customers DROP COLUMN origin;
ALTER TABLE customers DROP COLUMN address;
ALTER TABLE customers DROP COLUMN tax_code;
