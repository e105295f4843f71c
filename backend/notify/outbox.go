// Package notify is Vista's one way out: every message (app push, SMS,
// e-mail, WhatsApp, in-app inbox, a phone-recall task for staff) is first
// written to a durable outbox with a dedupe key by whatever caused it.
// Dispatchers claim due messages with a lease, send them through a channel,
// and record the outcome, so a crash neither loses a message nor sends it
// twice for the same cause.
package notify

import (
	"context"
	"time"

	"github.com/vista-optical/vista/backend/core"
)

// Channels a message can go out on (defined in core).
const (
	ChannelPush     = core.ChannelPush
	ChannelSMS      = core.ChannelSMS
	ChannelEmail    = core.ChannelEmail
	ChannelWhatsApp = core.ChannelWhatsApp
	ChannelInbox    = core.ChannelInbox
	ChannelRecall   = core.ChannelRecall
)

// Channels lists every channel.
var Channels = core.MessageChannels

// Purposes, which decide the consent a message needs (defined in core).
const (
	PurposeService   = core.PurposeService
	PurposeMarketing = core.PurposeMarketing
	PurposeAccount   = core.PurposeAccount
)

// Keys of Message.Data an e-mail reads.
const (
	// DataTo is the address an e-mail goes to when it is not the
	// customer's own (a new address to confirm, a staff member).
	DataTo = "to"
	// DataLink is the one link an e-mail carries, shown as its button.
	DataLink = "link"
	// DataLocale is the language of the e-mail's frame ("it", "en").
	DataLocale = "locale"
)

// Message states.
const (
	StatusPending = "pending" // due at DueAt
	StatusSending = "sending" // leased to a dispatcher until LeaseUntil
	StatusSent    = "sent"
	StatusSkipped = "skipped" // not sent on purpose (no consent, no device); Reason says why
	StatusDead    = "dead"    // failed for good; visible to staff
)

