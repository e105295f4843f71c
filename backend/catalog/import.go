package catalog

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/vista-optical/vista/backend/core"
)

// LineError is what is wrong with one line of an imported file.
type LineError struct {
	Line    int    `json:"line"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// ImportResult says what an import stored, and what it refused.
type ImportResult struct {
	Products int  `json:"products"` // created or replaced
	Levels   int  `json:"stock_levels"`
	Stored   bool `json:"stored"`
	// Encoding is how the file was read: "utf-8", or "windows-1252" for
	// a file that is not UTF-8 (what Excel writes in Italy).
	Encoding string      `json:"encoding"`
	Errors   []LineError `json:"errors"`
}

// MaxImportLines bounds the products one file may hold.
const MaxImportLines = 5000

// importColumns are the columns a file may have; sku, brand, name,
// category and price are required.
var importColumns = []string{"sku", "brand", "name", "model", "colour", "category", "price", "image_url", "tags", "novelty", "active", "stock"}

// Import reads a CSV file of products (one per line, with a header naming
// the columns, comma or semicolon separated) and their stock in shopID,
// for a manager of that shop or an owner. A file with errors stores
// nothing unless skipErrors is set, in which case the valid lines are
// stored and the others reported. Products are matched by SKU: a known
// SKU is replaced, keeping its id.
func (s *Service) Import(ctx context.Context, shopID string, r io.Reader, skipErrors bool) (*ImportResult, error) {
	if _, err := core.ManagerOf(ctx, shopID); err != nil {
		return nil, err
	}
	rows, res, err := readImport(r, s.check)
	if err != nil {
		return nil, err
	}
	if len(res.Errors) > 0 && !skipErrors {
		return res, nil
	}
	skus := make([]string, 0, len(rows))
	for _, row := range rows {
		skus = append(skus, row.in.SKU)
	}
	known, err := s.Store.ProductsBySKU(ctx, skus)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	var products []*Product
	var levels []Level
	for _, row := range rows {
		p := row.in.product(core.NewID(), now)
		if old := known[p.SKU]; old != nil {
			p.keep(old)
		}
		products = append(products, p)
		if row.stock != nil {
			levels = append(levels, Level{ShopID: shopID, ProductID: p.ID, Quantity: *row.stock, UpdatedAt: now})
		}
	}
	if err := s.Store.PutCatalog(ctx, products, levels); err != nil {
		return nil, err
	}
	res.Products, res.Levels, res.Stored = len(products), len(levels), true
	return res, nil
}

type importRow struct {
	in    ProductInput
	stock *int
}

// readImport parses and checks a file, line by line. Only a file that is
// not CSV at all, or has no usable header, is an error of its own.
func readImport(r io.Reader, check func(any) error) ([]importRow, *ImportResult, error) {
	data, err := io.ReadAll(io.LimitReader(r, 8<<20))
	if err != nil {
		return nil, nil, core.Internal(err)
	}
	data, encoding, err := asText(data)
	if err != nil {
		return nil, nil, err
	}
	cr, col, err := csvColumns(data)
	if err != nil {
		return nil, nil, err
	}
	res := &ImportResult{Encoding: encoding, Errors: []LineError{}}
	var rows []importRow
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				res.Errors = append(res.Errors, LineError{Line: pe.Line, Message: pe.Err.Error()})
				if len(res.Errors) > 100 {
					return nil, res, nil
				}
				continue
			}
			return nil, nil, core.Internal(err)
		}
		line, _ := cr.FieldPos(0) // only after a record was read: it panics otherwise
		if len(rows)+len(res.Errors) >= MaxImportLines {
			return nil, nil, core.Invalid("the file is too long", core.FieldError{Field: "file", Code: "too_many", Message: fmt.Sprintf("at most %d products per file", MaxImportLines)})
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		row, lerr := parseRow(get, check)
		if lerr == nil {
			if first, dup := seen[row.in.SKU]; dup {
				lerr = &LineError{Field: "sku", Message: fmt.Sprintf("the same SKU is on line %d", first)}
			}
		}
		if lerr != nil {
			lerr.Line = line
			res.Errors = append(res.Errors, *lerr)
			continue
		}
		seen[row.in.SKU] = line
		rows = append(rows, row)
	}
	if len(rows) == 0 && len(res.Errors) == 0 {
		return nil, nil, core.Invalid("the file has no products", core.FieldError{Field: "file", Code: "empty", Message: "must hold at least one product after the header"})
	}
	return rows, res, nil
}

// asText returns data as UTF-8, and the encoding it was in. Excel's "CSV"
// in Italy is Windows-1252: it is read as that, on purpose, rather than
// storing mojibake or refusing the file.
func asText(data []byte) ([]byte, string, error) {
	if utf8.Valid(data) {
		return data, "utf-8", nil
	}
	data, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil {
		return nil, "", core.Invalid("the file is not text", core.FieldError{Field: "file", Code: "encoding", Message: "must be text in UTF-8 or Windows-1252"})
	}
	return data, "windows-1252", nil
}

// csvColumns opens data as CSV (comma- or semicolon-separated, as its
// first line says) and reads its header: the index of each column.
func csvColumns(data []byte) (*csv.Reader, map[string]int, error) {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	cr := csv.NewReader(bytes.NewReader(data))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		cr.Comma = ';' // as spreadsheets write CSV where the decimal mark is a comma
	}
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		return nil, nil, core.Invalid("the file has no header line", core.FieldError{Field: "file", Code: "invalid", Message: "must be CSV with a header line naming the columns"})
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(importColumns, h) {
			return nil, nil, core.Invalid("unknown column", core.FieldError{Field: "file", Code: "unknown_column",
				Message: fmt.Sprintf("column %q is not one of: %s", h, strings.Join(importColumns, ", "))})
		}
		col[h] = i
	}
	for _, need := range []string{"sku", "brand", "name", "category", "price"} {
		if _, ok := col[need]; !ok {
			return nil, nil, core.Invalid("a column is missing", core.FieldError{Field: "file", Code: "missing_column", Message: "the header must name the column " + need})
		}
	}
	return cr, col, nil
}

// parseRow reads one line through get (a column's trimmed value) and
// checks it with check.
func parseRow(get func(string) string, check func(any) error) (importRow, *LineError) {
	var row importRow
	price, ok := ParseEuros(get("price"))
	if !ok {
		return row, &LineError{Field: "price", Message: "must be a price in euro, such as 159.00 or 159,00"}
	}
	row.in = ProductInput{SKU: get("sku"), Brand: get("brand"), Name: get("name"), Model: get("model"), Colour: get("colour"),
		Category: get("category"), PriceCents: price, ImageURL: get("image_url")}
	if t := get("tags"); t != "" {
		for _, tag := range strings.Split(t, "|") {
			row.in.Tags = append(row.in.Tags, strings.ToLower(strings.TrimSpace(tag)))
		}
	}
	for _, f := range []struct {
		name string
		dst  *bool
	}{{"novelty", &row.in.Novelty}} {
		v, ok := parseYes(get(f.name), false)
		if !ok {
			return row, &LineError{Field: f.name, Message: "must be sì/no, yes/no, true/false or 1/0"}
		}
		*f.dst = v
	}
	active, ok := parseYes(get("active"), true)
	if !ok {
		return row, &LineError{Field: "active", Message: "must be sì/no, yes/no, true/false or 1/0"}
	}
	row.in.Active = &active
	if s := get("stock"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > MaxStock {
			return row, &LineError{Field: "stock", Message: fmt.Sprintf("must be a whole number from 0 to %d", MaxStock)}
		}
		row.stock = &n
	}
	if err := check(&row.in); err != nil {
		var ce *core.Error
		if errors.As(err, &ce) && len(ce.Fields) > 0 {
			return row, &LineError{Field: ce.Fields[0].Field, Message: ce.Fields[0].Message}
		}
		return row, &LineError{Message: err.Error()}
	}
	return row, nil
}

// ParseEuros reads "159", "159.00", "159,00", "0,5" or "1.159,00" as
// cents: the last separator followed by one or two digits is the decimal
// mark, any other is a thousands separator.
func ParseEuros(s string) (int64, bool) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "€"))
	if s == "" || len(s) > 16 || strings.Trim(s, "0123456789.,") != "" {
		return 0, false
	}
	units, cents := s, ""
	if i := strings.LastIndexAny(s, ".,"); i >= 0 && len(s)-i-1 <= 2 {
		units, cents = s[:i], s[i+1:]
	}
	units = strings.NewReplacer(".", "", ",", "").Replace(units)
	if units == "" || len(cents) == 0 && strings.ContainsAny(s[len(s)-1:], ".,") {
		return 0, false
	}
	if len(cents) == 1 {
		cents += "0"
	}
	n, err := strconv.ParseInt(units+cents, 10, 64)
	if len(cents) == 0 {
		n *= 100
	}
	if err != nil || n > MaxPriceCents {
		return 0, false
	}
	return n, true
}

func parseYes(s string, def bool) (bool, bool) {
	switch strings.ToLower(s) {
	case "":
		return def, true
	case "1", "si", "sì", "s", "yes", "y", "true", "x":
		return true, true
	case "0", "no", "n", "false":
		return false, true
	}
	return false, false
}
