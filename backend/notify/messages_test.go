package notify_test

import (
	"context"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
)

type auditLog struct{ actions []string }

func (r *auditLog) Record(_ context.Context, action, _, _, _ string) error {
	r.actions = append(r.actions, action)
	return nil
}

type scope struct{ shops []string }

func (s scope) VisibleShop(ctx context.Context, id string) (string, error) {
	return "", core.Errorf(core.ENOTFOUND, "customer not found")
}

func (s scope) VisibleShopIDs(context.Context) ([]string, error) { return s.shops, nil }

// TestMessagesCheckWhoAsks: the service refuses on its own what the
// actor may not see, whatever surface calls it (no router in front).
func TestMessagesCheckWhoAsks(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	m := e.enqueue(t, "c1", "k1")
	audit := &auditLog{}
	svc := &notify.Messages{Store: e.db, Clock: func() time.Time { return e.now }, Audit: audit, Customers: scope{}, Shops: scope{shops: []string{"shop-a"}}}
	roma := core.WithActor(ctx, core.Actor{Kind: core.ActorStaff, ID: "s1", Role: core.RoleManager, Shop: "shop-b"})

	if _, _, err := svc.Recalls(roma, "shop-a", core.Page{Limit: 10}); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("recalls of another shop: %v", err)
	}
	if _, _, err := svc.Timeline(roma, "c1", core.Page{Limit: 10}); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("timeline of a customer out of sight: %v", err)
	}
	if _, err := svc.Retry(roma, m.ID); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("retry of another shop's message: %v", err)
	}
	if _, _, err := svc.Inbox(roma, core.Page{Limit: 10}); core.ErrorCode(err) != core.EUNAUTHORIZED {
		t.Errorf("a staff member read an inbox: %v", err)
	}
	if err := svc.Mark(roma, m.ID, "read"); core.ErrorCode(err) != core.EUNAUTHORIZED {
		t.Errorf("a staff member marked a message: %v", err)
	}
	if len(audit.actions) != 0 {
		t.Errorf("refusals were audited as actions: %v", audit.actions)
	}
}
