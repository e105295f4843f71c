package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/vista-optical/vista/backend/shop"
)

// CreateStaffSession implements shop.SessionStore.
func (db *DB) CreateStaffSession(ctx context.Context, s *shop.Session) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO staff_sessions (id, staff_id, created_at, last_seen_at, revoked_at) VALUES (?,?,?,?,?)`,
		s.ID, s.StaffID, ms(s.CreatedAt), ms(s.LastSeenAt), nullMS(s.RevokedAt))
	return mapErr(err)
}

// StaffSession implements shop.SessionStore.
func (db *DB) StaffSession(ctx context.Context, id string) (*shop.Session, error) {
	var s shop.Session
	var created, seen int64
	var revoked sql.NullInt64
	err := db.queryRow(ctx, `SELECT id, staff_id, created_at, last_seen_at, revoked_at FROM staff_sessions WHERE id = ?`, id).
		Scan(&s.ID, &s.StaffID, &created, &seen, &revoked)
	if err == sql.ErrNoRows {
		return nil, notFound("staff session")
	} else if err != nil {
		return nil, mapErr(err)
	}
	s.CreatedAt, s.LastSeenAt, s.RevokedAt = fromMS(created), fromMS(seen), fromNullMS(revoked)
	return &s, nil
}

// TouchStaffSession implements shop.SessionStore.
func (db *DB) TouchStaffSession(ctx context.Context, id string, at time.Time) error {
	return db.updateOne(ctx, "staff session", `UPDATE staff_sessions SET last_seen_at = max(last_seen_at, ?) WHERE id = ?`, ms(at), id)
}

// RevokeStaffSession implements shop.SessionStore.
func (db *DB) RevokeStaffSession(ctx context.Context, id string, at time.Time) error {
	return db.updateOne(ctx, "staff session", `UPDATE staff_sessions SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?`, ms(at), id)
}

// PurgeStaffSessions implements shop.SessionStore.
func (db *DB) PurgeStaffSessions(ctx context.Context, before time.Time) (int, error) {
	return db.affected(ctx, `DELETE FROM staff_sessions WHERE created_at < ?`, ms(before))
}

// RevokeStaffSessionsOf implements shop.SessionStore.
func (db *DB) RevokeStaffSessionsOf(ctx context.Context, staffID string, at time.Time) error {
	_, err := db.affected(ctx, `UPDATE staff_sessions SET revoked_at = ? WHERE staff_id = ? AND revoked_at IS NULL`, ms(at), staffID)
	return err
}
