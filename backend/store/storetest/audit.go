package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/audit"
	"github.com/vista-optical/vista/backend/core"
)

func testAudit(t *testing.T, e Engine) {
	ctx := context.Background()
	for i := range 5 {
		must(t, e.AppendAudit(ctx, &audit.Entry{
			ID: core.NewID(), At: base.Add(time.Duration(i) * time.Minute), ActorKind: "staff", ActorID: fmt.Sprintf("staff-%d", i%2),
			ActorRole: "manager", Action: "customer.viewed", CustomerID: "cust-1", ShopID: "shop-1",
		}))
	}
	must(t, e.AppendAudit(ctx, &audit.Entry{ID: core.NewID(), At: base, ActorKind: "customer", ActorID: "cust-2", Action: "customer.signup", CustomerID: "cust-2"}))

	got, err := e.AuditEntries(ctx, audit.Filter{CustomerID: "cust-1"})
	must(t, err)
	if len(got) != 5 || !got[0].At.Equal(base) || got[0].ActorRole != "manager" {
		t.Fatalf("by customer = %d entries %+v", len(got), got)
	}
	got, err = e.AuditEntries(ctx, audit.Filter{ActorID: "staff-0", From: base.Add(time.Minute), To: base.Add(4 * time.Minute)})
	must(t, err)
	if len(got) != 1 || !got[0].At.Equal(base.Add(2*time.Minute)) {
		t.Fatalf("by actor and time = %+v", got)
	}
	got, err = e.AuditEntries(ctx, audit.Filter{Limit: 2})
	must(t, err)
	if len(got) != 2 {
		t.Fatalf("limit 2 gave %d", len(got))
	}
}
