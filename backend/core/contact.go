package core

// The ways Vista reaches a customer, and what for. A consent names a
// channel and a purpose; every message goes out on a channel for a
// purpose. They are defined here once: customer (consents), notify
// (messages) and validate (the checks of what a client sends) derive
// from these.
const (
	ChannelPush     = "push"
	ChannelSMS      = "sms"
	ChannelEmail    = "email"
	ChannelWhatsApp = "whatsapp"
	ChannelPhone    = "phone"  // a call from the shop: a consent, carried out as a recall
	ChannelInbox    = "inbox"  // the app's inbox: a message channel, read in the signed-in app
	ChannelRecall   = "recall" // a phone call for staff to make, under the phone consent
)

// ConsentChannels are the channels a customer consents to, in the order
// consent states are listed.
var ConsentChannels = []string{ChannelPush, ChannelSMS, ChannelEmail, ChannelWhatsApp, ChannelPhone}

// MessageChannels are the channels a message can go out on.
var MessageChannels = []string{ChannelPush, ChannelSMS, ChannelEmail, ChannelWhatsApp, ChannelInbox, ChannelRecall}

// Purposes: "service" covers messages about what the customer asked for
// (reminders, bookings), "marketing" offers and campaigns, "profiling"
// personalisation.
const (
	PurposeService   = "service"
	PurposeMarketing = "marketing"
	PurposeProfiling = "profiling"
)

// Purposes lists every purpose, in the order consent states are listed.
var Purposes = []string{PurposeService, PurposeMarketing, PurposeProfiling}
