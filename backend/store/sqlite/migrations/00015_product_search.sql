-- +goose Up
-- Product search finds a text anywhere in a product's words (LIKE
-- '%text%'), which no B-tree index serves: a full scan of 10,000 products
-- costs several milliseconds. An FTS5 trigram index over the search
-- column answers such a LIKE for texts of three or more characters;
-- triggers keep it in step with the products table.
CREATE VIRTUAL TABLE products_fts USING fts5(search, content='products', content_rowid='rowid', tokenize='trigram');
INSERT INTO products_fts (rowid, search) SELECT rowid, search FROM products;
-- +goose StatementBegin
CREATE TRIGGER products_fts_insert AFTER INSERT ON products BEGIN
    INSERT INTO products_fts (rowid, search) VALUES (new.rowid, new.search);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER products_fts_delete AFTER DELETE ON products BEGIN
    INSERT INTO products_fts (products_fts, rowid, search) VALUES ('delete', old.rowid, old.search);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER products_fts_update AFTER UPDATE OF search ON products BEGIN
    INSERT INTO products_fts (products_fts, rowid, search) VALUES ('delete', old.rowid, old.search);
    INSERT INTO products_fts (rowid, search) VALUES (new.rowid, new.search);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER products_fts_update;
DROP TRIGGER products_fts_delete;
DROP TRIGGER products_fts_insert;
DROP TABLE products_fts;
