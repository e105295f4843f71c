package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/vista-optical/vista/backend/lens"
)

const supplyColumns = `id, customer_id, member_id, shop_id, eye, brand, product, modality, catalog_id, boxes, lenses_per_box,
	start_date, wear_days_per_week, runs_out_on, next_reminder_at, created_at, updated_at`

func scanSupply(row scanner) (*lens.Supply, error) {
	var (
		s                lens.Supply
		modality         string
		next             sql.NullInt64
		created, updated int64
	)
	err := row.Scan(&s.ID, &s.CustomerID, &s.MemberID, &s.ShopID, &s.Eye, &s.Brand, &s.Product, &modality, &s.CatalogID,
		&s.Boxes, &s.LensesPerBox, &s.StartDate, &s.WearDaysPerWeek, &s.RunsOutOn, &next, &created, &updated)
	if err != nil {
		return nil, err
	}
	s.Modality, s.NextReminderAt = lens.Modality(modality), fromNullMS(next)
	s.CreatedAt, s.UpdatedAt = fromMS(created), fromMS(updated)
	return &s, nil
}

// CreateSupply implements lens.Store.
func (db *DB) CreateSupply(ctx context.Context, s *lens.Supply) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO lens_supplies (`+supplyColumns+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		s.ID, s.CustomerID, s.MemberID, s.ShopID, s.Eye, s.Brand, s.Product, string(s.Modality), s.CatalogID, s.Boxes, s.LensesPerBox,
		s.StartDate, s.WearDaysPerWeek, s.RunsOutOn, nullMS(s.NextReminderAt), ms(s.CreatedAt), ms(s.UpdatedAt))
	return mapErr(err)
}

// Supply implements lens.Store.
func (db *DB) Supply(ctx context.Context, customerID, id string) (*lens.Supply, error) {
	s, err := scanSupply(db.queryRow(ctx, `SELECT `+supplyColumns+` FROM lens_supplies WHERE id = ? AND customer_id = ?`, id, customerID))
	if err == sql.ErrNoRows {
		return nil, notFound("lens supply")
	}
	return s, mapErr(err)
}

// Supplies implements lens.Store.
func (db *DB) Supplies(ctx context.Context, customerID string) ([]*lens.Supply, error) {
	return db.supplies(ctx, `SELECT `+supplyColumns+` FROM lens_supplies WHERE customer_id = ? ORDER BY created_at DESC, id DESC`, customerID)
}

// UpdateSupply implements lens.Store.
func (db *DB) UpdateSupply(ctx context.Context, s *lens.Supply) error {
	res, err := db.write.ExecContext(ctx, `UPDATE lens_supplies SET member_id = ?, eye = ?, brand = ?, product = ?, modality = ?,
		catalog_id = ?, boxes = ?, lenses_per_box = ?, start_date = ?, wear_days_per_week = ?, runs_out_on = ?, next_reminder_at = ?,
		updated_at = ? WHERE id = ? AND customer_id = ?`,
		s.MemberID, s.Eye, s.Brand, s.Product, string(s.Modality), s.CatalogID, s.Boxes, s.LensesPerBox, s.StartDate, s.WearDaysPerWeek,
		s.RunsOutOn, nullMS(s.NextReminderAt), ms(s.UpdatedAt), s.ID, s.CustomerID)
	if err != nil {
		return mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("lens supply")
	}
	return nil
}

// DeleteSupply implements lens.Store.
func (db *DB) DeleteSupply(ctx context.Context, customerID, id string) error {
	res, err := db.write.ExecContext(ctx, `DELETE FROM lens_supplies WHERE id = ? AND customer_id = ?`, id, customerID)
	if err != nil {
		return mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("lens supply")
	}
	return nil
}

// DeleteSupplies implements lens.Store.
func (db *DB) DeleteSupplies(ctx context.Context, customerID string) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM lens_supplies WHERE customer_id = ?`, customerID)
	return mapErr(err)
}

// DueSupplies implements lens.Store.
func (db *DB) DueSupplies(ctx context.Context, now time.Time, limit int) ([]*lens.Supply, error) {
	return db.supplies(ctx, `SELECT `+supplyColumns+` FROM lens_supplies
		WHERE next_reminder_at IS NOT NULL AND next_reminder_at <= ? ORDER BY next_reminder_at LIMIT ?`, ms(now), limit)
}

// ImportSupplies implements lens.Store in one transaction.
func (db *DB) ImportSupplies(ctx context.Context, ss []*lens.Supply) error {
	return db.withTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO lens_supplies (`+supplyColumns+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, s := range ss {
			if _, err := st.ExecContext(ctx, s.ID, s.CustomerID, s.MemberID, s.ShopID, s.Eye, s.Brand, s.Product, string(s.Modality),
				s.CatalogID, s.Boxes, s.LensesPerBox, s.StartDate, s.WearDaysPerWeek, s.RunsOutOn, nullMS(s.NextReminderAt),
				ms(s.CreatedAt), ms(s.UpdatedAt)); err != nil {
				return err
			}
		}
		return nil
	})
}

// AdvanceReminders implements lens.Store in one transaction.
func (db *DB) AdvanceReminders(ctx context.Context, as []lens.Advance) (int, error) {
	return db.advanceReminders(ctx, "lens_supplies", "next_reminder_at", as)
}

// AdvanceReminder implements lens.Store.
func (db *DB) AdvanceReminder(ctx context.Context, id string, prev time.Time, next *time.Time) (bool, error) {
	res, err := db.write.ExecContext(ctx, `UPDATE lens_supplies SET next_reminder_at = ? WHERE id = ? AND next_reminder_at = ?`,
		nullMS(next), id, ms(prev))
	if err != nil {
		return false, mapErr(err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

func (db *DB) supplies(ctx context.Context, q string, args ...any) ([]*lens.Supply, error) {
	rows, err := db.query(ctx, q, args...)
	return collect(rows, err, scanSupply)
}
