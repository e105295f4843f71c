package screen

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/vista-optical/vista/backend/core"
)

// EventReader is what the hub reads of the event log.
type EventReader interface {
	EventsAfter(ctx context.Context, seq int64, limit int) ([]Event, error)
	LastEventSeq(ctx context.Context) (int64, error)
}

// Hub delivers events to the screens connected to this instance. It
// tails the event log in the database, so an event appended by any
// instance reaches every screen; an instance's own appends wake it at
// once. A screen that falls behind is dropped and replays from its last
// event id when it reconnects.
type Hub struct {
	Events EventReader
	// Poll is how often the log is read when nothing woke the hub.
	Poll   time.Duration
	Logger *slog.Logger
	// MaxPerKiosk is how many streams one device may hold (a display
	// reconnecting, a second tab): a new one closes its oldest. Zero:
	// DefaultMaxPerKiosk.
	MaxPerKiosk int
	// MaxStreams bounds the streams of this instance, so that no device
	// token, stolen or not, holds its file descriptors. Zero:
	// DefaultMaxStreams.
	MaxStreams int

	wake    chan struct{}
	mu      sync.Mutex
	subs    map[string]map[*Sub]struct{} // by shop id
	byKiosk map[string][]*Sub            // oldest first
	last    int64
	// gapSince is when the hub first saw a gap in the sequence: an append
	// on another instance may not be visible yet (MongoDB's counter).
	gapSince time.Time
	closed   bool
	count    int
	// ready is set once last holds the log's end: before it, a screen is
	// refused, since the hub would not know where its stream starts.
	ready bool
}

// Sub is one connected screen.
type Sub struct {
	ShopID, KioskID string
	// C carries the screen's events; it is closed when the hub drops the
	// screen (too slow, revoked, or the hub closing).
	C    chan Event
	once sync.Once
}

// gapWait is how long the hub waits for a missing sequence number.
const gapWait = 2 * time.Second

// Default bounds of the streams.
const (
	DefaultMaxPerKiosk = 3
	DefaultMaxStreams  = 2000
)

// subBuffer is how many events a screen may be behind before it is
// dropped.
const subBuffer = 64

// NewHub returns a hub over events, polling every poll.
func NewHub(events EventReader, poll time.Duration, logger *slog.Logger) *Hub {
	return &Hub{Events: events, Poll: poll, Logger: logger, wake: make(chan struct{}, 1), subs: map[string]map[*Sub]struct{}{},
		byKiosk: map[string][]*Sub{}}
}

// Wake makes the hub read the log now.
func (h *Hub) Wake() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Subscribe connects a screen of shopID. A device past MaxPerKiosk
// streams loses its oldest; past MaxStreams on this instance, or before
// the hub knows the log's end (Init), the new one is refused
// (EUNAVAILABLE: 503, retry later).
func (h *Hub) Subscribe(shopID, kioskID string) (*Sub, error) {
	s := &Sub{ShopID: shopID, KioskID: kioskID, C: make(chan Event, subBuffer)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(s.C)
		return s, nil
	}
	if !h.ready {
		return nil, core.Errorf(core.EUNAVAILABLE, "the screen service is starting: try again shortly")
	}
	if mine := h.byKiosk[kioskID]; len(mine) >= cmp.Or(h.MaxPerKiosk, DefaultMaxPerKiosk) {
		h.drop(mine[0])
	}
	if h.count >= cmp.Or(h.MaxStreams, DefaultMaxStreams) {
		return nil, core.Errorf(core.EUNAVAILABLE, "this server holds as many screen streams as it can: try again shortly")
	}
	if h.subs[shopID] == nil {
		h.subs[shopID] = map[*Sub]struct{}{}
	}
	h.subs[shopID][s] = struct{}{}
	h.byKiosk[kioskID] = append(h.byKiosk[kioskID], s)
	h.count++
	return s, nil
}

// Unsubscribe disconnects s; it is safe to call twice.
func (h *Hub) Unsubscribe(s *Sub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.drop(s)
}

func (h *Hub) drop(s *Sub) {
	if m := h.subs[s.ShopID]; m != nil {
		if _, ok := m[s]; ok {
			delete(m, s)
			h.count--
			if len(m) == 0 {
				delete(h.subs, s.ShopID)
			}
			mine := slices.DeleteFunc(h.byKiosk[s.KioskID], func(o *Sub) bool { return o == s })
			if len(mine) == 0 {
				delete(h.byKiosk, s.KioskID)
			} else {
				h.byKiosk[s.KioskID] = mine
			}
		}
	}
	s.once.Do(func() { close(s.C) })
}

// Connected is how many screens are connected to this instance.
func (h *Hub) Connected() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.count
}

// Last is the sequence number of the last event delivered.
func (h *Hub) Last() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last
}

// Init reads where the log ends, from which the hub delivers. Call it
// before serving, so that no screen connects before the hub knows its
// starting point: a hub that learnt it later would skip the events
// appended in between. Run calls it until it succeeds; a second call does
// nothing.
func (h *Hub) Init(ctx context.Context) error {
	h.mu.Lock()
	ready := h.ready
	h.mu.Unlock()
	if ready {
		return nil
	}
	last, err := h.Events.LastEventSeq(ctx)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.ready {
		h.last, h.ready = last, true
	}
	return nil
}

// Run tails the log until ctx ends, then drops every screen.
func (h *Hub) Run(ctx context.Context) {
	defer h.Close()
	for {
		err := h.Init(ctx)
		if err == nil {
			break
		}
		h.Logger.Warn("screen events: cannot read the log", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
	t := time.NewTicker(h.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-h.wake:
		}
		for h.step(ctx) {
		}
	}
}

// step reads and delivers one batch; it reports whether there may be more.
func (h *Hub) step(ctx context.Context) bool {
	h.mu.Lock()
	last := h.last
	h.mu.Unlock()
	evs, err := h.Events.EventsAfter(ctx, last, 500)
	if err != nil {
		if ctx.Err() == nil {
			h.Logger.Warn("screen events: cannot read the log", "err", err)
		}
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range evs {
		if e.Seq != h.last+1 {
			if h.gapSince.IsZero() {
				h.gapSince = time.Now()
			}
			if time.Since(h.gapSince) < gapWait {
				return false // wait for the missing one
			}
		}
		h.gapSince = time.Time{}
		h.last = e.Seq
		h.deliver(e)
	}
	return len(evs) == 500
}

// deliver sends e to the screens it is for; h.mu is held.
func (h *Hub) deliver(e Event) {
	send := func(m map[*Sub]struct{}) {
		for s := range m {
			if e.KioskID != "" && s.KioskID != e.KioskID {
				continue
			}
			select {
			case s.C <- e:
			default:
				h.drop(s) // too far behind: it replays when it reconnects
			}
			if e.Kind == EventRevoked {
				h.drop(s)
			}
		}
	}
	if e.ShopID != "" {
		send(h.subs[e.ShopID])
		return
	}
	for _, m := range h.subs {
		send(m)
	}
}

// Close drops every screen and refuses new ones, so that their streams
// end and the server can shut down.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for _, m := range h.subs {
		for s := range m {
			h.drop(s)
		}
	}
}
