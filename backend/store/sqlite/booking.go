package sqlite

import (
	"context"

	"github.com/vista-optical/vista/backend/booking"
)

// CreateService implements booking.Store.
func (db *DB) CreateService(ctx context.Context, s *booking.Service) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO services (id, name, name_en, duration_min, buffer_min, performed_by, created_at) VALUES (?,?,?,?,?,?,?)`,
		s.ID, s.Name, s.NameEN, s.DurationMin, s.BufferMin, s.PerformedBy, ms(s.CreatedAt))
	return mapErr(err)
}

// Services implements booking.Store.
func (db *DB) Services(ctx context.Context) ([]*booking.Service, error) {
	rows, err := db.query(ctx, `SELECT id, name, name_en, duration_min, buffer_min, performed_by, created_at FROM services ORDER BY name, id`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []*booking.Service{}
	for rows.Next() {
		var s booking.Service
		var created int64
		if err := rows.Scan(&s.ID, &s.Name, &s.NameEN, &s.DurationMin, &s.BufferMin, &s.PerformedBy, &created); err != nil {
			return nil, mapErr(err)
		}
		s.CreatedAt = fromMS(created)
		out = append(out, &s)
	}
	return out, mapErr(rows.Err())
}
