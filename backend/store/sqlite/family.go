package sqlite

import (
	"context"
	"database/sql"

	"github.com/vista-optical/vista/backend/customer"
)

// CreateFamilyMember implements customer.FamilyStore.
func (db *DB) CreateFamilyMember(ctx context.Context, f *customer.FamilyMember) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO family_members (id, customer_id, first_name, last_name, birth_date, relation, created_at)
		VALUES (?,?,?,?,?,?,?)`, f.ID, f.CustomerID, f.FirstName, f.LastName, f.BirthDate, f.Relation, ms(f.CreatedAt))
	return mapErr(err)
}

func scanFamily(row scanner) (*customer.FamilyMember, error) {
	var f customer.FamilyMember
	var created int64
	if err := row.Scan(&f.ID, &f.CustomerID, &f.FirstName, &f.LastName, &f.BirthDate, &f.Relation, &created); err != nil {
		return nil, err
	}
	f.CreatedAt = fromMS(created)
	return &f, nil
}

// FamilyMember implements customer.FamilyStore.
func (db *DB) FamilyMember(ctx context.Context, customerID, id string) (*customer.FamilyMember, error) {
	f, err := scanFamily(db.queryRow(ctx, `SELECT id, customer_id, first_name, last_name, birth_date, relation, created_at
		FROM family_members WHERE id = ? AND customer_id = ?`, id, customerID))
	if err == sql.ErrNoRows {
		return nil, notFound("family member")
	}
	return f, mapErr(err)
}

// FamilyMembers implements customer.FamilyStore.
func (db *DB) FamilyMembers(ctx context.Context, customerID string) ([]*customer.FamilyMember, error) {
	rows, err := db.query(ctx, `SELECT id, customer_id, first_name, last_name, birth_date, relation, created_at
		FROM family_members WHERE customer_id = ? ORDER BY created_at, id`, customerID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []*customer.FamilyMember{}
	for rows.Next() {
		f, err := scanFamily(rows)
		if err != nil {
			return nil, mapErr(err)
		}
		out = append(out, f)
	}
	return out, mapErr(rows.Err())
}

// DeleteFamilyMember implements customer.FamilyStore.
func (db *DB) DeleteFamilyMember(ctx context.Context, customerID, id string) error {
	res, err := db.write.ExecContext(ctx, `DELETE FROM family_members WHERE id = ? AND customer_id = ?`, id, customerID)
	if err != nil {
		return mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("family member")
	}
	return nil
}

// DeleteFamilyMembers implements customer.FamilyStore.
func (db *DB) DeleteFamilyMembers(ctx context.Context, customerID string) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM family_members WHERE customer_id = ?`, customerID)
	return mapErr(err)
}
