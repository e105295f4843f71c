package app_test

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/vista-optical/vista/backend/app/apptest"
)

// TestMetricsLabelsSurviveKeepAlive: a thousand mixed requests over a few
// keep-alive connections, then every label is a real method or a route
// pattern of the table, and the scrape answers 200 on the operator
// listener (issue 7 defect 3: labels were views of reused buffers, and
// colliding series made every scrape fail).
func TestMetricsLabelsSurviveKeepAlive(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	base := apptest.Serve(t, m)
	tok := apptest.Client{T: t, M: m}.Signup("metrics@example.com").Tokens.AccessToken

	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4, MaxConnsPerHost: 4}}
	type call struct{ method, path, body string }
	calls := []call{
		{"GET", "/v1/me", ""},
		{"PATCH", "/v1/me", `{"first_name":"Giulia"}`},
		{"POST", "/v1/me/lenses", `{"eye":"both"}`}, // 422
		{"GET", "/v1/me/lenses/nope", ""},
		{"POST", "/v1/auth/refresh", `{"refresh_token":"vrt_nope"}`},
		{"DELETE", "/v1/me/devices/nope", ""},
		{"GET", "/healthz", ""},
		{"GET", "/no/such/route/" + strings.Repeat("x", 40), ""},
		{"PUT", "/v1/me/consents", `{}`},
		{"OPTIONS", "/v1/me", ""},
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 250 {
				c := calls[(i+w)%len(calls)]
				var body io.Reader
				if c.body != "" {
					body = strings.NewReader(c.body)
				}
				req, _ := http.NewRequest(c.method, base+c.path, body)
				req.Header.Set("Authorization", "Bearer "+tok)
				if c.body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				resp, err := hc.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()

	resp, err := http.Get("http://" + m.AdminAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("scrape answered %d: %s", resp.StatusCode, raw)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	patterns := map[string]bool{"/": true} // the catch-all 404 is mounted on /
	for _, r := range m.Router.Routes() {
		patterns[r.Path] = true
	}
	methods := []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER"}
	total := 0.0
	for _, name := range []string{"vista_http_requests_total", "vista_http_request_duration_seconds"} {
		f := families[name]
		if f == nil {
			t.Fatalf("no %s in the scrape", name)
		}
		for _, mt := range f.Metric {
			labels := map[string]string{}
			for _, l := range mt.Label {
				labels[l.GetName()] = l.GetValue()
			}
			if !slices.Contains(methods, labels["method"]) {
				t.Errorf("%s has method label %q", name, labels["method"])
			}
			if !patterns[labels["route"]] {
				t.Errorf("%s has route label %q, not a pattern of the route table", name, labels["route"])
			}
			if name == "vista_http_requests_total" {
				total += mt.Counter.GetValue()
			}
		}
	}
	if total < 1000 {
		t.Fatalf("counted %v requests, sent 1000", total)
	}
}
