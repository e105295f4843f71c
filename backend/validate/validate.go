// Package validate checks input structs with go-playground/validator and
// turns its findings into core field errors named as the client wrote them
// (the json tag), with messages a client developer can show.
package validate

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/nyaruka/phonenumbers"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/media"
)

// Validator validates structs by their `validate` tags. It is safe for
// concurrent use.
type Validator struct{ v *validator.Validate }

// embedded names an embedded struct in a field path, to be dropped.
const embedded = "\x00"

// Default is the validator of a service given none (tests that build a
// service by hand); the program hands every service the one it makes.
var Default = New()

// New returns a Validator that also knows the Vista tags "e164" (a phone
// number in E.164 form that is a real number plan), "isodate"
// (YYYY-MM-DD) and "codicefiscale" (ValidTaxCode).
func New() *Validator {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		if name == "" && f.Anonymous {
			return embedded // its fields are the outer struct's, as in JSON
		}
		if name == "" {
			return f.Name
		}
		return name
	})
	// Vocabulary defined once in core, checked against it.
	_ = v.RegisterValidation("consentchannel", func(fl validator.FieldLevel) bool {
		return slices.Contains(core.ConsentChannels, core.Channel(fl.Field().String()))
	})
	_ = v.RegisterValidation("purpose", func(fl validator.FieldLevel) bool {
		return slices.Contains(core.Purposes, core.Purpose(fl.Field().String()))
	})
	_ = v.RegisterValidation("sku", func(fl validator.FieldLevel) bool { return skuPattern.MatchString(fl.Field().String()) })
	_ = v.RegisterValidation("picture", func(fl validator.FieldLevel) bool {
		u := fl.Field().String()
		if strings.HasPrefix(u, media.Path) {
			return media.ValidURL(u)
		}
		return (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) && len(u) > 8 && !strings.ContainsAny(u, " \"<>\\")
	})
	_ = v.RegisterValidation("tag", func(fl validator.FieldLevel) bool { return tagPattern.MatchString(fl.Field().String()) })
	_ = v.RegisterValidation("e164", func(fl validator.FieldLevel) bool { return ValidPhone(fl.Field().String()) })
	_ = v.RegisterValidation("codicefiscale", func(fl validator.FieldLevel) bool { return ValidTaxCode(fl.Field().String()) })
	_ = v.RegisterValidation("isodate", func(fl validator.FieldLevel) bool {
		_, err := time.Parse(time.DateOnly, fl.Field().String())
		return err == nil
	})
	return &Validator{v: v}
}

// ValidPhone reports whether s is a valid phone number written in E.164.
func ValidPhone(s string) bool {
	if !strings.HasPrefix(s, "+") || len(s) > 16 {
		return false
	}
	n, err := phonenumbers.Parse(s, "")
	if err != nil {
		return false
	}
	return phonenumbers.IsValidNumber(n) && phonenumbers.Format(n, phonenumbers.E164) == s
}

