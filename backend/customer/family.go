package customer

import (
	"context"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/validate"
)

// FamilyMember is a person a customer looks after in the app — a child
// above all — who has no account: their lenses and bookings are managed
// by the customer. A family member is a person in every report, never an
// account.
type FamilyMember struct {
	ID         string    `json:"id"`
	CustomerID string    `json:"-"`
	FirstName  string    `json:"first_name"`
	LastName   string    `json:"last_name"`
	BirthDate  string    `json:"birth_date"`
	Relation   string    `json:"relation"`
	CreatedAt  time.Time `json:"created_at"`
}

// FamilyStore keeps family members.
type FamilyStore interface {
	// CreateFamilyMember stores f.
	CreateFamilyMember(ctx context.Context, f *FamilyMember) error
	// FamilyMember returns the customer's family member with id; ENOTFOUND
	// when absent or someone else's.
	FamilyMember(ctx context.Context, customerID, id string) (*FamilyMember, error)
	// FamilyMembers lists a customer's family, oldest entry first.
	FamilyMembers(ctx context.Context, customerID string) ([]*FamilyMember, error)
	// DeleteFamilyMember removes one; ENOTFOUND when absent.
	DeleteFamilyMember(ctx context.Context, customerID, id string) error
	// DeleteFamilyMembers removes a customer's whole family (erasure).
	DeleteFamilyMembers(ctx context.Context, customerID string) error
}

// FamilyInput adds a family member.
type FamilyInput struct {
	FirstName string `json:"first_name" validate:"required,max=100"`
	LastName  string `json:"last_name" validate:"required,max=100"`
	BirthDate string `json:"birth_date" validate:"required,isodate"`
	Relation  string `json:"relation" validate:"required,oneof=child partner parent other"`
}

// AddFamilyMember adds a person the signed-in customer looks after.
func (s *Service) AddFamilyMember(ctx context.Context, in FamilyInput) (*FamilyMember, error) {
	id, err := customerID(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.Validator.Struct(in); err != nil {
		return nil, err
	}
	if b, err := time.Parse(time.DateOnly, in.BirthDate); err != nil || b.After(s.Clock.Now()) || b.Before(validate.EarliestBirth) {
		return nil, core.Invalid("birth date is not valid", core.FieldError{Field: "birth_date", Message: "must be a real date of birth"})
	}
	if _, err := s.active(ctx, id); err != nil {
		return nil, err
	}
	if family, err := s.Family.FamilyMembers(ctx, id); err != nil {
		return nil, err
	} else if len(family) >= MaxFamilyMembers {
		return nil, core.Errorf(core.ECONFLICT, "a family holds at most %d people: remove one first", MaxFamilyMembers)
	}
	f := &FamilyMember{ID: core.NewID(), CustomerID: id, FirstName: in.FirstName, LastName: in.LastName,
		BirthDate: in.BirthDate, Relation: in.Relation, CreatedAt: s.Clock.Now()}
	if err := s.Family.CreateFamilyMember(ctx, f); err != nil {
		return nil, err
	}
	return f, nil
}

// FamilyOf lists the signed-in customer's family members.
func (s *Service) FamilyOf(ctx context.Context) ([]*FamilyMember, error) {
	id, err := customerID(ctx)
	if err != nil {
		return nil, err
	}
	return s.Family.FamilyMembers(ctx, id)
}

// RemoveFamilyMember removes one of the signed-in customer's family members.
func (s *Service) RemoveFamilyMember(ctx context.Context, memberID string) error {
	id, err := customerID(ctx)
	if err != nil {
		return err
	}
	return s.Family.DeleteFamilyMember(ctx, id, memberID)
}

// CustomerID returns the signed-in customer's id, or EUNAUTHORIZED.
func CustomerID(ctx context.Context) (string, error) { return customerID(ctx) }

// MaxFamilyMembers is how many people one customer may look after.
const MaxFamilyMembers = 10
