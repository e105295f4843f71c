-- +goose Up
-- A shopper can end their visit at the totem ("Fine"): the visit closes
-- and its codes still on screen stop linking.
ALTER TABLE visits ADD COLUMN ended_at INTEGER;

-- +goose Down
ALTER TABLE visits DROP COLUMN ended_at;
