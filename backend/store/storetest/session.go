package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/audit"
	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/core"
)

func newFamily(t *testing.T, e Engine, customerID string) (*auth.RefreshFamily, *auth.RefreshToken) {
	t.Helper()
	ctx := context.Background()
	f := &auth.RefreshFamily{ID: core.NewID(), CustomerID: customerID, CreatedAt: base}
	must(t, e.CreateRefreshFamily(ctx, f))
	tok := &auth.RefreshToken{Hash: auth.HashRefresh(core.NewID()), FamilyID: f.ID, CustomerID: customerID, IssuedAt: base, ExpiresAt: base.Add(auth.RefreshTTL)}
	must(t, e.CreateRefreshToken(ctx, tok))
	return f, tok
}

func testRefreshTokens(t *testing.T, e Engine) {
	ctx := context.Background()
	c := newCustomer(t, e, "a@example.com", "")
	f, tok := newFamily(t, e, c.ID)

	got, claimed, err := e.ClaimRefreshToken(ctx, tok.Hash, base.Add(time.Minute))
	must(t, err)
	if !claimed || got.FamilyID != f.ID || got.CustomerID != c.ID || got.UsedAt == nil {
		t.Fatalf("first claim = %+v, %v", got, claimed)
	}
	got, claimed, err = e.ClaimRefreshToken(ctx, tok.Hash, base.Add(2*time.Minute))
	must(t, err)
	if claimed || got.FamilyID != f.ID || !got.UsedAt.Equal(base.Add(time.Minute)) {
		t.Fatalf("second claim = %+v, %v: want not claimed, first use time kept", got, claimed)
	}
	_, _, err = e.ClaimRefreshToken(ctx, "unknown", base)
	wantCode(t, err, core.ENOTFOUND)
	wantCode(t, e.CreateRefreshToken(ctx, tok), core.ECONFLICT)

	must(t, e.RevokeRefreshFamily(ctx, f.ID, base.Add(time.Hour)))
	must(t, e.RevokeRefreshFamily(ctx, f.ID, base.Add(2*time.Hour)))
	fam, err := e.RefreshFamily(ctx, f.ID)
	must(t, err)
	if fam.RevokedAt == nil || !fam.RevokedAt.Equal(base.Add(time.Hour)) {
		t.Fatalf("revoked family = %+v", fam)
	}
	wantCode(t, e.RevokeRefreshFamily(ctx, "missing", base), core.ENOTFOUND)
	_, err = e.RefreshFamily(ctx, "missing")
	wantCode(t, err, core.ENOTFOUND)

	f2, _ := newFamily(t, e, c.ID)
	list, err := e.CustomerSessions(ctx, c.ID)
	must(t, err)
	if len(list) != 2 {
		t.Fatalf("CustomerSessions = %d families, want 2", len(list))
	}
	_ = f2

	n, err := e.PurgeRefreshTokens(ctx, base.Add(auth.RefreshTTL+time.Second))
	must(t, err)
	if n != 2 {
		t.Fatalf("purged %d tokens, want 2", n)
	}

	other := newCustomer(t, e, "b@example.com", "")
	_, otherTok := newFamily(t, e, other.ID)
	must(t, e.DeleteCustomerSessions(ctx, c.ID))
	list, err = e.CustomerSessions(ctx, c.ID)
	must(t, err)
	if len(list) != 0 {
		t.Fatalf("DeleteCustomerSessions left %d families", len(list))
	}
	if _, claimed, err := e.ClaimRefreshToken(ctx, otherTok.Hash, base); err != nil || !claimed {
		t.Fatalf("another customer's session was touched: %v %v", claimed, err)
	}
}

// testRefreshClaimRace: many concurrent claims of one token, exactly one wins.
func testRefreshClaimRace(t *testing.T, e Engine) {
	ctx := context.Background()
	c := newCustomer(t, e, "a@example.com", "")
	_, tok := newFamily(t, e, c.ID)
	var wins atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, claimed, err := e.ClaimRefreshToken(ctx, tok.Hash, base)
			if err != nil {
				errs <- err
				return
			}
			if claimed {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if wins.Load() != 1 {
		t.Fatalf("%d concurrent claims won, want exactly 1", wins.Load())
	}
}

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

func testRateHits(t *testing.T, e Engine) {
	ctx := context.Background()
	exp := base.Add(time.Minute)
	var wg sync.WaitGroup
	seen := make([]atomic.Bool, 41)
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := e.HitRate(ctx, "login:ip:1.2.3.4@1", exp)
			if err != nil {
				t.Error(err)
				return
			}
			if n < 1 || n > 40 || seen[n].Swap(true) {
				t.Errorf("hit count %d repeated or out of range", n)
			}
		}()
	}
	wg.Wait()
	if n, err := e.HitRate(ctx, "login:ip:5.6.7.8@1", exp); err != nil || n != 1 {
		t.Fatalf("other key = %d, %v", n, err)
	}
	purged, err := e.PurgeRates(ctx, exp.Add(time.Second))
	must(t, err)
	if purged != 2 {
		t.Fatalf("purged %d keys, want 2", purged)
	}
	if n, _ := e.HitRate(ctx, "login:ip:1.2.3.4@1", exp); n != 1 {
		t.Fatalf("after purge count = %d, want 1", n)
	}
	// Taking back hits, and reading several counts at once.
	for range 3 {
		_, err := e.HitRate(ctx, "k:b", exp)
		must(t, err)
	}
	must(t, e.UnhitRate(ctx, "k:b"))
	must(t, e.UnhitRate(ctx, "k:unknown"))
	counts, err := e.RateCounts(ctx, []string{"k:unknown", "k:b", "login:ip:1.2.3.4@1"})
	must(t, err)
	if len(counts) != 3 || counts[0] != 0 || counts[1] != 2 || counts[2] != 1 {
		t.Fatalf("counts = %v, want [0 2 1]", counts)
	}
	must(t, e.UnhitRate(ctx, "login:ip:1.2.3.4@1"))
	must(t, e.UnhitRate(ctx, "login:ip:1.2.3.4@1")) // never below zero
	if n, _ := e.HitRate(ctx, "login:ip:1.2.3.4@1", exp); n != 1 {
		t.Fatalf("count after taking back below zero = %d, want 1", n)
	}
}
