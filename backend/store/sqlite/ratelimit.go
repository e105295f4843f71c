package sqlite

import (
	"context"
	"encoding/json"
	"time"
)

// HitRate implements ratelimit.Store: it counts one hit against key, whose
// window ends at expires, and returns the hits so far in that window.
func (db *DB) HitRate(ctx context.Context, key string, expires time.Time) (int64, error) {
	var n int64
	err := db.write.QueryRowContext(ctx, `INSERT INTO rate_hits (key, count, expires_at) VALUES (?, 1, ?)
		ON CONFLICT (key) DO UPDATE SET count = count + 1 RETURNING count`, key, ms(expires)).Scan(&n)
	return n, mapErr(err)
}

// PurgeRates implements ratelimit.Store.
func (db *DB) PurgeRates(ctx context.Context, before time.Time) (int, error) {
	return db.affected(ctx, `DELETE FROM rate_hits WHERE expires_at < ?`, ms(before))
}

// UnhitRate implements ratelimit.Store.
func (db *DB) UnhitRate(ctx context.Context, key string) error {
	_, err := db.write.ExecContext(ctx, `UPDATE rate_hits SET count = count - 1 WHERE key = ? AND count > 0`, key)
	return mapErr(err)
}

// RateCounts implements ratelimit.Store.
func (db *DB) RateCounts(ctx context.Context, keys []string) ([]int64, error) {
	out := make([]int64, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	b, _ := json.Marshal(keys)
	rows, err := db.query(ctx, `SELECT key, count FROM rate_hits WHERE key IN (SELECT value FROM json_each(?))`, string(b))
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	at := make(map[string]int, len(keys))
	for i, k := range keys {
		at[k] = i
	}
	for rows.Next() {
		var k string
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			return nil, mapErr(err)
		}
		out[at[k]] = n
	}
	return out, mapErr(rows.Err())
}
