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
	ID          string       `json:"id"`
	CustomerID  string       `json:"-"`
	Channel     core.Channel `json:"channel"`
	Purpose     core.Purpose `json:"purpose"`
	Granted     bool         `json:"granted"`
	OccurredAt  time.Time    `json:"occurred_at"`
	Source      string       `json:"source"`
	TextVersion string       `json:"text_version"`
}

// Consent is the current state of one channel × purpose pair.
type Consent struct {
	Channel     core.Channel `json:"channel"`
	Purpose     core.Purpose `json:"purpose"`
	Granted     bool         `json:"granted"`
	Since       *time.Time   `json:"since,omitempty"`
	TextVersion string       `json:"text_version,omitempty"`
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
func (s ConsentState) Granted(channel core.Channel, purpose core.Purpose) bool {
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
func (c ConsentCheck) Granted(ctx context.Context, customerID string, channel core.Channel, purpose core.Purpose) (bool, error) {
	events, err := c.Store.ConsentEvents(ctx, customerID, c.Now())
	if err != nil {
		return false, err
	}
	return DeriveConsents(events).Granted(channel, purpose), nil
}

// ConsentChoice is one consent as the customer sets it.
type ConsentChoice struct {
	Channel core.Channel `json:"channel" validate:"required,consentchannel"`
	Purpose core.Purpose `json:"purpose" validate:"required,purpose"`
	Granted bool         `json:"granted"`
}

// ConsentInput is a change of consents with its proof.
type ConsentInput struct {
	Consents    []ConsentChoice `json:"consents" validate:"required,min=1,max=15,dive"`
	TextVersion string          `json:"text_version" validate:"required,max=100"`
	Source      string          `json:"source" validate:"required,max=100"`
}

// SetConsents records the customer's choices as consent events and returns
// the resulting state. Granting and withdrawing take the same one call.
func (s *Service) SetConsents(ctx context.Context, in ConsentInput) (ConsentState, error) {
	id, err := customerID(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.Validator.Struct(in); err != nil {
		return nil, err
	}
	if _, err := s.active(ctx, id); err != nil {
		return nil, err
	}
	return s.appendConsents(ctx, id, in.Consents, in.Source, in.TextVersion)
}

// Consents returns the signed-in customer's consent state now.
func (s *Service) Consents(ctx context.Context) (ConsentState, error) {
	id, err := customerID(ctx)
	if err != nil {
		return nil, err
	}
	events, err := s.Store.ConsentEvents(ctx, id, s.Clock.Now())
	if err != nil {
		return nil, err
	}
	return DeriveConsents(events), nil
}

func (s *Service) appendConsents(ctx context.Context, id string, choices []ConsentChoice, source, version string) (ConsentState, error) {
	now := s.Clock.Now()
	events := make([]ConsentEvent, 0, len(choices))
	for _, ch := range choices {
		events = append(events, ConsentEvent{
			ID: core.NewID(), CustomerID: id, Channel: ch.Channel, Purpose: ch.Purpose, Granted: ch.Granted,
			OccurredAt: now, Source: source, TextVersion: version,
		})
	}
	if err := s.Store.AppendConsentEvents(ctx, events); err != nil {
		return nil, err
	}
	all, err := s.Store.ConsentEvents(ctx, id, now)
	if err != nil {
		return nil, err
	}
	return DeriveConsents(all), nil
}
