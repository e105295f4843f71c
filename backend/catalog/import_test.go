package catalog

import (
	"strings"
	"testing"

	"github.com/vista-optical/vista/backend/validate"
)

func TestParseEuros(t *testing.T) {
	for in, want := range map[string]int64{
		"159": 15900, "159.00": 15900, "159,00": 15900, "1.159,00": 115900, "1,159.50": 115950, "€ 32,90": 3290, "0,5": 50,
		"1.159": 115900, "0": 0, "99999,99": 9999999,
	} {
		if got, ok := ParseEuros(in); !ok || got != want {
			t.Errorf("ParseEuros(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "tanti", "-1", "100001", "1e3", "NaN", "Inf", strings.Repeat("9", 17)} {
		if got, ok := ParseEuros(in); ok {
			t.Errorf("ParseEuros(%q) = %d, want refused", in, got)
		}
	}
}

func TestReadImport(t *testing.T) {
	rows, res, err := readImport(strings.NewReader("\ufeffSKU,Brand,Name,Category,Price,Stock,Active\n"+
		"A-1,Zeiss,Panno,accessories,5,10,no\n"+
		"A-1,Zeiss,Panno due,accessories,5,10,\n"+
		"\"B,2\",Zeiss,Spray,lens_care,7,,\n"+
		"C-3,Zeiss,Spray,lens_care,7,-2,\n"+
		"D-4,Zeiss,\"Spray \"\"grande\"\"\",lens_care,7,,forse\n"), (&Service{}).check)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].in.SKU != "A-1" || *rows[0].stock != 10 || *rows[0].in.Active {
		t.Fatalf("rows %+v", rows)
	}
	want := []LineError{{Line: 3, Field: "sku"}, {Line: 4, Field: "sku"}, {Line: 5, Field: "stock"}, {Line: 6, Field: "active"}}
	if len(res.Errors) != len(want) {
		t.Fatalf("errors %+v", res.Errors)
	}
	for i, w := range want {
		if res.Errors[i].Line != w.Line || res.Errors[i].Field != w.Field || res.Errors[i].Message == "" {
			t.Errorf("error %d = %+v, want line %d field %s", i, res.Errors[i], w.Line, w.Field)
		}
	}
	for name, file := range map[string]string{
		"empty":          "",
		"no products":    "sku,brand,name,category,price\n",
		"unknown column": "sku,brand,name,category,price,colore\n",
		"missing price":  "sku,brand,name,category\nA,B,C,frames\n",
	} {
		if _, _, err := readImport(strings.NewReader(file), (&Service{}).check); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// FuzzReadImport: whatever a file holds, reading it neither panics nor
// lets through a line that breaks a product's bounds.
func FuzzReadImport(f *testing.F) {
	f.Add("sku,brand,name,category,price,tags,stock\nA-1,Zeiss,Panno,accessories,5,a|b,3\n")
	f.Add("sku;brand;name;category;price\nA;B;C;frames;1.159,00\n")
	f.Add("sku,brand,name,category,price\n\"A,\"\"1\",B,C,frames,1\n")
	f.Fuzz(func(t *testing.T, file string) {
		rows, _, err := readImport(strings.NewReader(file), (&Service{}).check)
		if err != nil {
			return
		}
		for _, r := range rows {
			if err := validate.Default.Struct(&r.in); err != nil {
				t.Fatalf("a row that breaks its bounds was accepted: %+v: %v", r.in, err)
			}
			if r.stock != nil && (*r.stock < 0 || *r.stock > MaxStock) {
				t.Fatalf("stock %d accepted", *r.stock)
			}
		}
	})
}
