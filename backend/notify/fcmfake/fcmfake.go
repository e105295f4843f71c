// Package fcmfake is a stand-in for Firebase Cloud Messaging's HTTP v1 send
// API on 127.0.0.1, for tests and benchmarks. The real Admin SDK is pointed
// at it with option.WithEndpoint(server.URL) and
// option.WithoutAuthentication(). It records what it receives and answers
// errors scripted per token or for the next requests, in FCM's own format.
package fcmfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Error codes FCM answers with (google.firebase.fcm.v1.FcmError).
const (
	Unregistered        = "UNREGISTERED"
	InvalidToken        = "INVALID_ARGUMENT"   // a token FCM does not know as one
	InvalidPayload      = "INVALID_PAYLOAD"    // INVALID_ARGUMENT with google.rpc.BadRequest field violations
	SenderIDMismatch    = "SENDER_ID_MISMATCH" //
	ThirdPartyAuthError = "THIRD_PARTY_AUTH_ERROR"
	QuotaExceeded       = "QUOTA_EXCEEDED"
	Unavailable         = "UNAVAILABLE"
	Internal            = "INTERNAL"
)

// Received is one message as FCM got it.
type Received struct {
	Token      string
	Title      string
	Body       string
	Data       map[string]string
	AndroidTag string
	CollapseID string    // apns-collapse-id
	At         time.Time // when it arrived
}

// Failure is a scripted error answer.
type Failure struct {
	Code       string
	RetryAfter string // Retry-After header, if any
}

// Server is a fake FCM endpoint.
type Server struct {
	URL string
	srv *httptest.Server

	mu       sync.Mutex
	received []Received
	byToken  map[string]Failure
	next     []Failure
	requests atomic.Int64
	latency  atomic.Int64 // nanoseconds each answer is held back
}

// New starts a fake FCM server on 127.0.0.1.
func New() *Server {
	s := &Server{byToken: map[string]Failure{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.handle))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// FailToken makes every send to token fail with f; a Failure without a
// Code makes them succeed again.
func (s *Server) FailToken(token string, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Code == "" {
		delete(s.byToken, token)
		return
	}
	s.byToken[token] = f
}

// FailNext makes the next len(fs) requests fail, in order, whatever their
// token.
func (s *Server) FailNext(fs ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next = append(s.next, fs...)
}

// Received returns a copy of every message accepted so far.
func (s *Server) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Count is how many messages were accepted so far.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.received)
}

// SetLatency holds every answer back by d, as the network and FCM
// would (benchmarks of a latency-bound sender).
func (s *Server) SetLatency(d time.Duration) { s.latency.Store(int64(d)) }

// Requests counts every send request, accepted or not.
func (s *Server) Requests() int64 { return s.requests.Load() }

type sendRequest struct {
	Message struct {
		Token        string            `json:"token"`
		Data         map[string]string `json:"data"`
		Notification *struct {
			Title string `json:"title"`
			Body  string `json:"body"`
		} `json:"notification"`
		Android *struct {
			Notification *struct {
				Tag string `json:"tag"`
			} `json:"notification"`
		} `json:"android"`
		APNS *struct {
			Headers map[string]string `json:"headers"`
		} `json:"apns"`
	} `json:"message"`
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	if d := s.latency.Load(); d > 0 {
		time.Sleep(time.Duration(d))
	}
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/messages:send") {
		http.NotFound(w, r)
		return
	}
	var req sendRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, Failure{Code: InvalidPayload})
		return
	}
	s.mu.Lock()
	f, fail := s.byToken[req.Message.Token]
	if !fail && len(s.next) > 0 {
		f, s.next, fail = s.next[0], s.next[1:], true
	}
	if !fail {
		got := Received{Token: req.Message.Token, Data: req.Message.Data, At: time.Now()}
		if n := req.Message.Notification; n != nil {
			got.Title, got.Body = n.Title, n.Body
		}
		if a := req.Message.Android; a != nil && a.Notification != nil {
			got.AndroidTag = a.Notification.Tag
		}
		if a := req.Message.APNS; a != nil {
			got.CollapseID = a.Headers["apns-collapse-id"]
		}
		s.received = append(s.received, got)
	}
	n := len(s.received)
	s.mu.Unlock()
	if fail {
		writeError(w, f)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"name":"projects/fake/messages/%d"}`, n)
}

func writeError(w http.ResponseWriter, f Failure) {
	status, rpc, fcm := http.StatusInternalServerError, "INTERNAL", f.Code
	details := []map[string]any{}
	switch f.Code {
	case Unregistered:
		status, rpc = 404, "NOT_FOUND"
	case InvalidToken:
		status, rpc = 400, "INVALID_ARGUMENT"
	case InvalidPayload:
		status, rpc, fcm = 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"
		details = append(details, map[string]any{"@type": "type.googleapis.com/google.rpc.BadRequest",
			"fieldViolations": []map[string]string{{"field": "message.data", "description": "Invalid data payload key"}}})
	case SenderIDMismatch:
		status, rpc = 403, "PERMISSION_DENIED"
	case ThirdPartyAuthError:
		status, rpc = 401, "UNAUTHENTICATED"
	case QuotaExceeded:
		status, rpc = 429, "RESOURCE_EXHAUSTED"
	case Unavailable:
		status, rpc = 503, "UNAVAILABLE"
	}
	details = append([]map[string]any{{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": fcm}}, details...)
	body, _ := json.Marshal(map[string]any{"error": map[string]any{
		"code": status, "message": "fake FCM: " + f.Code, "status": rpc, "details": details,
	}})
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
