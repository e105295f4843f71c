package kiosk

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/screen"
)

// maxReplay bounds the events a reconnecting screen is sent from the log;
// one further behind reloads its content instead.
const maxReplay = 200

// writeWait is how long one write to a screen may take before the
// connection is given up (fasthttp's WriteTimeout would end every stream
// after its first 30 seconds, so each write sets its own deadline).
const writeWait = 20 * time.Second

// events is the screen's event stream (text/event-stream). Every event
// carries its sequence number as id; a screen reconnecting with
// Last-Event-ID (or ?last_event_id= where the browser's EventSource is
// not used) first receives what it missed from the log.
func (s *Screens) events(c *fiber.Ctx) error {
	a, _ := core.ActorFrom(c.UserContext())
	after, err := lastEventID(c)
	if err != nil {
		return err
	}
	sub, err := s.Hub.Subscribe(a.Shop, a.ID)
	if err != nil {
		return err
	}
	// What the log holds past the screen's last id, read after
	// subscribing so nothing falls between; live events already replayed
	// are skipped by sequence number.
	var replay []screen.Event
	if after > 0 {
		if replay, err = s.Screens.Replay(c.UserContext(), after, maxReplay); err != nil {
			s.Hub.Unsubscribe(sub)
			return err
		}
	} else {
		after = s.Hub.Last()
	}
	if err := s.Screens.Heartbeat(c.UserContext()); err != nil {
		s.Hub.Unsubscribe(sub)
		return err
	}
	c.Set(fiber.HeaderContentType, "text/event-stream")
	c.Set("X-Accel-Buffering", "no") // a proxy in front must not buffer the stream
	conn := c.Context().Conn()
	heartbeat := s.Heartbeat
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer s.Hub.Unsubscribe(sub)
		flush := func() bool {
			_ = conn.SetWriteDeadline(time.Now().Add(writeWait))
			return w.Flush() == nil
		}
		fmt.Fprintf(w, "retry: 3000\n\n")
		sent := after
		for _, e := range replay {
			writeEvent(w, e)
			sent = max(sent, e.Seq)
		}
		if !flush() {
			return
		}
		tick := time.NewTicker(heartbeat)
		defer tick.Stop()
		for {
			select {
			case e, ok := <-sub.C:
				if !ok {
					return // dropped: revoked, too slow, or the server stopping
				}
				if e.Seq <= sent {
					continue
				}
				sent = e.Seq
				writeEvent(w, e)
			case <-tick.C:
				fmt.Fprint(w, ": ping\n\n")
			}
			if !flush() {
				return
			}
		}
	})
	return nil
}

func writeEvent(w *bufio.Writer, e screen.Event) {
	fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", e.Seq, e.Kind, strings.ReplaceAll(e.Data, "\n", " "))
}

// lastEventID reads where a reconnecting screen stopped.
func lastEventID(c *fiber.Ctx) (int64, error) {
	v := c.Get("Last-Event-ID")
	if v == "" {
		v = c.Query("last_event_id")
	}
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, core.Invalid("Last-Event-ID is not an event id", core.FieldError{Field: "last_event_id", Code: "invalid", Message: "must be the id of an event received before"})
	}
	return n, nil
}
