package mobileapi

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/booking"
)

// TestAppendAvailability: the hand-written encoding of free slots says
// what encoding/json says of them.
func TestAppendAvailability(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	start := time.Date(2026, 3, 29, 1, 45, 0, 0, rome)
	av := &booking.Availability{ShopID: "shop-\"x\"", ServiceID: "svc-<1>", TimeZone: "Europe/Rome", Slots: []booking.Slot{
		{Start: start, End: start.Add(30 * time.Minute), StaffIDs: []string{"a", "b\u2028"}},
		{Start: start.Add(time.Hour), End: start.Add(90 * time.Minute), StaffIDs: []string{"c"}},
	}}
	for _, a := range []*booking.Availability{av, {Slots: []booking.Slot{}}} {
		want, _ := json.Marshal(a)
		got := appendAvailability(nil, a)
		var w, g any
		if err := json.Unmarshal(want, &w); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("not JSON: %s", got)
		}
		if !reflect.DeepEqual(w, g) {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	}
}
