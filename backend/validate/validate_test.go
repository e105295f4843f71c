package validate_test

import (
	"testing"

	"github.com/vista-optical/vista/backend/validate"
)

// TestNormalizePhones: every e164 field, in nested structs and behind
// pointers, becomes E.164 however it was typed; a field not checked as a
// phone, and a value that is no number, stay as they were.
func TestNormalizePhones(t *testing.T) {
	type contact struct {
		Phone string `validate:"omitempty,e164"`
	}
	type form struct {
		Phone   string  `validate:"omitempty,e164"`
		Mobile  *string `validate:"omitempty,e164"`
		Note    string  `validate:"max=100"`
		Contact contact
		Guest   *contact
		Others  []contact
		None    *contact
	}
	mobile := "333 123 4567"
	f := form{Phone: "+39 035 123456", Mobile: &mobile, Note: "035 123456", Contact: contact{Phone: "0039 035 123456"},
		Guest: &contact{Phone: "035 123456"}, Others: []contact{{Phone: "02 1234 5678"}, {Phone: "340 12"}}}
	validate.NormalizePhones(&f)
	for name, c := range map[string][2]string{
		"phone":         {f.Phone, "+39035123456"},
		"mobile":        {*f.Mobile, "+393331234567"},
		"note":          {f.Note, "035 123456"},
		"contact":       {f.Contact.Phone, "+39035123456"},
		"guest":         {f.Guest.Phone, "+39035123456"},
		"others[0]":     {f.Others[0].Phone, "+390212345678"},
		"others[1] bad": {f.Others[1].Phone, "340 12"},
	} {
		if c[0] != c[1] {
			t.Errorf("%s: %q, want %q", name, c[0], c[1])
		}
	}
	bad := contact{Phone: "340 12"}
	validate.NormalizePhones(&bad)
	if err := validate.New().Struct(&bad); err == nil {
		t.Error("a number that is not one passed the e164 check after normalising")
	}
}

func TestNormalizePhone(t *testing.T) {
	for in, want := range map[string]string{
		"+39 035 123456": "+39035123456", "035 123456": "+39035123456", "0039 035 123456": "+39035123456",
		"333 123 4567": "+393331234567", "+41 44 668 18 00": "+41446681800", "(02) 1234-5678": "+390212345678",
	} {
		if got, ok := validate.NormalizePhone(in, validate.DefaultRegion); !ok || got != want {
			t.Errorf("%q: %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "340 12", "abc", "+39", "0039"} {
		if got, ok := validate.NormalizePhone(in, validate.DefaultRegion); ok {
			t.Errorf("%q read as %q, want refused", in, got)
		}
	}
}

func TestDisplayPhone(t *testing.T) {
	for in, want := range map[string]string{
		"+390212345678": "+39 02 1234 5678", "+393331234567": "+39 333 123 4567", "+41446681800": "+41 44 668 18 00", "": "", "nope": "nope",
	} {
		if got := validate.DisplayPhone(in); got != want {
			t.Errorf("DisplayPhone(%q) = %q, want %q", in, got, want)
		}
	}
}
