package lens

import (
	"context"
	"log/slog"
	"time"

	"github.com/vista-optical/vista/backend/audit"
	"github.com/vista-optical/vista/backend/catalog"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/validate"
)

// Outbox is where reminders go.
type Outbox interface {
	EnqueueMessages(ctx context.Context, ms []*notify.Message) (int, error)
}

// Members finds a customer's family member.
type Members interface {
	FamilyMember(ctx context.Context, customerID, id string) (*customer.FamilyMember, error)
}

// Service is what the app, the staff and the reminder worker do with
// lens supplies.
type Service struct {
	Store        Store
	Exams        ExamStore
	Members      Members
	Outbox       Outbox
	Reservations catalog.ReservationStore
	Audit        *audit.Log
	Validator    *validate.Validator
	Clock        core.Clock
	Logger       *slog.Logger
	// Settings answers a shop's reminder settings (a SettingsSource).
	Settings SettingsReader
	// SettingsStore keeps the shops' own reminder settings.
	SettingsStore SettingsStore
	// Customers is what lenses read about customers: the customer service.
	// nil (benchmarks) writes every reminder in Italian.
	Customers Customers
}

// Customers is what lenses read about a customer.
type Customers interface {
	// VisibleShop tells whether the staff member in ctx may see a customer
	// (recording the read), and the customer's shop: every staff method
	// checks it itself.
	VisibleShop(ctx context.Context, customerID string) (string, error)
	// HomeShop returns a customer's home shop ("" when none).
	HomeShop(ctx context.Context, customerID string) (string, error)
	// Locale returns the language a customer reads ("it" or "en"), and
	// ok=false for a closed (erased) account, whose reminders stop.
	Locale(ctx context.Context, customerID string) (locale string, ok bool)
}

// SettingsReader answers a shop's reminder settings, and forgets a
// shop's once they change.
type SettingsReader interface {
	For(ctx context.Context, shopID string) Settings
	Forget(shopID string)
}

// FixedSettings are the same settings for every shop (benchmarks, tests).
type FixedSettings Settings

// For implements SettingsReader.
func (f FixedSettings) For(context.Context, string) Settings { return Settings(f) }

// Forget implements SettingsReader.
func (FixedSettings) Forget(string) {}

// SupplyInput is a supply as the app or staff enter it.
type SupplyInput struct {
	MemberID        string `json:"member_id,omitempty" validate:"max=64"`
	Eye             string `json:"eye" validate:"required,oneof=right left both"`
	Brand           string `json:"brand" validate:"required,max=100"`
	Product         string `json:"product" validate:"required,max=100"`
	Modality        string `json:"modality" validate:"required,oneof=daily two_weekly monthly quarterly yearly"`
	CatalogID       string `json:"catalog_id,omitempty" validate:"max=64"`
	Boxes           int    `json:"boxes" validate:"required,min=1,max=50"`
	LensesPerBox    int    `json:"lenses_per_box" validate:"required,min=1,max=400"`
	StartDate       string `json:"start_date" validate:"required,isodate"`
	WearDaysPerWeek int    `json:"wear_days_per_week,omitempty" validate:"min=0,max=7"`
}

// SupplyPatch changes some fields of a supply.
type SupplyPatch struct {
	Boxes           *int    `json:"boxes,omitempty" validate:"omitempty,min=1,max=50"`
	LensesPerBox    *int    `json:"lenses_per_box,omitempty" validate:"omitempty,min=1,max=400"`
	StartDate       *string `json:"start_date,omitempty" validate:"omitempty,isodate"`
	WearDaysPerWeek *int    `json:"wear_days_per_week,omitempty" validate:"omitempty,min=1,max=7"`
	Brand           *string `json:"brand,omitempty" validate:"omitempty,min=1,max=100"`
	Product         *string `json:"product,omitempty" validate:"omitempty,min=1,max=100"`
}

// View is a supply with what the app shows about it today.
type View struct {
	*Supply
	DaysLeft      int     `json:"days_left"`
	ReplacePairOn *string `json:"replace_pair_on"`
}

