package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/store/sqlite/sqlitetest"
)

// TestOnlyTheNewestLinkWorks: a new link voids the subject's earlier ones
// of its kind, and using one voids any other still open (two sent at
// once, say), so an old e-mail in an inbox opens nothing.
func TestOnlyTheNewestLinkWorks(t *testing.T) {
	ctx := context.Background()
	l := &auth.Links{Store: sqlitetest.Open(t), Clock: core.SystemClock}
	first, err := l.Issue(ctx, auth.LinkStaffInvite, "s1", nil, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	second, err := l.Issue(ctx, auth.LinkStaffInvite, "s1", nil, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := l.Issue(ctx, auth.LinkStaffInvite, "s2", nil, time.Hour)
	if _, err := l.Use(ctx, auth.LinkStaffInvite, first); !core.IsCode(err, core.EGONE) {
		t.Fatalf("the earlier invitation: %v, want gone", err)
	}
	// Two open at once (sent by two instances in the same instant).
	raced := "raced-token"
	sum := sha256.Sum256([]byte(raced))
	now := core.SystemClock()
	if err := l.Store.CreateLink(ctx, &auth.Link{ID: hex.EncodeToString(sum[:]), Kind: auth.LinkStaffInvite, Subject: "s1",
		CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Use(ctx, auth.LinkStaffInvite, second); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Use(ctx, auth.LinkStaffInvite, raced); !core.IsCode(err, core.EGONE) {
		t.Fatalf("a link open beside the accepted one: %v, want gone", err)
	}
	if _, err := l.Use(ctx, auth.LinkStaffInvite, other); err != nil {
		t.Fatalf("another member's invitation was voided: %v", err)
	}
}
