package notify

import (
	"context"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/privacy"
)

// Sections are the outbox's part of a customer's export and erasure:
// every message Vista sent or will send them. Erasure removes pending
// messages too, so nothing reaches an erased customer.
func Sections(s Store) []privacy.Section {
	return []privacy.Section{{
		Name: "messages", Collections: []string{"outbox"},
		Export: func(ctx context.Context, id string) (any, error) { return allCustomerMessages(ctx, s, id) },
		Erase:  s.DeleteCustomerMessages,
	}}
}

// allCustomerMessages reads every page of a customer's messages: an
// export holds them all, however many years of reminders that is.
func allCustomerMessages(ctx context.Context, s Store, id string) ([]*Message, error) {
	out := []*Message{}
	p := core.Page{Limit: 500}
	for {
		list, err := s.CustomerMessages(ctx, id, p)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
		if len(list) < p.Limit {
			return out, nil
		}
		last := list[len(list)-1]
		p.After = core.Cursor{At: last.CreatedAt, ID: last.ID}
	}
}
