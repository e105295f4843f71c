package web

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
	"github.com/vista-optical/vista/backend/validate"
)

func TestInternalErrorsStayInside(t *testing.T) {
	var logged strings.Builder
	app, err := NewApp(Config{}, slog.New(slog.NewTextHandler(&logged, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	app.Get("/boom", func(c *fiber.Ctx) error {
		return errors.New(`sqlite: no such column "password_hash" in customers WHERE email = 'x@example.com'`)
	})
	app.Get("/panic", func(c *fiber.Ctx) error { panic("mongo: secret connection string") })
	app.Get("/wrapped", func(c *fiber.Ctx) error { return core.Internal(errors.New("E11000 duplicate key secret")) })
	for _, path := range []string{"/boom", "/panic", "/wrapped"} {
		resp, err := app.Test(httptest.NewRequest("GET", path, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 500 {
			t.Fatalf("%s: status %d", path, resp.StatusCode)
		}
		for _, leak := range []string{"sqlite", "password_hash", "mongo", "secret", "E11000", "goroutine"} {
			if strings.Contains(string(b), leak) {
				t.Fatalf("%s: 500 body leaks %q: %s", path, leak, b)
			}
		}
		var p Problem
		if err := json.Unmarshal(b, &p); err != nil || p.Status != 500 || p.RequestID == "" {
			t.Fatalf("%s: body %s", path, b)
		}
	}
	if !strings.Contains(logged.String(), "no such column") {
		t.Fatal("the internal cause was not logged")
	}
}

func TestDepth(t *testing.T) {
	cases := map[string]int{
		`{}`: 1, `[[[]]]`: 3, `{"a":"[[[[["}`: 1, `{"a":"\"[[["}`: 1, `"x"`: 0,
		strings.Repeat("[", 100): MaxJSONDepth + 1,
	}
	for in, want := range cases {
		if got := depth([]byte(in)); got != want {
			t.Errorf("depth(%q) = %d, want %d", in, got, want)
		}
	}
}

// FuzzDecodeSignup: the sign-up body parser and validator never panic, and
// a body they accept always satisfies the rules.
func FuzzDecodeSignup(f *testing.F) {
	v := validate.New()
	f.Add([]byte(`{"email":"a@example.com","password":"correct horse battery","first_name":"A","last_name":"B","birth_date":"1990-01-01"}`))
	f.Add([]byte(`{"email":"a@example.com","phone":"+393401234567","consents":[{"channel":"push","purpose":"service","granted":true}],"consent_text_version":"v1"}`))
	f.Add([]byte(`{"email":1}`))
	f.Add([]byte(`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`))
	f.Add([]byte(`{"email":"a@example.com"}{"x":1}`))
	f.Add([]byte("{\"first_name\":\"\xff\xfe\"}"))
	f.Fuzz(func(t *testing.T, body []byte) {
		var in customer.SignupInput
		err := DecodeJSON(body, &in)
		if err != nil {
			if code := core.ErrorCode(err); code != core.EMALFORMED {
				t.Fatalf("decode error code %q", code)
			}
			return
		}
		if err := v.Struct(in); err != nil {
			if code := core.ErrorCode(err); code != core.EINVALID {
				t.Fatalf("validate error code %q: %v", code, err)
			}
			return
		}
		if in.Email == "" || len(in.Password) < 10 || len(in.FirstName) > 100 || (in.Phone != "" && !validate.ValidPhone(in.Phone)) {
			t.Fatalf("accepted an input that breaks the rules: %+v", in)
		}
	})
}

// TestRouteWithoutAuthClassIsRefused: a route that does not say who may
// call it is never mounted.
func TestRouteWithoutAuthClassIsRefused(t *testing.T) {
	app := fiber.New()
	r := NewRouter(app, &Authenticator{}, nil)
	defer func() {
		if recover() == nil {
			t.Fatal("a route without an auth class was mounted")
		}
		if len(app.GetRoutes(true)) != 0 {
			t.Fatal("the app holds a route after the refusal")
		}
	}()
	r.Handle(Route{Method: "GET", Path: "/open", Handler: func(c *fiber.Ctx) error { return nil }})
}

// TestUnavailableSaysWhenToRetry: a dependency that is down (a failover,
// a timeout) is 503 with Retry-After, and its cause stays inside.
func TestUnavailableSaysWhenToRetry(t *testing.T) {
	app, err := NewApp(Config{}, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	app.Get("/failover", func(c *fiber.Ctx) error {
		return &core.Error{Code: core.EUNAVAILABLE, Message: "the database is changing primary; try again", Err: errors.New("NotWritablePrimary secret")}
	})
	resp, err := app.Test(httptest.NewRequest("GET", "/failover", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "2" || strings.Contains(string(b), "secret") {
		t.Fatalf("%d %v %s", resp.StatusCode, resp.Header, b)
	}
}

// TestRequestIDsAreRandom: an answer's request id does not tell the next
// one (fiber's default counts up from a seed).
func TestRequestIDsAreRandom(t *testing.T) {
	app, err := NewApp(Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	app.Get("/", func(c *fiber.Ctx) error { return nil })
	seen := map[string]bool{}
	for range 20 {
		resp, err := app.Test(httptest.NewRequest("GET", "/", nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		id := resp.Header.Get(fiber.HeaderXRequestID)
		if len(id) != 36 || id[14] != '4' {
			t.Fatalf("request id %q is not a random (version 4) UUID", id)
		}
		// A counter keeps the seed's bytes: the tail would repeat.
		if seen[id[24:]] {
			t.Fatalf("request id %q repeats another's tail", id)
		}
		seen[id[24:]] = true
	}
}
