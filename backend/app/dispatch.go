package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/vista-optical/vista/backend/auth"
	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/notify/email"
	"github.com/vista-optical/vista/backend/notify/fcm"
)

// syncRevocations reads, every auth.RevocationSyncEvery, the token
// revocations other instances wrote, until ctx ends.
func (m *Main) syncRevocations(ctx context.Context) {
	t := time.NewTicker(auth.RevocationSyncEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := m.Revoked.Sync(ctx); err != nil && ctx.Err() == nil {
				m.Logger.Warn("token revocations not read", "err", err)
			}
		}
	}
}

// pushLive says whether push goes to FCM (or a configured stand-in).
func (m *Main) pushLive() bool {
	return m.Config.FCMEndpoint != "" || (m.Config.FirebaseProject != "" && m.Config.FirebaseCreds != "")
}

// setupDispatcher builds the outbox dispatcher and its channels: push
// through FCM and e-mail through SMTP when configured, logging otherwise;
// SMS and WhatsApp log until a provider is plugged in.
func (m *Main) setupDispatcher(ctx context.Context, zone func(context.Context, string) (*time.Location, error)) error {
	logCh := func(ch core.Channel) notify.Channel { return notify.LogChannel{Name: string(ch), Logger: m.Logger} }
	channels := map[core.Channel]notify.Channel{
		notify.ChannelPush: logCh(notify.ChannelPush), notify.ChannelSMS: logCh(notify.ChannelSMS),
		notify.ChannelEmail: logCh(notify.ChannelEmail), notify.ChannelWhatsApp: logCh(notify.ChannelWhatsApp),
		notify.ChannelInbox: notify.RecordChannel{}, notify.ChannelRecall: notify.RecordChannel{},
	}
	if m.Config.SMTPURL != "" {
		mail, err := email.New(m.Config.SMTPURL, m.Config.MailFrom)
		if err != nil {
			return err
		}
		mail.Logger = m.Logger
		mail.Addresses = m.Customers
		checkCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
		err = mail.Check(checkCtx)
		cancel()
		switch {
		case errors.Is(err, email.ErrUnreachable):
			m.Logger.Warn("the e-mail server is not reachable now: mail waits in the outbox", "reason", err.Error())
		case err != nil:
			return fmt.Errorf("e-mail (VISTA_SMTP_URL): %w", err)
		}
		channels[notify.ChannelEmail] = mail
	}
	if m.pushLive() {
		project := m.Config.FirebaseProject
		if project == "" {
			project = "vista-local"
		}
		client, err := fcm.New(ctx, fcm.Config{ProjectID: project, CredentialsFile: m.Config.FirebaseCreds,
			Endpoint: m.Config.FCMEndpoint, HTTPClient: m.PushHTTPClient})
		if err != nil {
			return err
		}
		push := &fcm.Channel{Devices: m.Store, Client: client, Clock: m.Clock, Logger: m.Logger}
		channels[notify.ChannelPush] = push
		for _, platform := range []string{"android", "ios", "web"} {
			m.metrics.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name:        "vista_push_halted",
				Help:        "1 while push to a platform is halted because FCM rejected its third-party credentials (alert on it).",
				ConstLabels: prometheus.Labels{"platform": platform},
			}, func() float64 {
				if _, halted := push.Halted()[platform]; halted {
					return 1
				}
				return 0
			}))
		}
	}
	rates, err := m.Config.Rates()
	if err != nil {
		return err
	}
	m.Dispatcher = &notify.Dispatcher{
		Rates: rates, Concurrency: m.Config.SendConcurrency,
		Store: m.Store, Channels: channels, Clock: m.Clock, Logger: m.Logger, Owner: "vista-" + core.NewID(),
		Rules: &notify.SendRules{Consents: customer.ConsentCheck{Store: m.Store, Now: m.Clock.Now}, Zone: zone, Default: m.Shops.Default,
			Sent: m.Store, MarketingCap: m.Config.MarketingCap, CapWindow: m.Config.MarketingWindow, Closed: m.Revoked.Closed, Phones: m.Customers},
		Fallback: notify.ServiceFallback,
	}
	return nil
}
