package lens

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
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

// Scan enqueues every reminder whose time has come, and returns how many
// messages it enqueued. It reads only supplies whose next reminder is due
// (an index range), enqueues each reminder with a dedupe key (customer,
// supply, kind, date) and then moves the supply's next reminder on with a
// conditional update: run twice, or on two instances at once, it enqueues
// every reminder once.
func (s *Service) Scan(ctx context.Context) (int, error) {
	return scan(ctx, s, s.Store.DueSupplies, s.Store.AdvanceReminders, func(sp *Supply, now time.Time) ([]*notify.Message, Advance) {
		locale, ok := s.locale(ctx, sp.CustomerID)
		if !ok { // erased: no reminder now, none planned
			return nil, Advance{ID: sp.ID, Prev: *sp.NextReminderAt}
		}
		m, next := s.remind(ctx, sp, now, locale)
		return m, Advance{ID: sp.ID, Prev: *sp.NextReminderAt, Next: next}
	})
}

// scan is the loop of every reminder scan: read what is due a page at a
// time (an index range), turn each item into its messages and its
// advance, then write the page's messages in one write and its advances
// in another. A crash in between re-enqueues on the next scan, and the
// dedupe keys make that a no-op. It returns how many messages it
// enqueued.
func scan[T any](ctx context.Context, s *Service,
	due func(ctx context.Context, now time.Time, limit int) ([]T, error),
	advance func(ctx context.Context, as []Advance) (int, error),
	each func(item T, now time.Time) ([]*notify.Message, Advance),
) (int, error) {
	now := s.Clock.Now()
	enqueued := 0
	for {
		page, err := due(ctx, now, 500)
		if err != nil || len(page) == 0 {
			return enqueued, err
		}
		var msgs []*notify.Message
		advances := make([]Advance, 0, len(page))
		for _, item := range page {
			m, a := each(item, now)
			msgs = append(msgs, m...)
			advances = append(advances, a)
		}
		n, err := s.Outbox.EnqueueMessages(ctx, msgs)
		if err != nil {
			return enqueued, err
		}
		enqueued += n
		if _, err := advance(ctx, advances); err != nil {
			return enqueued, err
		}
	}
}

// locale is the language a customer's reminders are written in, and
// ok=false for a closed account, which gets none.
func (s *Service) locale(ctx context.Context, customerID string) (string, bool) {
	if s.Customers == nil {
		return "it", true
	}
	return s.Customers.Locale(ctx, customerID)
}

// remind returns the messages a due supply must send now, and its next
// reminder time (nil when none is left).
func (s *Service) remind(ctx context.Context, sp *Supply, now time.Time, locale string) ([]*notify.Message, *time.Time) {
	st := s.Settings.For(ctx, sp.ShopID)
	prev := *sp.NextReminderAt
	rs := Schedule(sp.Usage(), st)
	today := Date(now, st.Location)
	// A catch-up (a time no reminder is planned at) sends what the supply
	// missed before it was entered.
	catchingUp := !slices.ContainsFunc(rs, func(r Reminder) bool { return r.At.Equal(prev) })
	latest := map[string]Reminder{}
	for _, r := range rs {
		if (r.At.Before(prev) && !catchingUp) || r.At.After(now) || r.Date.Before(today) {
			continue
		}
		latest[r.Kind] = r // a late scan sends the most recent reminder of each kind, not a backlog
	}
	var msgs []*notify.Message
	for _, r := range latest {
		for _, ch := range []core.Channel{notify.ChannelPush, notify.ChannelInbox} {
			msgs = append(msgs, reminderMessage(sp, r, ch, now, locale))
		}
	}
	var next *time.Time
	if r, ok := Next(rs, now); ok {
		next = &r.At
	}
	return msgs, next
}

// reminderMessage is the outbox message of one reminder on one channel. Its
// text carries no health data (no lens type, no prescription): details are
// inside the signed-in app.
func reminderMessage(sp *Supply, r Reminder, channel core.Channel, now time.Time, locale string) *notify.Message {
	kind := r.Kind
	if r.Kind == KindRunsOut {
		kind = fmt.Sprintf("%s_%d", r.Kind, r.DaysBefore)
	}
	date := r.Date.Format(time.DateOnly)
	t := reminderTexts[locale]
	if t == nil {
		t = reminderTexts["it"]
	}
	title, body := t["runs_out_title"], t["runs_out_body"]
	if r.Kind == KindReplace {
		title, body = t["replace_title"], t["replace_body"]
	}
	if sp.MemberID != "" {
		title = t["family_title"]
	}
	return &notify.Message{
		ID: core.NewID(), CustomerID: sp.CustomerID, ShopID: sp.ShopID, Channel: channel, Purpose: notify.PurposeService,
		DedupeKey: fmt.Sprintf("%s:%s:%s:%s:%s", sp.CustomerID, sp.ID, kind, date, channel),
		Cause:     fmt.Sprintf("lens:%s:%s:%s", sp.ID, kind, date),
		Title:     title, Body: body,
		Data:  map[string]string{"link": "vista://lenses/" + sp.ID, "supply_id": sp.ID, "actions": "reorder,book_exam", "kind": r.Kind},
		DueAt: now, Status: notify.StatusPending, CreatedAt: now, UpdatedAt: now,
	}
}

// reminderTexts are what a lock screen may show: nothing about the lenses
// themselves (type, brand, prescription), which would be health data.
var reminderTexts = map[string]map[string]string{
	"it": {
		"runs_out_title": "Le tue lenti stanno per finire",
		"runs_out_body":  "Apri l'app per i dettagli: puoi riordinarle nel tuo negozio.",
		"replace_title":  "È ora di cambiare le lenti",
		"replace_body":   "Apri l'app per i dettagli.",
		"family_title":   "Promemoria lenti per la tua famiglia",
		"exam_title":     "È ora del controllo della vista",
		"exam_family":    "Controllo della vista per la tua famiglia",
		"exam_body":      "Prenota la visita dall'app, in pochi secondi.",
	},
	"en": {
		"runs_out_title": "Your lenses are running out",
		"runs_out_body":  "Open the app for details: you can reorder them at your shop.",
		"replace_title":  "Time to change your lenses",
		"replace_body":   "Open the app for details.",
		"family_title":   "Lens reminder for your family",
		"exam_title":     "Time for your eye exam",
		"exam_family":    "Eye exam due in your family",
		"exam_body":      "Book it in the app in a few seconds.",
	},
}
