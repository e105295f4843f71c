package validate

import "strings"

// The codice fiscale of a person: six letters (surname and name), the
// year, a month letter, the day (plus 40 for women), the place of birth
// (a letter and three digits) and a check character. Where a digit goes,
// one of "LMNPQRSTUV" may stand for it instead (omocodia: the revenue
// agency's way to tell apart two people who would share a code).
const (
	taxCodeLen    = 16
	omocodiaRunes = "LMNPQRSTUV" // stand for 0–9
	taxCodeMonths = "ABCDEHLMPRST"
)

// taxCodeDigits are the positions (from 0) where a digit or its omocodia
// letter goes.
var taxCodeDigits = [taxCodeLen]bool{6: true, 7: true, 9: true, 10: true, 12: true, 13: true, 14: true}

// oddValues are the check sum's values of 0–9 and A–Z in odd positions
// (counted from 1); in even ones a character is worth its place in 0–9 or
// A–Z.
var oddValues = [26]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23}

// NormalizeTaxCode is s as a codice fiscale is kept: upper case, without
// the spaces people type in it.
func NormalizeTaxCode(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// ValidTaxCode reports whether s (normalised) is the codice fiscale of a
// person: its pattern, a month that exists, a day 1–31 (41–71 for women),
// and its check character. Omocodia codes are valid.
func ValidTaxCode(s string) bool {
	if len(s) != taxCodeLen {
		return false
	}
	for i := range taxCodeLen - 1 {
		c := s[i]
		switch {
		case i == 8:
			if !strings.ContainsRune(taxCodeMonths, rune(c)) {
				return false
			}
		case taxCodeDigits[i]:
			if !isDigit(c) && !strings.ContainsRune(omocodiaRunes, rune(c)) {
				return false
			}
		case !isUpper(c):
			return false
		}
	}
	day := digitOf(s[9])*10 + digitOf(s[10])
	if day < 1 || day > 71 || day > 31 && day < 41 {
		return false
	}
	return s[15] == taxCodeCheck(s[:15])
}

// taxCodeCheck is the check character of the first fifteen characters.
func taxCodeCheck(s string) byte {
	sum := 0
	for i := range len(s) {
		v := valueOf(s[i])
		if i%2 == 0 { // odd positions, counted from 1
			v = oddValues[v]
		}
		sum += v
	}
	return byte('A' + sum%26)
}

// valueOf is c's place in 0–9 or A–Z.
func valueOf(c byte) int {
	if isDigit(c) {
		return int(c - '0')
	}
	return int(c - 'A')
}

// digitOf is the digit c stands for, itself or through omocodia.
func digitOf(c byte) int {
	if isDigit(c) {
		return int(c - '0')
	}
	return strings.IndexByte(omocodiaRunes, c)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
