package notify

import (
	"context"
	"log/slog"
	"time"

	"github.com/vista-optical/vista/backend/core"
)

// Consents answers whether a customer consents, now, to a channel for a
// purpose. Nothing is granted by default.
type Consents interface {
	Granted(ctx context.Context, customerID string, channel core.Channel, purpose core.Purpose) (bool, error)
}

// SendRules are the rules every send obeys: consent for the channel and
// purpose, and quiet hours in the shop's time zone (deferred, not dropped).
type SendRules struct {
	Consents Consents
	// Zone returns a shop's time zone; nil or an error means Default.
	Zone    func(ctx context.Context, shopID string) (*time.Location, error)
	Default *time.Location
	// Sent counts what a customer already received; with MarketingCap > 0,
	// at most MarketingCap marketing messages reach a customer per
	// CapWindow (default 7 days), the rest are skipped.
	Sent interface {
		CountSent(ctx context.Context, customerID string, purpose core.Purpose, since time.Time) (int, error)
	}
	MarketingCap int
	CapWindow    time.Duration
	// QuietFrom and QuietUntil are the local hours of quiet (21 and 9 by
	// default): nothing that buzzes a phone goes out between them.
	QuietFrom, QuietUntil int
	// Closed reports an erased account: nothing goes to it on any channel,
	// the inbox and phone recalls included, and no fallback is queued.
	Closed func(customerID string) bool
	// Phones reports whether Vista holds a customer's phone number, which
	// SMS, WhatsApp and a phone recall need; nil assumes it does.
	Phones interface {
		HasPhone(ctx context.Context, customerID string) (bool, error)
	}
}

// CallConsent is the consent channel a phone recall needs: the customer
// agreed to be called by the shop.
const CallConsent = core.ChannelPhone

// ReasonClosed is why a message to an erased account is skipped; a skip
// for this reason queues no fallback.
const ReasonClosed = "the customer's account is closed"

// Check implements Rules.
func (r *SendRules) Check(ctx context.Context, m *Message, now time.Time) (bool, string, time.Time, error) {
	if r.Closed != nil && m.CustomerID != "" && r.Closed(m.CustomerID) {
		return false, ReasonClosed, time.Time{}, nil
	}
	if m.Purpose == PurposeAccount {
		// Asked for by its recipient a minute ago, to the address in the
		// message: no consent applies, and it must not wait.
		if m.Channel != ChannelEmail {
			return false, "account messages go by e-mail only", time.Time{}, nil
		}
		return true, "", time.Time{}, nil
	}
	if m.CustomerID == "" && m.Data[DataTo] != "" && m.Purpose == PurposeService && (m.Channel == ChannelEmail || m.Channel == ChannelSMS) {
		// To a guest about what they booked, on the address or number they
		// gave with their consent when booking (kept with the booking).
		return r.quiet(ctx, m, now)
	}
	if reason, err := r.unreachable(ctx, m); err != nil {
		return false, "", time.Time{}, err
	} else if reason != "" {
		return false, reason, time.Time{}, nil
	}
	if m.Purpose == PurposeMarketing {
		if capped, err := r.capped(ctx, m, now); err != nil {
			return false, "", time.Time{}, err
		} else if capped {
			return false, "marketing frequency cap reached", time.Time{}, nil
		}
	}
	return r.quiet(ctx, m, now)
}

// unreachable says why m may not go to its customer on its channel: no
// consent for it, or no phone number to send it to ("" when it may).
func (r *SendRules) unreachable(ctx context.Context, m *Message) (string, error) {
	consent := m.Channel
	switch m.Channel {
	case ChannelInbox:
		// The in-app inbox is read inside the signed-in app: no consent needed.
		consent = ""
	case ChannelRecall:
		if m.Purpose != PurposeService {
			return "phone recalls are for service messages only", nil
		}
		consent = CallConsent
	}
	if consent != "" {
		ok, err := r.Consents.Granted(ctx, m.CustomerID, consent, m.Purpose)
		if err != nil {
			return "", err
		}
		if !ok {
			return "no consent for " + string(consent) + "/" + string(m.Purpose), nil
		}
	}
	if r.Phones != nil && (m.Channel == ChannelSMS || m.Channel == ChannelWhatsApp || m.Channel == ChannelRecall) {
		ok, err := r.Phones.HasPhone(ctx, m.CustomerID)
		if err != nil {
			return "", err
		}
		if !ok {
			return "no phone number", nil
		}
	}
	return "", nil
}

// capped reports whether the customer has had as many marketing messages
// in the cap's window as the cap allows.
func (r *SendRules) capped(ctx context.Context, m *Message, now time.Time) (bool, error) {
	if r.MarketingCap <= 0 || r.Sent == nil {
		return false, nil
	}
	window := r.CapWindow
	if window == 0 {
		window = 7 * 24 * time.Hour
	}
	n, err := r.Sent.CountSent(ctx, m.CustomerID, PurposeMarketing, now.Add(-window))
	return n >= r.MarketingCap, err
}

// quiet defers what buzzes a phone until the shop's quiet hours end.
func (r *SendRules) quiet(ctx context.Context, m *Message, now time.Time) (bool, string, time.Time, error) {
	if m.Channel == ChannelEmail || m.Channel == ChannelInbox {
		return true, "", time.Time{}, nil
	}
	loc := r.Default
	if r.Zone != nil && m.ShopID != "" {
		if l, err := r.Zone(ctx, m.ShopID); err == nil && l != nil {
			loc = l
		}
	}
	if next := QuietUntil(now, loc, r.quietFrom(), r.quietUntil()); next.After(now) {
		return true, "quiet hours", next, nil
	}
	return true, "", time.Time{}, nil
}

func (r *SendRules) quietFrom() int {
	if r.QuietFrom == 0 && r.QuietUntil == 0 {
		return 21
	}
	return r.QuietFrom
}

func (r *SendRules) quietUntil() int {
	if r.QuietFrom == 0 && r.QuietUntil == 0 {
		return 9
	}
	return r.QuietUntil
}

// QuietUntil returns now when now is outside the quiet hours [from, until)
// in loc, else the end of the quiet period: until o'clock local time, on
// the right day, whatever DST does that night.
func QuietUntil(now time.Time, loc *time.Location, from, until int) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	local := now.In(loc)
	h := local.Hour()
	quiet := h >= from || h < until
	if from < until {
		quiet = h >= from && h < until
	}
	if !quiet {
		return now
	}
	day := local
	if h >= from && from > until {
		day = local.AddDate(0, 0, 1)
	}
	return time.Date(day.Year(), day.Month(), day.Day(), until, 0, 0, 0, loc).UTC()
}

// LogChannel stands in for a channel without a provider: it logs what
// would have been sent (its title, not its text or recipient), and
// reports it sent.
type LogChannel struct {
	Name   string
	Logger *slog.Logger
}

// Deliver implements Channel.
func (l LogChannel) Deliver(ctx context.Context, m *Message) Delivery {
	l.Logger.Info("message not sent: no provider configured for this channel, logged instead",
		"channel", l.Name, "message_id", m.ID, "cause", m.Cause, "title", m.Title)
	return Delivery{Status: StatusSent}
}

// RecordChannel serves the channels whose message is the outbox row itself
// — an in-app inbox entry, a phone recall for staff — so delivering is
// recording it sent.
type RecordChannel struct{}

// Deliver implements Channel.
func (RecordChannel) Deliver(context.Context, *Message) Delivery { return Delivery{Status: StatusSent} }
