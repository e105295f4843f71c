// Package fcm is the push channel: it builds Firebase Cloud Messaging
// messages (pure, tested offline), sends them with the Firebase Admin SDK
// and classifies every FCM error into what the outbox must do next.
package fcm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	firebase "firebase.google.com/go/v4"
	"firebase.google.com/go/v4/errorutils"
	"firebase.google.com/go/v4/messaging"
	"google.golang.org/api/option"

	"github.com/vista-optical/vista/backend/notify"
)

// CollapseTag is the deterministic tag of a notification: the same cause
// for the same customer always gets the same tag, so a resend after a
// crash replaces the notification on the phone (Android tag, APNs
// apns-collapse-id, at most 64 bytes) instead of showing it twice.
func CollapseTag(cause, customerID string) string {
	tag := cause + ":" + customerID
	if len(tag) <= 64 {
		return tag
	}
	sum := sha256.Sum256([]byte(tag))
	return "h:" + hex.EncodeToString(sum[:])[:62]
}

// Build returns the FCM message that delivers m to one device token. It is
// pure: no network, no clock.
func Build(m *notify.Message, token string) *messaging.Message {
	tag := CollapseTag(m.Cause, m.CustomerID)
	data := make(map[string]string, len(m.Data)+2)
	for k, v := range m.Data {
		data[k] = v
	}
	data["message_id"] = m.ID
	data["cause"] = m.Cause
	return &messaging.Message{
		Token:        token,
		Notification: &messaging.Notification{Title: m.Title, Body: m.Body},
		Data:         data,
		Android: &messaging.AndroidConfig{
			Priority:     "high",
			Notification: &messaging.AndroidNotification{Tag: tag},
		},
		APNS: &messaging.APNSConfig{
			Headers: map[string]string{"apns-collapse-id": tag, "apns-priority": "10", "apns-push-type": "alert"},
			Payload: &messaging.APNSPayload{Aps: &messaging.Aps{ThreadID: m.Cause, Sound: "default"}},
		},
	}
}

// Verdict is what the outbox does after one send to one token.
type Verdict int

// Verdicts.
const (
	Delivered   Verdict = iota // FCM accepted the message
	DropToken                  // the token is dead: remove it, do not retry on it
	Retry                      // try again after RetryAfter
	BadPayload                 // our message is wrong: keep the token, fail loudly
	AuthFailure                // APNs/web-push credentials are broken: delete nothing, alert
	Failed                     // anything else: retry with backoff
)

func (v Verdict) String() string {
	return [...]string{"delivered", "drop_token", "retry", "bad_payload", "auth_failure", "failed"}[v]
}

// Result of one send.
type Result struct {
	Verdict    Verdict
	RetryAfter time.Duration // from Retry-After; at least a minute for QUOTA_EXCEEDED
	Err        error
}

// QuotaBackoff is the least wait after QUOTA_EXCEEDED (FCM asks for a
// minimum initial delay of one minute).
const QuotaBackoff = time.Minute

// Classify maps an FCM send error to a verdict.
func Classify(err error) Result {
	if err == nil {
		return Result{Verdict: Delivered}
	}
	resp := errorutils.HTTPResponse(err)
	after := retryAfter(resp)
	switch {
	case messaging.IsUnregistered(err), messaging.IsSenderIDMismatch(err):
		return Result{Verdict: DropToken, Err: err}
	case messaging.IsInvalidArgument(err):
		if resp != nil && resp.Header.Get(headerBadRequest) != "" {
			return Result{Verdict: BadPayload, Err: err}
		}
		return Result{Verdict: DropToken, Err: err}
	case messaging.IsThirdPartyAuthError(err):
		return Result{Verdict: AuthFailure, Err: err}
	case messaging.IsQuotaExceeded(err):
		return Result{Verdict: Retry, RetryAfter: max(after, QuotaBackoff), Err: err}
	case messaging.IsUnavailable(err), messaging.IsInternal(err), errorutils.IsUnavailable(err), errorutils.IsInternal(err):
		return Result{Verdict: Retry, RetryAfter: after, Err: err}
	}
	return Result{Verdict: Failed, RetryAfter: after, Err: err}
}

func retryAfter(resp *http.Response) time.Duration {
	if resp == nil {
		return 0
	}
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, time.Until(t))
	}
	return 0
}

// Client sends push messages through the Firebase Admin SDK.
type Client struct{ msg *messaging.Client }

// Config says where FCM is.
type Config struct {
	ProjectID       string
	CredentialsFile string
	// Endpoint replaces FCM's URL (a fake FCM server in tests and benchmarks);
	// it also turns authentication off.
	Endpoint string
	// HTTPClient carries the requests; its transport is wrapped (see
	// outboxTransport). Nil means a client whose idle pool keeps a
	// connection for every send a dispatcher may have in flight.
	HTTPClient *http.Client
}

// New returns a push client.
func New(ctx context.Context, cfg Config) (*Client, error) {
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: 90 * time.Second, ForceAttemptHTTP2: true,
		}}
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	wrapped := *hc
	wrapped.Transport = outboxTransport{base: base}
	opts := []option.ClientOption{option.WithHTTPClient(&wrapped)}
	if cfg.Endpoint != "" {
		opts = append(opts, option.WithEndpoint(strings.TrimRight(cfg.Endpoint, "/")+"/v1"), option.WithoutAuthentication())
	} else if cfg.CredentialsFile != "" {
		opts = append(opts, option.WithAuthCredentialsFile(option.ServiceAccount, cfg.CredentialsFile))
	}
	app, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: cfg.ProjectID}, opts...)
	if err != nil {
		return nil, fmt.Errorf("firebase app: %w", err)
	}
	msg, err := app.Messaging(ctx)
	if err != nil {
		return nil, fmt.Errorf("firebase messaging: %w", err)
	}
	return &Client{msg: msg}, nil
}

// Send delivers one message and classifies the outcome.
func (c *Client) Send(ctx context.Context, m *messaging.Message) Result {
	_, err := c.msg.Send(ctx, m)
	return Classify(err)
}

// headerBadRequest marks an FCM 400 whose details carry google.rpc.BadRequest
// field violations: a payload error, not a token error. The SDK drops the
// body before we see the error, so the transport looks first.
const headerBadRequest = "X-Vista-Fcm-Bad-Request"

// outboxTransport adapts FCM's answers before the SDK reads them:
//   - a 400 whose details hold google.rpc.BadRequest is marked, so Classify
//     tells a bad payload (keep the token) from a bad token (drop it);
//   - a 503 is handed to the SDK as a 500 with the same body and headers.
//     The SDK would otherwise retry 503s itself, up to four times inside one
//     Send and for as long as Retry-After asks (up to two minutes each),
//     holding the outbox lease and a dispatcher slot meanwhile. The outbox
//     is the one place that retries: it honours Retry-After, and its
//     attempts count every request. Network errors are still retried
//     by the SDK, which costs no lease time worth the name.
type outboxTransport struct{ base http.RoundTripper }

func (t outboxTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || resp.StatusCode < 400 {
		return resp, err
	}
	if resp.StatusCode == http.StatusBadRequest {
		body, rerr := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if rerr != nil {
			return nil, rerr
		}
		if bytes.Contains(body, []byte("google.rpc.BadRequest")) {
			resp.Header.Set(headerBadRequest, "1")
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	if resp.StatusCode == http.StatusServiceUnavailable {
		resp.StatusCode, resp.Status = http.StatusInternalServerError, "500 Internal Server Error (was 503)"
	}
	return resp, nil
}
