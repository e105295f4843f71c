package customer

import (
	"context"
	"time"

	"github.com/vista-optical/vista/backend/privacy"
)

// Export is everything Vista holds on a customer.
type Export struct {
	CustomerID string         `json:"customer_id"`
	ExportedAt time.Time      `json:"exported_at"`
	Sections   map[string]any `json:"sections"`
}

// ExportMe returns everything held on the signed-in customer, one part per
// registered privacy section.
func (s *Service) ExportMe(ctx context.Context) (*Export, error) {
	c, err := s.Me(ctx)
	if err != nil {
		return nil, err
	}
	out := &Export{CustomerID: c.ID, ExportedAt: s.Clock.Now(), Sections: map[string]any{}}
	for _, sec := range s.Privacy.Sections() {
		v, err := sec.Export(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		out.Sections[sec.Name] = v
	}
	if err := s.Audit.Record(ctx, "customer.exported", c.ID, c.ShopID, ""); err != nil {
		return nil, err
	}
	return out, nil
}

// EraseMe erases the signed-in customer: every privacy section removes
// what it holds, then the profile is reduced to its id. It can be run
// again after an interruption.
func (s *Service) EraseMe(ctx context.Context) error {
	c, err := s.Me(ctx)
	if err != nil {
		return err
	}
	return s.erase(ctx, c)
}

func (s *Service) erase(ctx context.Context, c *Customer) error {
	if err := s.Audit.Record(ctx, "customer.erasure_started", c.ID, c.ShopID, ""); err != nil {
		return err
	}
	// First, so that no token of the account can add anything while the
	// sections erase: every instance refuses them from its next sync on,
	// this one at once.
	if s.Revoked != nil {
		if err := s.Revoked.Revoke(ctx, c.ID, true); err != nil {
			return err
		}
	}
	for _, sec := range s.Privacy.Sections() {
		if sec.Erase == nil {
			continue
		}
		if err := sec.Erase(ctx, c.ID); err != nil {
			return err
		}
	}
	if err := s.Store.EraseCustomer(ctx, c.ID, s.Clock.Now()); err != nil {
		return err
	}
	return s.Audit.Record(ctx, "customer.erased", c.ID, c.ShopID, "")
}

// Sections returns the privacy sections this package owns, for the
// registry.
func (s *Service) Sections() []privacy.Section {
	return []privacy.Section{
		{
			Name: "profile", Collections: []string{"customers", "customer_keys"},
			Export: func(ctx context.Context, id string) (any, error) { return s.Store.Customer(ctx, id) },
			Kept:   "the profile is reduced to its id by the erasure itself, after every other section",
		},
		{
			Name: "consents", Collections: []string{"consent_events"},
			Export: func(ctx context.Context, id string) (any, error) {
				events, err := s.Store.ConsentEvents(ctx, id, s.Clock.Now())
				if err != nil {
					return nil, err
				}
				return map[string]any{"events": events, "current": DeriveConsents(events)}, nil
			},
			Erase: s.Store.DeleteConsentEvents,
		},
		{
			Name: "family", Collections: []string{"family_members"},
			Export: func(ctx context.Context, id string) (any, error) { return s.Family.FamilyMembers(ctx, id) },
			Erase:  s.Family.DeleteFamilyMembers,
		},
		{
			Name: "devices", Collections: []string{"devices"},
			Export: func(ctx context.Context, id string) (any, error) { return s.Store.Devices(ctx, id) },
			Erase:  s.Store.DeleteDevices,
		},
	}
}
