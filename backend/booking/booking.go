// Package booking holds what a shop can be booked for. Agendas, free slots
// and bookings build on these services.
package booking

import (
	"context"
	"time"
)

// Who performs a service.
const (
	ByOptometrist = "optometrist"
	ByAssistant   = "assistant"
)

// Service is something a customer books: an eye exam, a contact-lens
// consultation, a pickup. Duration and buffer are in minutes; the buffer
// follows each appointment.
type Service struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	NameEN      string    `json:"name_en"`
	DurationMin int       `json:"duration_min"`
	BufferMin   int       `json:"buffer_min"`
	PerformedBy string    `json:"performed_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// Store keeps services.
type Store interface {
	// CreateService stores s. ECONFLICT when the id is taken.
	CreateService(ctx context.Context, s *Service) error
	// Services returns every service, by name.
	Services(ctx context.Context) ([]*Service, error)
}

// Agenda is the booking service: what surfaces call to read and book a
// shop's agenda. Rules about who may book what, and when, live here.
type Agenda struct {
	Store Store
}

// Services lists what can be booked, by name.
func (a *Agenda) Services(ctx context.Context) ([]*Service, error) {
	return a.Store.Services(ctx)
}
