package shop

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/vista-optical/vista/backend/core"
)

// ShopInput is what staff send to create or change a shop.
type ShopInput struct {
	ID       string `json:"id" validate:"omitempty,max=64"`
	Slug     string `json:"slug" validate:"required,max=64"`
	Name     string `json:"name" validate:"required,max=120"`
	City     string `json:"city" validate:"max=80"`
	Address  string `json:"address" validate:"max=200"`
	Phone    string `json:"phone" validate:"omitempty,e164"`
	TimeZone string `json:"time_zone" validate:"required,max=64"`
	Hours    Hours  `json:"hours"`
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func (in *ShopInput) check() error {
	if !slugPattern.MatchString(in.Slug) {
		return core.Invalid("the slug is not valid", core.FieldError{Field: "slug", Code: "invalid_slug", Message: "lower-case letters, digits and single hyphens"})
	}
	if in.ID != "" && !slugPattern.MatchString(in.ID) && !strings.HasPrefix(in.ID, "shop-") {
		return core.Invalid("the id is not valid", core.FieldError{Field: "id", Code: "invalid_slug", Message: "lower-case letters, digits and single hyphens"})
	}
	if _, err := time.LoadLocation(in.TimeZone); err != nil || in.TimeZone == "Local" {
		return core.Invalid("the time zone is not known", core.FieldError{Field: "time_zone", Code: "invalid_time_zone", Message: "must be an IANA time zone such as Europe/Rome"})
	}
	if fe := in.Hours.Check(); fe != nil {
		return core.Invalid("the opening hours are not valid", *fe)
	}
	return nil
}

// CreateShop adds a shop to the chain: owners only. Its id (the shop_id
// customers pick) is "shop-" and the slug unless given.
func (s *Service) CreateShop(ctx context.Context, in ShopInput) (*Shop, error) {
	if err := s.check(&in); err != nil {
		return nil, err
	}
	a, err := staffActor(ctx)
	if err != nil {
		return nil, err
	}
	if a.Role != core.RoleOwner {
		return nil, core.Errorf(core.EFORBIDDEN, "only the owner adds shops")
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	if in.ID == "" {
		in.ID = "shop-" + in.Slug
	}
	sh := &Shop{ID: in.ID, Slug: in.Slug, Name: in.Name, City: in.City, Address: in.Address, Phone: in.Phone,
		TimeZone: in.TimeZone, Hours: in.Hours, CreatedAt: s.Clock.Now()}
	if err := s.Store.CreateShop(ctx, sh); err != nil {
		if core.IsCode(err, core.ECONFLICT) {
			return nil, core.Invalid("a shop has this id or slug", core.FieldError{Field: "slug", Code: "taken", Message: "is taken by another shop"})
		}
		return nil, err
	}
	return sh, nil
}

// UpdateShop changes a shop: the owner, or the manager of that shop. The
// id stays.
func (s *Service) UpdateShop(ctx context.Context, id string, in ShopInput) (*Shop, error) {
	if err := s.check(&in); err != nil {
		return nil, err
	}
	a, err := staffActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.CanSeeShop(id) {
		return nil, core.Errorf(core.ENOTFOUND, "shop not found")
	}
	if !a.Role.AtLeast(core.RoleManager) {
		return nil, core.Errorf(core.EFORBIDDEN, "a manager or the owner changes a shop")
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	sh, err := s.Store.Shop(ctx, id)
	if err != nil {
		return nil, err
	}
	sh.Slug, sh.Name, sh.City, sh.Address, sh.Phone, sh.TimeZone, sh.Hours = in.Slug, in.Name, in.City, in.Address, in.Phone, in.TimeZone, in.Hours
	if err := s.Store.UpdateShop(ctx, sh); err != nil {
		if core.IsCode(err, core.ECONFLICT) {
			return nil, core.Invalid("a shop has this slug", core.FieldError{Field: "slug", Code: "taken", Message: "is taken by another shop"})
		}
		return nil, err
	}
	return sh, nil
}

// VisibleShop returns a shop the staff member in ctx may see, or
// ENOTFOUND.
func (s *Service) VisibleShop(ctx context.Context, id string) (*Shop, error) {
	a, err := staffActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.CanSeeShop(id) {
		return nil, core.Errorf(core.ENOTFOUND, "shop not found")
	}
	return s.Store.Shop(ctx, id)
}

// Operator commands: no one is signed in; the operator at the server's
// command line acts for the chain.

// OperatorShops lists every shop of the chain, for the operator at the
// command line (the start-up banner).
func (s *Service) OperatorShops(ctx context.Context) ([]*Shop, error) { return s.Store.Shops(ctx) }
