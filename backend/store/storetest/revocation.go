package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/auth"
)

func testRevocations(t *testing.T, e Engine) {
	ctx := context.Background()
	must(t, e.SaveRevocation(ctx, &auth.Revocation{Subject: "c1", ValidAfter: base, RecordedAt: base}))
	must(t, e.SaveRevocation(ctx, &auth.Revocation{Subject: "c2", ValidAfter: base, Closed: true, RecordedAt: base.Add(time.Minute)}))
	// A later, earlier-dated revocation of c2 keeps the latest instant and the closure.
	must(t, e.SaveRevocation(ctx, &auth.Revocation{Subject: "c2", ValidAfter: base.Add(-time.Hour), RecordedAt: base.Add(2 * time.Minute)}))

	all, err := e.RevocationsSince(ctx, time.Time{})
	must(t, err)
	if len(all) != 2 || all[0].Subject != "c1" || all[1].Subject != "c2" {
		t.Fatalf("revocations = %+v, want c1 then c2", all)
	}
	if c2 := all[1]; !c2.Closed || !c2.ValidAfter.Equal(base) || !c2.RecordedAt.Equal(base.Add(2*time.Minute)) {
		t.Fatalf("c2 = %+v: closed must stay, valid_after keep its latest, recorded_at move", c2)
	}
	later, err := e.RevocationsSince(ctx, base.Add(time.Second))
	must(t, err)
	if len(later) != 1 || later[0].Subject != "c2" {
		t.Fatalf("since base+1s = %+v, want c2 only", later)
	}
	n, err := e.PurgeRevocations(ctx, base.Add(time.Hour))
	must(t, err)
	if n != 1 {
		t.Fatalf("purged %d, want 1 (closed accounts stay)", n)
	}
	left, err := e.RevocationsSince(ctx, time.Time{})
	must(t, err)
	if len(left) != 1 || left[0].Subject != "c2" {
		t.Fatalf("after purge = %+v, want c2", left)
	}
}
