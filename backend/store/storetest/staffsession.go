package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/shop"
)

func testStaffSessions(t *testing.T, e Engine) {
	ctx := context.Background()
	s := &shop.Session{ID: core.NewID(), StaffID: "st1", CreatedAt: base, LastSeenAt: base}
	must(t, e.CreateStaffSession(ctx, s))
	wantCode(t, e.CreateStaffSession(ctx, s), core.ECONFLICT)
	_, err := e.StaffSession(ctx, "nope")
	wantCode(t, err, core.ENOTFOUND)
	wantCode(t, e.TouchStaffSession(ctx, "nope", base), core.ENOTFOUND)
	wantCode(t, e.RevokeStaffSession(ctx, "nope", base), core.ENOTFOUND)

	must(t, e.TouchStaffSession(ctx, s.ID, base.Add(time.Hour)))
	must(t, e.TouchStaffSession(ctx, s.ID, base.Add(time.Minute))) // never back
	got, err := e.StaffSession(ctx, s.ID)
	must(t, err)
	if got.StaffID != "st1" || !got.CreatedAt.Equal(base) || !got.LastSeenAt.Equal(base.Add(time.Hour)) || got.RevokedAt != nil {
		t.Fatalf("session = %+v", got)
	}
	must(t, e.RevokeStaffSession(ctx, s.ID, base.Add(2*time.Hour)))
	must(t, e.RevokeStaffSession(ctx, s.ID, base.Add(3*time.Hour))) // keeps the first time
	got, err = e.StaffSession(ctx, s.ID)
	must(t, err)
	if got.RevokedAt == nil || !got.RevokedAt.Equal(base.Add(2*time.Hour)) {
		t.Fatalf("revoked_at = %v, want %v", got.RevokedAt, base.Add(2*time.Hour))
	}
	old := &shop.Session{ID: core.NewID(), StaffID: "st1", CreatedAt: base.Add(-24 * time.Hour), LastSeenAt: base}
	must(t, e.CreateStaffSession(ctx, old))
	n, err := e.PurgeStaffSessions(ctx, base.Add(-time.Hour))
	must(t, err)
	if n != 1 {
		t.Fatalf("purged %d, want 1", n)
	}
	_, err = e.StaffSession(ctx, old.ID)
	wantCode(t, err, core.ENOTFOUND)
}

func testStaffSessionsOf(t *testing.T, e Engine) {
	ctx := context.Background()
	var mine []string
	for i := range 3 {
		s := &shop.Session{ID: core.NewID(), StaffID: "st1", CreatedAt: base, LastSeenAt: base}
		must(t, e.CreateStaffSession(ctx, s))
		mine = append(mine, s.ID)
		if i == 0 {
			must(t, e.RevokeStaffSession(ctx, s.ID, base))
		}
	}
	other := &shop.Session{ID: core.NewID(), StaffID: "st2", CreatedAt: base, LastSeenAt: base}
	must(t, e.CreateStaffSession(ctx, other))
	must(t, e.RevokeStaffSessionsOf(ctx, "st1", base.Add(time.Hour)))
	for i, id := range mine {
		got, err := e.StaffSession(ctx, id)
		must(t, err)
		want := base.Add(time.Hour)
		if i == 0 {
			want = base // the first end stays
		}
		if got.RevokedAt == nil || !got.RevokedAt.Equal(want) {
			t.Fatalf("session %d revoked at %v, want %v", i, got.RevokedAt, want)
		}
	}
	if got, _ := e.StaffSession(ctx, other.ID); got.RevokedAt != nil {
		t.Fatal("another member's session was ended")
	}
}
