package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/vista-optical/vista/backend/lens"
)

const examColumns = `id, customer_id, member_id, shop_id, due_on, recorded_by, next_reminder_at, updated_at`

// UpsertExam implements lens.ExamStore.
func (db *DB) UpsertExam(ctx context.Context, e *lens.Exam) error {
	err := db.write.QueryRowContext(ctx, `INSERT INTO eye_exams (`+examColumns+`) VALUES (?,?,?,?,?,?,?,?)
		ON CONFLICT (customer_id, member_id) DO UPDATE SET shop_id = excluded.shop_id, due_on = excluded.due_on,
			recorded_by = excluded.recorded_by, next_reminder_at = excluded.next_reminder_at, updated_at = excluded.updated_at
		RETURNING id`, e.ID, e.CustomerID, e.MemberID, e.ShopID, e.DueOn, e.RecordedBy, nullMS(e.NextReminderAt), ms(e.UpdatedAt)).Scan(&e.ID)
	return mapErr(err)
}

func (db *DB) exams(ctx context.Context, q string, args ...any) ([]*lens.Exam, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []*lens.Exam{}
	for rows.Next() {
		var e lens.Exam
		var next sql.NullInt64
		var updated int64
		if err := rows.Scan(&e.ID, &e.CustomerID, &e.MemberID, &e.ShopID, &e.DueOn, &e.RecordedBy, &next, &updated); err != nil {
			return nil, mapErr(err)
		}
		e.NextReminderAt, e.UpdatedAt = fromNullMS(next), fromMS(updated)
		out = append(out, &e)
	}
	return out, mapErr(rows.Err())
}

// Exams implements lens.ExamStore.
func (db *DB) Exams(ctx context.Context, customerID string) ([]*lens.Exam, error) {
	return db.exams(ctx, `SELECT `+examColumns+` FROM eye_exams WHERE customer_id = ? ORDER BY member_id`, customerID)
}

// DueExams implements lens.ExamStore.
func (db *DB) DueExams(ctx context.Context, now time.Time, limit int) ([]*lens.Exam, error) {
	return db.exams(ctx, `SELECT `+examColumns+` FROM eye_exams WHERE next_reminder_at IS NOT NULL AND next_reminder_at <= ?
		ORDER BY next_reminder_at LIMIT ?`, ms(now), limit)
}

// AdvanceExamReminders implements lens.ExamStore.
func (db *DB) AdvanceExamReminders(ctx context.Context, as []lens.Advance) (int, error) {
	return db.advanceReminders(ctx, "eye_exams", "next_reminder_at", as)
}

// DeleteExams implements lens.ExamStore.
func (db *DB) DeleteExams(ctx context.Context, customerID string) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM eye_exams WHERE customer_id = ?`, customerID)
	return mapErr(err)
}
