-- +goose Up
-- A new link voids the subject's earlier ones of its kind (VoidLinks).
CREATE INDEX links_subject ON links (subject, kind);

-- +goose Down
DROP INDEX links_subject;
