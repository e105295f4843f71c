// Package audit keeps the append-only log of sensitive actions: who read or
// changed a customer's personal or health data, consents and erasures. An
// entry names people by id only, never by name, e-mail or health value.
package audit

import (
	"context"
	"log/slog"
	"time"

	"github.com/vista-optical/vista/backend/core"
)

// Entry is one audited action.
type Entry struct {
	ID         string    `json:"id"`
	At         time.Time `json:"at"`
	ActorKind  string    `json:"actor_kind"`
	ActorID    string    `json:"actor_id"`
	ActorRole  string    `json:"actor_role,omitempty"`
	Action     string    `json:"action"`
	CustomerID string    `json:"customer_id,omitempty"`
	ShopID     string    `json:"shop_id,omitempty"`
	Detail     string    `json:"detail,omitempty"`
}

// Filter selects entries: every non-zero field must match; From and To
// bound At (inclusive, exclusive); a non-zero After starts strictly after
// that entry (the cursor of the previous page: its At and ID).
type Filter struct {
	CustomerID string
	ActorID    string
	From, To   time.Time
	After      core.Cursor
	Limit      int
}

// Store keeps the audit log.
type Store interface {
	// AppendAudit adds e to the log. Entries are never changed.
	AppendAudit(ctx context.Context, e *Entry) error
	// AuditEntries returns the entries that match f, oldest first, at most
	// f.Limit (all when zero).
	AuditEntries(ctx context.Context, f Filter) ([]*Entry, error)
}

// Log writes audit entries for the actor in a context.
type Log struct {
	Store  Store
	Clock  core.Clock
	Logger *slog.Logger
}

// Record appends an entry for action on customer by the actor in ctx. An
// audit write that fails is returned: a read of protected data must not go
// on unrecorded.
func (l *Log) Record(ctx context.Context, action, customerID, shopID, detail string) error {
	a, ok := core.ActorFrom(ctx)
	if !ok {
		a = core.Actor{Kind: core.ActorSystem, ID: "system"}
	}
	e := &Entry{
		ID: core.NewID(), At: l.Clock.Now(), ActorKind: string(a.Kind), ActorID: a.ID, ActorRole: string(a.Role),
		Action: action, CustomerID: customerID, ShopID: shopID, Detail: detail,
	}
	if err := l.Store.AppendAudit(ctx, e); err != nil {
		return err
	}
	return nil
}

// Entries lists one page of the entries that match f, oldest first: for
// owners only (EFORBIDDEN for anyone else), since the log spans the chain.
func (l *Log) Entries(ctx context.Context, f Filter, p core.Page) ([]*Entry, string, error) {
	if a, _ := core.ActorFrom(ctx); a.Kind != core.ActorStaff || a.Role != core.RoleOwner {
		return nil, "", core.Errorf(core.EFORBIDDEN, "only owners read the audit log")
	}
	return core.Paged(p, func(p core.Page) ([]*Entry, error) {
		f.After, f.Limit = p.After, p.Limit
		return l.Store.AuditEntries(ctx, f)
	}, func(e *Entry) core.Cursor { return core.Cursor{At: e.At, ID: e.ID} })
}
