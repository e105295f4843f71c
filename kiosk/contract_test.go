package kiosk_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/vista-optical/vista/backend/app/apptest"
	"github.com/vista-optical/vista/kiosk"
)

// TestOpenAPIMatchesKioskRoutes: every kiosk API route, and every staff
// route of screens, offers and the catalog (and its pictures), is in kiosk/openapi.json with
// its method, and the document names nothing that is not served.
func TestOpenAPIMatchesKioskRoutes(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(kiosk.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`:(\w+)`)
	mine := regexp.MustCompile(`^/kiosk/v1/|^/media/|^/v1/staff/(shops/:shop/)?(kiosks|screens|offers|plays|checkins|products|stock|catalog|catalog-settings|promotions)\b`)
	served := map[string]bool{}
	for _, r := range m.Router.Routes() {
		if !mine.MatchString(r.Path) || r.Path == "/kiosk/v1/openapi.json" || r.Path == "/v1/staff/products" && r.Method == "GET" {
			continue
		}
		path := param.ReplaceAllString(r.Path, "{$1}")
		served[r.Method+" "+path] = true
		if _, ok := doc.Paths[path][strings.ToLower(r.Method)]; !ok {
			t.Errorf("%s %s is served but missing from kiosk/openapi.json", r.Method, path)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if !served[strings.ToUpper(method)+" "+path] {
				t.Errorf("%s %s is documented but not served", strings.ToUpper(method), path)
			}
		}
	}
	c := apptest.Client{T: t, M: m}
	c.Want(c.Do("GET", "/kiosk/v1/openapi.json", nil), 200)
}
