package audit

import (
	"context"

	"github.com/vista-optical/vista/backend/privacy"
)

// Sections are the audit log's part of a customer's export. It is kept at
// erasure: it is how Vista accounts for who accessed or changed the
// customer's data, and its entries hold ids only.
func Sections(s Store) []privacy.Section {
	return []privacy.Section{{
		Name: "audit", Collections: []string{"audit_log"},
		Export: func(ctx context.Context, id string) (any, error) {
			return s.AuditEntries(ctx, Filter{CustomerID: id})
		},
		Kept: "accountability: who accessed or changed the customer's data; entries hold ids only",
	}}
}
