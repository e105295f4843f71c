package customer

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/validate"
)

// A name is found despite one wrong, missing, extra or swapped letter in
// a word: the keys of a word are the word and the word with each one of
// its letters left out (a deletion neighbourhood), so two words within one
// such edit of each other share a key. The store finds the candidates by
// key with an ordinary index, in both engines; the service keeps those
// really within one edit (two words sharing a key may be two apart).
//
// A whole word is also kept marked (wholeMark + word), so that a word
// being typed is found by prefix among whole words only.
const wholeMark = "="

// Bounds of a search.
const (
	// MaxSearchWords is how many words of a query are matched.
	MaxSearchWords = 4
	// typoMinLen is the shortest word matched with a typo: "Ada" one
	// letter off is half the phone book.
	typoMinLen = 4
	// maxWordLen bounds the keys of one word (its letters plus two).
	maxWordLen = 40
	// searchCandidates is how many candidates the store is asked for
	// before the service keeps the true matches and ranks them.
	searchCandidates = 200
)

// Term is one word of a search as a store matches it: a customer matches
// when one of their keys is among Keys, or one of their whole words starts
// with Prefix ("" for none).
type Term struct {
	Keys   []string
	Prefix string
}

// PrefixKey is the key range a Term's Prefix covers: keys k with
// from <= k < to.
func (t Term) PrefixKey() (from, to string) {
	from = wholeMark + t.Prefix
	return from, from + "\U0010FFFF"
}

// Search is a name search as a store runs it.
type Search struct {
	// Shops limits the result to customers of these home shops; nil is
	// every shop.
	Shops []string
	// Terms must all match.
	Terms []Term
	Limit int
}

