package storetest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/lens"
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
	fresh := newSupply(a.ID, nil)
	wantCode(t, e.ImportSupplies(ctx, []*lens.Supply{fresh, batch[2]}), core.ECONFLICT)
	if _, err := e.Supply(ctx, a.ID, fresh.ID); core.ErrorCode(err) != core.ENOTFOUND {
		t.Fatalf("a refused import stored part of its batch: %v", err)
	}
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

// testImportSuppliesRace: two imports that share a supply, at once: one
// stores its whole batch, the other nothing (ECONFLICT).
func testImportSuppliesRace(t *testing.T, e Engine) {
	ctx := context.Background()
	a := newCustomer(t, e, "race@example.com", "")
	shared := newSupply(a.ID, nil)
	batches := [][]*lens.Supply{
		{newSupply(a.ID, nil), newSupply(a.ID, nil), shared},
		{shared, newSupply(a.ID, nil), newSupply(a.ID, nil)},
	}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range batches {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = e.ImportSupplies(ctx, batches[i]) }()
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("import results %v and %v: want one success and one conflict", errs[0], errs[1])
	}
	list, err := e.Supplies(ctx, a.ID)
	must(t, err)
	if len(list) != 3 {
		t.Fatalf("%d supplies stored, want the 3 of the winning batch", len(list))
	}
}
