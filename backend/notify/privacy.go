package notify

import (
	"context"

	"github.com/vista-optical/vista/backend/privacy"
)

// Sections are the outbox's part of a customer's export and erasure:
// every message Vista sent or will send them. Erasure removes pending
// messages too, so nothing reaches an erased customer.
func Sections(s Store) []privacy.Section {
	return []privacy.Section{{
		Name: "messages", Collections: []string{"outbox"},
		Export: func(ctx context.Context, id string) (any, error) { return s.CustomerMessages(ctx, id, 10000) },
		Erase:  s.DeleteCustomerMessages,
	}}
}
