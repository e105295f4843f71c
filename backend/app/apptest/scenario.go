package apptest

import (
	"strings"
	"testing"
)

// Scenario is one request through the real app and what must come back:
// the status, texts the body holds or must not hold, and for a 422 the
// field its problem names.
type Scenario struct {
	Name     string
	Method   string
	Path     string
	Body     any
	Token    string
	Status   int
	Contains []string
	Absent   []string
	Field    string
}

// Run sends every scenario in order, each as a subtest.
func (c Client) Run(t *testing.T, ss []Scenario) {
	t.Helper()
	for _, s := range ss {
		t.Run(s.Name, func(t *testing.T) {
			cc := Client{T: t, M: c.M}
			var headers []string
			if s.Token != "" {
				headers = Bearer(s.Token)
			}
			r := cc.Do(s.Method, s.Path, s.Body, headers...)
			if r.Status != s.Status {
				t.Fatalf("%s %s → %d, want %d: %.300s", s.Method, s.Path, r.Status, s.Status, r.Body)
			}
			for _, w := range s.Contains {
				if !strings.Contains(string(r.Body), w) {
					t.Errorf("%s %s: the body lacks %q: %.300s", s.Method, s.Path, w, r.Body)
				}
			}
			for _, w := range s.Absent {
				if strings.Contains(string(r.Body), w) {
					t.Errorf("%s %s: the body holds %q", s.Method, s.Path, w)
				}
			}
			if s.Field != "" {
				errs, _ := r.Problem(t)["errors"].([]any)
				if len(errs) == 0 || errs[0].(map[string]any)["field"] != s.Field {
					t.Errorf("%s %s: problem %s, want a field error on %s", s.Method, s.Path, r.Body, s.Field)
				}
			}
		})
	}
}
