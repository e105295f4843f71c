// Package smtpfake is an SMTP server on 127.0.0.1 for tests, built on
// github.com/emersion/go-smtp: it keeps what it accepts and can be told to
// refuse the next messages or to drop the connection in the middle of one.
// NewWithLogin makes one that asks for a user and password (AUTH PLAIN and
// LOGIN, without TLS, as a relay on the same host does).
package smtpfake

import (
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mail is one accepted message.
type Mail struct {
	From string
	To   []string
	Raw  string
	// Header and Body are Raw parsed; Text and HTML are its decoded
	// plain-text and HTML parts.
	Header     mail.Header
	Body       string
	Text, HTML string
}

// parts decodes the text/plain and text/html parts of a message.
func parts(h mail.Header, body string) (text, html string) {
	var walk func(ctype, encoding string, r io.Reader)
	walk = func(ctype, encoding string, r io.Reader) {
		mt, params, err := mime.ParseMediaType(ctype)
		if err != nil {
			return
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(r, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err != nil {
					return
				}
				walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p)
			}
		}
		switch strings.ToLower(encoding) {
		case "quoted-printable":
			r = quotedprintable.NewReader(r)
		case "base64":
			r = base64.NewDecoder(base64.StdEncoding, r)
		}
		b, _ := io.ReadAll(r)
		switch mt {
		case "text/plain":
			text = string(b)
		case "text/html":
			html = string(b)
		}
	}
	walk(h.Get("Content-Type"), h.Get("Content-Transfer-Encoding"), strings.NewReader(body))
	return text, html
}

// Server is a running fake SMTP server.
type Server struct {
	Addr string // host:port
	srv  *smtp.Server
	ln   net.Listener

	mu       sync.Mutex
	mails    []Mail
	refuse   int // next DATA commands answered 554
	drop     int // next DATA commands cut off
	arrived  chan struct{}
	attempts int
	// user and pass, when set, are the credentials a client must give.
	user, pass string
	logins     int // successful AUTH commands
}

// New starts a server on a free loopback port.
func New() *Server {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	s := &Server{Addr: ln.Addr().String(), ln: ln, arrived: make(chan struct{}, 1000)}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{s: s, conn: c}, nil }))
	s.srv.Domain = "localhost"
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	s.srv.MaxMessageBytes = 1 << 20
	go s.srv.Serve(ln) //nolint:errcheck // ends at Close
	return s
}

// NewWithLogin starts a server that offers AUTH PLAIN and LOGIN without
// TLS and accepts mail only after user signed in with pass.
func NewWithLogin(user, pass string) *Server {
	s := New()
	s.user, s.pass = user, pass
	s.srv.AllowInsecureAuth = true
	return s
}

// URL is the VISTA_SMTP_URL of the server (plain SMTP on loopback), with
// its credentials when it asks for them.
func (s *Server) URL() string {
	if s.user != "" {
		return "smtp://" + url.UserPassword(s.user, s.pass).String() + "@" + s.Addr
	}
	return "smtp://" + s.Addr
}

// Logins counts the successful sign-ins.
func (s *Server) Logins() int { s.mu.Lock(); defer s.mu.Unlock(); return s.logins }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Refuse makes the next n messages fail with 554 at DATA.
func (s *Server) Refuse(n int) { s.mu.Lock(); s.refuse = n; s.mu.Unlock() }

// Drop makes the server close the connection in the middle of the next n
// messages, before answering.
func (s *Server) Drop(n int) { s.mu.Lock(); s.drop = n; s.mu.Unlock() }

// Mails returns what was accepted so far.
func (s *Server) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// Attempts counts the DATA commands received, accepted or not.
func (s *Server) Attempts() int { s.mu.Lock(); defer s.mu.Unlock(); return s.attempts }

// Wait waits until n messages were accepted, or d passed, and returns them.
func (s *Server) Wait(n int, d time.Duration) []Mail {
	deadline := time.After(d)
	for {
		if m := s.Mails(); len(m) >= n {
			return m
		}
		select {
		case <-s.arrived:
		case <-deadline:
			return s.Mails()
		}
	}
}

type session struct {
	s      *Server
	conn   *smtp.Conn
	from   string
	to     []string
	signed bool
}

var errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}

// AuthMechanisms implements smtp.AuthSession: none unless credentials
// are asked for.
func (x *session) AuthMechanisms() []string {
	if x.s.user == "" {
		return nil
	}
	return []string{sasl.Plain, sasl.Login}
}

// Auth implements smtp.AuthSession.
func (x *session) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if user != x.s.user || pass != x.s.pass {
			return smtp.ErrAuthFailed
		}
		x.signed = true
		x.s.mu.Lock()
		x.s.logins++
		x.s.mu.Unlock()
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

// loginServer is the server side of AUTH LOGIN, which go-sasl no longer
// has: it asks for the user name, then the password.
type loginServer struct {
	check func(user, pass string) error
	user  *string
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	switch {
	case l.user == nil && response == nil:
		return []byte("Username:"), false, nil
	case l.user == nil:
		u := string(response)
		l.user = &u
		return []byte("Password:"), false, nil
	}
	return nil, true, l.check(*l.user, string(response))
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.s.user != "" && !x.signed {
		return errAuthRequired
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := x.s
	s.mu.Lock()
	s.attempts++
	refuse, drop := s.refuse > 0, s.drop > 0 && s.refuse == 0
	if refuse {
		s.refuse--
	} else if drop {
		s.drop--
	}
	s.mu.Unlock()
	switch {
	case refuse:
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 3, 0}, Message: "refused by the test"}
	case drop:
		x.conn.Conn().Close()
		return io.ErrUnexpectedEOF
	}
	m := Mail{From: x.from, To: x.to, Raw: string(b)}
	if msg, err := mail.ReadMessage(strings.NewReader(m.Raw)); err == nil {
		m.Header = msg.Header
		body, _ := io.ReadAll(msg.Body)
		m.Body = string(body)
		m.Text, m.HTML = parts(msg.Header, m.Body)
	}
	s.mu.Lock()
	s.mails = append(s.mails, m)
	s.mu.Unlock()
	s.arrived <- struct{}{}
	return nil
}
