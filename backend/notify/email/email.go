// Package email sends the outbox's e-mail over SMTP with
// github.com/wneessen/go-mail: plain text and HTML from templates in
// Italian and English, a Message-ID fixed by the outbox message so that a
// resend is recognisable as the same mail, and TLS required except to a
// server on this host.
package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/vista-optical/vista/backend/notify"
)

//go:embed templates
var templateFS embed.FS

var (
	htmlT = htmltemplate.Must(htmltemplate.ParseFS(templateFS, "templates/*.html"))
	textT = texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/*.txt"))
)

// Channel delivers e-mail messages over SMTP.
type Channel struct {
	host     string
	port     int
	ssl      bool // implicit TLS (smtps://)
	starttls bool // STARTTLS required (off only to a loopback host)
	user     string
	pass     string
	from     string
	// Addresses answers a customer's e-mail, for a message that does not
	// name its recipient in Data[notify.DataTo]: the customer service.
	Addresses interface {
		Email(ctx context.Context, customerID string) (string, error)
	}
	Timeout time.Duration
	Logger  *slog.Logger
	// TLSConfig overrides the TLS settings (tests with their own CA).
	TLSConfig *tls.Config
}

// New returns a channel for rawURL, smtp://user:pass@host:587 (STARTTLS
// required unless host is a loopback address) or smtps://…:465 (implicit
// TLS), sending from from ("Ottica Vista <noreply@example.com>").
func New(rawURL, from string) (*Channel, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("smtp url: %w", err)
	}
	if _, err := mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("mail from %q: %w", from, err)
	}
	c := &Channel{host: u.Hostname(), from: from, Timeout: 30 * time.Second, Logger: slog.New(slog.DiscardHandler)}
	switch u.Scheme {
	case "smtp":
		c.port, c.starttls = 587, true
	case "smtps":
		c.port, c.ssl = 465, true
	default:
		return nil, fmt.Errorf("smtp url: scheme %q: want smtp:// or smtps://", u.Scheme)
	}
	if c.host == "" {
		return nil, errors.New("smtp url: no host")
	}
	if p := u.Port(); p != "" {
		if c.port, err = strconv.Atoi(p); err != nil || c.port <= 0 || c.port > 65535 {
			return nil, fmt.Errorf("smtp url: port %q", p)
		}
	}
	if u.User != nil {
		c.user = u.User.Username()
		c.pass, _ = u.User.Password()
	}
	if c.starttls && loopback(c.host) {
		c.starttls = false // a relay on this host: nothing crosses a network
	}
	return c, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Describe says where mail goes, without the password.
func (c *Channel) Describe() string {
	tls := "STARTTLS"
	switch {
	case c.ssl:
		tls = "TLS"
	case !c.starttls:
		tls = "no TLS, loopback"
	}
	return fmt.Sprintf("%s:%d (%s) from %s", c.host, c.port, tls, c.from)
}

type view struct {
	Subject    string
	Paragraphs []string
	Link       string
	Locale     string
	// Guest: the e-mail is about a booking made without an account, to
	// the address given for it; its footer must not speak of an account.
	Guest bool
}

// render builds the plain text and HTML bodies of m.
func render(m *notify.Message) (text, html string, err error) {
	locale := m.Data[notify.DataLocale]
	if locale != "en" {
		locale = "it"
	}
	v := view{Subject: m.Title, Paragraphs: strings.Split(m.Body, "\n\n"), Link: m.Data[notify.DataLink], Locale: locale,
		Guest: m.CustomerID == "" && m.Purpose != notify.PurposeAccount}
	var t, h bytes.Buffer
	if err := textT.ExecuteTemplate(&t, "mail."+locale+".txt", v); err != nil {
		return "", "", err
	}
	if err := htmlT.ExecuteTemplate(&h, "mail."+locale+".html", v); err != nil {
		return "", "", err
	}
	return t.String(), h.String(), nil
}

// Deliver implements notify.Channel.
func (c *Channel) Deliver(ctx context.Context, m *notify.Message) notify.Delivery {
	to := m.Data[notify.DataTo]
	if to == "" && c.Addresses != nil && m.CustomerID != "" {
		var err error
		if to, err = c.Addresses.Email(ctx, m.CustomerID); err != nil {
			return notify.Delivery{Status: notify.StatusPending, Reason: "look up the address: " + err.Error()}
		}
	}
	if to == "" {
		return notify.Delivery{Status: notify.StatusSkipped, Reason: "no e-mail address"}
	}
	text, html, err := render(m)
	if err != nil {
		return notify.Delivery{Status: notify.StatusDead, Reason: "render: " + err.Error()}
	}
	msg := gomail.NewMsg()
	if err := msg.From(c.from); err != nil {
		return notify.Delivery{Status: notify.StatusDead, Reason: "from: " + err.Error()}
	}
	if err := msg.To(to); err != nil {
		return notify.Delivery{Status: notify.StatusDead, Reason: "the address is not valid"}
	}
	msg.Subject(m.Title)
	// The same outbox message always carries the same Message-ID: a mail
	// resent after a lost answer is the same mail to every client.
	msg.SetMessageIDWithValue(m.ID + "@vista")
	msg.SetDate()
	msg.SetBodyString(gomail.TypeTextPlain, text)
	msg.AddAlternativeString(gomail.TypeTextHTML, html)

	client, err := c.client()
	if err != nil {
		return notify.Delivery{Status: notify.StatusDead, Reason: "smtp client: " + err.Error()}
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return outcome(err)
	}
	return notify.Delivery{Status: notify.StatusSent}
}

// client is a go-mail client for the channel's server. Over TLS it signs
// in with the strongest mechanism the server offers; to a relay on this
// host without TLS, go-mail's discovery would refuse PLAIN and LOGIN, so
// the mechanisms are named, the challenge-response ones first.
func (c *Channel) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(c.port), gomail.WithTimeout(c.Timeout), gomail.WithHELO("localhost")}
	switch {
	case c.ssl:
		opts = append(opts, gomail.WithSSL())
	case c.starttls:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if c.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(c.TLSConfig))
	}
	switch {
	case c.user != "" && (c.ssl || c.starttls):
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(c.user), gomail.WithPassword(c.pass))
	case c.user != "":
		opts = append(opts, gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1, gomail.SMTPAuthCramMD5,
			gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc), gomail.WithUsername(c.user), gomail.WithPassword(c.pass))
	}
	return gomail.NewClient(c.host, opts...)
}

// ErrUnreachable is Check's answer when the server could not be reached:
// mail waits in the outbox until it can.
var ErrUnreachable = errors.New("smtp server unreachable")

// Check connects to the server, starts TLS as the channel requires and
// signs in, then leaves: a wrong password or a server that refuses
// every mechanism is an error at start-up rather than a silent outbox.
// A server that cannot be reached wraps ErrUnreachable.
func (c *Channel) Check(ctx context.Context) error {
	client, err := c.client()
	if err != nil {
		return fmt.Errorf("smtp %s:%d: %w", c.host, c.port, err)
	}
	sc, err := client.DialToSMTPClientWithContext(ctx)
	var ne net.Error
	var oe *net.OpError
	switch {
	case errors.As(err, &oe) && oe.Op == "dial", errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("%w: %s:%d: %v", ErrUnreachable, c.host, c.port, err)
	case err != nil && c.user != "":
		return fmt.Errorf("smtp %s:%d as %s: %w", c.host, c.port, c.user, err)
	case err != nil:
		return fmt.Errorf("smtp %s:%d: %w", c.host, c.port, err)
	}
	_ = sc.Quit()
	return nil
}

// outcome maps a failed send: a recipient the server says does not exist
// is dead (staff see it); anything else — a refusal at DATA, a 4xx, a
// connection cut — is tried again by the outbox, which turns it dead after
// its last attempt.
func outcome(err error) notify.Delivery {
	var se *gomail.SendError
	if errors.As(err, &se) && se.Reason == gomail.ErrSMTPRcptTo && se.ErrorCode() >= 550 && se.ErrorCode() <= 553 {
		return notify.Delivery{Status: notify.StatusDead, Reason: "the server refused the address: " + err.Error()}
	}
	return notify.Delivery{Status: notify.StatusPending, Reason: err.Error()}
}
