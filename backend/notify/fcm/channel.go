package fcm

import (
	"context"
	"log/slog"
	"strings"
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

// Channel delivers push messages to every live device of a customer.
type Channel struct {
	Devices Devices
	Client  *Client
	Clock   core.Clock
	Logger  *slog.Logger
}

// Deliver implements notify.Channel. The message counts as sent when at
// least one device accepted it; dead tokens are removed at once; a retry
// is asked for when no device accepted it and some failure is temporary.
func (c *Channel) Deliver(ctx context.Context, m *notify.Message) notify.Delivery {
	devices, err := c.Devices.Devices(ctx, m.CustomerID)
	if err != nil {
		return notify.Delivery{Status: notify.StatusPending, Reason: "devices: " + err.Error()}
	}
	now := c.Clock.Now()
	var (
		sent    int
		retry   bool
		wait    time.Duration
		reasons []string
	)
	for _, d := range devices {
		if now.Sub(d.LastSeenAt) > StaleAfter {
			continue
		}
		res := c.Client.Send(ctx, Build(m, d.Token))
		switch res.Verdict {
		case Delivered:
			sent++
		case DropToken:
			if err := c.Devices.DeleteDevice(ctx, m.CustomerID, d.Token); err != nil && !core.IsCode(err, core.ENOTFOUND) {
				c.Logger.Warn("dead push token not removed", "err", err)
			}
			reasons = append(reasons, "token removed: "+res.Err.Error())
		case BadPayload:
			c.Logger.Error("FCM rejected our payload: message failed, token kept", "message_id", m.ID, "err", res.Err)
			return notify.Delivery{Status: notify.StatusDead, Reason: "payload rejected by FCM: " + res.Err.Error()}
		case AuthFailure:
			c.Logger.Error("ALERT: FCM third-party (APNs/web push) credentials rejected; no token deleted", "message_id", m.ID, "err", res.Err)
			retry, wait = true, max(wait, 15*time.Minute)
			reasons = append(reasons, "third-party auth error")
		default:
			retry, wait = true, max(wait, res.RetryAfter)
			reasons = append(reasons, res.Verdict.String()+": "+errText(res.Err))
		}
	}
	switch {
	case sent > 0:
		return notify.Delivery{Status: notify.StatusSent}
	case retry:
		return notify.Delivery{Status: notify.StatusPending, RetryAfter: wait, Reason: strings.Join(reasons, "; ")}
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
