package privacy

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

type device struct {
	Token    string    `json:"token"`
	Platform string    `json:"platform"`
	Seen     time.Time `json:"last_seen_at"`
}

type profile struct {
	ID      string            `json:"id"`
	Name    string            `json:"first_name"`
	Address map[string]string `json:"address"`
	Tags    []string          `json:"tags"`
	Kids    int               `json:"kids"`
}

func TestArchiveHoldsJSONACSVPerSectionAndAReadme(t *testing.T) {
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	sections := map[string]any{
		"profile": profile{ID: "c1", Name: "=HYPERLINK(\"x\")", Address: map[string]string{"city": "Milano"}, Tags: []string{"a", "b"}, Kids: 2},
		"devices": []device{{Token: "t1", Platform: "ios", Seen: at}, {Token: "t2", Platform: "android", Seen: at}},
		"consents": map[string]any{
			"events":  []map[string]string{{"channel": "push", "purpose": "marketing"}},
			"current": []map[string]any{{"channel": "push", "granted": true}},
		},
		"family": []device{},
		"note":   "just text",
	}
	doc := map[string]any{"customer_id": "c1", "sections": sections}
	var buf bytes.Buffer
	if err := WriteArchive(&buf, doc, sections, at); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	var names []string
	for _, f := range z.File {
		r, _ := f.Open()
		b, _ := io.ReadAll(r)
		files[f.Name] = string(b)
		names = append(names, f.Name)
	}
	want := []string{"export.json", "consents-current.csv", "consents-events.csv", "devices.csv", "family.csv", "note.csv", "profile.csv", "README.txt"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("files %v, want %v", names, want)
	}
	var back map[string]any
	if err := json.Unmarshal([]byte(files["export.json"]), &back); err != nil || back["customer_id"] != "c1" {
		t.Fatalf("export.json %v %v", back, err)
	}
	rows := func(name string) [][]string {
		r, err := csv.NewReader(strings.NewReader(files[name])).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return r
	}
	if got := rows("devices.csv"); !reflect.DeepEqual(got, [][]string{
		{"token", "platform", "last_seen_at"},
		{"t1", "ios", "2026-12-02T10:00:00Z"},
		{"t2", "android", "2026-12-02T10:00:00Z"},
	}) {
		t.Errorf("devices.csv %q", got)
	}
	if got := rows("profile.csv"); !reflect.DeepEqual(got, [][]string{
		{"id", "first_name", "address.city", "tags", "kids"},
		{"c1", `'=HYPERLINK("x")`, "Milano", `["a","b"]`, "2"},
	}) {
		t.Errorf("profile.csv %q", got)
	}
	if got := rows("consents-current.csv"); !reflect.DeepEqual(got, [][]string{{"channel", "granted"}, {"push", "true"}}) {
		t.Errorf("consents-current.csv %q", got)
	}
	if got := rows("note.csv"); !reflect.DeepEqual(got, [][]string{{"value"}, {"just text"}}) {
		t.Errorf("note.csv %q", got)
	}
	if files["family.csv"] != "" {
		t.Errorf("an empty section wrote %q", files["family.csv"])
	}
	for _, n := range want[:len(want)-1] {
		if !strings.Contains(files["README.txt"], n) {
			t.Errorf("README does not name %s", n)
		}
	}
}

func FuzzArchive(f *testing.F) {
	f.Add(`{"a":[{"b":1,"c":{"d":"=x"}}],"e":"f"}`)
	f.Add(`[1,"two",null,{"x":[1,2]}]`)
	f.Add(`null`)
	f.Fuzz(func(t *testing.T, s string) {
		var v any
		if json.Unmarshal([]byte(s), &v) != nil {
			return
		}
		var buf bytes.Buffer
		if err := WriteArchive(&buf, v, map[string]any{"s": v}, time.Unix(0, 0)); err != nil {
			t.Fatal(err)
		}
		z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range z.File {
			if !strings.HasSuffix(f.Name, ".csv") {
				continue
			}
			r, _ := f.Open()
			if _, err := csv.NewReader(r).ReadAll(); err != nil {
				t.Fatalf("%s does not read back: %v", f.Name, err)
			}
		}
	})
}