// SearchKeys returns the keys under which c's name is found (see
// wholeMark); none once erased. The stores keep them beside the record,
// written with it.
func SearchKeys(c *Customer) []string {
	if c.Status != StatusActive {
		return nil
	}
	var keys []string
	for _, w := range NameWords(c.FirstName + " " + c.LastName) {
		keys = append(keys, wholeMark+w)
		keys = append(keys, neighbours(w)...)
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// foldAccents turns "Nicolò D'Amato" into "Nicolo D'Amato".
var foldAccents = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

// NameWords is how a name, or what staff typed, is split for search: lower case, accents
// folded, an apostrophe joining its two sides ("D'Amato" is "damato"),
// cut at anything that is not a letter or digit; words are cut at
// maxWordLen letters.
func NameWords(s string) []string {
	folded, _, err := transform.String(foldAccents, s)
	if err != nil {
		folded = s
	}
	folded = strings.NewReplacer("'", "", "’", "").Replace(strings.ToLower(folded))
	words := strings.FieldsFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for i, w := range words {
		if utf8.RuneCountInString(w) > maxWordLen {
			words[i] = string([]rune(w)[:maxWordLen])
		}
	}
	return words
}

// neighbours is w and w with each one of its letters left out.
func neighbours(w string) []string {
	r := []rune(w)
	out := []string{w}
	if len(r) < typoMinLen-1 {
		return out
	}
	for i := range r {
		out = append(out, string(r[:i])+string(r[i+1:]))
	}
	return out
}

// edits is the optimal string alignment distance between a and b (letters
// changed, added, removed or swapped with the next), counted up to 2.
func edits(a, b []rune) int {
	if d := len(a) - len(b); d > 1 || d < -1 {
		return 2
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], 2)
}

// How well a query word matches a name, best first.
const (
	matchExact = iota
	matchPrefix
	matchTypo
	noMatch
)

// wordMatch is how well query word q matches the best of words.
func wordMatch(q string, words []string) int {
	best := noMatch
	qr := []rune(q)
	for _, w := range words {
		switch {
		case w == q:
			return matchExact
		case strings.HasPrefix(w, q):
			best = min(best, matchPrefix)
		case len(qr) >= typoMinLen && edits(qr, []rune(w)) <= 1:
			best = min(best, matchTypo)
		}
	}
	return best
}

// nameScore is how well every query word matches c's name (lower is
// better), and false when one of them does not.
func nameScore(query []string, c *Customer) (int, bool) {
	words := NameWords(c.FirstName + " " + c.LastName)
	score := 0
	for _, q := range query {
		m := wordMatch(q, words)
		if m == noMatch {
			return 0, false
		}
		score += m
	}
	return score, true
}

// NameSearch is the store's search for the name words (as NameWords
// cuts them) among the customers of shops (every shop when nil): each
// word as a whole, as the start of a name's word, or within one edit when
// it is long enough.
func NameSearch(words []string, shops []string, limit int) Search {
	search := Search{Shops: shops, Limit: limit}
	for _, w := range words {
		t := Term{Keys: []string{w}, Prefix: w}
		if utf8.RuneCountInString(w) >= typoMinLen {
			t.Keys = neighbours(w)
		}
		search.Terms = append(search.Terms, t)
	}
	return search
}

// SearchInput is what staff type in the console's one search box.
type SearchInput struct {
	Q     string `json:"q" validate:"required,min=2,max=100"`
	Limit int    `json:"limit" validate:"omitempty,min=1,max=50"`
}

// SearchForStaff finds the customers the staff member in ctx may see by
// what they typed in one box: an e-mail, a phone number in any usual form,
// a codice fiscale, or a name (each word exactly, as the start of a word,
// or with one letter wrong, missing, extra or swapped). Best matches
// first; at most in.Limit (20 by default). The search is recorded in the
// audit log, without what was typed.
func (s *Service) SearchForStaff(ctx context.Context, in SearchInput) ([]*Customer, error) {
	a, _ := core.ActorFrom(ctx)
	if a.Kind != core.ActorStaff {
		return nil, core.Errorf(core.EFORBIDDEN, "staff only")
	}
	in.Q = strings.TrimSpace(in.Q)
	if err := s.Validator.Struct(in); err != nil {
		return nil, err
	}
	limit := cmp.Or(in.Limit, 20)
	kind, found, err := s.searchBy(ctx, a, in.Q)
	if err != nil {
		return nil, err
	}
	visible := found[:0]
	for _, c := range found {
		if c.Status == StatusActive && a.CanSeeShop(c.ShopID) {
			visible = append(visible, c)
		}
	}
	if len(visible) > limit {
		visible = visible[:limit]
	}
	if err := s.Audit.Record(ctx, "customer.searched", "", a.Shop, kind); err != nil {
		return nil, err
	}
	return visible, nil
}

// searchBy runs the search that what was typed asks for and names it.
func (s *Service) searchBy(ctx context.Context, a core.Actor, q string) (string, []*Customer, error) {
	if strings.Contains(q, "@") {
		c, err := s.Store.CustomerByEmail(ctx, core.NormalizeEmail(q))
		if core.ErrorCode(err) == core.ENOTFOUND {
			return "e-mail", nil, nil
		}
		return "e-mail", []*Customer{c}, err
	}
	if tc := validate.NormalizeTaxCode(q); validate.ValidTaxCode(tc) {
		found, err := s.Store.CustomersByContact(ctx, "", tc)
		return "tax code", found, err
	}
	if looksLikePhone(q) {
		if phone, ok := validate.NormalizePhone(q, validate.DefaultRegion); ok {
			found, err := s.Store.CustomersByContact(ctx, phone, "")
			return "phone", found, err
		}
	}
	found, err := s.searchNames(ctx, a, q)
	return "name", found, err
}

// looksLikePhone reports whether q is digits with the signs people write
// in a phone number, at least six of them digits.
func looksLikePhone(q string) bool {
	digits := 0
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case !strings.ContainsRune("+ -./()", r):
			return false
		}
	}
	return digits >= 6
}

// searchNames finds customers by name, best match first.
func (s *Service) searchNames(ctx context.Context, a core.Actor, q string) ([]*Customer, error) {
	words := NameWords(q)
	if len(words) > MaxSearchWords {
		words = words[:MaxSearchWords]
	}
	if len(words) == 0 {
		return nil, core.Invalid("nothing to search for", core.FieldError{Field: "q", Code: "no_words", Message: "must contain a name, a phone number, an e-mail or a codice fiscale"})
	}
	var shops []string
	if a.Role != core.RoleOwner {
		shops = []string{a.Shop}
	}
	search := NameSearch(words, shops, searchCandidates)
	found, err := s.Store.SearchCustomers(ctx, search)
	if err != nil {
		return nil, err
	}
	type ranked struct {
		c     *Customer
		score int
	}
	var out []ranked
	for _, c := range found {
		if score, ok := nameScore(words, c); ok {
			out = append(out, ranked{c, score})
		}
	}
	slices.SortFunc(out, func(x, y ranked) int {
		return cmp.Or(cmp.Compare(x.score, y.score), cmp.Compare(strings.ToLower(x.c.LastName), strings.ToLower(y.c.LastName)),
			cmp.Compare(strings.ToLower(x.c.FirstName), strings.ToLower(y.c.FirstName)), cmp.Compare(x.c.ID, y.c.ID))
	})
	cs := make([]*Customer, len(out))
	for i, r := range out {
		cs[i] = r.c
	}
	return cs, nil
}
