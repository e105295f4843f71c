package core

// The ways Vista reaches a customer, and what for. A consent names a
// channel and a purpose; every message goes out on a channel for a
// purpose. They are defined here once: customer (consents), notify
// (messages) and validate (the checks of what a client sends) derive
// from these.
type Channel string

// The channels.
const (
	ChannelPush     Channel = "push"
	ChannelSMS      Channel = "sms"
	ChannelEmail    Channel = "email"
	ChannelWhatsApp Channel = "whatsapp"
	ChannelPhone    Channel = "phone"  // a call from the shop: a consent, carried out as a recall
	ChannelInbox    Channel = "inbox"  // the app's inbox: a message channel, read in the signed-in app
	ChannelRecall   Channel = "recall" // a phone call for staff to make, under the phone consent
)

// ConsentChannels are the channels a customer consents to, in the order
// consent states are listed.
var ConsentChannels = []Channel{ChannelPush, ChannelSMS, ChannelEmail, ChannelWhatsApp, ChannelPhone}

// MessageChannels are the channels a message can go out on.
var MessageChannels = []Channel{ChannelPush, ChannelSMS, ChannelEmail, ChannelWhatsApp, ChannelInbox, ChannelRecall}

// Purposes: "service" covers messages about what the customer asked for
// (reminders, bookings), "marketing" offers and campaigns, "profiling"
// personalisation.
type Purpose string

// The purposes.
const (
	PurposeService   Purpose = "service"
	PurposeMarketing Purpose = "marketing"
	PurposeProfiling Purpose = "profiling"
	// PurposeAccount covers what a person asked for a minute ago about
	// their own account (a password reset, an e-mail confirmation, a staff
	// invitation): no consent to give or withdraw, so it is not in
	// Purposes.
	PurposeAccount Purpose = "account"
)

// Purposes lists every purpose, in the order consent states are listed.
var Purposes = []Purpose{PurposeService, PurposeMarketing, PurposeProfiling}

// Names are values of a vocabulary as plain strings, for messages and
// flags.
func Names[T ~string](values []T) []string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	return s
}
