package privacy

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// WriteArchive writes a customer's export as a ZIP (T39): export.json
// holding doc as the JSON export has it, one CSV per section for people
// who open it in a spreadsheet, and a README saying what each file is.
//
// A section's CSV has one row per item of a list, or a single row for an
// object; nested objects become dotted columns and nested lists a JSON
// cell. A field of a section's object that is itself a list of objects
// gets its own file, <section>-<field>.csv, so the consents' events and
// their current state each read as a table.
func WriteArchive(w io.Writer, doc any, sections map[string]any, at time.Time) error {
	z := zip.NewWriter(w)
	file := func(name string) (io.Writer, error) {
		return z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: at})
	}
	j, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	f, err := file("export.json")
	if err != nil {
		return err
	}
	if _, err := f.Write(j); err != nil {
		return err
	}
	names := make([]string, 0, len(sections))
	for n := range sections {
		names = append(names, n)
	}
	sort.Strings(names)
	var files []string
	for _, n := range names {
		ts, err := tables(n, sections[n])
		if err != nil {
			return fmt.Errorf("section %s: %w", n, err)
		}
		for _, t := range ts {
			f, err := file(t.name + ".csv")
			if err != nil {
				return err
			}
			if err := t.write(f); err != nil {
				return err
			}
			files = append(files, t.name+".csv")
		}
	}
	f, err = file("README.txt")
	if err != nil {
		return err
	}
	if _, err := io.WriteString(f, readme(at, files)); err != nil {
		return err
	}
	return z.Close()
}

func readme(at time.Time, files []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `I tuoi dati in Vista / Your data in Vista
Esportati il / exported on %s (UTC)

IT  Questo archivio contiene tutto ciò che Vista conserva su di te
    (GDPR artt. 15 e 20). export.json è l'esportazione completa, leggibile
    da un programma; ogni file .csv è una sua sezione in forma di tabella
    (UTF-8, separata da virgole), da aprire con un foglio di calcolo. Un
    file vuoto indica che la sezione non contiene dati. Per esercitare gli
    altri tuoi diritti scrivi al negozio che ti segue o usa l'app.

EN  This archive holds everything Vista keeps about you (GDPR art. 15 and
    20). export.json is the complete export, for programs; each .csv file
    is one of its sections as a table (UTF-8, comma separated) to open in
    a spreadsheet. An empty file means the section holds nothing. To
    exercise your other rights, write to your shop or use the app.

Files:
  export.json
`, at.UTC().Format("2006-01-02 15:04:05"))
	for _, f := range files {
		fmt.Fprintf(&b, "  %s\n", f)
	}
	b.WriteString("  README.txt\n")
	return b.String()
}

// table is one CSV file: columns in the order they first appear.
type table struct {
	name    string
	columns []string
	seen    map[string]bool
	rows    []map[string]string
}

func (t *table) add(o object) {
	row := map[string]string{}
	for _, f := range flatten(row, "", o) {
		if !t.seen[f] {
			t.seen[f] = true
			t.columns = append(t.columns, f)
		}
	}
	t.rows = append(t.rows, row)
}

func (t *table) write(w io.Writer) error {
	if len(t.rows) == 0 {
		return nil
	}
	c := csv.NewWriter(w)
	if err := c.Write(t.columns); err != nil {
		return err
	}
	rec := make([]string, len(t.columns))
	for _, r := range t.rows {
		for i, col := range t.columns {
			rec[i] = r[col]
		}
		if err := c.Write(rec); err != nil {
			return err
		}
	}
	c.Flush()
	return c.Error()
}

// tables turns a section's value into one table, plus one per field that
// is a list of objects.
func tables(name string, v any) ([]*table, error) {
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(j))
	d.UseNumber()
	x, err := decode(d)
	if err != nil {
		return nil, err
	}
	newTable := func(n string) *table { return &table{name: n, seen: map[string]bool{}} }
	main := newTable(name)
	out := []*table{main}
	switch x := x.(type) {
	case nil:
	case []any:
		addAll(main, x)
	case object:
		var rest object
		for _, f := range x {
			if l, ok := f.value.([]any); ok && objects(l) {
				t := newTable(name + "-" + f.key)
				addAll(t, l)
				out = append(out, t)
				continue
			}
			rest = append(rest, f)
		}
		if len(rest) > 0 {
			main.add(rest)
		} else {
			out = out[1:]
		}
	default:
		main.add(object{{"value", x}})
	}
	return out, nil
}

func addAll(t *table, l []any) {
	for _, e := range l {
		if o, ok := e.(object); ok {
			t.add(o)
		} else {
			t.add(object{{"value", e}})
		}
	}
}

func objects(l []any) bool {
	for _, e := range l {
		if _, ok := e.(object); !ok {
			return false
		}
	}
	return len(l) > 0
}

// object is a JSON object with its fields in document order, so that a
// table's columns follow the order the export writes them in.
type object []field

type field struct {
	key   string
	value any
}

// flatten puts o's scalars into row under dotted names and returns the
// names in document order.
func flatten(row map[string]string, prefix string, o object) []string {
	var names []string
	for _, f := range o {
		if sub, ok := f.value.(object); ok {
			names = append(names, flatten(row, prefix+f.key+".", sub)...)
			continue
		}
		row[prefix+f.key] = cell(f.value)
		names = append(names, prefix+f.key)
	}
	return names
}

// cell renders a scalar, or a list as compact JSON. A text a spreadsheet
// would run as a formula is quoted (OWASP, CSV injection).
func cell(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
			return "'" + v
		}
		return v
	case json.Number:
		return v.String()
	case bool:
		if v {
			return "true"
		}
		return "false"
	default:
		var b strings.Builder
		encode(&b, v)
		return b.String()
	}
}

func decode(d *json.Decoder) (any, error) {
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	switch delim {
	case '{':
		o := object{}
		for d.More() {
			k, err := d.Token()
			if err != nil {
				return nil, err
			}
			v, err := decode(d)
			if err != nil {
				return nil, err
			}
			o = append(o, field{k.(string), v})
		}
		_, err = d.Token()
		return o, err
	default: // '['
		l := []any{}
		for d.More() {
			v, err := decode(d)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		_, err = d.Token()
		return l, err
	}
}

func encode(b *strings.Builder, v any) {
	switch v := v.(type) {
	case object:
		b.WriteByte('{')
		for i, f := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(f.key)
			b.Write(k)
			b.WriteByte(':')
			encode(b, f.value)
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			encode(b, e)
		}
		b.WriteByte(']')
	case json.Number:
		b.WriteString(v.String())
	default:
		j, _ := json.Marshal(v)
		b.Write(j)
	}
}
