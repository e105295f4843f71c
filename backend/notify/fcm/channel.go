package fcm

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
	"github.com/vista-optical/vista/backend/notify"
)

// StaleAfter is how long a device may stay silent before it is no longer
// targeted: FCM expires Android tokens inactive for 270 days.
const StaleAfter = 270 * 24 * time.Hour

// Devices is what the push channel needs of the customer store.
type Devices interface {
	Devices(ctx context.Context, customerID string) ([]*customer.Device, error)
	DeleteDevice(ctx context.Context, customerID, token string) error
}

// HaltFor is how long push to a platform stops after FCM answers
// THIRD_PARTY_AUTH_ERROR for it: the APNs key (iOS) or web-push keys in
// the Firebase project were rejected, so every send to that platform would
// fail the same way until someone fixes the project. The channel alerts,
// sends nothing to that platform — the messages wait, none is dropped and
// no token is deleted — and when the time is up lets one send through as a
// probe: delivered ends the halt, rejected starts another.
const HaltFor = 15 * time.Minute

// Channel delivers push messages to every live device of a customer.
type Channel struct {
	Devices Devices
	Client  *Client
	Clock   core.Clock
	Logger  *slog.Logger

	mu     sync.Mutex
	halted map[string]time.Time // platform → end of its halt
	any    atomic.Bool          // len(halted) > 0, read without the lock on every send
}

// Halted returns the platforms push is halted for, with the time each
// halt ends (when the next probe may go).
func (c *Channel) Halted() map[string]time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]time.Time, len(c.halted))
	for p, until := range c.halted {
		out[p] = until
	}
	return out
}

// hold says whether a send to platform must wait, and until when. When a
// halt has run out, the caller is let through as the probe and the halt is
// extended for everyone else until the probe's outcome is known.
func (c *Channel) hold(platform string, now time.Time) (time.Time, bool) {
	if !c.any.Load() {
		return time.Time{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	until, ok := c.halted[platform]
	if !ok {
		return time.Time{}, false
	}
	if now.Before(until) {
		return until, true
	}
	c.halted[platform] = now.Add(HaltFor)
	return time.Time{}, false
}

// halt stops push to platform for HaltFor and raises the alert.
func (c *Channel) halt(platform string, now time.Time, err error) {
	c.mu.Lock()
	if c.halted == nil {
		c.halted = map[string]time.Time{}
	}
	c.halted[platform] = now.Add(HaltFor)
	c.any.Store(true)
	c.mu.Unlock()
	c.Logger.Error("ALERT: FCM rejected the third-party push credentials (APNs key or web-push keys in the Firebase project); push to this platform halted, no token deleted",
		"platform", platform, "retry_at", now.Add(HaltFor), "err", err)
}

// resume ends a halt after a delivery to platform.
func (c *Channel) resume(platform string) {
	if !c.any.Load() {
		return
	}
	c.mu.Lock()
	_, was := c.halted[platform]
	delete(c.halted, platform)
	c.any.Store(len(c.halted) > 0)
	c.mu.Unlock()
	if was {
		c.Logger.Info("push to platform resumed: FCM accepted a send", "platform", platform)
	}
}

// Deliver implements notify.Channel. The message counts as sent when at
// least one device accepted it; dead tokens are removed at once; a retry
// is asked for when no device accepted it and some failure is temporary.
func (c *Channel) Deliver(ctx context.Context, m *notify.Message) notify.Delivery {
	// What a push shows on a lock screen must not reveal health data, and
	// FCM refuses what exceeds its size: such a message fails loudly here
	// instead of reaching a phone or every device's error.
	if err := notify.CheckLockScreen(m.Title, m.Body); err != nil {
		c.Logger.Error("push refused: health data on the lock screen", "message_id", m.ID, "cause", m.Cause, "err", err)
		return notify.Delivery{Status: notify.StatusDead, Reason: err.Error()}
	}
	if n := notify.PayloadSize(m) + 2*len(CollapseTag(m.Cause, m.CustomerID)); n > notify.MaxPushPayload {
		c.Logger.Error("push refused: payload over FCM's limit", "message_id", m.ID, "bytes", n)
		return notify.Delivery{Status: notify.StatusDead, Reason: fmt.Sprintf("payload of %d bytes exceeds FCM's %d", n, notify.MaxPushPayload)}
	}
	devices, err := c.Devices.Devices(ctx, m.CustomerID)
	if err != nil {
		return notify.Delivery{Status: notify.StatusPending, Reason: "devices: " + err.Error()}
	}
	now := c.Clock.Now()
	var (
		sent    int
		retry   bool
		tried   bool // a send failed in a way that counts as an attempt
		wait    time.Duration
		reasons []string
	)
	for _, d := range devices {
		if now.Sub(d.LastSeenAt) > StaleAfter {
			continue
		}
		if until, held := c.hold(d.Platform, now); held {
			retry, wait = true, max(wait, until.Sub(now))
			reasons = append(reasons, "push to "+d.Platform+" halted: third-party credentials rejected")
			continue
		}
		res := c.Client.Send(ctx, Build(m, d.Token))
		switch res.Verdict {
		case Delivered:
			sent++
			c.resume(d.Platform)
		case DropToken:
			if err := c.Devices.DeleteDevice(ctx, m.CustomerID, d.Token); err != nil && !core.IsCode(err, core.ENOTFOUND) {
				c.Logger.Warn("dead push token not removed", "err", err)
			}
			reasons = append(reasons, "token removed: "+res.Err.Error())
		case BadPayload:
			c.Logger.Error("FCM rejected our payload: message failed, token kept", "message_id", m.ID, "err", res.Err)
			return notify.Delivery{Status: notify.StatusDead, Reason: "payload rejected by FCM: " + res.Err.Error()}
		case AuthFailure:
			c.halt(d.Platform, now, res.Err)
			retry, tried, wait = true, true, max(wait, HaltFor)
			reasons = append(reasons, "third-party auth error ("+d.Platform+")")
		default:
			retry, tried, wait = true, true, max(wait, res.RetryAfter)
			reasons = append(reasons, res.Verdict.String()+": "+errText(res.Err))
		}
	}
	switch {
	case sent > 0:
		return notify.Delivery{Status: notify.StatusSent}
	case retry:
		return notify.Delivery{Status: notify.StatusPending, RetryAfter: wait, Reason: strings.Join(reasons, "; "), Deferred: !tried}
	}
	reason := "no device to push to"
	if len(reasons) > 0 {
		reason += " (" + strings.Join(reasons, "; ") + ")"
	}
	return notify.Delivery{Status: notify.StatusSkipped, Reason: reason}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
