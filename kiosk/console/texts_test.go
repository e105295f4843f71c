package console

import "testing"

// TestCountedTexts: one customer is "1 cliente", never "1 clienti".
func TestCountedTexts(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    int
		want string
	}{
		{"it", 0, "Offerta inviata agli schermi e a 0 clienti."},
		{"it", 1, "Offerta inviata agli schermi e a 1 cliente."},
		{"it", 12, "Offerta inviata agli schermi e a 12 clienti."},
		{"en", 1, "Offer sent to the screens and to 1 customer."},
		{"en", 2, "Offer sent to the screens and to 2 customers."},
	} {
		if got := counted(texts[c.lang], "offer_sent_app", c.n); got != c.want {
			t.Errorf("%s, %d: %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}
