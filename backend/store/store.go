// Package store names what a storage engine of Vista provides: every Store
// interface the domain packages declare, in one place. The engines live in
// store/sqlite (the embedded default) and store/mongo (production), and
// store/storetest checks that they behave alike.
package store

import (
	"context"

	"github.com/vista-optical/vista/backend/audit"
	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/customer"
	"github.com/vista-optical/vista/backend/lens"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/ratelimit"
	"github.com/vista-optical/vista/backend/screen"
	"github.com/vista-optical/vista/backend/shop"
	"github.com/vista-optical/vista/backend/visit"
)

// Engine is everything a storage engine implements.
type Engine interface {
	customer.Store
	customer.FamilyStore
	auth.RefreshStore
	auth.RevocationStore
	auth.LinkStore
	shop.Store
	shop.SessionStore
	audit.Store
	catalog.Store
	catalog.ReservationStore
	catalog.PromotionStore
	screen.Store
	visit.Store
	booking.Store
	notify.Store
	lens.Store
	lens.ExamStore
	lens.SettingsStore
	ratelimit.Store
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
}
