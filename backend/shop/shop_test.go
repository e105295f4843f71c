package shop

import "testing"

// TestPlace: the city once, whether or not the address already says it.
func TestPlace(t *testing.T) {
	for _, c := range []struct{ address, city, want string }{
		{"Via Torino 21, 20123 Milano", "Milano", "Via Torino 21, 20123 Milano"},
		{"Via Torino 21", "Milano", "Via Torino 21, Milano"},
		{"Via Torino 21, 20123 MILANO", "Milano", "Via Torino 21, 20123 MILANO"},
		{"", "Milano", "Milano"},
		{"Via Torino 21", "", "Via Torino 21"},
	} {
		if got := (&Shop{Address: c.address, City: c.city}).Place(); got != c.want {
			t.Errorf("Place(%q, %q) = %q, want %q", c.address, c.city, got, c.want)
		}
	}
}