// Product codes and tags, as the catalog stores them.
var (
	skuPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	tagPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,29}$`)
)

// Struct validates s and returns nil or an EINVALID *core.Error with one
// field error per broken rule. When s is a pointer, its phone numbers are
// first made E.164 (NormalizePhones): every service reads them so.
func (v *Validator) Struct(s any) error {
	NormalizePhones(s)
	if fields := controlFields(reflect.ValueOf(s), ""); len(fields) > 0 {
		return core.Invalid("some fields hold characters that cannot be shown", fields...)
	}
	err := v.v.Struct(s)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return core.Internal(err)
	}
	fields := make([]core.FieldError, 0, len(verrs))
	for _, fe := range verrs {
		code, msg := message(fe)
		fields = append(fields, core.FieldError{Field: fieldPath(fe), Code: code, Message: msg, Param: fe.Param()})
	}
	return core.Invalid("some fields are not valid", fields...)
}

// fieldPath drops the top-level struct name: "SignupInput.consents[0].channel"
// becomes "consents[0].channel".
func fieldPath(fe validator.FieldError) string {
	ns := strings.ReplaceAll(fe.Namespace(), "."+embedded+".", ".")
	if _, rest, ok := strings.Cut(ns, "."); ok {
		return rest
	}
	return ns
}

// message returns the stable code and the English message of a failed
// check.
func message(fe validator.FieldError) (code, msg string) {
	switch fe.Tag() {
	case "required":
		return "required", "is required"
	case "email":
		return "invalid_email", "must be an e-mail address"
	case "e164":
		return "invalid_phone", "must be a phone number in international E.164 form, such as +393401234567"
	case "isodate":
		return "invalid_date", "must be a date written YYYY-MM-DD"
	case "codicefiscale":
		return "invalid_tax_code", "must be an Italian codice fiscale of 16 characters, such as RSSMRA85T10A562S, with its check character"
	case "min":
		if fe.Kind() == reflect.String {
			return "too_short", fmt.Sprintf("must be at least %s characters long", fe.Param())
		}
		return "too_small", fmt.Sprintf("must be at least %s", fe.Param())
	case "max":
		if fe.Kind() == reflect.String {
			return "too_long", fmt.Sprintf("must be at most %s characters long", fe.Param())
		}
		if fe.Kind() == reflect.Slice {
			return "too_many", fmt.Sprintf("must have at most %s items", fe.Param())
		}
		return "too_large", fmt.Sprintf("must be at most %s", fe.Param())
	case "oneof":
		return "not_allowed", "must be one of: " + strings.ReplaceAll(fe.Param(), " ", ", ")
	case "consentchannel":
		return "not_allowed", "must be one of: " + strings.Join(core.Names(core.ConsentChannels), ", ")
	case "purpose":
		return "not_allowed", "must be one of: " + strings.Join(core.Names(core.Purposes), ", ")
	case "picture":
		return "invalid_url", "must be an http(s) address or a picture uploaded to Vista"
	case "http_url", "url":
		return "invalid_url", "must be an http or https address"
	case "sku":
		return "invalid_sku", "must be 1 to 64 letters, digits, dots, dashes or underscores"
	case "tag":
		return "invalid_tag", "must be 1 to 30 lower-case letters, digits or dashes"
	case "printascii":
		return "invalid_characters", "must contain printable ASCII characters only"
	}
	return "invalid", "is not valid (" + fe.Tag() + ")"
}

// DateWithin checks that value, a YYYY-MM-DD date already known to parse,
// lies within [from, to] (dates compared by day), and returns an EINVALID
// error naming field otherwise. Every date Vista stores is bounded so that
// nothing derived from it (a run-out date, a reminder) can leave the range
// every later read and JSON encoding handles.
func DateWithin(field, value string, from, to time.Time) error {
	d, err := time.Parse(time.DateOnly, value)
	if err != nil {
		return core.Invalid("some fields are not valid", core.FieldError{Field: field, Code: "invalid_date", Message: "must be a date written YYYY-MM-DD"})
	}
	lo, hi := from.Format(time.DateOnly), to.Format(time.DateOnly)
	if day := d.Format(time.DateOnly); day < lo || day > hi {
		return core.Invalid("some fields are not valid", core.FieldError{Field: field, Code: "out_of_range", Message: "must be between " + lo + " and " + hi, Param: lo + " – " + hi})
	}
	return nil
}

// EarliestBirth is the earliest birth date accepted.
var EarliestBirth = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// HasControl reports whether s holds a character no name or free text may
// hold: C0 and C1 control characters (NUL, CR, LF, tab…), DEL, and the
// bidirectional overrides and isolates that make a text read other than it
// is stored (U+202A–U+202E, U+2066–U+2069).
func HasControl(s string) bool {
	for _, r := range s {
		switch {
		case r < 0x20, r >= 0x7f && r <= 0x9f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return true
		}
	}
	return false
}

// controlFields returns a field error for every string field of v (a
// struct, a pointer to one, or a slice of them, at any depth) that holds a
// control character, named by its json path. Every input Vista validates
// goes through it, so no stored text can hold one.
func controlFields(v reflect.Value, path string) []core.FieldError {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.String:
		if HasControl(v.String()) {
			return []core.FieldError{{Field: path, Code: "invalid_characters", Message: "must not hold control or text-direction characters"}}
		}
	case reflect.Slice, reflect.Array:
		var out []core.FieldError
		for i := range v.Len() {
			out = append(out, controlFields(v.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	case reflect.Struct:
		var out []core.FieldError
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			switch {
			case name == "" && f.Anonymous:
				name = path // an embedded struct's fields are its holder's
			case name == "":
				name = f.Name
				fallthrough
			default:
				if path != "" {
					name = path + "." + name
				}
			}
			out = append(out, controlFields(v.Field(i), name)...)
		}
		return out
	}
	return nil
}

// DefaultRegion is the country a phone number without its code is read
// in: the chain's shops are in Italy.
const DefaultRegion = "IT"

// NormalizePhones rewrites, in the struct v points to (and the structs it
// holds), every string field checked as "e164" that holds a phone number
// as people type it ("+39 035 123456", "035 123456", "0039 035…") into
// E.164, by NormalizePhone; what is not a number is left for the check to
// refuse. It is the one way every surface reads phone numbers.
func NormalizePhones(v any) {
	normalizePhones(reflect.ValueOf(v), false)
}

func normalizePhones(v reflect.Value, phone bool) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.String:
		if phone && v.CanSet() && v.String() != "" {
			if n, ok := NormalizePhone(v.String(), DefaultRegion); ok {
				v.SetString(n)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			normalizePhones(v.Index(i), false)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() {
				normalizePhones(v.Field(i), strings.Contains(f.Tag.Get("validate"), "e164"))
			}
		}
	}
}

// NormalizePhone returns s, a phone number as a person types it ("333 123
// 4567", "+39 02 1234567"), in E.164, reading a number without a country
// code as one of region; ok is false when it is not a valid number.
func NormalizePhone(s, region string) (string, bool) {
	if len(s) > 32 {
		return "", false
	}
	n, err := phonenumbers.Parse(s, region)
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", false
	}
	return phonenumbers.Format(n, phonenumbers.E164), true
}

// DisplayPhone writes a stored phone number (E.164) the way people read
// it, grouped: "+39 02 1234 5678". What it cannot read comes back as it is.
func DisplayPhone(e164 string) string {
	n, err := phonenumbers.Parse(e164, "IT")
	if err != nil {
		return e164
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
}
