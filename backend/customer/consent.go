package customer

import (
	"context"
	"slices"
	"time"

	"github.com/vista-optical/vista/backend/core"
)

// Channels a customer can be reached on (core.ConsentChannels); "phone"
// is a call from the shop (the phone recall staff make when no digital
// channel can carry a service reminder).
var Channels = core.ConsentChannels

// Purposes a customer can consent to, per channel (core.Purposes).
var Purposes = core.Purposes

// ConsentEvent is one change of one consent, with its proof: when it
// happened, where (source), and which version of the text was shown.
type ConsentEvent struct {
	ID          string    `json:"id"`
	CustomerID  string    `json:"-"`
	Channel     string    `json:"channel"`
	Purpose     string    `json:"purpose"`
	Granted     bool      `json:"granted"`
	OccurredAt  time.Time `json:"occurred_at"`
	Source      string    `json:"source"`
	TextVersion string    `json:"text_version"`
}

// Consent is the current state of one channel × purpose pair.
type Consent struct {
	Channel     string     `json:"channel"`
	Purpose     string     `json:"purpose"`
	Granted     bool       `json:"granted"`
	Since       *time.Time `json:"since,omitempty"`
	TextVersion string     `json:"text_version,omitempty"`
}

// ConsentState is every channel × purpose pair, in a fixed order.
type ConsentState []Consent

// DeriveConsents folds events (oldest first) into the state: the last event
// of a pair wins, and a pair without events is not granted.
func DeriveConsents(events []ConsentEvent) ConsentState {
	state := make(ConsentState, 0, len(Channels)*len(Purposes))
	for _, ch := range Channels {
		for _, p := range Purposes {
			state = append(state, Consent{Channel: ch, Purpose: p})
		}
	}
	for _, e := range events {
		i := slices.IndexFunc(state, func(c Consent) bool { return c.Channel == e.Channel && c.Purpose == e.Purpose })
		if i < 0 {
			continue
		}
		at := e.OccurredAt
		state[i].Granted, state[i].Since, state[i].TextVersion = e.Granted, &at, e.TextVersion
	}
	return state
}

// Granted reports whether the pair is granted in s.
func (s ConsentState) Granted(channel, purpose string) bool {
	for _, c := range s {
		if c.Channel == channel && c.Purpose == purpose {
			return c.Granted
		}
	}
	return false
}

// ConsentsReader is the part of the store consent checks need.
type ConsentsReader interface {
	ConsentEvents(ctx context.Context, customerID string, until time.Time) ([]ConsentEvent, error)
}

// ConsentCheck answers, at send time, whether a customer consents now to a
// channel for a purpose.
type ConsentCheck struct {
	Store ConsentsReader
	Now   func() time.Time
}

// Granted derives the current state from the events and reads one pair.
func (c ConsentCheck) Granted(ctx context.Context, customerID, channel, purpose string) (bool, error) {
	events, err := c.Store.ConsentEvents(ctx, customerID, c.Now())
	if err != nil {
		return false, err
	}
	return DeriveConsents(events).Granted(channel, purpose), nil
}
