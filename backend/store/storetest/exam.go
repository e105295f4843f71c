package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/lens"
)

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
