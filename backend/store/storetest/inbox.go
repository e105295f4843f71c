package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
)

func testInbox(t *testing.T, e Engine) {
	ctx := context.Background()
	m := newMessage("c1", "k-inbox", base)
	m.Channel = notify.ChannelInbox
	_, err := e.EnqueueMessage(ctx, m)
	must(t, err)
	if list, _ := e.Inbox(ctx, "c1", core.Page{Limit: 10}); len(list) != 0 {
		t.Fatal("unsent message in the inbox")
	}
	got, _ := e.ClaimMessages(ctx, "w", base, base.Add(time.Minute), 10)
	must(t, e.FinishMessage(ctx, got[0].ID, "w", notify.Outcome{Status: notify.StatusSent, At: base}))
	list, err := e.Inbox(ctx, "c1", core.Page{Limit: 10})
	must(t, err)
	if len(list) != 1 || list[0].ReadAt != nil {
		t.Fatalf("Inbox = %+v", list)
	}
	must(t, e.MarkMessage(ctx, "c1", m.ID, "read", base.Add(time.Minute)))
	must(t, e.MarkMessage(ctx, "c1", m.ID, "read", base.Add(time.Hour))) // the first time is kept
	wantCode(t, e.MarkMessage(ctx, "c2", m.ID, "opened", base), core.ENOTFOUND)
	got2, _ := e.Message(ctx, m.ID)
	if got2.ReadAt == nil || !got2.ReadAt.Equal(base.Add(time.Minute)) || got2.OpenedAt != nil {
		t.Fatalf("marks = %+v", got2)
	}
}

func testShopMessages(t *testing.T, e Engine) {
	ctx := context.Background()
	for i, ch := range []core.Channel{notify.ChannelRecall, notify.ChannelRecall, notify.ChannelPush} {
		m := newMessage("c1", fmt.Sprintf("s%d", i), base)
		m.Channel, m.ShopID = ch, "shop-1"
		_, err := e.EnqueueMessage(ctx, m)
		must(t, err)
	}
	other := newMessage("c2", "other", base)
	other.Channel, other.ShopID = notify.ChannelRecall, "shop-2"
	_, err := e.EnqueueMessage(ctx, other)
	must(t, err)
	list, err := e.ShopMessages(ctx, "shop-1", notify.ChannelRecall, core.Page{Limit: 10})
	must(t, err)
	if len(list) != 0 {
		t.Fatalf("ShopMessages = %d before anything was sent, want 0", len(list))
	}
	claimed, err := e.ClaimMessages(ctx, "w", base, base.Add(time.Minute), 10)
	must(t, err)
	for _, m := range claimed {
		status := notify.StatusSent
		if m.DedupeKey == "s1" {
			status = notify.StatusSkipped // the consent was withdrawn meanwhile: no call to make
		}
		must(t, e.FinishMessage(ctx, m.ID, "w", notify.Outcome{Status: status, At: base}))
	}
	list, err = e.ShopMessages(ctx, "shop-1", notify.ChannelRecall, core.Page{Limit: 10})
	must(t, err)
	if len(list) != 1 || list[0].DedupeKey != "s0" {
		t.Fatalf("ShopMessages = %d, want the one sent recall of shop-1", len(list))
	}
}
