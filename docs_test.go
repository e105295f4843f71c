package vista_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/visit"
)

// TestReadmeTellsTheCodesLifetimes: what README.md says of the visit
// code's life and rotation is what the service does.
func TestReadmeTellsTheCodesLifetimes(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(b)), " ")
	for _, want := range []string{
		fmt.Sprintf("lives %d seconds", visit.CodeTTL/time.Second),
		fmt.Sprintf("replaced every %d seconds", visit.Rotate/time.Second),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("README.md does not say %q", want)
		}
	}
}
