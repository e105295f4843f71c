package validate

import (
	"errors"
	"strings"
	"testing"

	"github.com/vista-optical/vista/backend/core"
)

func TestValidTaxCode(t *testing.T) {
	for _, c := range []struct {
		code string
		ok   bool
		why  string
	}{
		{"RSSMRA85T10A562S", true, "Mario Rossi, born 10 December 1985 in Bagnacavallo"},
		{"RSSMRA85T10A562T", false, "a wrong check character"},
		{"RSSMRA85T50A562W", true, "a woman's day (10 + 40)"},
		{"RSSMRA85T10A56NW", false, "an omocodia letter that breaks the check"},
		{"RSSMRA85T10A56NH", true, "omocodia: N stands for 2 in the place code"},
		{"RSSMRA85Z10A562S", false, "no month Z"},
		{"RSSMRA85T32A562S", false, "day 32"},
		{"RSSMRA85T00A562S", false, "day 0"},
		{"RSSMRA85T10A562", false, "fifteen characters"},
		{"RSSMRA85T10A562SX", false, "seventeen characters"},
		{"rssmra85t10a562s", false, "lower case (normalise first)"},
		{"RSSMR485T10A562S", false, "a digit among the name's letters"},
		{"", false, "empty"},
	} {
		if got := ValidTaxCode(c.code); got != c.ok {
			t.Errorf("%s (%s): %v, want %v", c.code, c.why, got, c.ok)
		}
	}
	if got := NormalizeTaxCode(" rssmra 85t10 a562s "); got != "RSSMRA85T10A562S" || !ValidTaxCode(got) {
		t.Errorf("normalised %q", got)
	}
}

// TestTaxCodeCatchesOneWrongCharacter: typing any one of the first
// fifteen characters wrong (within what that place allows) breaks the
// check, as the check character is there to do.
func TestTaxCodeCatchesOneWrongCharacter(t *testing.T) {
	const good = "RSSMRA85T10A562S"
	for i := range 15 {
		for _, r := range "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" {
			if byte(r) == good[i] {
				continue
			}
			typo := good[:i] + string(r) + good[i+1:]
			if ValidTaxCode(typo) {
				t.Errorf("%s (place %d typed %c) passes", typo, i+1, r)
			}
		}
	}
}

func FuzzValidTaxCode(f *testing.F) {
	for _, s := range []string{"RSSMRA85T10A562S", "RSSMRA85T10A56NH", "", "ÀÀÀÀÀÀ85T10A562S", strings.Repeat("Z", 16)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeTaxCode(s)
		if ValidTaxCode(n) && NormalizeTaxCode(n) != n {
			t.Fatalf("%q is valid but not normalised", n)
		}
		if ValidTaxCode(s) && len(s) != 16 {
			t.Fatalf("%q valid with %d bytes", s, len(s))
		}
	})
}

// TestTaxCodeTag: the tag refuses a wrong code on its field, with a
// stable code the app and the console translate.
func TestTaxCodeTag(t *testing.T) {
	type in struct {
		TaxCode string `json:"tax_code" validate:"omitempty,codicefiscale"`
	}
	v := New()
	if err := v.Struct(&in{TaxCode: "RSSMRA85T10A562S"}); err != nil {
		t.Fatalf("a valid code: %v", err)
	}
	if err := v.Struct(&in{}); err != nil {
		t.Fatalf("no code: %v", err)
	}
	var ce *core.Error
	if err := v.Struct(&in{TaxCode: "RSSMRA85T10A562T"}); !errors.As(err, &ce) || len(ce.Fields) != 1 ||
		ce.Fields[0].Field != "tax_code" || ce.Fields[0].Code != "invalid_tax_code" {
		t.Fatalf("a wrong code: %v", err)
	}
}
