package storetest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
