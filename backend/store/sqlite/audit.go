package sqlite

import (
	"context"
	"strings"

	"github.com/vista-optical/vista/backend/audit"
)

// AppendAudit implements audit.Store.
func (db *DB) AppendAudit(ctx context.Context, e *audit.Entry) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO audit_log (id, at, actor_kind, actor_id, actor_role, action, customer_id, shop_id, detail)
		VALUES (?,?,?,?,?,?,?,?,?)`, e.ID, ms(e.At), e.ActorKind, e.ActorID, e.ActorRole, e.Action, e.CustomerID, e.ShopID, e.Detail)
	return mapErr(err)
}

// AuditEntries implements audit.Store.
func (db *DB) AuditEntries(ctx context.Context, f audit.Filter) ([]*audit.Entry, error) {
	var where []string
	var args []any
	if f.CustomerID != "" {
		where, args = append(where, "customer_id = ?"), append(args, f.CustomerID)
	}
	if f.ActorID != "" {
		where, args = append(where, "actor_id = ?"), append(args, f.ActorID)
	}
	if !f.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, ms(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, ms(f.To))
	}
	if !f.After.IsZero() {
		at := ms(f.After.At)
		where, args = append(where, "(at > ? OR (at = ? AND id > ?))"), append(args, at, at, f.After.ID)
	}
	q := `SELECT id, at, actor_kind, actor_id, actor_role, action, customer_id, shop_id, detail FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY at, id"
	if f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []*audit.Entry{}
	for rows.Next() {
		var e audit.Entry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.ActorKind, &e.ActorID, &e.ActorRole, &e.Action, &e.CustomerID, &e.ShopID, &e.Detail); err != nil {
			return nil, mapErr(err)
		}
		e.At = fromMS(at)
		out = append(out, &e)
	}
	return out, mapErr(rows.Err())
}
