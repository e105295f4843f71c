// Package core holds the few primitives every Vista package shares: the
// error type and its codes, the acting principal carried in a context, the
// clock and identifiers. It depends on nothing else in Vista.
package core

import (
	"errors"
	"fmt"
)

// Error codes. The HTTP layer maps each to exactly one status; nothing below
// the HTTP layer knows about status codes.
const (
	EINVALID      = "invalid"      // the input is well formed but breaks a rule (422)
	EMALFORMED    = "malformed"    // the input cannot be read at all (400)
	EUNAUTHORIZED = "unauthorized" // no valid credential (401)
	EFORBIDDEN    = "forbidden"    // a valid credential without the right (403)
	ENOTFOUND     = "not_found"    // missing, or not visible to the caller (404)
	ECONFLICT     = "conflict"     // the change collides with existing state (409)
	ETOOMANY      = "too_many"     // a rate limit was hit (429)
	EGONE         = "gone"         // existed once and is used up or expired: a one-time link (410)
	EUNAVAILABLE  = "unavailable"  // a dependency is down; retry later (503)
	EINTERNAL     = "internal"     // a bug or an unexpected failure (500)
)

// FieldError names one input field and what is wrong with it, in words a
// client developer can show next to the field.
type FieldError struct {
	Field string `json:"field"`
	// Code is stable for the app to translate: required, too_long,
	// invalid_date… ("invalid" when nothing more precise is known).
	Code    string `json:"code"`
	Message string `json:"message"`
	// Param is the bound a code refers to (the 100 of too_long), for
	// messages in other languages.
	Param string `json:"-"`
}

// Error is the one error type that crosses package boundaries in Vista. Its
// Message is safe to show to the caller; internal details stay in the
// wrapped error, which is logged and never shown.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted public message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error that carries field-level messages.
func Invalid(message string, fields ...FieldError) *Error {
	return &Error{Code: EINVALID, Message: message, Fields: fields}
}

// Internal wraps an unexpected error: the cause is kept for logs only.
func Internal(err error) *Error {
	return &Error{Code: EINTERNAL, Message: "internal error", Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// IsCode reports whether err carries the given code.
func IsCode(err error, code string) bool { return ErrorCode(err) == code }
