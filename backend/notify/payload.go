package notify

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
)

// MaxPushPayload is FCM's limit, in bytes, on what a message carries
// (notification and data together).
const MaxPushPayload = 4096

// healthTerms reveal health data when they show on a lock screen: lens
// types, eye conditions, prescription units — in Italian and English,
// as stems so that plurals and adjectives match.
var healthTerms = []string{
	"astigmat", "toric", "torich", "miop", "myop", "ipermetrop", "hypermetrop", "hyperop", "presbi", "presby",
	"multifocal", "progressiv", "cheratocon", "keratocon", "glaucom", "catarat", "cataract", "ambliop", "amblyop",
	"strabism", "diottri", "dioptr", "prescrizion", "prescription", "ricetta",
}

// diopters matches a prescription value such as "-2,75" or "+1.50 D".
var diopters = regexp.MustCompile(`[+-]\s?\d{1,2}[.,]\d{2}(\s?(d|dpt)\b)?|\b(sph|cyl|asse|axis)\b`)

// clean remembers texts already found clean: messages repeat a few
// templates, and the check costs microseconds on the push hot path.
var clean struct {
	sync.Map
	n atomic.Int64
}

// CheckLockScreen returns an error naming the first health term or
// prescription value found in texts that a lock screen shows (T30). Push
// refuses such a message rather than show it.
func CheckLockScreen(texts ...string) error {
	for _, t := range texts {
		if _, ok := clean.Load(t); ok {
			continue
		}
		if err := checkText(t); err != nil {
			return err
		}
		if clean.n.Add(1) > 4096 { // personalised texts do not repeat: stay bounded
			clean.Clear()
			clean.n.Store(0)
		}
		clean.Store(t, struct{}{})
	}
	return nil
}

func checkText(t string) error {
	low := strings.ToLower(t)
	for _, term := range healthTerms {
		if strings.Contains(low, term) {
			return fmt.Errorf("lock-screen text %q reveals health data (%q)", t, term)
		}
	}
	if v := diopters.FindString(low); v != "" {
		return fmt.Errorf("lock-screen text %q holds a prescription value (%q)", t, v)
	}
	return nil
}

// PayloadSize is how many bytes of FCM's limit a message takes: its title,
// body and data keys and values.
func PayloadSize(m *Message) int {
	n := len(m.Title) + len(m.Body)
	for k, v := range m.Data {
		n += len(k) + len(v)
	}
	return n
}
