package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/core"
)

// CreateLink implements auth.LinkStore.
func (db *DB) CreateLink(ctx context.Context, l *auth.Link) error {
	data, err := json.Marshal(l.Data)
	if err != nil {
		return core.Internal(err)
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO links (id, kind, subject, data, created_at, expires_at) VALUES (?,?,?,?,?,?)`,
		l.ID, l.Kind, l.Subject, string(data), ms(l.CreatedAt), ms(l.ExpiresAt))
	return mapErr(err)
}

// UseLink implements auth.LinkStore: one conditional UPDATE decides who
// wins a race.
func (db *DB) UseLink(ctx context.Context, id, kind string, now time.Time) (*auth.Link, error) {
	n, err := db.affected(ctx, `UPDATE links SET used_at = ? WHERE id = ? AND kind = ? AND used_at IS NULL AND expires_at > ?`,
		ms(now), id, kind, ms(now))
	if err != nil {
		return nil, err
	}
	var l auth.Link
	var data string
	var created, expires int64
	var used sql.NullInt64
	err = db.queryRow(ctx, `SELECT id, kind, subject, data, created_at, expires_at, used_at FROM links WHERE id = ? AND kind = ?`, id, kind).
		Scan(&l.ID, &l.Kind, &l.Subject, &data, &created, &expires, &used)
	if err == sql.ErrNoRows {
		return nil, notFound("link")
	} else if err != nil {
		return nil, mapErr(err)
	}
	if n == 0 {
		return nil, core.Errorf(core.EGONE, "link used or expired")
	}
	if err := json.Unmarshal([]byte(data), &l.Data); err != nil {
		return nil, core.Internal(err)
	}
	l.CreatedAt, l.ExpiresAt, l.UsedAt = fromMS(created), fromMS(expires), fromNullMS(used)
	return &l, nil
}

// VoidLinks implements auth.LinkStore.
func (db *DB) VoidLinks(ctx context.Context, kind, subject string, now time.Time) (int, error) {
	return db.affected(ctx, `UPDATE links SET used_at = ? WHERE subject = ? AND kind = ? AND used_at IS NULL`, ms(now), subject, kind)
}

// PurgeLinks implements auth.LinkStore.
func (db *DB) PurgeLinks(ctx context.Context, before time.Time) (int, error) {
	return db.affected(ctx, `DELETE FROM links WHERE expires_at < ?`, ms(before))
}