func (s *Service) view(ctx context.Context, sp *Supply) *View {
	st := s.Settings.For(ctx, sp.ShopID)
	p, err := Compute(sp.Usage(), Date(s.Clock.Now(), st.Location))
	v := &View{Supply: sp}
	if err == nil {
		v.DaysLeft = p.DaysLeft
		if p.ReplacePairOn != nil {
			d := p.ReplacePairOn.Format(time.DateOnly)
			v.ReplacePairOn = &d
		}
	}
	return v
}

// Add records a supply for the signed-in customer (or one of their family
// members).
func (s *Service) Add(ctx context.Context, in SupplyInput) (*View, error) {
	customerID, err := core.SignedInCustomer(ctx)
	if err != nil {
		return nil, err
	}
	return s.add(ctx, customerID, in)
}

func (s *Service) add(ctx context.Context, customerID string, in SupplyInput) (*View, error) {
	if err := s.Validator.Struct(in); err != nil {
		return nil, err
	}
	if in.WearDaysPerWeek == 0 {
		in.WearDaysPerWeek = 7
	}
	if in.MemberID != "" {
		if _, err := s.Members.FamilyMember(ctx, customerID, in.MemberID); core.IsCode(err, core.ENOTFOUND) {
			return nil, core.Invalid("unknown family member", core.FieldError{Field: "member_id", Message: "is not one of your family members"})
		} else if err != nil {
			return nil, err
		}
	}
	shop, err := s.Customers.HomeShop(ctx, customerID)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	sp := &Supply{
		ID: core.NewID(), CustomerID: customerID, MemberID: in.MemberID, ShopID: shop, Eye: in.Eye, Brand: in.Brand,
		Product: in.Product, Modality: Modality(in.Modality), CatalogID: in.CatalogID, Boxes: in.Boxes, LensesPerBox: in.LensesPerBox,
		StartDate: in.StartDate, WearDaysPerWeek: in.WearDaysPerWeek, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.plan(ctx, sp); err != nil {
		return nil, err
	}
	if err := s.Store.CreateSupply(ctx, sp); err != nil {
		return nil, err
	}
	return s.view(ctx, sp), nil
}

// Start dates of a supply are accepted this far around today: a box opened
// up to StartYearsBack years ago (the longest supply lasts five), or a
// supply that starts within a year.
const (
	StartYearsBack    = 5
	StartYearsForward = 1
)

// plan fills the derived fields: the run-out date and the next reminder
// after now (a reminder whose time has already passed is not caught up).
func (s *Service) plan(ctx context.Context, sp *Supply) error {
	st := s.Settings.For(ctx, sp.ShopID)
	today := s.Clock.Now()
	if err := validate.DateWithin("start_date", sp.StartDate, today.AddDate(-StartYearsBack, 0, -1), today.AddDate(StartYearsForward, 0, 1)); err != nil {
		return err
	}
	p, err := Compute(sp.Usage(), sp.Usage().Start)
	if err != nil {
		return core.Invalid(err.Error())
	}
	if err := CheckDuration(sp.Usage()); err != nil {
		return core.Invalid("supply too long", core.FieldError{Field: "boxes", Message: err.Error()})
	}
	sp.RunsOutOn = p.RunsOutOn.Format(time.DateOnly)
	sp.NextReminderAt = nil
	if at, ok := Upcoming(Schedule(sp.Usage(), st), s.Clock.Now(), st); ok {
		sp.NextReminderAt = &at
	}
	return nil
}

// List returns the signed-in customer's supplies.
func (s *Service) List(ctx context.Context) ([]*View, error) {
	customerID, err := core.SignedInCustomer(ctx)
	if err != nil {
		return nil, err
	}
	return s.list(ctx, customerID)
}

func (s *Service) list(ctx context.Context, customerID string) ([]*View, error) {
	list, err := s.Store.Supplies(ctx, customerID)
	if err != nil {
		return nil, err
	}
	out := make([]*View, 0, len(list))
	for _, sp := range list {
		out = append(out, s.view(ctx, sp))
	}
	return out, nil
}

// Get returns one of the signed-in customer's supplies; ENOTFOUND for
// anyone else's.
func (s *Service) Get(ctx context.Context, id string) (*View, error) {
	customerID, err := core.SignedInCustomer(ctx)
	if err != nil {
		return nil, err
	}
	sp, err := s.Store.Supply(ctx, customerID, id)
	if err != nil {
		return nil, err
	}
	return s.view(ctx, sp), nil
}

// Update changes a supply (boxes added to a running supply, a new start)
// and re-plans its reminders.
func (s *Service) Update(ctx context.Context, id string, in SupplyPatch) (*View, error) {
	customerID, err := core.SignedInCustomer(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.Validator.Struct(in); err != nil {
		return nil, err
	}
	sp, err := s.Store.Supply(ctx, customerID, id)
	if err != nil {
		return nil, err
	}
	set := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	set(&sp.Boxes, in.Boxes)
	set(&sp.LensesPerBox, in.LensesPerBox)
	set(&sp.WearDaysPerWeek, in.WearDaysPerWeek)
	for dst, v := range map[*string]*string{&sp.StartDate: in.StartDate, &sp.Brand: in.Brand, &sp.Product: in.Product} {
		if v != nil {
			*dst = *v
		}
	}
	sp.UpdatedAt = s.Clock.Now()
	if err := s.plan(ctx, sp); err != nil {
		return nil, err
	}
	if err := s.Store.UpdateSupply(ctx, sp); err != nil {
		return nil, err
	}
	return s.view(ctx, sp), nil
}

// Delete removes one of the signed-in customer's supplies.
func (s *Service) Delete(ctx context.Context, id string) error {
	customerID, err := core.SignedInCustomer(ctx)
	if err != nil {
		return err
	}
	return s.Store.DeleteSupply(ctx, customerID, id)
}

// Reorder asks the customer's shop to set a new supply aside (click &
// collect), as offered by a reminder. Staff see it in the shop's list.
// One request per supply is open at a time: a repeat returns the open one
// with created=false.
func (s *Service) Reorder(ctx context.Context, id, note string) (r *catalog.Reservation, created bool, err error) {
	customerID, err := core.SignedInCustomer(ctx)
	if err != nil {
		return nil, false, err
	}
	if validate.HasControl(note) {
		return nil, false, core.Invalid("note not valid", core.FieldError{Field: "note", Message: "must not hold control or text-direction characters"})
	}
	if len(note) > 500 {
		return nil, false, core.Invalid("note too long", core.FieldError{Field: "note", Message: "must be at most 500 characters long"})
	}
	sp, err := s.Store.Supply(ctx, customerID, id)
	if err != nil {
		return nil, false, err
	}
	shop := sp.ShopID
	if shop == "" {
		if shop, err = s.Customers.HomeShop(ctx, customerID); err != nil {
			return nil, false, err
		}
	}
	if shop == "" {
		return nil, false, core.Invalid("choose your shop first", core.FieldError{Field: "shop_id", Message: "set a home shop in your profile to reorder"})
	}
	r = &catalog.Reservation{ID: core.NewID(), CustomerID: customerID, ShopID: shop, SupplyID: sp.ID, Kind: "lens_reorder",
		Status: "requested", Note: note, CreatedAt: s.Clock.Now()}
	err = s.Reservations.CreateReservation(ctx, r)
	if core.IsCode(err, core.ECONFLICT) { // one is open already
		list, err := s.Reservations.CustomerReservations(ctx, customerID)
		if err != nil {
			return nil, false, err
		}
		for _, open := range list {
			if open.SupplyID == sp.ID && open.Status == "requested" {
				return open, false, nil
			}
		}
		return nil, false, core.Errorf(core.ECONFLICT, "a reorder request for this supply is being handled")
	} else if err != nil {
		return nil, false, err
	}
	return r, true, nil
}

// ForStaff lists the supplies of a customer the staff member in ctx may
// see (ENOTFOUND otherwise); every read is written to the audit log, since
// lens data is health data.
func (s *Service) ForStaff(ctx context.Context, customerID string) ([]*View, error) {
	shopID, err := s.Customers.VisibleShop(ctx, customerID)
	if err != nil {
		return nil, err
	}
	if err := s.Audit.Record(ctx, "lens.supplies_viewed", customerID, shopID, ""); err != nil {
		return nil, err
	}
	return s.list(ctx, customerID)
}

// AddForStaff records a supply sold at the counter to a customer the
// staff member in ctx may see (ENOTFOUND otherwise).
func (s *Service) AddForStaff(ctx context.Context, customerID string, in SupplyInput) (*View, error) {
	if _, err := s.Customers.VisibleShop(ctx, customerID); err != nil {
		return nil, err
	}
	return s.add(ctx, customerID, in)
}
