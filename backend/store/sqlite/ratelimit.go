package sqlite

import (
	"context"
	"time"
)

// HitRate implements web.RateStore: it counts one hit against key, whose
// window ends at expires, and returns the hits so far in that window.
func (db *DB) HitRate(ctx context.Context, key string, expires time.Time) (int64, error) {
	var n int64
	err := db.write.QueryRowContext(ctx, `INSERT INTO rate_hits (key, count, expires_at) VALUES (?, 1, ?)
		ON CONFLICT (key) DO UPDATE SET count = count + 1 RETURNING count`, key, ms(expires)).Scan(&n)
	return n, mapErr(err)
}

// PurgeRates implements web.RateStore.
func (db *DB) PurgeRates(ctx context.Context, before time.Time) (int, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM rate_hits WHERE expires_at < ?`, ms(before))
	if err != nil {
		return 0, mapErr(err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
