package customer

import (
	"slices"
	"testing"
)

func TestNameWords(t *testing.T) {
	for in, want := range map[string][]string{
		"Giulia Rossi":        {"giulia", "rossi"},
		"  Nicolò D'Amato ":   {"nicolo", "damato"},
		"Anna-Maria  De Luca": {"anna", "maria", "de", "luca"},
		"Zoë O’Neill":         {"zoe", "oneill"},
		"":                    nil,
		"!!!":                 nil,
	} {
		if got := NameWords(in); !slices.Equal(got, want) {
			t.Errorf("NameWords(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTyposFindTheName is the table of what one slip of the finger still
// finds, and what it must not.
func TestTyposFindTheName(t *testing.T) {
	giulia := &Customer{FirstName: "Giulia", LastName: "Rossi", Status: StatusActive}
	for _, c := range []struct {
		q     string
		found bool
		score int
	}{
		{"giulia rossi", true, 0},
		{"Rossi", true, 0},
		{"ROSSI GIULIA", true, 0},
		{"giu ro", true, 2},        // both words being typed
		{"giula rossi", true, 2},   // a letter missing
		{"giullia rossi", true, 2}, // a letter too many
		{"giulia rosso", true, 2},  // a letter wrong
		{"giuila rossi", true, 2},  // two letters swapped
		{"gulia rsosi", true, 4},   // one slip in each word
		{"giulia rsso", false, 0},  // two slips in one word
		{"giovanna rossi", false, 0},
		{"ros", true, 1},
		{"rss", false, 0}, // too short for a typo
	} {
		score, ok := nameScore(NameWords(c.q), giulia)
		if ok != c.found || ok && score != c.score {
			t.Errorf("%q: found %v score %d, want %v %d", c.q, ok, score, c.found, c.score)
		}
	}
}

// TestKeysMeetWithinOneEdit: every word within one edit of a name's word
// shares a key with it, so the store's candidates hold every true match.
func TestKeysMeetWithinOneEdit(t *testing.T) {
	c := &Customer{FirstName: "Giulia", LastName: "Rossi", Status: StatusActive}
	keys := SearchKeys(c)
	for _, q := range []string{"giulia", "giula", "giullia", "giuila", "guilia", "rossi", "rosi", "rosso", "orssi", "rossii"} {
		search := NameSearch([]string{q}, nil, 10)
		if !slices.ContainsFunc(search.Terms[0].Keys, func(k string) bool { return slices.Contains(keys, k) }) {
			t.Errorf("%q shares no key with %v", q, keys)
		}
	}
	if SearchKeys(&Customer{FirstName: "Giulia", Status: StatusErased}) != nil {
		t.Error("an erased customer has keys")
	}
}

func TestEdits(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"abc", "abc", 0}, {"abc", "acb", 1}, {"abc", "abd", 1},
		{"abc", "ab", 1}, {"abc", "abcd", 1}, {"abc", "cba", 2}, {"abcdef", "ab", 2}, {"ca", "abc", 2},
	} {
		if got := edits([]rune(c.a), []rune(c.b)); got != c.want {
			t.Errorf("edits(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
