package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/screen"
)

// CreatePairingCode implements screen.Store.
func (db *DB) CreatePairingCode(ctx context.Context, c *screen.PairingCode) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO pairing_codes (hash, shop_id, created_by, created_at, expires_at) VALUES (?,?,?,?,?)`,
		c.Hash, c.ShopID, c.CreatedBy, ms(c.CreatedAt), ms(c.ExpiresAt))
	return mapErr(err)
}

// UsePairingCode implements screen.Store: one conditional UPDATE decides
// who wins a race.
func (db *DB) UsePairingCode(ctx context.Context, hash string, now time.Time) (*screen.PairingCode, error) {
	n, err := db.affected(ctx, `UPDATE pairing_codes SET used_at = ? WHERE hash = ? AND used_at IS NULL AND expires_at > ?`, ms(now), hash, ms(now))
	if err != nil {
		return nil, err
	}
	var c screen.PairingCode
	var created, expires int64
	var used sql.NullInt64
	err = db.queryRow(ctx, `SELECT hash, shop_id, created_by, created_at, expires_at, used_at FROM pairing_codes WHERE hash = ?`, hash).
		Scan(&c.Hash, &c.ShopID, &c.CreatedBy, &created, &expires, &used)
	if err == sql.ErrNoRows {
		return nil, notFound("pairing code")
	} else if err != nil {
		return nil, mapErr(err)
	}
	if n == 0 {
		return nil, core.Errorf(core.EGONE, "pairing code used or expired")
	}
	c.CreatedAt, c.ExpiresAt, c.UsedAt = fromMS(created), fromMS(expires), fromNullMS(used)
	return &c, nil
}

const kioskCols = `id, shop_id, label, created_at, last_seen_at, showing, revoked_at`

func scanKiosk(s scanner) (*screen.Kiosk, error) {
	var k screen.Kiosk
	var created int64
	var seen, revoked sql.NullInt64
	if err := s.Scan(&k.ID, &k.ShopID, &k.Label, &created, &seen, &k.Showing, &revoked); err != nil {
		return nil, err
	}
	k.CreatedAt, k.LastSeenAt, k.RevokedAt = fromMS(created), fromNullMS(seen), fromNullMS(revoked)
	return &k, nil
}

// CreateKiosk implements screen.Store.
func (db *DB) CreateKiosk(ctx context.Context, k *screen.Kiosk) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO kiosks (`+kioskCols+`) VALUES (?,?,?,?,?,?,?)`,
		k.ID, k.ShopID, k.Label, ms(k.CreatedAt), nullMS(k.LastSeenAt), k.Showing, nullMS(k.RevokedAt))
	return mapErr(err)
}

