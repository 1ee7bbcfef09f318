package cloudtrailapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/operation"
	"github.com/accountplane/accountplane/internal/operation/operationtest"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/cloudtrailapi"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/sqlite"
	"github.com/accountplane/accountplane/internal/trail"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type output struct {
	Events []struct {
		EventId, EventName, ReadOnly, AccessKeyId, EventSource, Username, CloudTrailEvent string
		EventTime                                                                         float64
		Resources                                                                         []struct{ ResourceType, ResourceName string }
	}
	NextToken string
}

func setup(t *testing.T, now *time.Time) (operation.Operation, identity.Principal) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), ":memory:", sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	caller := identity.RootPrincipal("111122223333", "AKIDROOT")
	for i := range 5 {
		err := db.AppendEvent(context.Background(), trail.Event{
			ID: fmt.Sprintf("e%d", i), Account: caller.Account, Time: t0.Add(time.Duration(i) * 24 * time.Hour),
			Name: "GetAlternateContact", Source: "account.amazonaws.com", Username: "root", AccessKeyID: "AKIDROOT",
			ReadOnly: i%2 == 0, Resources: []trail.Resource{{Type: "AWS::IAM::User", Name: fmt.Sprintf("u%d", i)}},
			Record: []byte(fmt.Sprintf(`{"eventID":"e%d"}`, i)),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	ops := cloudtrailapi.Service(db, cloudtrailapi.Options{Now: func() time.Time { return *now }, Retention: 90 * 24 * time.Hour}).Operations
	if len(ops) != 1 || ops[0].Name != "LookupEvents" || ops[0].Action != "cloudtrail:LookupEvents" {
		t.Fatalf("operations %+v", ops)
	}
	return ops[0], caller
}

func call(t *testing.T, op operation.Operation, caller identity.Principal, body string) (output, error) {
	t.Helper()
	b, err := operationtest.InvokeJSON(context.Background(), op, caller, []byte(body))
	var out output
	if err == nil {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("output %s: %v", b, err)
		}
	}
	return out, err
}

func names(out output) string {
	s := ""
	for _, e := range out.Events {
		s += e.EventId + " "
	}
	return s
}

func TestLookupEvents(t *testing.T) {
	now := t0.Add(10 * 24 * time.Hour)
	op, caller := setup(t, &now)
	out, err := call(t, op, caller, `{}`)
	if err != nil || names(out) != "e4 e3 e2 e1 e0 " || out.NextToken != "" {
		t.Fatalf("all: %s %q %v", names(out), out.NextToken, err)
	}
	e := out.Events[0]
	if e.EventName != "GetAlternateContact" || e.ReadOnly != "true" || e.AccessKeyId != "AKIDROOT" || e.Username != "root" ||
		e.EventSource != "account.amazonaws.com" || e.CloudTrailEvent != `{"eventID":"e4"}` ||
		e.EventTime != float64(t0.Add(4*24*time.Hour).Unix()) || len(e.Resources) != 1 || e.Resources[0].ResourceName != "u4" {
		t.Errorf("event %+v", e)
	}
	// Paging.
	var got string
	token := ""
	for pages := 0; ; pages++ {
		body := `{"MaxResults":2}`
		if token != "" {
			body = `{"MaxResults":2,"NextToken":"` + token + `"}`
		}
		out, err := call(t, op, caller, body)
		if err != nil {
			t.Fatal(err)
		}
		got += names(out)
		if token = out.NextToken; token == "" {
			if pages != 2 {
				t.Errorf("%d pages, want 3", pages+1)
			}
			break
		}
	}
	if got != "e4 e3 e2 e1 e0 " {
		t.Errorf("paged: %s", got)
	}
	// Time range, attribute.
	out, _ = call(t, op, caller, fmt.Sprintf(`{"StartTime":%d,"EndTime":%d}`, t0.Add(24*time.Hour).Unix(), t0.Add(3*24*time.Hour).Unix()))
	if names(out) != "e3 e2 e1 " {
		t.Errorf("range: %s", names(out))
	}
	out, _ = call(t, op, caller, `{"LookupAttributes":[{"AttributeKey":"ReadOnly","AttributeValue":"false"}]}`)
	if names(out) != "e3 e1 " {
		t.Errorf("ReadOnly=false: %s", names(out))
	}
	out, _ = call(t, op, caller, `{"LookupAttributes":[{"AttributeKey":"ResourceName","AttributeValue":"u2"}]}`)
	if names(out) != "e2 " {
		t.Errorf("ResourceName=u2: %s", names(out))
	}
	out, _ = call(t, op, caller, `{"EventCategory":"insight"}`)
	if len(out.Events) != 0 {
		t.Errorf("insight events: %s", names(out))
	}
	// Another account sees none of them.
	out, _ = call(t, op, identity.RootPrincipal("999999999999", "AKIDOTHER"), `{}`)
	if len(out.Events) != 0 {
		t.Errorf("another account sees %s", names(out))
	}
	// Retention: 92 days on, the first three days are gone.
	now = t0.Add(92 * 24 * time.Hour)
	out, _ = call(t, op, caller, `{}`)
	if names(out) != "e4 e3 e2 " {
		t.Errorf("after 92 days: %s", names(out))
	}
}

func TestLookupEventsErrors(t *testing.T) {
	now := t0
	op, caller := setup(t, &now)
	first, err := call(t, op, caller, `{"MaxResults":1}`)
	if err != nil || first.NextToken == "" {
		t.Fatal(err)
	}
	tests := []struct {
		name, body, code string
	}{
		{"two attributes", `{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"a"},{"AttributeKey":"Username","AttributeValue":"b"}]}`, cloudtrailapi.CodeInvalidLookupAttributes},
		{"unknown key", `{"LookupAttributes":[{"AttributeKey":"Color","AttributeValue":"a"}]}`, cloudtrailapi.CodeInvalidLookupAttributes},
		{"empty value", `{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":""}]}`, cloudtrailapi.CodeInvalidLookupAttributes},
		{"no value", `{"LookupAttributes":[{"AttributeKey":"EventName"}]}`, cloudtrailapi.CodeInvalidLookupAttributes},
		{"read only not boolean", `{"LookupAttributes":[{"AttributeKey":"ReadOnly","AttributeValue":"maybe"}]}`, cloudtrailapi.CodeInvalidLookupAttributes},
		{"start after end", `{"StartTime":200,"EndTime":100}`, cloudtrailapi.CodeInvalidTimeRange},
		{"far future", `{"StartTime":1e300}`, cloudtrailapi.CodeInvalidTimeRange},
		{"max results 0", `{"MaxResults":0}`, cloudtrailapi.CodeInvalidMaxResults},
		{"max results 51", `{"MaxResults":51}`, cloudtrailapi.CodeInvalidMaxResults},
		{"forged token", `{"NextToken":"MQ.forged"}`, cloudtrailapi.CodeInvalidNextToken},
		{"token of another request", `{"MaxResults":1,"NextToken":"` + first.NextToken + `","LookupAttributes":[{"AttributeKey":"Username","AttributeValue":"root"}]}`, cloudtrailapi.CodeInvalidNextToken},
		{"category", `{"EventCategory":"Data"}`, cloudtrailapi.CodeInvalidEventCategory},
		{"not an object", `[]`, "SerializationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := call(t, op, caller, tt.body)
			e, ok := apierr.As(err)
			if !ok || e.Code != tt.code || e.Message == "" {
				t.Errorf("got %v, want %s", err, tt.code)
			}
		})
	}
	// The same token with the same request continues.
	if _, err := call(t, op, caller, `{"MaxResults":1,"NextToken":"`+first.NextToken+`"}`); err != nil {
		t.Errorf("continuing: %v", err)
	}
}
