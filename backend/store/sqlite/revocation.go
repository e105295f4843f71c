package sqlite

import (
	"context"
	"time"

	"github.com/vista-optical/vista/backend/auth"
)

// SaveRevocation implements auth.RevocationStore.
func (db *DB) SaveRevocation(ctx context.Context, r *auth.Revocation) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO token_revocations (subject, valid_after, closed, recorded_at) VALUES (?,?,?,?)
		ON CONFLICT (subject) DO UPDATE SET valid_after = max(valid_after, excluded.valid_after),
			closed = max(closed, excluded.closed), recorded_at = excluded.recorded_at`,
		r.Subject, ms(r.ValidAfter), r.Closed, ms(r.RecordedAt))
	return mapErr(err)
}

// RevocationsSince implements auth.RevocationStore.
func (db *DB) RevocationsSince(ctx context.Context, t time.Time) ([]*auth.Revocation, error) {
	rows, err := db.query(ctx, `SELECT subject, valid_after, closed, recorded_at FROM token_revocations
		WHERE recorded_at >= ? ORDER BY recorded_at`, ms(t))
	return collect(rows, err, func(row scanner) (*auth.Revocation, error) {
		var r auth.Revocation
		var after, recorded int64
		if err := row.Scan(&r.Subject, &after, &r.Closed, &recorded); err != nil {
			return nil, err
		}
		r.ValidAfter, r.RecordedAt = fromMS(after), fromMS(recorded)
		return &r, nil
	})
}

// PurgeRevocations implements auth.RevocationStore.
func (db *DB) PurgeRevocations(ctx context.Context, before time.Time) (int, error) {
	return db.affected(ctx, `DELETE FROM token_revocations WHERE recorded_at < ? AND closed = 0`, ms(before))
}
