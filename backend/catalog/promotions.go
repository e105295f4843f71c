package catalog

import (
	"context"
	"slices"
	"time"

	"github.com/vista-optical/vista/backend/core"
)

// PromotionInput is a promotion as staff write it.
type PromotionInput struct {
	Name       string    `json:"name" validate:"required,max=120"`
	Kind       string    `json:"kind" validate:"required,oneof=percent fixed_price"`
	PercentOff int       `json:"percent_off"`
	FixedCents int64     `json:"fixed_cents"`
	Starts     time.Time `json:"starts" validate:"required"`
	Ends       time.Time `json:"ends" validate:"required"`
	ShopIDs    []string  `json:"shop_ids" validate:"max=200,dive,max=64"`
	ProductIDs []string  `json:"product_ids" validate:"max=500,dive,max=64"`
	Categories []string  `json:"categories" validate:"max=5"`
	Tags       []string  `json:"tags" validate:"max=50,dive,tag"`
	Channels   []string  `json:"channels" validate:"max=3"`
}

// CreatePromotion stores a promotion. A manager's promotion holds in
// their own shop only; an owner's in the shops named, or all of them.
func (s *Service) CreatePromotion(ctx context.Context, in PromotionInput) (*Promotion, error) {
	a, _ := core.ActorFrom(ctx)
	if a.Kind != core.ActorStaff || !a.Role.AtLeast(core.RoleManager) {
		return nil, core.Errorf(core.EFORBIDDEN, "only managers and owners create promotions")
	}
	if err := s.check(&in); err != nil {
		return nil, err
	}
	if a.Shop != "" {
		if len(in.ShopIDs) != 0 && !slices.Equal(in.ShopIDs, []string{a.Shop}) {
			return nil, core.Invalid("a manager's promotion holds in their shop", core.FieldError{Field: "shop_ids", Code: "not_allowed", Message: "may only name your own shop"})
		}
		in.ShopIDs = []string{a.Shop}
	}
	now := s.Clock.Now()
	if in.Ends.Before(now) {
		return nil, core.Invalid("the promotion is over", core.FieldError{Field: "ends", Code: "in_the_past", Message: "must be in the future"})
	}
	if in.Starts.Before(now.AddDate(-1, 0, 0)) {
		return nil, core.Invalid("the promotion starts too long ago", core.FieldError{Field: "starts", Code: "out_of_range", Message: "must be within the last year"})
	}
	p := &Promotion{ID: core.NewID(), Name: in.Name, Kind: in.Kind, PercentOff: in.PercentOff, FixedCents: in.FixedCents,
		Starts: in.Starts.UTC().Truncate(time.Millisecond), Ends: in.Ends.UTC().Truncate(time.Millisecond),
		ShopIDs: in.ShopIDs, ProductIDs: in.ProductIDs, Categories: in.Categories, Tags: in.Tags, Channels: in.Channels}
	if fe := p.Check(); fe != nil {
		return nil, core.Invalid("the promotion is not valid", *fe)
	}
	return p, s.Promotions.CreatePromotion(ctx, p)
}

// StaffPromotions lists the current and coming promotions the actor can
// see: an owner all, a manager or assistant those holding in their shop.
func (s *Service) StaffPromotions(ctx context.Context) ([]Promotion, error) {
	a, _ := core.ActorFrom(ctx)
	if a.Kind != core.ActorStaff {
		return nil, core.Errorf(core.EFORBIDDEN, "staff only")
	}
	all, err := s.Promotions.Promotions(ctx, s.Clock.Now())
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(p Promotion) bool { return !visiblePromo(a, &p) }), nil
}

func visiblePromo(a core.Actor, p *Promotion) bool {
	return a.Shop == "" || len(p.ShopIDs) == 0 || slices.Contains(p.ShopIDs, a.Shop)
}

// DeletePromotion ends a promotion at once, for an owner, or a manager
// whose shop is its only one.
func (s *Service) DeletePromotion(ctx context.Context, id string) error {
	a, _ := core.ActorFrom(ctx)
	list, err := s.StaffPromotions(ctx)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(list, func(p Promotion) bool { return p.ID == id })
	switch {
	case i < 0:
		return core.Errorf(core.ENOTFOUND, "promotion not found")
	case !a.Role.AtLeast(core.RoleManager) || a.Shop != "" && !slices.Equal(list[i].ShopIDs, []string{a.Shop}):
		return core.Errorf(core.EFORBIDDEN, "only an owner can end a promotion of several shops")
	}
	return s.Promotions.DeletePromotion(ctx, id)
}
