package e2e_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account/types"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// apiCallEvent is an "AWS API Call via CloudTrail" event as delivered.
type apiCallEvent struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// A successful PutAlternateContact emits an API call event whose detail is
// its CloudTrail record, on the default bus's stream; a read and a failed
// write emit none.
func TestAPICallEventOnStream(t *testing.T) {
	t.Parallel()
	srv, client := start(t)
	s := openEventStream(t, srv, `{"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventName":["PutAlternateContact"]}}`)
	all := openEventStream(t, srv, `{"detail-type":["AWS API Call via CloudTrail"]}`)

	// A read and a failed write: no event.
	if _, err := getAlt(t, client, types.AlternateContactTypeBilling); err == nil {
		t.Fatal("GetAlternateContact of a missing contact succeeded")
	}
	bad := altContact(types.AlternateContactTypeBilling, "Ann")
	bad.EmailAddress = nil
	if _, err := client.PutAlternateContact(ctx, bad); err == nil {
		t.Fatal("PutAlternateContact without an email succeeded")
	}

	if _, err := client.PutAlternateContact(ctx, altContact(types.AlternateContactTypeBilling, "Ann")); err != nil {
		t.Fatal(err)
	}
	var b []byte
	select {
	case b = <-s.events:
	case <-time.After(eventWait):
		t.Fatalf("no API call event in %v", eventWait)
	}
	var ev apiCallEvent
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		t.Fatalf("event %s: %v", b, err)
	}
	if ev.Version != "0" || !busEventID.MatchString(ev.ID) || ev.DetailType != "AWS API Call via CloudTrail" ||
		ev.Source != "aws.account" || ev.Account != defaultAccountID || ev.Region != "us-east-1" ||
		ev.Resources == nil || len(ev.Resources) != 0 {
		t.Errorf("event %s", b)
	}
	if _, err := time.Parse(time.RFC3339, ev.Time); err != nil {
		t.Errorf("time %q: %v", ev.Time, err)
	}
	var rec struct {
		EventName   string `json:"eventName"`
		EventSource string `json:"eventSource"`
		EventID     string `json:"eventID"`
		EventTime   string `json:"eventTime"`
		ReadOnly    bool   `json:"readOnly"`
		ErrorCode   string `json:"errorCode"`
		Recipient   string `json:"recipientAccountId"`
	}
	if err := json.Unmarshal(ev.Detail, &rec); err != nil {
		t.Fatal(err)
	}
	if rec.EventName != "PutAlternateContact" || rec.EventSource != "account.amazonaws.com" || rec.ReadOnly ||
		rec.ErrorCode != "" || rec.Recipient != defaultAccountID || rec.EventTime != ev.Time {
		t.Errorf("detail %s", ev.Detail)
	}

	// The detail is the record LookupEvents serves.
	got := lookupAll(t, trailClient(srv.Config), attr(cttypes.LookupAttributeKeyEventId, rec.EventID))
	if len(got) != 1 || aws.ToString(got[0].CloudTrailEvent) != string(ev.Detail) {
		t.Errorf("LookupEvents gives %d events, want one whose CloudTrailEvent is the event's detail %s", len(got), ev.Detail)
	}

	// Exactly one API call event: the only write that succeeded.
	select {
	case b := <-all.events:
		var got apiCallEvent
		_ = json.Unmarshal(b, &got)
		if got.ID != ev.ID {
			t.Errorf("first API call event %s, want the PutAlternateContact one", b)
		}
	case <-time.After(eventWait):
		t.Fatal("no API call event on the second stream")
	}
	select {
	case b := <-all.events:
		t.Errorf("a second API call event %s", b)
	case <-time.After(300 * time.Millisecond):
	}
}
