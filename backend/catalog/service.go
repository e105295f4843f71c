package catalog

import (
	"context"

	"github.com/vista-optical/vista/backend/core"
)

// Service is what staff read of the catalog and of their shop's click &
// collect requests, each read checking who asks.
type Service struct {
	Store        Store
	Reservations ReservationStore
}

// Products returns every product, by brand then name, to staff.
func (s *Service) Products(ctx context.Context) ([]*Product, error) {
	if a, _ := core.ActorFrom(ctx); a.Kind != core.ActorStaff {
		return nil, core.Errorf(core.EFORBIDDEN, "staff only")
	}
	return s.Store.Products(ctx)
}

// ShopReservations lists one page of a shop's click & collect requests,
// newest first. ENOTFOUND for a shop outside the actor's scope.
func (s *Service) ShopReservations(ctx context.Context, shopID string, p core.Page) ([]*Reservation, string, error) {
	if a, _ := core.ActorFrom(ctx); !a.CanSeeShop(shopID) {
		return nil, "", core.Errorf(core.ENOTFOUND, "shop not found")
	}
	return core.Paged(p, func(p core.Page) ([]*Reservation, error) { return s.Reservations.ShopReservations(ctx, shopID, p) },
		func(r *Reservation) core.Cursor { return core.Cursor{At: r.CreatedAt, ID: r.ID} })
}
