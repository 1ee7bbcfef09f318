package e2e_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/smithy-go/middleware"
)

// Helpers of the CloudTrail end-to-end tests (trail_*_test.go).

var (
	reUUID      = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	reTimestamp = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)
)

// trailClient returns a CloudTrail client for cfg with retries off.
func trailClient(cfg aws.Config) *cloudtrail.Client {
	return cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) { o.RetryMaxAttempts = 1 })
}

// attr is a LookupEvents input selecting one attribute.
func attr(key cttypes.LookupAttributeKey, value string) *cloudtrail.LookupEventsInput {
	return &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: key, AttributeValue: aws.String(value)}}}
}

// lookupAll returns every event in selects, all pages, newest first.
func lookupAll(t *testing.T, c *cloudtrail.Client, in *cloudtrail.LookupEventsInput) []cttypes.Event {
	t.Helper()
	if in == nil {
		in = &cloudtrail.LookupEventsInput{}
	}
	var out []cttypes.Event
	p := cloudtrail.NewLookupEventsPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("LookupEvents: %v", err)
		}
		out = append(out, page.Events...)
	}
	return out
}

// recordOf parses an event's CloudTrailEvent.
func recordOf(t *testing.T, ev cttypes.Event) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(ev.CloudTrailEvent)), &m); err != nil {
		t.Fatalf("CloudTrailEvent %q: %v", aws.ToString(ev.CloudTrailEvent), err)
	}
	return m
}

// findRecord returns the event and record of the call with request id
// reqID in c's account's history, failing if there is not exactly one.
func findRecord(t *testing.T, c *cloudtrail.Client, reqID string) (cttypes.Event, map[string]any) {
	t.Helper()
	var found []cttypes.Event
	var rec map[string]any
	for _, ev := range lookupAll(t, c, nil) {
		if r := recordOf(t, ev); r["requestID"] == reqID {
			found, rec = append(found, ev), r
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d records of request %s, want 1", len(found), reqID)
	}
	return found[0], rec
}

// noRecord asserts that c's account's history has no record of reqID.
func noRecord(t *testing.T, c *cloudtrail.Client, reqID string) {
	t.Helper()
	for _, ev := range lookupAll(t, c, nil) {
		if recordOf(t, ev)["requestID"] == reqID {
			t.Errorf("request %s is recorded in this account: %s", reqID, aws.ToString(ev.CloudTrailEvent))
		}
	}
}

// reqIDOf returns the request id of a call's result metadata.
func reqIDOf(t *testing.T, md middleware.Metadata) string {
	t.Helper()
	id, ok := awsmiddleware.GetRequestIDMetadata(md)
	if !ok || id == "" {
		t.Fatal("the response has no request id")
	}
	return id
}

// errReqID returns the request id of a failed call.
func errReqID(t *testing.T, err error) string {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.ServiceRequestID() == "" {
		t.Fatalf("error %v carries no request id", err)
	}
	return re.ServiceRequestID()
}

// field returns the value at a dotted path of a record.
func field(rec map[string]any, path ...string) any {
	var v any = rec
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// userAgentClient sends every request with a fixed User-Agent (which SigV4
// does not sign).
type userAgentClient struct{ ua string }

func (c userAgentClient) Do(req *http.Request) (*http.Response, error) {
	req.Header.Set("User-Agent", c.ua)
	return http.DefaultClient.Do(req)
}
