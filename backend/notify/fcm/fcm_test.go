package fcm_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vista-optical/vista/backend/notify"
	"github.com/vista-optical/vista/backend/notify/fcm"
	"github.com/vista-optical/vista/backend/notify/fcmfake"
)

func message() *notify.Message {
	return &notify.Message{ID: "m1", CustomerID: "c1", Channel: notify.ChannelPush, Purpose: notify.PurposeService,
		Cause: "lens_runs_out:s1:2026-04-01", Title: "Le tue lenti stanno per finire", Body: "Apri l'app per i dettagli",
		Data: map[string]string{"link": "vista://lenses/s1"}}
}

func TestBuildIsDeterministicAndCollapses(t *testing.T) {
	a, b := fcm.Build(message(), "tok-1"), fcm.Build(message(), "tok-1")
	tag := a.Android.Notification.Tag
	if tag == "" || tag != b.Android.Notification.Tag || a.APNS.Headers["apns-collapse-id"] != tag {
		t.Fatalf("tags %q %q %q", tag, b.Android.Notification.Tag, a.APNS.Headers["apns-collapse-id"])
	}
	if a.Data["message_id"] != "m1" || a.Data["link"] != "vista://lenses/s1" || a.Token != "tok-1" {
		t.Fatalf("data %v", a.Data)
	}
	long := fcm.CollapseTag(strings.Repeat("x", 100), "c1")
	if len(long) > 64 || long != fcm.CollapseTag(strings.Repeat("x", 100), "c1") {
		t.Fatalf("long tag %q", long)
	}
	if fcm.CollapseTag("a", "c1") == fcm.CollapseTag("a", "c2") {
		t.Fatal("two customers share a tag")
	}
}

// TestErrorMapping sends through the real Admin SDK to the fake FCM
// server, one case per FCM error code (T25).
func TestErrorMapping(t *testing.T) {
	fake := fcmfake.New()
	defer fake.Close()
	client, err := fcm.New(context.Background(), fcm.Config{ProjectID: "vista-test", Endpoint: fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		code       string
		retryAfter string
		want       fcm.Verdict
		minWait    time.Duration
	}{
		{fcmfake.Unregistered, "", fcm.DropToken, 0},
		{fcmfake.InvalidToken, "", fcm.DropToken, 0},
		{fcmfake.SenderIDMismatch, "", fcm.DropToken, 0},
		{fcmfake.InvalidPayload, "", fcm.BadPayload, 0},
		{fcmfake.ThirdPartyAuthError, "", fcm.AuthFailure, 0},
		{fcmfake.QuotaExceeded, "5", fcm.Retry, time.Minute},
		{fcmfake.Unavailable, "7", fcm.Retry, 7 * time.Second},
		{fcmfake.Internal, "", fcm.Retry, 0},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			token := "token-" + c.code
			fake.FailToken(token, fcmfake.Failure{Code: c.code, RetryAfter: c.retryAfter})
			before := fake.Requests()
			start := time.Now()
			res := client.Send(context.Background(), fcm.Build(message(), token))
			if res.Verdict != c.want {
				t.Fatalf("verdict %v, want %v (err %v)", res.Verdict, c.want, res.Err)
			}
			if res.RetryAfter < c.minWait {
				t.Fatalf("retry after %v, want at least %v", res.RetryAfter, c.minWait)
			}
			// One request per send: the SDK does not retry behind the outbox's back.
			if n := fake.Requests() - before; n != 1 {
				t.Fatalf("%d requests for one send", n)
			}
			if time.Since(start) > 5*time.Second {
				t.Fatal("the send waited instead of handing the wait to the outbox")
			}
		})
	}

	res := client.Send(context.Background(), fcm.Build(message(), "good-token"))
	if res.Verdict != fcm.Delivered {
		t.Fatalf("delivered send: %v %v", res.Verdict, res.Err)
	}
	got := fake.Received()
	if len(got) != 1 || got[0].Token != "good-token" || got[0].AndroidTag == "" || got[0].AndroidTag != got[0].CollapseID ||
		got[0].Title != "Le tue lenti stanno per finire" || got[0].Data["link"] != "vista://lenses/s1" {
		t.Fatalf("received %+v", got)
	}
}
