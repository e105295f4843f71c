package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/vista-optical/vista/backend/auth"
)

// CreateRefreshFamily implements auth.RefreshStore.
func (db *DB) CreateRefreshFamily(ctx context.Context, f *auth.RefreshFamily) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO refresh_families (id, customer_id, created_at, revoked_at) VALUES (?,?,?,?)`,
		f.ID, f.CustomerID, ms(f.CreatedAt), nullMS(f.RevokedAt))
	return mapErr(err)
}

// RefreshFamily implements auth.RefreshStore.
func (db *DB) RefreshFamily(ctx context.Context, id string) (*auth.RefreshFamily, error) {
	var f auth.RefreshFamily
	var created int64
	var revoked sql.NullInt64
	err := db.queryRow(ctx, `SELECT id, customer_id, created_at, revoked_at FROM refresh_families WHERE id = ?`, id).
		Scan(&f.ID, &f.CustomerID, &created, &revoked)
	if err == sql.ErrNoRows {
		return nil, notFound("refresh family")
	} else if err != nil {
		return nil, mapErr(err)
	}
	f.CreatedAt, f.RevokedAt = fromMS(created), fromNullMS(revoked)
	return &f, nil
}

// CreateRefreshToken implements auth.RefreshStore.
func (db *DB) CreateRefreshToken(ctx context.Context, t *auth.RefreshToken) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO refresh_tokens (hash, family_id, parent_hash, customer_id, issued_at, expires_at, used_at)
		VALUES (?,?,?,?,?,?,?)`, t.Hash, t.FamilyID, t.ParentHash, t.CustomerID, ms(t.IssuedAt), ms(t.ExpiresAt), nullMS(t.UsedAt))
	return mapErr(err)
}

// ClaimRefreshToken implements auth.RefreshStore: the conditional update
// used_at IS NULL → now succeeds for exactly one caller.
func (db *DB) ClaimRefreshToken(ctx context.Context, hash string, now time.Time) (*auth.RefreshToken, bool, error) {
	t, err := scanRefresh(db.write.QueryRowContext(ctx, `UPDATE refresh_tokens SET used_at = ?
		WHERE hash = ? AND used_at IS NULL RETURNING `+refreshColumns, ms(now), hash))
	if err == nil {
		return t, true, nil
	} else if err != sql.ErrNoRows {
		return nil, false, mapErr(err)
	}
	t, err = scanRefresh(db.queryRow(ctx, `SELECT `+refreshColumns+` FROM refresh_tokens WHERE hash = ?`, hash))
	if err == sql.ErrNoRows {
		return nil, false, notFound("refresh token")
	}
	return t, false, mapErr(err)
}

// RevokeRefreshFamily implements auth.RefreshStore.
func (db *DB) RevokeRefreshFamily(ctx context.Context, id string, now time.Time) error {
	return db.updateOne(ctx, "refresh family", `UPDATE refresh_families SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`, ms(now), id)
}

// DeleteCustomerSessions implements auth.RefreshStore.
func (db *DB) DeleteCustomerSessions(ctx context.Context, customerID string) error {
	return db.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM refresh_tokens WHERE customer_id = ?`, customerID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM refresh_families WHERE customer_id = ?`, customerID)
		return err
	})
}

// CustomerSessions implements auth.RefreshStore.
func (db *DB) CustomerSessions(ctx context.Context, customerID string) ([]*auth.RefreshFamily, error) {
	rows, err := db.query(ctx, `SELECT id, customer_id, created_at, revoked_at FROM refresh_families
		WHERE customer_id = ? ORDER BY created_at DESC, id DESC`, customerID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []*auth.RefreshFamily{}
	for rows.Next() {
		var f auth.RefreshFamily
		var created int64
		var revoked sql.NullInt64
		if err := rows.Scan(&f.ID, &f.CustomerID, &created, &revoked); err != nil {
			return nil, mapErr(err)
		}
		f.CreatedAt, f.RevokedAt = fromMS(created), fromNullMS(revoked)
		out = append(out, &f)
	}
	return out, mapErr(rows.Err())
}

// PurgeRefreshTokens implements auth.RefreshStore.
func (db *DB) PurgeRefreshTokens(ctx context.Context, before time.Time) (int, error) {
	return db.affected(ctx, `DELETE FROM refresh_tokens WHERE expires_at < ?`, ms(before))
}

func scanRefresh(row scanner) (*auth.RefreshToken, error) {
	var t auth.RefreshToken
	var issued, expires int64
	var used sql.NullInt64
	if err := row.Scan(&t.Hash, &t.FamilyID, &t.ParentHash, &t.CustomerID, &issued, &expires, &used); err != nil {
		return nil, err
	}
	t.IssuedAt, t.ExpiresAt, t.UsedAt = fromMS(issued), fromMS(expires), fromNullMS(used)
	return &t, nil
}

const refreshColumns = `hash, family_id, parent_hash, customer_id, issued_at, expires_at, used_at`
