package catalog

import (
	"context"
	"time"

	"github.com/vista-optical/vista/backend/core"
)

// Reservation is a click & collect request: the customer asks their shop
// to set products aside (a lens reorder from a reminder, for instance).
type Reservation struct {
	ID         string    `json:"id"`
	CustomerID string    `json:"customer_id"`
	ShopID     string    `json:"shop_id"`
	SupplyID   string    `json:"supply_id,omitempty"`
	Kind       string    `json:"kind"`   // "lens_reorder"
	Status     string    `json:"status"` // "requested"
	Note       string    `json:"note,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// ReservationStore keeps reservations.
type ReservationStore interface {
	// CreateReservation stores r.
	CreateReservation(ctx context.Context, r *Reservation) error
	// ShopReservations lists one page of a shop's reservations, newest
	// first.
	ShopReservations(ctx context.Context, shopID string, p core.Page) ([]*Reservation, error)
	// CustomerReservations lists a customer's reservations, newest first.
	CustomerReservations(ctx context.Context, customerID string) ([]*Reservation, error)
	// DeleteCustomerReservations removes a customer's reservations (erasure).
	DeleteCustomerReservations(ctx context.Context, customerID string) error
}
