package lens

import (
	"context"
	"time"
)

// Supply is a stock of contact lenses a person wears: the customer, or one
// of their family members (MemberID).
type Supply struct {
	ID              string   `json:"id"`
	CustomerID      string   `json:"-"`
	MemberID        string   `json:"member_id,omitempty"`
	ShopID          string   `json:"shop_id,omitempty"`
	Eye             string   `json:"eye"`
	Brand           string   `json:"brand"`
	Product         string   `json:"product"`
	Modality        Modality `json:"modality"`
	CatalogID       string   `json:"catalog_id,omitempty"`
	Boxes           int      `json:"boxes"`
	LensesPerBox    int      `json:"lenses_per_box"`
	StartDate       string   `json:"start_date"` // YYYY-MM-DD
	WearDaysPerWeek int      `json:"wear_days_per_week"`
	RunsOutOn       string   `json:"runs_out_on"` // YYYY-MM-DD, kept for staff lists and segments
	// NextReminderAt is the next reminder to send for this supply; nil when
	// none is left. The reminder scan reads only supplies whose time has
	// come, through an index on it.
	NextReminderAt *time.Time `json:"next_reminder_at"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// Usage returns the arithmetic's view of s.
func (s *Supply) Usage() Usage {
	start, _ := time.Parse(time.DateOnly, s.StartDate)
	return Usage{Eye: s.Eye, Modality: s.Modality, Boxes: s.Boxes, LensesPerBox: s.LensesPerBox, Start: start, WearDaysPerWeek: s.WearDaysPerWeek}
}

// Advance moves one supply's next reminder from Prev to Next.
type Advance struct {
	ID   string
	Prev time.Time
	Next *time.Time
}

// Store keeps supplies.
type Store interface {
	// CreateSupply stores s. ECONFLICT if the id exists.
	CreateSupply(ctx context.Context, s *Supply) error
	// Supply returns the customer's supply with id; ENOTFOUND when there is
	// none or it belongs to someone else.
	Supply(ctx context.Context, customerID, id string) (*Supply, error)
	// Supplies returns a customer's supplies (and their family's), newest
	// first.
	Supplies(ctx context.Context, customerID string) ([]*Supply, error)
	// UpdateSupply replaces the changeable fields of s (matched by id and
	// customer). ENOTFOUND when there is no such supply.
	UpdateSupply(ctx context.Context, s *Supply) error
	// DeleteSupply removes the customer's supply. ENOTFOUND when absent.
	DeleteSupply(ctx context.Context, customerID, id string) error
	// DeleteSupplies removes every supply of a customer (erasure).
	DeleteSupplies(ctx context.Context, customerID string) error
	// DueSupplies returns up to limit supplies whose NextReminderAt is at or
	// before now, earliest first. Its cost grows with what is due.
	DueSupplies(ctx context.Context, now time.Time, limit int) ([]*Supply, error)
	// ImportSupplies stores many supplies at once (imports from a shop's
	// previous system): all of them, or, with ECONFLICT when an id is
	// already stored, none.
	ImportSupplies(ctx context.Context, ss []*Supply) error
	// AdvanceReminders is AdvanceReminder for many supplies in one write;
	// it returns how many moved.
	AdvanceReminders(ctx context.Context, as []Advance) (int, error)
	// AdvanceReminder moves a supply's NextReminderAt from prev to next (nil:
	// no more reminders) if it is still prev, and reports whether it moved:
	// of two scanners racing, one advances.
	AdvanceReminder(ctx context.Context, id string, prev time.Time, next *time.Time) (bool, error)
}
