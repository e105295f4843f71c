-- +goose Up
-- Pictures uploaded to Vista (product photos, the chain's logo), stored
-- once under the hash of their bytes.
CREATE TABLE images (
    id           TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    data         BLOB NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;

-- The apps that open the chain's links, and how its screens look.
ALTER TABLE chain_settings ADD COLUMN apple_app_ids TEXT NOT NULL DEFAULT '[]';
ALTER TABLE chain_settings ADD COLUMN android_apps TEXT NOT NULL DEFAULT '[]';
ALTER TABLE chain_settings ADD COLUMN logo_url TEXT NOT NULL DEFAULT '';
ALTER TABLE chain_settings ADD COLUMN colour TEXT NOT NULL DEFAULT '';
ALTER TABLE chain_settings ADD COLUMN accent TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE chain_settings DROP COLUMN accent;
ALTER TABLE chain_settings DROP COLUMN colour;
ALTER TABLE chain_settings DROP COLUMN logo_url;
ALTER TABLE chain_settings DROP COLUMN android_apps;
ALTER TABLE chain_settings DROP COLUMN apple_app_ids;
DROP TABLE images;
