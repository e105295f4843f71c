package screen

import (
	"github.com/vista-optical/vista/backend/core"

	"context"
	"log/slog"
	"sync"
	"testing"
	"time"
)

func TestScheduleHolds(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	at := func(s string) time.Time {
		t.Helper()
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, rome)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	morning := Schedule{Weekdays: []string{"mon", "tue", "wed", "thu", "fri"}, From: "08:00", To: "12:00"}
	loop := Schedule{Weekdays: []string{"fri"}, From: "19:30", To: "09:00"} // Friday evening into Saturday morning
	for _, c := range []struct {
		s    Schedule
		at   string
		want bool
	}{
		{Schedule{}, "2026-12-06 03:00", true},
		{morning, "2026-12-01 08:00", true},  // Tuesday, from inclusive
		{morning, "2026-12-01 12:00", false}, // to exclusive
		{morning, "2026-12-05 09:00", false}, // Saturday
		{loop, "2026-12-04 19:29", false},
		{loop, "2026-12-04 19:30", true},
		{loop, "2026-12-04 23:59", true},
		{loop, "2026-12-05 08:59", true}, // Saturday morning belongs to Friday's loop
		{loop, "2026-12-05 09:00", false},
		{loop, "2026-12-05 20:00", false},                                // Saturday evening is not Friday's
		{loop, "2026-12-04 08:00", false},                                // Friday morning belongs to Thursday
		{Schedule{From: "01:00", To: "04:00"}, "2027-03-28 03:30", true}, // the night the clocks go forward
	} {
		if got := c.s.Holds(at(c.at), rome); got != c.want {
			t.Errorf("%+v at %s = %v, want %v", c.s, c.at, got, c.want)
		}
	}
	for _, bad := range []Schedule{
		{Weekdays: []string{"lun"}}, {From: "9:00", To: "10:00"}, {From: "24:00", To: "10:00"}, {From: "09:00"},
		{From: "09:00", To: "09:00"}, {Weekdays: make([]string, 8)},
	} {
		if bad.Check("schedule") == nil {
			t.Errorf("%+v passed Check", bad)
		}
	}
	if fe := loop.Check("schedule"); fe != nil {
		t.Errorf("loop refused: %+v", fe)
	}
}

func TestNormalizeCode(t *testing.T) {
	for in, want := range map[string]string{"abcd-efgh": "ABCDEFGH", " AB CD-EF GH ": "ABCDEFGH", "ABCD–EFGH": "ABCD–EFGH"} {
		if got := normalizeCode(in); got != want {
			t.Errorf("normalizeCode(%q) = %q, want %q", in, got, want)
		}
	}
}

// log is an in-memory event log that can hold an event back, as a
// MongoDB append on another instance may be visible after a later one.
type log struct {
	mu     sync.Mutex
	events []Event
	hidden map[int64]bool
}

func (l *log) EventsAfter(_ context.Context, seq int64, limit int) ([]Event, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Event
	for _, e := range l.events {
		if e.Seq > seq && !l.hidden[e.Seq] && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func (l *log) LastEventSeq(context.Context) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var last int64
	for _, e := range l.events {
		last = max(last, e.Seq)
	}
	return last, nil
}

func (l *log) add(e Event, hidden bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
	if hidden {
		l.hidden[e.Seq] = true
	}
}

func (l *log) reveal(seq int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.hidden, seq)
}

func recv(t *testing.T, s *Sub, within time.Duration) (Event, bool) {
	t.Helper()
	select {
	case e, ok := <-s.C:
		return e, ok
	case <-time.After(within):
		return Event{}, false
	}
}

