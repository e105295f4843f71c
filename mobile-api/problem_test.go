package mobileapi_test

import (
	"strings"
	"testing"

	"github.com/vista-optical/vista/backend/app/apptest"
)

// TestProblemsTheAppCanShow: every problem has a type URN and the request
// path as instance; every field error a stable code; and the texts are
// Italian when the client prefers Italian.
func TestProblemsTheAppCanShow(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	body := apptest.SignupBody("giulia@example.com")
	body["first_name"] = strings.Repeat("G", 101)
	delete(body, "birth_date")

	r := c.Want(c.Do("POST", "/v1/auth/signup", body, "Accept-Language", "it-IT,it;q=0.9,en;q=0.5"), 422)
	p := r.Problem(t)
	if p["type"] != "urn:vista:problem:invalid" || p["instance"] != "/v1/auth/signup" || p["detail"] != "Alcuni campi non sono validi." {
		t.Fatalf("problem = %v", p)
	}
	if r.Header.Get("Content-Language") != "it" {
		t.Errorf("Content-Language %q", r.Header.Get("Content-Language"))
	}
	codes := map[string]string{}
	for _, e := range p["errors"].([]any) {
		f := e.(map[string]any)
		codes[f["field"].(string)] = f["code"].(string) + ": " + f["message"].(string)
	}
	if codes["first_name"] != "too_long: deve avere al massimo 100 caratteri" || codes["birth_date"] != "required: è obbligatorio" {
		t.Fatalf("field errors = %v", codes)
	}

	en := c.Want(c.Do("POST", "/v1/auth/signup", body), 422).Problem(t)
	if en["detail"] != "some fields are not valid" || !strings.Contains(en["errors"].([]any)[0].(map[string]any)["message"].(string), "must") {
		t.Fatalf("English problem = %v", en)
	}

	base := apptest.Serve(t, m)
	for _, cse := range []struct {
		name, method, path, ctype, body, typ string
		status                               int
	}{
		{"415", "POST", "/v1/auth/login", "text/plain", "hello", "urn:vista:problem:unsupported_media_type", 415},
		{"404", "GET", "/v1/nothing-here", "", "", "urn:vista:problem:not_found", 404},
		{"400", "POST", "/v1/auth/login", "application/json", "{", "urn:vista:problem:malformed", 400},
		{"401", "GET", "/v1/me", "", "", "urn:vista:problem:unauthorized", 401},
	} {
		var hs []string
		if cse.ctype != "" {
			hs = []string{"Content-Type", cse.ctype}
		}
		var b any
		if cse.body != "" {
			b = cse.body
		}
		r := c.Do(cse.method, cse.path, b, hs...)
		if cse.ctype != "" {
			r = apptest.Send(t, base, cse.method, cse.path, cse.ctype, strings.NewReader(cse.body))
		}
		if r.Status != cse.status {
			t.Errorf("%s: status %d", cse.name, r.Status)
			continue
		}
		p := r.Problem(t)
		if p["type"] != cse.typ || p["instance"] != cse.path {
			t.Errorf("%s: type %v instance %v, want %s %s", cse.name, p["type"], p["instance"], cse.typ, cse.path)
		}
	}

	// 429 carries its type and Retry-After.
	var last apptest.Response
	for range 4 {
		last = c.Do("POST", "/v1/auth/password/forgot", map[string]string{"email": "giulia@example.com"}, "Accept-Language", "it")
	}
	if last.Status != 429 || last.Header.Get("Retry-After") == "" {
		t.Fatalf("fourth reset request: %d, Retry-After %q", last.Status, last.Header.Get("Retry-After"))
	}
	if p := last.Problem(t); p["type"] != "urn:vista:problem:too_many" || p["detail"] != "Troppi tentativi: riprova più tardi." {
		t.Fatalf("429 problem = %v", p)
	}
}

// TestSignupConsentFieldsAreNamedAsOnConsents: sign-up takes text_version
// and source, the names PUT /v1/me/consents uses.
func TestSignupConsentFieldsAreNamedAsOnConsents(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	s := c.Signup("giulia@example.com", func(b map[string]any) {
		b["consents"] = []map[string]any{{"channel": "email", "purpose": "marketing", "granted": true}}
		b["text_version"], b["source"] = "privacy-2026-12", "app:signup:ios"
	})
	r := c.Want(c.Do("GET", "/v1/me/consents", nil, apptest.Bearer(s.Tokens.AccessToken)...), 200)
	if !strings.Contains(string(r.Body), "privacy-2026-12") {
		t.Fatalf("consents = %s", r.Body)
	}
	b := apptest.SignupBody("luca@example.com")
	b["consents"] = []map[string]any{{"channel": "email", "purpose": "marketing", "granted": true}}
	c.Run(t, []apptest.Scenario{{Name: "consents without a text version", Method: "POST", Path: "/v1/auth/signup", Body: b, Status: 422, Field: "text_version"}})
}
