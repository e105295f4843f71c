package storetest

import (
	"context"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/core"
)

func testLinks(t *testing.T, e Engine) {
	ctx := context.Background()
	l := &auth.Link{ID: "h1", Kind: auth.LinkEmailChange, Subject: "c1", Data: map[string]string{"email": "new@example.com"},
		CreatedAt: base, ExpiresAt: base.Add(30 * time.Minute)}
	must(t, e.CreateLink(ctx, l))
	wantCode(t, e.CreateLink(ctx, l), core.ECONFLICT)
	_, err := e.UseLink(ctx, "h1", auth.LinkCustomerReset, base) // another kind
	wantCode(t, err, core.ENOTFOUND)
	_, err = e.UseLink(ctx, "nope", auth.LinkEmailChange, base)
	wantCode(t, err, core.ENOTFOUND)
	got, err := e.UseLink(ctx, "h1", auth.LinkEmailChange, base.Add(time.Minute))
	must(t, err)
	used := base.Add(time.Minute)
	want := *l
	want.UsedAt = &used
	if !reflect.DeepEqual(got, &want) {
		t.Fatalf("UseLink = %+v, want %+v", got, &want)
	}
	_, err = e.UseLink(ctx, "h1", auth.LinkEmailChange, base.Add(2*time.Minute)) // once only
	wantCode(t, err, core.EGONE)

	must(t, e.CreateLink(ctx, &auth.Link{ID: "h2", Kind: auth.LinkCustomerReset, Subject: "c1", CreatedAt: base, ExpiresAt: base.Add(30 * time.Minute)}))
	_, err = e.UseLink(ctx, "h2", auth.LinkCustomerReset, base.Add(30*time.Minute)) // expired at its end
	wantCode(t, err, core.EGONE)

	n, err := e.PurgeLinks(ctx, base.Add(31*time.Minute))
	must(t, err)
	if n != 2 {
		t.Fatalf("PurgeLinks = %d, want 2", n)
	}
	_, err = e.UseLink(ctx, "h2", auth.LinkCustomerReset, base)
	wantCode(t, err, core.ENOTFOUND)
}

// testVoidLinks: voiding a subject's links of a kind leaves other
// subjects and kinds alone.
func testVoidLinks(t *testing.T, e Engine) {
	ctx := context.Background()
	for _, l := range []*auth.Link{
		{ID: "v1", Kind: auth.LinkStaffInvite, Subject: "s1"},
		{ID: "v2", Kind: auth.LinkStaffInvite, Subject: "s1"},
		{ID: "v3", Kind: auth.LinkStaffReset, Subject: "s1"},
		{ID: "v4", Kind: auth.LinkStaffInvite, Subject: "s2"},
	} {
		l.CreatedAt, l.ExpiresAt = base, base.Add(time.Hour)
		must(t, e.CreateLink(ctx, l))
	}
	_, err := e.UseLink(ctx, "v1", auth.LinkStaffInvite, base.Add(time.Minute))
	must(t, err)
	n, err := e.VoidLinks(ctx, auth.LinkStaffInvite, "s1", base.Add(2*time.Minute))
	must(t, err)
	if n != 1 {
		t.Fatalf("VoidLinks = %d, want 1 (the used one stays as it was)", n)
	}
	_, err = e.UseLink(ctx, "v2", auth.LinkStaffInvite, base.Add(3*time.Minute))
	wantCode(t, err, core.EGONE)
	for id, kind := range map[string]string{"v3": auth.LinkStaffReset, "v4": auth.LinkStaffInvite} {
		if _, err := e.UseLink(ctx, id, kind, base.Add(3*time.Minute)); err != nil {
			t.Fatalf("%s was voided with another subject's or kind's links: %v", id, err)
		}
	}
}

// testLinkUseRace: a link used by many requests at once is used once.
func testLinkUseRace(t *testing.T, e Engine) {
	ctx := context.Background()
	must(t, e.CreateLink(ctx, &auth.Link{ID: "race", Kind: auth.LinkStaffInvite, Subject: "s1", CreatedAt: base, ExpiresAt: base.Add(time.Hour)}))
	var won, gone atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.UseLink(ctx, "race", auth.LinkStaffInvite, base.Add(time.Minute))
			switch {
			case err == nil:
				won.Add(1)
			case core.IsCode(err, core.EGONE):
				gone.Add(1)
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if won.Load() != 1 || gone.Load() != 19 {
		t.Fatalf("%d uses won and %d were refused, want 1 and 19", won.Load(), gone.Load())
	}
}
