package notify

import (
	"strings"
	"testing"
)

func TestCheckLockScreen(t *testing.T) {
	for _, c := range []struct {
		text string
		ok   bool
	}{
		{"Le tue lenti stanno per finire", true},
		{"Your lenses are running out", true},
		{"Sconto del 20% sugli occhiali da sole", true},
		{"Promo: 2 box a 39,90 €", true},
		{"Le tue lenti toriche stanno per finire", false},
		{"Your TORIC lenses", false},
		{"Controllo miopia per tuo figlio", false},
		{"Myopia control follow-up", false},
		{"Lenti multifocali in arrivo", false},
		{"La tua ricetta: -2,75", false},
		{"OD -2.50 D", false},
		{"cyl 0.75 axis 90", false},
		{"Nuova prescrizione pronta", false},
	} {
		err := CheckLockScreen("ok", c.text)
		if (err == nil) != c.ok {
			t.Errorf("CheckLockScreen(%q) = %v, want ok=%v", c.text, err, c.ok)
		}
	}
}

func TestPayloadSize(t *testing.T) {
	m := &Message{Title: "ab", Body: "cde", Data: map[string]string{"k": strings.Repeat("x", 10)}}
	if n := PayloadSize(m); n != 2+3+1+10 {
		t.Fatalf("PayloadSize = %d", n)
	}
}

func BenchmarkCheckLockScreen(b *testing.B) {
	for b.Loop() {
		_ = CheckLockScreen("Le tue lenti stanno per finire", "Apri l'app per i dettagli: puoi riordinarle nel tuo negozio.")
	}
}
