package customer

import (
	"context"
	"strings"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/validate"
)

// CounterInput is a customer created by staff for someone in the shop:
// most of a shop's customers never install the app.
type CounterInput struct {
	FirstName string `json:"first_name" validate:"required,max=100"`
	LastName  string `json:"last_name" validate:"required,max=100"`
	Phone     string `json:"phone" validate:"omitempty,e164"`
	Email     string `json:"email" validate:"omitempty,email,max=254"`
	BirthDate string `json:"birth_date" validate:"omitempty,isodate"`
	TaxCode   string `json:"tax_code" validate:"omitempty,codicefiscale"`
	Address   string `json:"address" validate:"max=200"`
	// ShopID is the home shop: one the staff member works for.
	ShopID string `json:"shop_id" validate:"required,max=64"`
	Locale string `json:"locale" validate:"omitempty,oneof=it en"`
	// Consents collected at the counter, on the text of TextVersion: each
	// is recorded as an event whose source names the staff member.
	Consents    []ConsentChoice `json:"consents" validate:"max=15,dive"`
	TextVersion string          `json:"text_version" validate:"required_with=Consents,max=100"`
}

// Counter is a customer just created at the counter, with the records
// that may be the same person (same phone or codice fiscale): a warning
// for staff, who may merge them.
type Counter struct {
	Customer   *Customer   `json:"customer"`
	Duplicates []*Customer `json:"possible_duplicates"`
}

// ConsentSourceCounter is how a consent collected at the counter names
// its source: "counter:" and the staff member who collected it.
const ConsentSourceCounter = "counter:"

// CreateAtCounter creates a customer for the staff member in ctx, in one
// of their shops. Adults only: a minor is added as a family member of an
// adult. ECONFLICT on the e-mail when another record has it (the e-mail
// names one account); a shared phone or codice fiscale is only reported.
func (s *Service) CreateAtCounter(ctx context.Context, in CounterInput) (*Counter, error) {
	in.Email = core.NormalizeEmail(in.Email)
	in.FirstName, in.LastName = strings.TrimSpace(in.FirstName), strings.TrimSpace(in.LastName)
	in.TaxCode, in.Address = validate.NormalizeTaxCode(in.TaxCode), strings.TrimSpace(in.Address)
	if err := s.Validator.Struct(&in); err != nil {
		return nil, err
	}
	a, _ := core.ActorFrom(ctx)
	if a.Kind != core.ActorStaff {
		return nil, core.Errorf(core.EFORBIDDEN, "staff only")
	}
	if !a.CanSeeShop(in.ShopID) {
		return nil, core.Invalid("unknown shop", core.FieldError{Field: "shop_id", Message: "is not a shop of yours"})
	}
	if err := s.checkShop(ctx, in.ShopID); err != nil {
		return nil, err
	}
	if in.BirthDate != "" {
		if err := s.checkAdult(in.BirthDate); err != nil {
			return nil, err
		}
	}
	dups, err := s.Store.CustomersByContact(ctx, in.Phone, in.TaxCode)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	c := &Customer{ID: core.NewID(), Email: in.Email, FirstName: in.FirstName, LastName: in.LastName, Phone: in.Phone,
		BirthDate: in.BirthDate, TaxCode: in.TaxCode, Address: in.Address, ShopID: in.ShopID, Locale: orDefault(in.Locale, "it"),
		Origin: OriginCounter, Status: StatusActive, CreatedAt: now, UpdatedAt: now}
	if err := s.Store.CreateCustomer(ctx, c); err != nil {
		if core.IsCode(err, core.ECONFLICT) {
			return nil, &core.Error{Code: core.ECONFLICT, Message: "a customer with this e-mail already exists: search for them instead",
				Fields: []core.FieldError{{Field: "email", Code: "email_taken", Message: "belongs to another customer: search for them instead"}}}
		}
		return nil, err
	}
	if len(in.Consents) > 0 {
		if _, err := s.appendConsents(ctx, c.ID, in.Consents, ConsentSourceCounter+a.ID, in.TextVersion); err != nil {
			return nil, err
		}
	}
	if err := s.Audit.Record(ctx, "customer.created_at_counter", c.ID, c.ShopID, ""); err != nil {
		return nil, err
	}
	return &Counter{Customer: c, Duplicates: dups}, nil
}

// checkAdult refuses a birth date that is not a real one, or a minor's.
func (s *Service) checkAdult(birth string) error {
	age, err := s.age(birth)
	if err != nil {
		return err
	}
	if age < AgeOfMajority {
		return core.Invalid("a minor is added as a family member of an adult",
			core.FieldError{Field: "birth_date", Code: "minor", Message: "under 18: add them as a family member of a parent"})
	}
	return nil
}

// AgeOfMajority is the age from which a customer may have a record of
// their own at the counter.
const AgeOfMajority = 18
