package auth

import (
	"context"

	"github.com/vista-optical/vista/backend/privacy"
)

// Sections are sign-in's part of a customer's export and erasure: their
// refresh-token families and tokens.
func Sections(s RefreshStore) []privacy.Section {
	return []privacy.Section{{
		Name: "sessions", Collections: []string{"refresh_families", "refresh_tokens"},
		Export: func(ctx context.Context, id string) (any, error) { return s.CustomerSessions(ctx, id) },
		Erase:  s.DeleteCustomerSessions,
	}}
}
