package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
	"github.com/vista-optical/vista/backend/lens"
	"github.com/vista-optical/vista/backend/notify"
)

func newSupply(customerID string, next *time.Time) *lens.Supply {
	return &lens.Supply{ID: core.NewID(), CustomerID: customerID, Eye: "both", Brand: "Alcon", Product: "Total30",
		Modality: lens.Monthly, Boxes: 1, LensesPerBox: 6, StartDate: "2026-01-01", WearDaysPerWeek: 7, RunsOutOn: "2026-04-01",
		NextReminderAt: next, CreatedAt: base, UpdatedAt: base}
}

func testLensSupplies(t *testing.T, e Engine) {
	ctx := context.Background()
	a := newCustomer(t, e, "a@example.com", "")
	b := newCustomer(t, e, "b@example.com", "")
	t1, t2, t3 := base.Add(time.Hour), base.Add(2*time.Hour), base.Add(3*time.Hour)
	s1, s2, s3 := newSupply(a.ID, &t2), newSupply(a.ID, &t1), newSupply(b.ID, &t3)
	none := newSupply(b.ID, nil)
	for _, s := range []*lens.Supply{s1, s2, s3, none} {
		must(t, e.CreateSupply(ctx, s))
	}
	got, err := e.Supply(ctx, a.ID, s1.ID)
	must(t, err)
	if got.RunsOutOn != "2026-04-01" || got.NextReminderAt == nil || !got.NextReminderAt.Equal(t2) || got.Modality != lens.Monthly {
		t.Fatalf("Supply = %+v", got)
	}
	_, err = e.Supply(ctx, b.ID, s1.ID) // someone else's
	wantCode(t, err, core.ENOTFOUND)
	list, err := e.Supplies(ctx, a.ID)
	must(t, err)
	if len(list) != 2 {
		t.Fatalf("Supplies = %d", len(list))
	}

	due, err := e.DueSupplies(ctx, t2, 10)
	must(t, err)
	if len(due) != 2 || due[0].ID != s2.ID || due[1].ID != s1.ID {
		t.Fatalf("DueSupplies = %+v, want s2 then s1", due)
	}

	// Two scanners advance the same supply: exactly one wins.
	var wins atomic.Int32
	var wg sync.WaitGroup
	next := t3.Add(24 * time.Hour)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := e.AdvanceReminder(ctx, s2.ID, t1, &next)
			if err != nil {
				t.Error(err)
			}
			if ok {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d advances won", wins.Load())
	}
	ok, err := e.AdvanceReminder(ctx, s1.ID, t2, nil)
	must(t, err)
	if !ok {
		t.Fatal("advance to none failed")
	}
	due, _ = e.DueSupplies(ctx, t3, 10)
	if len(due) != 1 || due[0].ID != s3.ID {
		t.Fatalf("after advancing, due = %+v", due)
	}

	s3.Boxes, s3.RunsOutOn, s3.NextReminderAt, s3.UpdatedAt = 2, "2026-07-01", nil, t3
	must(t, e.UpdateSupply(ctx, s3))
	got, _ = e.Supply(ctx, b.ID, s3.ID)
	if got.Boxes != 2 || got.RunsOutOn != "2026-07-01" || got.NextReminderAt != nil {
		t.Fatalf("updated = %+v", got)
	}
	wrong := *s3
	wrong.CustomerID = a.ID
	wantCode(t, e.UpdateSupply(ctx, &wrong), core.ENOTFOUND)
	wantCode(t, e.DeleteSupply(ctx, a.ID, s3.ID), core.ENOTFOUND)
	must(t, e.DeleteSupply(ctx, b.ID, s3.ID))
	must(t, e.DeleteSupplies(ctx, a.ID))
	if list, _ := e.Supplies(ctx, a.ID); len(list) != 0 {
		t.Fatal("DeleteSupplies left supplies")
	}
}

