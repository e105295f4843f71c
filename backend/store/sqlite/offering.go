package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/core"
)

// CreateOffering implements booking.Store.
func (db *DB) CreateOffering(ctx context.Context, s *booking.Offering) error {
	doc, err := jsonDoc(s)
	if err != nil {
		return err
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO booking_services (id, code, shop_id, name, doc, created_at, updated_at) VALUES (?,?,?,?,?,?,?)`,
		s.ID, s.Code, s.ShopID, s.Name, doc, ms(s.CreatedAt), ms(s.UpdatedAt))
	return mapErr(err)
}

// UpdateOffering implements booking.Store.
func (db *DB) UpdateOffering(ctx context.Context, s *booking.Offering) error {
	doc, err := jsonDoc(s)
	if err != nil {
		return err
	}
	return db.updateOne(ctx, "service", `UPDATE booking_services SET code = ?, shop_id = ?, name = ?, doc = ?, updated_at = ? WHERE id = ?`,
		s.Code, s.ShopID, s.Name, doc, ms(s.UpdatedAt), s.ID)
}

const serviceColumns = `id, code, shop_id, name, doc, created_at, updated_at`

func scanService(row scanner) (*booking.Offering, error) {
	var s booking.Offering
	var doc string
	var created, updated int64
	var id, code, shopID, name string
	if err := row.Scan(&id, &code, &shopID, &name, &doc, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(doc), &s); err != nil {
		return nil, core.Internal(err)
	}
	s.ID, s.Code, s.ShopID, s.Name, s.CreatedAt, s.UpdatedAt = id, code, shopID, name, fromMS(created), fromMS(updated)
	return &s, nil
}

// Offering implements booking.Store.
func (db *DB) Offering(ctx context.Context, id string) (*booking.Offering, error) {
	s, err := scanService(db.queryRow(ctx, `SELECT `+serviceColumns+` FROM booking_services WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("service")
	}
	return s, mapErr(err)
}

// Offerings implements booking.Store.
func (db *DB) Offerings(ctx context.Context) ([]*booking.Offering, error) {
	rows, err := db.query(ctx, `SELECT `+serviceColumns+` FROM booking_services ORDER BY name, id`)
	return collect(rows, err, scanService)
}

// SavePractitioner implements booking.Store.
func (db *DB) SavePractitioner(ctx context.Context, p *booking.Practitioner) error {
	doc, err := jsonDoc(p)
	if err != nil {
		return err
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO practitioners (staff_id, shop_id, doc, feed_hash, updated_at) VALUES (?,?,?,?,?)
		ON CONFLICT (staff_id) DO UPDATE SET shop_id = excluded.shop_id, doc = excluded.doc, feed_hash = excluded.feed_hash, updated_at = excluded.updated_at`,
		p.StaffID, p.ShopID, doc, nullString(p.FeedHash), ms(p.UpdatedAt))
	return mapErr(err)
}

const practitionerColumns = `staff_id, shop_id, doc, feed_hash, updated_at`

func scanPractitioner(row scanner) (*booking.Practitioner, error) {
	var p booking.Practitioner
	var doc, staffID, shopID string
	var feed sql.NullString
	var updated int64
	if err := row.Scan(&staffID, &shopID, &doc, &feed, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return nil, core.Internal(err)
	}
	p.StaffID, p.ShopID, p.FeedHash, p.UpdatedAt = staffID, shopID, feed.String, fromMS(updated)
	return &p, nil
}

// Practitioner implements booking.Store.
func (db *DB) Practitioner(ctx context.Context, staffID string) (*booking.Practitioner, error) {
	p, err := scanPractitioner(db.queryRow(ctx, `SELECT `+practitionerColumns+` FROM practitioners WHERE staff_id = ?`, staffID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("agenda")
	}
	return p, mapErr(err)
}

// Practitioners implements booking.Store.
func (db *DB) Practitioners(ctx context.Context, shopID string) ([]*booking.Practitioner, error) {
	rows, err := db.query(ctx, `SELECT `+practitionerColumns+` FROM practitioners WHERE shop_id = ? ORDER BY staff_id`, shopID)
	return collect(rows, err, scanPractitioner)
}

// PractitionerByFeed implements booking.Store.
func (db *DB) PractitionerByFeed(ctx context.Context, hash string) (*booking.Practitioner, error) {
	p, err := scanPractitioner(db.queryRow(ctx, `SELECT `+practitionerColumns+` FROM practitioners WHERE feed_hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("agenda")
	}
	return p, mapErr(err)
}