// TestHubDeliversInOrderAcrossAGap: an event visible before an earlier
// one waits for it (briefly), so screens see events in sequence; events
// go to their shop (or all shops), and to one kiosk when addressed to it.
func TestHubDeliversInOrderAcrossAGap(t *testing.T) {
	l := &log{hidden: map[int64]bool{}}
	h := NewHub(l, 10*time.Millisecond, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := h.Init(ctx); err != nil {
		t.Fatal(err)
	}
	a := subscribe(t, h, "shop-a", "k1")
	a2 := subscribe(t, h, "shop-a", "k2")
	b := subscribe(t, h, "shop-b", "k3")
	go h.Run(ctx)
	l.add(Event{Seq: 1, ShopID: "shop-a", Kind: EventOffer}, false)
	if e, ok := recv(t, a, time.Second); !ok || e.Seq != 1 {
		t.Fatalf("a got %+v %v", e, ok)
	}
	l.add(Event{Seq: 2, ShopID: "shop-a", Kind: EventOffer}, true) // not visible yet
	l.add(Event{Seq: 3, Kind: EventContent}, false)                // every shop
	if e, ok := recv(t, a, 200*time.Millisecond); ok {
		t.Fatalf("delivered %+v past the gap", e)
	}
	l.reveal(2)
	for _, want := range []int64{2, 3} {
		if e, ok := recv(t, a, time.Second); !ok || e.Seq != want {
			t.Fatalf("a got %+v, want seq %d", e, want)
		}
	}
	if e, ok := recv(t, b, time.Second); !ok || e.Seq != 3 {
		t.Fatalf("b got %+v, want the chain event only", e)
	}
	// A gap that never fills is skipped after gapWait.
	l.add(Event{Seq: 5, ShopID: "shop-b", Kind: EventOffer}, false)
	if e, ok := recv(t, b, gapWait+time.Second); !ok || e.Seq != 5 {
		t.Fatalf("b got %+v after a lasting gap", e)
	}
	// A revocation reaches its kiosk only, and closes it.
	l.add(Event{Seq: 6, ShopID: "shop-a", KioskID: "k1", Kind: EventRevoked}, false)
	if e, ok := recv(t, a, time.Second); !ok || e.Kind != EventRevoked {
		t.Fatalf("a got %+v", e)
	}
	if _, ok := <-a.C; ok {
		t.Fatal("a revoked screen's channel stays open")
	}
	for range 3 { // a2 had 1, 2, 3 waiting
		recv(t, a2, time.Second)
	}
	if e, ok := recv(t, a2, 100*time.Millisecond); ok {
		t.Fatalf("another kiosk received %+v", e)
	}
	if h.Connected() != 2 {
		t.Fatalf("connected %d, want 2", h.Connected())
	}
}

// TestHubDropsASlowScreen: a screen that does not read is dropped once
// its buffer is full, and the others still receive.
func TestHubDropsASlowScreen(t *testing.T) {
	l := &log{hidden: map[int64]bool{}}
	h := NewHub(l, 5*time.Millisecond, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := h.Init(ctx); err != nil {
		t.Fatal(err)
	}
	slow := subscribe(t, h, "shop-a", "slow")
	fast := subscribe(t, h, "shop-a", "fast")
	go h.Run(ctx)
	got := 0
	for i := range subBuffer + 10 {
		l.add(Event{Seq: int64(i + 1), ShopID: "shop-a", Kind: EventOffer}, false)
		if _, ok := recv(t, fast, time.Second); ok {
			got++
		}
	}
	if got != subBuffer+10 {
		t.Fatalf("the reading screen got %d of %d", got, subBuffer+10)
	}
	n := 0
	for range slow.C {
		n++
	}
	if n != subBuffer {
		t.Fatalf("the slow screen had %d buffered before it was dropped, want %d", n, subBuffer)
	}
	cancel()
	if _, ok := <-fast.C; ok {
		t.Fatal("the hub stopping leaves a screen connected")
	}
}

// TestHubStartsWhereTheLogEndedAtInit: an event appended after Init but
// before Run's first read reaches a screen that connected in between; a
// screen is refused before Init, since its stream would have no start.
func TestHubStartsWhereTheLogEndedAtInit(t *testing.T) {
	l := &log{hidden: map[int64]bool{}}
	l.add(Event{Seq: 1, ShopID: "shop-a", Kind: EventOffer}, false)
	h := NewHub(l, 10*time.Millisecond, slog.New(slog.DiscardHandler))
	if _, err := h.Subscribe("shop-a", "k1"); !core.IsCode(err, core.EUNAVAILABLE) {
		t.Fatalf("before Init: %v, want EUNAVAILABLE", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := h.Init(ctx); err != nil {
		t.Fatal(err)
	}
	s := subscribe(t, h, "shop-a", "k1")
	l.add(Event{Seq: 2, ShopID: "shop-a", Kind: EventOffer}, false)
	go h.Run(ctx)
	if e, ok := recv(t, s, time.Second); !ok || e.Seq != 2 {
		t.Fatalf("got %+v %v, want the event appended before Run read the log", e, ok)
	}
}

func subscribe(t *testing.T, h *Hub, shopID, kioskID string) *Sub {
	t.Helper()
	s, err := h.Subscribe(shopID, kioskID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestHubBoundsStreams: a device holds at most MaxPerKiosk streams (a new
// one closes its oldest), and the instance at most MaxStreams, past which
// a new stream is refused as unavailable until one ends.
func TestHubBoundsStreams(t *testing.T) {
	h := NewHub(&log{hidden: map[int64]bool{}}, time.Second, slog.New(slog.DiscardHandler))
	h.MaxPerKiosk, h.MaxStreams = 3, 5
	if err := h.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	var stolen []*Sub
	for range 10 {
		stolen = append(stolen, subscribe(t, h, "shop-a", "k1"))
	}
	for i, s := range stolen {
		_, delivered := recvNow(s)
		if closed := !delivered && isClosed(s); closed != (i < 7) {
			t.Fatalf("stream %d of one device: closed %v", i, closed)
		}
	}
	if h.Connected() != 3 {
		t.Fatalf("one device: %d connected, want 3", h.Connected())
	}
	subscribe(t, h, "shop-a", "k2")
	last := subscribe(t, h, "shop-b", "k3")
	if _, err := h.Subscribe("shop-b", "k4"); !core.IsCode(err, core.EUNAVAILABLE) {
		t.Fatalf("past MaxStreams: %v, want EUNAVAILABLE", err)
	}
	h.Unsubscribe(last)
	subscribe(t, h, "shop-b", "k4")
	if h.Connected() != 5 {
		t.Fatalf("connected %d, want 5", h.Connected())
	}
}

func recvNow(s *Sub) (Event, bool) {
	select {
	case e, ok := <-s.C:
		return e, ok
	default:
		return Event{}, false
	}
}

func isClosed(s *Sub) bool {
	select {
	case _, ok := <-s.C:
		return !ok
	default:
		return false
	}
}
