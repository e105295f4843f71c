// Package store names what a storage engine of Vista provides: every Store
// interface the domain packages declare, in one place. The engines live in
// store/sqlite (the embedded default) and store/mongo (production), and
// store/storetest checks that they behave alike.
//
// Contracts every engine keeps beyond each method's own: a limit (or a
// page's Limit) of zero or less returns no rows, as in SQL; a write the
// method says is all or nothing is one transaction (on MongoDB, where the
// deployment has transactions: a replica set or a sharded cluster).
package store

import (
	"context"

	"github.com/vista-optical/vista/backend/audit"
	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/booking"
	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/customer"
	"github.com/vista-optical/vista/backend/lens"
	"github.com/vista-optical/vista/backend/media"
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
	media.Store
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
}
