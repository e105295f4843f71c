// Package web is the HTTP plumbing every Vista surface shares: the Fiber
// app and its limits, the route table with an auth class on every route,
// the one place errors become application/problem+json (RFC 9457), JSON
// decoding with limits, rate limits kept in the database, request ids,
// security headers, CORS, metrics and access logs.
package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/ratelimit"
)

// Problem is an RFC 9457 problem document, with the field errors of a
// rejected input in Errors.
type Problem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail,omitempty"`
	Instance  string            `json:"instance,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
	Errors    []core.FieldError `json:"errors,omitempty"`
}

// statusOf is the one map from error codes to HTTP statuses.
var statusOf = map[string]int{
	core.EMALFORMED:    http.StatusBadRequest,
	core.EINVALID:      http.StatusUnprocessableEntity,
	core.EUNAUTHORIZED: http.StatusUnauthorized,
	core.EFORBIDDEN:    http.StatusForbidden,
	core.ENOTFOUND:     http.StatusNotFound,
	core.ECONFLICT:     http.StatusConflict,
	core.ETOOMANY:      http.StatusTooManyRequests,
	core.EGONE:         http.StatusGone,
	core.EUNAVAILABLE:  http.StatusServiceUnavailable,
	core.EINTERNAL:     http.StatusInternalServerError,
}

// StatusOf returns the HTTP status for an error code.
func StatusOf(code string) int {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrorHandler returns the Fiber error handler: core errors keep their code
// and public message, Fiber's own errors (413, 405, 431…) keep their status,
// and anything else is logged and answered with a generic 500.
func ErrorHandler(logger *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		p := Problem{Instance: c.Path(), RequestID: requestID(c)}
		var (
			ce *core.Error
			fe *fiber.Error
		)
		if after, ok := ratelimit.RetryAfter(err); ok {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(after))
		}
		switch {
		case errors.As(err, &ce):
			p.Status, p.Detail, p.Errors = StatusOf(ce.Code), ce.Message, ce.Fields
			if ce.Code == core.EUNAVAILABLE && len(c.Response().Header.Peek(fiber.HeaderRetryAfter)) == 0 {
				c.Set(fiber.HeaderRetryAfter, "2") // a failover or a timeout: worth a retry soon
			}
			if ce.Code == core.EINTERNAL {
				p.Detail = "something went wrong on our side; the request id helps us find it"
			}
		case errors.As(err, &fe):
			p.Status = fe.Code
			if fe.Code < 500 {
				p.Detail = fe.Message
			}
		default:
			p.Status = http.StatusInternalServerError
			p.Detail = "something went wrong on our side; the request id helps us find it"
		}
		if p.Status >= 500 {
			logger.Error("request failed", slog.Group("req", "id", p.RequestID, "method", c.Method(), "route", c.Route().Path), "err", err)
		}
		p.Title = http.StatusText(p.Status)
		code := httpCodes[p.Status]
		if ce != nil {
			code = ce.Code
		}
		if code == "" {
			code = "http_" + strconv.Itoa(p.Status)
		}
		p.Type = "urn:vista:problem:" + code
		localize(c, &p, code)
		c.Status(p.Status)
		c.Set(fiber.HeaderContentType, "application/problem+json")
		if c.Method() == fiber.MethodHead {
			return nil
		}
		return c.JSON(p, "application/problem+json")
	}
}

func requestID(c *fiber.Ctx) string {
	if v, ok := c.Locals("requestid").(string); ok {
		return v
	}
	return ""
}
