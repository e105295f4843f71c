package lens

import (
	"context"
	"fmt"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/validate"
)

// Exam is when a person's eye exam (and so their prescription) falls due,
// as staff record it. It is health data: reads are audited.
type Exam struct {
	ID             string     `json:"id"`
	CustomerID     string     `json:"-"`
	MemberID       string     `json:"member_id,omitempty"`
	ShopID         string     `json:"shop_id,omitempty"`
	DueOn          string     `json:"due_on"` // YYYY-MM-DD
	RecordedBy     string     `json:"recorded_by"`
	NextReminderAt *time.Time `json:"next_reminder_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// ExamStore keeps exam due dates, one per person (customer or member).
type ExamStore interface {
	// UpsertExam stores e, replacing the due date of the same person.
	UpsertExam(ctx context.Context, e *Exam) error
	// Exams lists a customer's (and their family's) exam due dates.
	Exams(ctx context.Context, customerID string) ([]*Exam, error)
	// DueExams returns up to limit exams whose reminder is due at now.
	DueExams(ctx context.Context, now time.Time, limit int) ([]*Exam, error)
	// AdvanceExamReminders moves reminders as AdvanceReminders does.
	AdvanceExamReminders(ctx context.Context, as []Advance) (int, error)
	// DeleteExams removes a customer's exams (erasure).
	DeleteExams(ctx context.Context, customerID string) error
}

// ExamReminderDaysBefore is how long before the due date the reminder goes.
const ExamReminderDaysBefore = 30

// Exam due dates are accepted this far around today: an exam overdue for
// up to ExamYearsBack years, or due within ExamYearsForward.
const (
	ExamYearsBack    = 5
	ExamYearsForward = 10
)

// ExamInput is an exam due date as staff record it.
type ExamInput struct {
	MemberID string `json:"member_id,omitempty" validate:"max=64"`
	DueOn    string `json:"due_on" validate:"required,isodate"`
}

// examReminderAt is 10:00 shop time, ExamReminderDaysBefore days before.
func examReminderAt(dueOn string, st Settings) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, dueOn)
	if err != nil {
		return time.Time{}, err
	}
	d = d.AddDate(0, 0, -ExamReminderDaysBefore)
	return time.Date(d.Year(), d.Month(), d.Day(), st.HourLocal, 0, 0, 0, st.Location).UTC(), nil
}

// RecordExam sets the exam due date of a customer the staff member in ctx
// may see (ENOTFOUND otherwise), or of one of their family, and plans its
// reminder.
func (s *Service) RecordExam(ctx context.Context, customerID string, in ExamInput) (*Exam, error) {
	shopID, err := s.Customers.VisibleShop(ctx, customerID)
	if err != nil {
		return nil, err
	}
	if err := s.Validator.Struct(in); err != nil {
		return nil, err
	}
	today := s.Clock.Now()
	if err := validate.DateWithin("due_on", in.DueOn, today.AddDate(-ExamYearsBack, 0, -1), today.AddDate(ExamYearsForward, 0, 1)); err != nil {
		return nil, err
	}
	if in.MemberID != "" {
		if _, err := s.Members.FamilyMember(ctx, customerID, in.MemberID); core.IsCode(err, core.ENOTFOUND) {
			return nil, core.Invalid("unknown family member", core.FieldError{Field: "member_id", Message: "is not this customer's family member"})
		} else if err != nil {
			return nil, err
		}
	}
	a, _ := core.ActorFrom(ctx)
	now := s.Clock.Now()
	e := &Exam{ID: core.NewID(), CustomerID: customerID, MemberID: in.MemberID, ShopID: shopID, DueOn: in.DueOn, RecordedBy: a.ID, UpdatedAt: now}
	st := s.Settings.For(ctx, shopID)
	if at, err := examReminderAt(in.DueOn, st); err == nil && at.After(now) {
		e.NextReminderAt = &at
	} else if err == nil && in.DueOn >= SendingHour(now, st).In(st.Location).Format(time.DateOnly) {
		// Recorded inside the reminder window and not yet due: remind at
		// the next sending hour.
		at := SendingHour(now, st)
		e.NextReminderAt = &at
	}
	if err := s.Exams.UpsertExam(ctx, e); err != nil {
		return nil, err
	}
	if err := s.Audit.Record(ctx, "exam.recorded", customerID, shopID, ""); err != nil {
		return nil, err
	}
	return e, nil
}

// ExamsForStaff lists the exam due dates of a customer the staff member in
// ctx may see (ENOTFOUND otherwise), audited.
func (s *Service) ExamsForStaff(ctx context.Context, customerID string) ([]*Exam, error) {
	shopID, err := s.Customers.VisibleShop(ctx, customerID)
	if err != nil {
		return nil, err
	}
	if err := s.Audit.Record(ctx, "exam.viewed", customerID, shopID, ""); err != nil {
		return nil, err
	}
	return s.Exams.Exams(ctx, customerID)
}

// ScanExams enqueues the eye-exam reminders whose time has come, as Scan
// does for supplies: idempotent, index-driven, one write per page.
func (s *Service) ScanExams(ctx context.Context) (int, error) {
	return scan(ctx, s, s.Exams.DueExams, s.Exams.AdvanceExamReminders, func(e *Exam, now time.Time) ([]*notify.Message, Advance) {
		adv := Advance{ID: e.ID, Prev: *e.NextReminderAt}
		locale, ok := s.locale(ctx, e.CustomerID)
		if !ok { // erased: no reminder
			return nil, adv
		}
		var msgs []*notify.Message
		for _, ch := range []core.Channel{notify.ChannelPush, notify.ChannelInbox} {
			msgs = append(msgs, examMessage(e, ch, now, locale))
		}
		return msgs, adv
	})
}

func examMessage(e *Exam, channel core.Channel, now time.Time, locale string) *notify.Message {
	t := reminderTexts[locale]
	if t == nil {
		t = reminderTexts["it"]
	}
	title := t["exam_title"]
	if e.MemberID != "" {
		title = t["exam_family"]
	}
	return &notify.Message{
		ID: core.NewID(), CustomerID: e.CustomerID, ShopID: e.ShopID, Channel: channel, Purpose: notify.PurposeService,
		DedupeKey: fmt.Sprintf("%s:%s:exam_due_%d:%s:%s", e.CustomerID, e.ID, ExamReminderDaysBefore, e.DueOn, channel),
		Cause:     fmt.Sprintf("exam:%s:%s", e.ID, e.DueOn),
		Title:     title, Body: t["exam_body"],
		Data:  map[string]string{"link": "vista://bookings/new?service=eye_exam", "actions": "book_exam"},
		DueAt: now, Status: notify.StatusPending, CreatedAt: now, UpdatedAt: now,
	}
}