// Kiosk implements screen.Store.
func (db *DB) Kiosk(ctx context.Context, id string) (*screen.Kiosk, error) {
	k, err := scanKiosk(db.queryRow(ctx, `SELECT `+kioskCols+` FROM kiosks WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return nil, notFound("kiosk")
	}
	return k, mapErr(err)
}

// ShopKiosks implements screen.Store.
func (db *DB) ShopKiosks(ctx context.Context, shopID string) ([]*screen.Kiosk, error) {
	rows, err := db.query(ctx, `SELECT `+kioskCols+` FROM kiosks WHERE shop_id = ? ORDER BY created_at DESC, id DESC`, shopID)
	return collect(rows, err, scanKiosk)
}

// UpdateKiosk implements screen.Store.
func (db *DB) UpdateKiosk(ctx context.Context, k *screen.Kiosk) error {
	return db.updateOne(ctx, "kiosk", `UPDATE kiosks SET label = ?, revoked_at = ? WHERE id = ?`, k.Label, nullMS(k.RevokedAt), k.ID)
}

// TouchKiosk implements screen.Store.
func (db *DB) TouchKiosk(ctx context.Context, id string, at time.Time, showing string) error {
	return db.updateOne(ctx, "kiosk", `UPDATE kiosks SET last_seen_at = max(coalesce(last_seen_at, 0), ?),
		showing = CASE WHEN ? = '' THEN showing ELSE ? END WHERE id = ?`, ms(at), showing, showing, id)
}

const offerCols = `id, shop_id, title, text, image_url, product_ids, promotion_id, starts, ends, schedule, customers, created_by, created_at`

func scanOffer(s scanner) (*screen.Offer, error) {
	var o screen.Offer
	var products, schedule string
	var starts, ends, created int64
	if err := s.Scan(&o.ID, &o.ShopID, &o.Title, &o.Text, &o.ImageURL, &products, &o.PromotionID, &starts, &ends, &schedule,
		&o.Customers, &o.CreatedBy, &created); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(products), &o.ProductIDs); err != nil {
		return nil, core.Internal(err)
	}
	if len(o.ProductIDs) == 0 {
		o.ProductIDs = nil
	}
	if err := json.Unmarshal([]byte(schedule), &o.Schedule); err != nil {
		return nil, core.Internal(err)
	}
	o.Starts, o.Ends, o.CreatedAt = fromMS(starts), fromMS(ends), fromMS(created)
	return &o, nil
}

// CreateOffer implements screen.Store.
func (db *DB) CreateOffer(ctx context.Context, o *screen.Offer) error {
	schedule, err := json.Marshal(o.Schedule)
	if err != nil {
		return core.Internal(err)
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO offers (`+offerCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`, o.ID, o.ShopID, o.Title, o.Text,
		o.ImageURL, jsonList(o.ProductIDs), o.PromotionID, ms(o.Starts), ms(o.Ends), string(schedule), o.Customers, o.CreatedBy, ms(o.CreatedAt))
	return mapErr(err)
}

// Offer implements screen.Store.
func (db *DB) Offer(ctx context.Context, id string) (*screen.Offer, error) {
	o, err := scanOffer(db.queryRow(ctx, `SELECT `+offerCols+` FROM offers WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return nil, notFound("offer")
	}
	return o, mapErr(err)
}

// Offers implements screen.Store.
func (db *DB) Offers(ctx context.Context, shopID string, t time.Time, limit int) ([]*screen.Offer, error) {
	rows, err := db.query(ctx, `SELECT `+offerCols+` FROM offers WHERE ends > ?1 AND (?2 = '' OR shop_id IN ('', ?2))
		ORDER BY created_at DESC, id DESC LIMIT ?3`, ms(t), shopID, limit)
	return collect(rows, err, scanOffer)
}

// EndOffer implements screen.Store.
func (db *DB) EndOffer(ctx context.Context, id string, at time.Time) error {
	return db.updateOne(ctx, "offer", `UPDATE offers SET ends = min(ends, max(starts + 1, ?)) WHERE id = ?`, ms(at), id)
}

// SetOfferCustomers implements screen.Store.
func (db *DB) SetOfferCustomers(ctx context.Context, id string, n int) error {
	return db.updateOne(ctx, "offer", `UPDATE offers SET customers = ? WHERE id = ?`, n, id)
}

// AppendEvent implements screen.Store. SQLite has one writer at a time,
// so sequence numbers become visible in order.
func (db *DB) AppendEvent(ctx context.Context, e *screen.Event) error {
	res, err := db.write.ExecContext(ctx, `INSERT INTO screen_events (shop_id, kiosk_id, kind, data, at) VALUES (?,?,?,?,?)`,
		e.ShopID, e.KioskID, e.Kind, e.Data, ms(e.At))
	if err != nil {
		return mapErr(err)
	}
	e.Seq, err = res.LastInsertId()
	return mapErr(err)
}

// EventsAfter implements screen.Store.
func (db *DB) EventsAfter(ctx context.Context, seq int64, limit int) ([]screen.Event, error) {
	rows, err := db.query(ctx, `SELECT seq, shop_id, kiosk_id, kind, data, at FROM screen_events WHERE seq > ? ORDER BY seq LIMIT ?`, seq, limit)
	return collect(rows, err, func(s scanner) (screen.Event, error) {
		var e screen.Event
		var at int64
		err := s.Scan(&e.Seq, &e.ShopID, &e.KioskID, &e.Kind, &e.Data, &at)
		e.At = fromMS(at)
		return e, err
	})
}

// LastEventSeq implements screen.Store.
func (db *DB) LastEventSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := db.queryRow(ctx, `SELECT coalesce(max(seq), 0) FROM screen_events`).Scan(&seq)
	return seq, mapErr(err)
}

// PurgeEvents implements screen.Store; the newest event is kept, so that
// the sequence goes on from it.
func (db *DB) PurgeEvents(ctx context.Context, before time.Time) (int, error) {
	return db.affected(ctx, `DELETE FROM screen_events WHERE at < ? AND seq < (SELECT max(seq) FROM screen_events)`, ms(before))
}

// RecordPlays implements screen.Store.
func (db *DB) RecordPlays(ctx context.Context, ps []screen.Play) error {
	return db.withTx(ctx, func(tx *sql.Tx) error {
		for _, p := range ps {
			if _, err := tx.ExecContext(ctx, `INSERT INTO plays (kiosk_id, shop_id, item_kind, item_id, shown_at, seconds) VALUES (?,?,?,?,?,?)`,
				p.KioskID, p.ShopID, p.ItemKind, p.ItemID, ms(p.ShownAt), p.Seconds); err != nil {
				return err
			}
		}
		return nil
	})
}

// Plays implements screen.Store.
func (db *DB) Plays(ctx context.Context, shopID string, since time.Time, limit int) ([]screen.Play, error) {
	rows, err := db.query(ctx, `SELECT kiosk_id, shop_id, item_kind, item_id, shown_at, seconds FROM plays WHERE shop_id = ? AND shown_at >= ?
		ORDER BY shown_at DESC, id DESC LIMIT ?`, shopID, ms(since), limit)
	return collect(rows, err, func(s scanner) (screen.Play, error) {
		var p screen.Play
		var at int64
		err := s.Scan(&p.KioskID, &p.ShopID, &p.ItemKind, &p.ItemID, &at, &p.Seconds)
		p.ShownAt = fromMS(at)
		return p, err
	})
}

// PurgePlays implements screen.Store.
func (db *DB) PurgePlays(ctx context.Context, before time.Time) (int, error) {
	return db.affected(ctx, `DELETE FROM plays WHERE shown_at < ?`, ms(before))
}