func testLensImportAndBatchAdvance(t *testing.T, e Engine) {
	ctx := context.Background()
	a := newCustomer(t, e, "a@example.com", "")
	t1 := base.Add(time.Hour)
	batch := []*lens.Supply{newSupply(a.ID, &t1), newSupply(a.ID, &t1), newSupply(a.ID, nil)}
	must(t, e.ImportSupplies(ctx, batch))
	if list, _ := e.Supplies(ctx, a.ID); len(list) != 3 {
		t.Fatalf("imported %d", len(list))
	}
	wantCode(t, e.ImportSupplies(ctx, batch[:1]), core.ECONFLICT)
	later := t1.Add(time.Hour)
	moved, err := e.AdvanceReminders(ctx, []lens.Advance{
		{ID: batch[0].ID, Prev: t1, Next: &later},
		{ID: batch[1].ID, Prev: t1.Add(time.Minute), Next: nil}, // stale prev: not moved
	})
	must(t, err)
	if moved != 1 {
		t.Fatalf("moved %d, want 1", moved)
	}
	due, _ := e.DueSupplies(ctx, t1, 10)
	if len(due) != 1 || due[0].ID != batch[1].ID {
		t.Fatalf("due after batch advance = %+v", due)
	}
}

func testFamilyAndReservations(t *testing.T, e Engine) {
	ctx := context.Background()
	a := newCustomer(t, e, "a@example.com", "")
	b := newCustomer(t, e, "b@example.com", "")
	kid := &customer.FamilyMember{ID: core.NewID(), CustomerID: a.ID, FirstName: "Luca", LastName: "Rossi", BirthDate: "2016-09-01", Relation: "child", CreatedAt: base}
	must(t, e.CreateFamilyMember(ctx, kid))
	got, err := e.FamilyMember(ctx, a.ID, kid.ID)
	must(t, err)
	if *got != *kid {
		t.Fatalf("FamilyMember = %+v", got)
	}
	_, err = e.FamilyMember(ctx, b.ID, kid.ID)
	wantCode(t, err, core.ENOTFOUND)
	wantCode(t, e.DeleteFamilyMember(ctx, b.ID, kid.ID), core.ENOTFOUND)
	list, _ := e.FamilyMembers(ctx, a.ID)
	if len(list) != 1 {
		t.Fatal("FamilyMembers")
	}
	must(t, e.DeleteFamilyMembers(ctx, a.ID))
	if list, _ := e.FamilyMembers(ctx, a.ID); len(list) != 0 {
		t.Fatal("DeleteFamilyMembers")
	}

	r := &catalog.Reservation{ID: core.NewID(), CustomerID: a.ID, ShopID: "shop-1", SupplyID: "s1", Kind: "lens_reorder", Status: "requested", CreatedAt: base}
	must(t, e.CreateReservation(ctx, r))
	must(t, e.CreateReservation(ctx, &catalog.Reservation{ID: core.NewID(), CustomerID: b.ID, ShopID: "shop-2", Kind: "lens_reorder", Status: "requested", CreatedAt: base}))
	// One open request per supply; requests without a supply are not bound by it.
	wantCode(t, e.CreateReservation(ctx, &catalog.Reservation{ID: core.NewID(), CustomerID: a.ID, ShopID: "shop-1", SupplyID: "s1",
		Kind: "lens_reorder", Status: "requested", CreatedAt: base}), core.ECONFLICT)
	must(t, e.CreateReservation(ctx, &catalog.Reservation{ID: core.NewID(), CustomerID: b.ID, ShopID: "shop-2", Kind: "lens_reorder", Status: "requested", CreatedAt: base}))
	shop1, _ := e.ShopReservations(ctx, "shop-1", core.Page{Limit: 10})
	mine, _ := e.CustomerReservations(ctx, a.ID)
	if len(shop1) != 1 || *shop1[0] != *r || len(mine) != 1 {
		t.Fatalf("reservations %+v %+v", shop1, mine)
	}
	must(t, e.DeleteCustomerReservations(ctx, a.ID))
	if mine, _ := e.CustomerReservations(ctx, a.ID); len(mine) != 0 {
		t.Fatal("DeleteCustomerReservations")
	}
}

