package mobileapi_test

import (
	"testing"

	"github.com/vista-optical/vista/backend/app/apptest"
)

// TestPhonesAsPeopleTypeThem: the app's sign-up and profile, and staff
// booking a caller, take a phone number the way people type it and store
// it in E.164; what is no number is still a 422 on the field.
func TestPhonesAsPeopleTypeThem(t *testing.T) {
	m, c, _ := bootAgenda(t)
	me := func(s apptest.Session) string {
		var out struct {
			Phone string `json:"phone"`
		}
		c.Want(c.Do("GET", "/v1/me", nil, apptest.Bearer(s.Tokens.AccessToken)...), 200).JSON(t, &out)
		return out.Phone
	}
	s := c.Signup("paola@example.com", func(b map[string]any) { b["phone"] = "+39 035 123456" })
	if got := me(s); got != "+39035123456" {
		t.Errorf("signed up with +39 035 123456, stored %q", got)
	}
	c.Want(c.Do("PATCH", "/v1/me", map[string]any{"phone": "0039 340 123 4567"}, apptest.Bearer(s.Tokens.AccessToken)...), 200)
	if got := me(s); got != "+393401234567" {
		t.Errorf("changed to 0039 340 123 4567, stored %q", got)
	}
	p := c.Want(c.Do("PATCH", "/v1/me", map[string]any{"phone": "340 12"}, apptest.Bearer(s.Tokens.AccessToken)...), 422).Problem(t)
	if errs, _ := p["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["field"] != "phone" {
		t.Errorf("a short number: %v, want one error on phone", p)
	}
	if got := me(s); got != "+393401234567" {
		t.Errorf("a refused change stored %q", got)
	}

	owner := apptest.OwnerLogin(t, m)
	var b struct {
		Guest struct {
			Phone string `json:"phone"`
		} `json:"guest"`
	}
	c.Want(c.Do("POST", "/v1/staff/bookings", map[string]any{"shop_id": milano, "service_id": exam, "start": at("2026-12-01 09:30"),
		"guest": map[string]any{"name": "Signora Rossi", "phone": "035 123456"}}, apptest.Bearer(owner)...), 201).JSON(t, &b)
	if b.Guest.Phone != "+39035123456" {
		t.Errorf("staff booked a caller on 035 123456, stored %q", b.Guest.Phone)
	}
}
