package shop_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/shop"
	"github.com/vista-optical/vista/backend/validate"
)

// TestTheSetUpChecksItsOwnInputs: the set-up refuses what breaks its
// inputs' bounds on the field, whoever calls it and before it reads
// anything (the service here has no store at all).
func TestTheSetUpChecksItsOwnInputs(t *testing.T) {
	s := &shop.Service{Validator: validate.New()}
	ctx := context.Background()
	fields := func(err error) []string {
		var ce *core.Error
		if !errors.As(err, &ce) || ce.Code != core.EINVALID {
			t.Fatalf("%v, want EINVALID", err)
		}
		var out []string
		for _, f := range ce.Fields {
			out = append(out, f.Field)
		}
		return out
	}
	_, err := s.CreateShop(ctx, shop.ShopInput{Slug: "", Name: "", Phone: "12", TimeZone: "Europe/Rome"})
	if got := fields(err); !slices.Contains(got, "slug") || !slices.Contains(got, "name") || !slices.Contains(got, "phone") {
		t.Errorf("a shop with no slug, no name and a wrong phone: fields %v", got)
	}
	_, err = s.Invite(ctx, shop.InviteInput{Email: "not-an-address", Name: "Sara", Role: core.RoleAssistant})
	if got := fields(err); !slices.Equal(got, []string{"email"}) {
		t.Errorf("an invite to a wrong address: fields %v", got)
	}
}