func testInbox(t *testing.T, e Engine) {
	ctx := context.Background()
	m := newMessage("c1", "k-inbox", base)
	m.Channel = notify.ChannelInbox
	_, err := e.EnqueueMessage(ctx, m)
	must(t, err)
	if list, _ := e.Inbox(ctx, "c1", 10); len(list) != 0 {
		t.Fatal("unsent message in the inbox")
	}
	got, _ := e.ClaimMessages(ctx, "w", base, base.Add(time.Minute), 10)
	must(t, e.FinishMessage(ctx, got[0].ID, "w", notify.Outcome{Status: notify.StatusSent, At: base}))
	list, err := e.Inbox(ctx, "c1", 10)
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

func testExams(t *testing.T, e Engine) {
	ctx := context.Background()
	a := newCustomer(t, e, "a@example.com", "")
	t1 := base.Add(time.Hour)
	ex := &lens.Exam{ID: core.NewID(), CustomerID: a.ID, DueOn: "2026-06-01", RecordedBy: "staff-1", NextReminderAt: &t1, UpdatedAt: base}
	must(t, e.UpsertExam(ctx, ex))
	first := ex.ID
	again := &lens.Exam{ID: core.NewID(), CustomerID: a.ID, DueOn: "2026-07-01", RecordedBy: "staff-2", NextReminderAt: &t1, UpdatedAt: base}
	must(t, e.UpsertExam(ctx, again))
	if again.ID != first {
		t.Fatalf("upsert of the same person made a second exam: %s vs %s", again.ID, first)
	}
	kid := &lens.Exam{ID: core.NewID(), CustomerID: a.ID, MemberID: "m1", DueOn: "2026-09-01", RecordedBy: "staff-1", UpdatedAt: base}
	must(t, e.UpsertExam(ctx, kid))
	list, err := e.Exams(ctx, a.ID)
	must(t, err)
	if len(list) != 2 || list[0].DueOn != "2026-07-01" || list[0].RecordedBy != "staff-2" {
		t.Fatalf("Exams = %+v", list)
	}
	due, err := e.DueExams(ctx, t1, 10)
	must(t, err)
	if len(due) != 1 || due[0].ID != first {
		t.Fatalf("DueExams = %+v", due)
	}
	moved, err := e.AdvanceExamReminders(ctx, []lens.Advance{{ID: first, Prev: t1}, {ID: first, Prev: t1}})
	must(t, err)
	if moved != 1 {
		t.Fatalf("moved %d, want 1", moved)
	}
	if due, _ := e.DueExams(ctx, t1, 10); len(due) != 0 {
		t.Fatal("still due after advancing")
	}
	must(t, e.DeleteExams(ctx, a.ID))
	if list, _ := e.Exams(ctx, a.ID); len(list) != 0 {
		t.Fatal("DeleteExams left exams")
	}
}

func testShopSettings(t *testing.T, e Engine) {
	ctx := context.Background()
	s := newShop(t, e, "Milano")
	_, err := e.ShopSettings(ctx, s.ID)
	wantCode(t, err, core.ENOTFOUND)
	set := &lens.ShopSettings{ShopID: s.ID, RunsOutDaysBefore: []int{10, 2}, ReplaceDay: false, HourLocal: 11, UpdatedAt: base}
	must(t, e.SaveShopSettings(ctx, set))
	set.RunsOutDaysBefore = []int{7}
	must(t, e.SaveShopSettings(ctx, set))
	got, err := e.ShopSettings(ctx, s.ID)
	must(t, err)
	if len(got.RunsOutDaysBefore) != 1 || got.RunsOutDaysBefore[0] != 7 || got.HourLocal != 11 || got.ReplaceDay {
		t.Fatalf("ShopSettings = %+v", got)
	}
}

func testShopMessages(t *testing.T, e Engine) {
	ctx := context.Background()
	for i, ch := range []string{notify.ChannelRecall, notify.ChannelRecall, notify.ChannelPush} {
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
