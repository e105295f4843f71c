package customer

import (
	"context"
	"strings"

	"github.com/vista-optical/vista/backend/core"
)

// Me returns the signed-in customer. EUNAUTHORIZED when the account was
// erased after the token was issued.
func (s *Service) Me(ctx context.Context) (*Customer, error) {
	id, err := customerID(ctx)
	if err != nil {
		return nil, err
	}
	return s.active(ctx, id)
}

// ProfileInput is a change of the signed-in customer's profile; absent
// fields are left as they are.
type ProfileInput struct {
	// Email changes only once the new address opens the link sent to it.
	Email     *string `json:"email,omitempty" validate:"omitempty,email,max=254"`
	FirstName *string `json:"first_name,omitempty" validate:"omitempty,min=1,max=100"`
	LastName  *string `json:"last_name,omitempty" validate:"omitempty,min=1,max=100"`
	Phone     *string `json:"phone,omitempty" validate:"omitempty,e164|len=0"`
	ShopID    *string `json:"shop_id,omitempty" validate:"omitempty,max=64"`
	Locale    *string `json:"locale,omitempty" validate:"omitempty,oneof=it en"`
}

// UpdateMe changes the signed-in customer's profile.
func (s *Service) UpdateMe(ctx context.Context, in ProfileInput) (*Customer, error) {
	id, err := customerID(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.Validator.Struct(&in); err != nil {
		return nil, err
	}
	if in.ShopID != nil && *in.ShopID != "" {
		if err := s.checkShop(ctx, *in.ShopID); err != nil {
			return nil, err
		}
	}
	c, err := s.Store.UpdateCustomer(ctx, id, Update{
		FirstName: trimmed(in.FirstName), LastName: trimmed(in.LastName), Phone: in.Phone, ShopID: in.ShopID, Locale: in.Locale,
	}, s.Clock.Now())
	if core.IsCode(err, core.ENOTFOUND) {
		return nil, errAccountClosed
	} else if err != nil {
		return nil, err
	}
	if in.Email != nil {
		if next := core.NormalizeEmail(*in.Email); next != c.Email {
			if err := s.requestEmailChange(ctx, c, next); err != nil {
				return nil, err
			}
			c.PendingEmail = next
		}
	}
	return c, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func trimmed(p *string) *string {
	if p == nil {
		return nil
	}
	t := strings.TrimSpace(*p)
	return &t
}