// Message is one outgoing message.
type Message struct {
	ID         string       `json:"id"`
	CustomerID string       `json:"customer_id"`
	ShopID     string       `json:"shop_id,omitempty"`
	Channel    core.Channel `json:"channel"`
	Purpose    core.Purpose `json:"purpose"`
	// DedupeKey is unique across the outbox: enqueueing a second message
	// with the same key does nothing.
	DedupeKey string `json:"dedupe_key"`
	// Cause names what the message is about, stable across resends; push
	// notifications use it (with the customer) as their collapse tag.
	Cause      string            `json:"cause"`
	Title      string            `json:"title"`
	Body       string            `json:"body"`
	Data       map[string]string `json:"data,omitempty"`
	DueAt      time.Time         `json:"due_at"`
	Attempts   int               `json:"attempts"`
	Status     string            `json:"status"`
	LeaseOwner string            `json:"-"`
	LeaseUntil *time.Time        `json:"-"`
	LastError  string            `json:"last_error,omitempty"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
	SentAt     *time.Time        `json:"sent_at,omitempty"`
	ReadAt     *time.Time        `json:"read_at,omitempty"`
	OpenedAt   *time.Time        `json:"opened_at,omitempty"`
}

// Outcome is what a dispatcher records for a claimed message.
type Outcome struct {
	// Status is StatusSent, StatusSkipped, StatusDead, or StatusPending to
	// try again at RetryAt.
	Status  string
	RetryAt time.Time
	Error   string
	At      time.Time
	// Deferred gives back the attempt the claim counted: the message only
	// waits (quiet hours, a halted platform), nothing was tried.
	Deferred bool
}

// Finish is one message's outcome, for FinishMessages.
type Finish struct {
	ID      string
	Outcome Outcome
}

// Store is the outbox.
type Store interface {
	// EnqueueMessage stores m as pending unless a message with the same
	// dedupe key exists, and reports whether it was stored. Enqueueing is
	// idempotent: a cause enqueued twice, by one worker or two, is one
	// message.
	EnqueueMessage(ctx context.Context, m *Message) (created bool, err error)
	// EnqueueMessages is EnqueueMessage for many messages in one write
	// (campaigns, tests); it returns how many were new.
	EnqueueMessages(ctx context.Context, ms []*Message) (created int, err error)
	// CountSent counts the messages of a purpose sent to a customer since
	// t, in-app inbox entries aside (frequency caps).
	CountSent(ctx context.Context, customerID string, purpose core.Purpose, since time.Time) (int, error)
	// CountMessages counts messages in a state.
	CountMessages(ctx context.Context, status string) (int, error)
	// ClaimMessages leases to owner, until leaseUntil, up to n messages that
	// are due at now: pending ones whose DueAt has come and sending ones
	// whose lease expired (their dispatcher died). Each claim is one atomic
	// conditional update, so no two owners ever hold the same message, and
	// it counts an attempt. Oldest due first. While a message is leased its
	// DueAt is its lease end, on every engine: leases that expired are
	// reclaimed in the order they expired.
	ClaimMessages(ctx context.Context, owner string, now, leaseUntil time.Time, n int) ([]*Message, error)
	// FinishMessage records o for the message id if owner still holds its
	// lease. ECONFLICT when the lease was lost (expired and taken by
	// another dispatcher); ENOTFOUND for an unknown id.
	FinishMessage(ctx context.Context, id, owner string, o Outcome) error
	// FinishMessages records many outcomes in one write (a group commit),
	// each only where owner still holds the lease, and returns the ids whose
	// lease was lost.
	FinishMessages(ctx context.Context, owner string, fs []Finish) (lost []string, err error)
	// FinishAndClaim is FinishMessages then ClaimMessages (n may be 0), in
	// one write where the engine can: one dispatch cycle, one commit.
	FinishAndClaim(ctx context.Context, owner string, fs []Finish, now, leaseUntil time.Time, n int) (lost []string, claimed []*Message, err error)
	// Message returns the message with id, or ENOTFOUND.
	Message(ctx context.Context, id string) (*Message, error)
	// MessagesByStatus lists messages in a state, newest first, at most
	// limit (the dead-letter view for staff).
	MessagesByStatus(ctx context.Context, status string, limit int) ([]*Message, error)
	// ShopMessagesByStatus lists one page of the messages of some shops in
	// a state, by last change, newest first (the shops' dead letters).
	ShopMessagesByStatus(ctx context.Context, shopIDs []string, status string, p core.Page) ([]*Message, error)
	// RetryMessage gives a dead message a fresh start: pending, due at
	// now, no attempt counted, no error kept. ENOTFOUND for an unknown id,
	// ECONFLICT when the message is not dead.
	RetryMessage(ctx context.Context, id string, now time.Time) (*Message, error)
	// CustomerMessages lists one page of a customer's messages, newest
	// first.
	CustomerMessages(ctx context.Context, customerID string, p core.Page) ([]*Message, error)
	// ShopMessages lists one page of the messages a shop sent on one
	// channel, newest first (the phone recalls staff have to make).
	ShopMessages(ctx context.Context, shopID string, channel core.Channel, p core.Page) ([]*Message, error)
	// Inbox lists the in-app inbox of a customer: sent inbox messages,
	// newest first, at most limit.
	Inbox(ctx context.Context, customerID string, p core.Page) ([]*Message, error)
	// MarkMessage records that the customer read (field "read") or opened
	// from a notification (field "opened") their message id, keeping the
	// first time. ENOTFOUND when the message is not the customer's.
	MarkMessage(ctx context.Context, customerID, id, field string, at time.Time) error
	// DeleteCustomerMessages removes every message of a customer (erasure).
	DeleteCustomerMessages(ctx context.Context, customerID string) error
}

// AccountEmail is an e-mail its recipient asked for about their own
// account (a reset link, an invitation, a confirmation): to the address
// given, in their language, due now, with one link. key makes the
// message unique (one per link).
func AccountEmail(customerID, to, locale, cause, key, subject, text, link string, now time.Time) *Message {
	return &Message{ID: core.NewID(), CustomerID: customerID, Channel: ChannelEmail, Purpose: PurposeAccount,
		DedupeKey: cause + ":" + key, Cause: cause, Title: subject, Body: text,
		Data:  map[string]string{DataTo: to, DataLink: link, DataLocale: locale},
		DueAt: now, Status: StatusPending, CreatedAt: now, UpdatedAt: now}
}
