package customer

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/validate"
)

// ListForStaff lists one page (at most 200, 50 by default) of the
// customers of a shop the staff member in ctx may see, with the After of
// the next page ("" after the last). ENOTFOUND for a shop outside their
// scope, EINVALID for an After that no page gave.
func (s *Service) ListForStaff(ctx context.Context, shop string, p core.Page) ([]*Customer, string, error) {
	a, _ := core.ActorFrom(ctx)
	if !a.CanSeeShop(shop) {
		return nil, "", core.Errorf(core.ENOTFOUND, "shop not found")
	}
	if p.Limit <= 0 || p.Limit > 200 {
		p.Limit = 50
	}
	return core.Paged(p, func(p core.Page) ([]*Customer, error) { return s.Store.CustomersByShop(ctx, shop, p) }, Place)
}

// Place is where a customer sits in a shop's list, newest first.
func Place(c *Customer) core.Cursor { return core.Cursor{At: c.CreatedAt, ID: c.ID} }

// GetForStaff returns a customer to the staff member in ctx, recording the
// read in the audit log. ENOTFOUND for customers outside their scope.
func (s *Service) GetForStaff(ctx context.Context, id string) (*Customer, error) {
	c, err := s.visibleToStaff(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.Audit.Record(ctx, "customer.viewed", c.ID, c.ShopID, "profile"); err != nil {
		return nil, err
	}
	return c, nil
}

// LabelForStaff is how a shop's own lists (reorder requests, recalls,
// dead letters) name the customer on a line: name and phone, or a dash
// once erased. The line itself is the shop's, so a customer whose home
// shop is another is named too; only staff get a name.
func (s *Service) LabelForStaff(ctx context.Context, id string) string {
	a, _ := core.ActorFrom(ctx)
	c, err := s.Store.Customer(ctx, id)
	if a.Kind != core.ActorStaff || err != nil {
		return "—"
	}
	return label(c)
}

// MaxBatch bounds the ids one batch read of customers asks for.
const MaxBatch = 500

// LabelsForStaff is LabelForStaff for many customers, read in batches of
// MaxBatch: each id's label (a dash for one erased, unknown, or when the
// reader is not staff). The lists of the console name their rows with it,
// one read per page rather than one per row.
func (s *Service) LabelsForStaff(ctx context.Context, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	for _, id := range ids {
		out[id] = "—"
	}
	if a, _ := core.ActorFrom(ctx); a.Kind != core.ActorStaff {
		return out, nil
	}
	uniq := slices.Compact(slices.Sorted(maps.Keys(out)))
	for batch := range slices.Chunk(uniq, MaxBatch) {
		cs, err := s.Store.CustomersByIDs(ctx, batch)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			out[c.ID] = label(c)
		}
	}
	return out, nil
}

// label is how staff lists name an active customer; a dash once erased.
func label(c *Customer) string {
	if c.Status != StatusActive {
		return "—"
	}
	n := c.FirstName + " " + c.LastName
	if c.Phone != "" {
		n += " · " + validate.DisplayPhone(c.Phone)
	}
	return n
}

// VisibleShop returns the home shop of a customer the staff member in ctx
// may see, recording the read as GetForStaff does. ENOTFOUND otherwise.
func (s *Service) VisibleShop(ctx context.Context, id string) (string, error) {
	c, err := s.GetForStaff(ctx, id)
	if err != nil {
		return "", err
	}
	return c.ShopID, nil
}

// ConsentsAtForStaff reconstructs a customer's consents as they stood at
// time at (now, by the service clock, when at is zero), from the events
// (T37), and returns the instant it used.
func (s *Service) ConsentsAtForStaff(ctx context.Context, id string, at time.Time) (ConsentState, []ConsentEvent, time.Time, error) {
	if at.IsZero() {
		at = s.Clock.Now()
	}
	state, events, err := s.consentsAt(ctx, id, at)
	return state, events, at, err
}

func (s *Service) consentsAt(ctx context.Context, id string, at time.Time) (ConsentState, []ConsentEvent, error) {
	c, err := s.visibleToStaff(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	events, err := s.Store.ConsentEvents(ctx, c.ID, at)
	if err != nil {
		return nil, nil, err
	}
	if err := s.Audit.Record(ctx, "customer.consents_viewed", c.ID, c.ShopID, ""); err != nil {
		return nil, nil, err
	}
	return DeriveConsents(events), events, nil
}

func (s *Service) visibleToStaff(ctx context.Context, id string) (*Customer, error) {
	a, _ := core.ActorFrom(ctx)
	c, err := s.Store.Customer(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Status != StatusActive || !a.CanSeeShop(c.ShopID) {
		return nil, core.Errorf(core.ENOTFOUND, "customer not found")
	}
	return c, nil
}

// FindAtDesk returns the active customer with exactly this e-mail to the
// staff member in ctx, whatever their home shop (the customer is standing
// at the desk and says it), recording the look-up in the audit log. It
// finds no one from a partial address. ENOTFOUND when there is none.
func (s *Service) FindAtDesk(ctx context.Context, email string) (*Customer, error) {
	a, _ := core.ActorFrom(ctx)
	if a.Kind != core.ActorStaff {
		return nil, core.Errorf(core.EFORBIDDEN, "staff only")
	}
	c, err := s.Store.CustomerByEmail(ctx, core.NormalizeEmail(email))
	if err != nil {
		return nil, err
	}
	if err := s.Audit.Record(ctx, "customer.found_at_desk", c.ID, a.Shop, "e-mail"); err != nil {
		return nil, err
	}
	return c, nil
}
