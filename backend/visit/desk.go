package visit

import (
	"context"
	"time"

	"github.com/vista-optical/vista/backend/core"
)

// Checkins lists who is or was in a shop on date (YYYY-MM-DD in the
// shop's zone; "" for today by the service's clock), newest first, for
// its staff.
func (s *Service) Checkins(ctx context.Context, shopID, date string) ([]*Visit, error) {
	if a, _ := core.ActorFrom(ctx); a.Kind != core.ActorStaff || !a.CanSeeShop(shopID) {
		return nil, core.Errorf(core.ENOTFOUND, "shop not found")
	}
	sh, err := s.Shops.Shop(ctx, shopID)
	if err != nil {
		return nil, err
	}
	loc := sh.Location()
	y, m, d := s.Clock.Now().In(loc).Date()
	from := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if date != "" {
		if from, err = time.ParseInLocation(time.DateOnly, date, loc); err != nil || from.Year() < 2000 || from.Year() > 2100 {
			return nil, core.Invalid("date is not a date", core.FieldError{Field: "date", Code: "invalid_date", Message: "must be a date written YYYY-MM-DD"})
		}
	}
	return s.Store.ShopCheckins(ctx, shopID, from, from.AddDate(0, 0, 1))
}

// Record notes what the signed-in kiosk showed a visitor on request (a
// product opened on the totem) in its open visit, starting one if needed.
func (s *Service) Record(ctx context.Context, kind, itemID string) error {
	a, _ := core.ActorFrom(ctx)
	if a.Kind != core.ActorKiosk {
		return core.Errorf(core.EFORBIDDEN, "kiosks only")
	}
	now := s.Clock.Now()
	v, err := s.current(ctx, a, now)
	if err != nil {
		return err
	}
	return s.Store.AddVisitEvents(ctx, []Event{{VisitID: v.ID, Kind: kind, ItemID: itemID, At: now}})
}

// LinkAtDesk links the visit a screen of shopID is showing now (or a new
// one there) to a customer standing at the desk, for the shop's staff.
func (s *Service) LinkAtDesk(ctx context.Context, shopID, kioskID, customerID string) (*Visit, error) {
	if a, _ := core.ActorFrom(ctx); a.Kind != core.ActorStaff || !a.CanSeeShop(shopID) {
		return nil, core.Errorf(core.ENOTFOUND, "shop not found")
	}
	k, err := s.Kiosks.Kiosk(ctx, kioskID)
	if err != nil || k.ShopID != shopID {
		return nil, core.Errorf(core.ENOTFOUND, "kiosk not found")
	}
	if s.Customers != nil {
		if ok, err := s.Customers.Active(ctx, customerID); err != nil {
			return nil, err
		} else if !ok {
			return nil, core.Invalid("unknown customer", core.FieldError{Field: "customer_id", Code: "unknown", Message: "is not an active customer"})
		}
	}
	now := s.Clock.Now()
	v, err := s.Store.OpenVisit(ctx, kioskID, now.Add(-Idle))
	if err == nil {
		err = s.Store.LinkVisit(ctx, v.ID, customerID, "desk", now)
	}
	if core.IsCode(err, core.ENOTFOUND) || core.IsCode(err, core.ECONFLICT) {
		v = linkedVisit(shopID, kioskID, customerID, "desk", now)
		err = s.Store.CreateVisit(ctx, v)
	}
	if err != nil {
		return nil, err
	}
	if err := s.tellScreen(ctx, shopID, kioskID, customerID); err != nil {
		return nil, err
	}
	return s.Store.Visit(ctx, v.ID)
}

// ForStaff lists a customer's visits to staff, once the caller has checked
// that the staff member may see the customer (the timeline does).
func (s *Service) ForStaff(ctx context.Context, customerID string) ([]VisitView, error) {
	if a, _ := core.ActorFrom(ctx); a.Kind != core.ActorStaff {
		return nil, core.Errorf(core.EFORBIDDEN, "staff only")
	}
	return s.views(ctx, customerID)
}

// RecordShown notes offers the signed-in kiosk showed in its open visit,
// if one is open: a screen playing to an empty shop starts no visit.
func (s *Service) RecordShown(ctx context.Context, kind string, itemIDs []string) error {
	a, _ := core.ActorFrom(ctx)
	if a.Kind != core.ActorKiosk || len(itemIDs) == 0 {
		return nil
	}
	now := s.Clock.Now()
	v, err := s.Store.OpenVisit(ctx, a.ID, now.Add(-Idle))
	if core.IsCode(err, core.ENOTFOUND) {
		return nil
	} else if err != nil {
		return err
	}
	es := make([]Event, 0, len(itemIDs))
	for _, id := range itemIDs {
		es = append(es, Event{VisitID: v.ID, Kind: kind, ItemID: id, At: now})
	}
	return s.Store.AddVisitEvents(ctx, es)
}

// End closes the signed-in kiosk's visit (a shopper's "Fine" on the
// totem): the next visitor starts a new one and the codes shown for the
// last stop linking.
func (s *Service) End(ctx context.Context) error {
	a, _ := core.ActorFrom(ctx)
	if a.Kind != core.ActorKiosk {
		return core.Errorf(core.EFORBIDDEN, "kiosks only")
	}
	return s.Store.EndVisit(ctx, a.ID, s.Clock.Now())
}

// CheckIn opens a visit at shopID linked to a customer who arrived for
// a booking (staff marked them arrived): no screen is involved.
func (s *Service) CheckIn(ctx context.Context, shopID, customerID string) (string, error) {
	if a, _ := core.ActorFrom(ctx); a.Kind != core.ActorStaff || !a.CanSeeShop(shopID) {
		return "", core.Errorf(core.ENOTFOUND, "shop not found")
	}
	v := linkedVisit(shopID, "", customerID, "booking", s.Clock.Now())
	if err := s.Store.CreateVisit(ctx, v); err != nil {
		return "", err
	}
	return v.ID, nil
}
