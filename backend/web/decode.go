package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/validate"
)

// MaxJSONDepth is the deepest nesting of objects and arrays accepted.
const MaxJSONDepth = 32

// Decode reads the request body as one JSON value into v. It answers 415
// for another content type, 400 for malformed JSON, unknown fields, nesting
// deeper than MaxJSONDepth or trailing data. The body size limit is the
// app's BodyLimit (413).
func Decode(c *fiber.Ctx, v any) error {
	if err := BodyOfType(c, fiber.MIMEApplicationJSON); err != nil {
		return err
	}
	return DecodeJSON(c.Body(), v)
}

// CSVTypes are the content types a CSV upload arrives with: browsers on
// Windows label a .csv file as Excel's, some tools as plain text.
var CSVTypes = []string{"text/csv", "application/csv", "text/plain", "application/vnd.ms-excel"}

// BodyOfType answers 415 unless the request's Content-Type is one of
// types (parameters such as charset aside); the first names the answer.
func BodyOfType(c *fiber.Ctx, types ...string) error {
	ct := strings.ToLower(strings.TrimSpace(strings.SplitN(c.Get(fiber.HeaderContentType), ";", 2)[0]))
	if !slices.Contains(types, ct) {
		return fiber.NewError(fiber.StatusUnsupportedMediaType, "the body must be "+types[0])
	}
	return nil
}

// requests checks the bounds a request's fields declare in their validate
// tags.
var requests = validate.New()

// DecodeValid is Decode, then phone numbers made E.164 (as people type
// them) and the checks of v's validate tags (validate.Validator.Struct):
// 422 with a message per field that breaks one.
func DecodeValid(c *fiber.Ctx, v any) error {
	if err := Decode(c, v); err != nil {
		return err
	}
	return requests.Struct(v)
}

// DecodeJSON is Decode without the HTTP part: strict decoding of one JSON
// value from body into v.
func DecodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return core.Errorf(core.EMALFORMED, "the body is empty: a JSON object is expected")
	}
	if depth(body) > MaxJSONDepth {
		return core.Errorf(core.EMALFORMED, "the JSON is nested deeper than %d levels", MaxJSONDepth)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return malformed(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return core.Errorf(core.EMALFORMED, "the body holds more than one JSON value")
	}
	return nil
}

func malformed(err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syn):
		return core.Errorf(core.EMALFORMED, "the body is not valid JSON (at byte %d)", syn.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(body)"
		}
		return &core.Error{Code: core.EMALFORMED, Message: "a field has the wrong JSON type",
			Fields: []core.FieldError{{Field: field, Message: fmt.Sprintf("must be %s", jsonKind(typ.Type.Kind().String()))}}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &core.Error{Code: core.EMALFORMED, Message: "the body has a field this endpoint does not know",
			Fields: []core.FieldError{{Field: name, Message: "is not a known field"}}}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return core.Errorf(core.EMALFORMED, "the body ends in the middle of a JSON value")
	}
	return core.Errorf(core.EMALFORMED, "the body is not valid JSON")
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	}
	return "a number"
}

// depth returns the deepest nesting of [ and { in a JSON text, ignoring
// brackets inside strings. It stops counting past MaxJSONDepth+1.
func depth(b []byte) int {
	d, deepest, inString, escaped := 0, 0, false, false
	for _, ch := range b {
		switch {
		case escaped:
			escaped = false
		case inString && ch == '\\':
			escaped = true
		case ch == '"':
			inString = !inString
		case inString:
		case ch == '{' || ch == '[':
			d++
			if d > deepest {
				deepest = d
				if deepest > MaxJSONDepth {
					return deepest
				}
			}
		case ch == '}' || ch == ']':
			d--
		}
	}
	return deepest
}

// Valid makes the phone numbers of the struct v points to E.164 and
// checks its validate tags, for a value a surface built from a form rather
// than decoded from JSON.
func Valid(v any) error { return requests.Struct(v) }
