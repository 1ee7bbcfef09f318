package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/authz"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/operation"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/accountplane/accountplane/internal/cloudtrailapi"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/server"
	"github.com/accountplane/accountplane/internal/stsapi"
	"github.com/accountplane/accountplane/internal/trail"
)

// memTrail is an in-memory event history.
type memTrail struct {
	mu     sync.Mutex
	events []trail.Event
}

func (m *memTrail) AppendEvent(_ context.Context, ev trail.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	ev.Seq = int64(len(m.events) + 1)
	m.events = append(m.events, ev)
	return nil
}

func (m *memTrail) AppendEvents(ctx context.Context, evs []trail.Event) error {
	for _, ev := range evs {
		if err := m.AppendEvent(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}

func (m *memTrail) ReplaceEvent(_ context.Context, ev trail.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.events {
		if m.events[i].ID == ev.ID {
			ev.Seq, m.events[i] = m.events[i].Seq, ev
			return nil
		}
	}
	return kernel.ErrNotFound
}

func (m *memTrail) PurgeEvents(context.Context, time.Time) (int64, error) { return 0, nil }

func (m *memTrail) TrimEvents(_ context.Context, max int64) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := int64(len(m.events)) - max
	if n <= 0 {
		return 0, nil
	}
	m.events = m.events[n:]
	return n, nil
}

func (m *memTrail) LookupEvents(_ context.Context, q trail.Query) ([]trail.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []trail.Event
	for i := len(m.events) - 1; i >= 0; i-- {
		if m.events[i].Account == q.Account {
			out = append(out, m.events[i])
		}
	}
	return out, nil
}

func (m *memTrail) records(t *testing.T) []map[string]any {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []map[string]any
	for _, ev := range m.events {
		var rec map[string]any
		if err := json.Unmarshal(ev.Record, &rec); err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
	return out
}

type oneKey struct{}

func (oneKey) Credential(_ context.Context, id string) (server.Credential, error) {
	if id != "AKIDTRAIL" {
		return server.Credential{}, kernel.ErrNotFound
	}
	return server.Credential{Secret: "secret", Principal: identity.RootPrincipal("111122223333", id)}, nil
}

// signedPost posts body signed for service in region (secret "" for a
// wrong signature).
func signedPost(t *testing.T, c *http.Client, url, service, region, secret string, header map[string]string, body string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: "AKIDTRAIL", SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, region, time.Now()); err != nil {
		t.Fatal(err)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("x-amzn-RequestId"), string(b)
}

// The server records every authenticated call of a known operation, after
// its answer is decided, and nothing else: not failed signatures, unknown
// operations or the admin API.
func TestTrailRecording(t *testing.T) {
	store := &memTrail{}
	domain := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := mustNew(t, server.Config{
		Keys: oneKey{}, Clock: fixedClock{domain}, Authorizer: allowAll{},
		Services: []operation.Service{stsapi.Service(nil), cloudtrailapi.Service(store, cloudtrailapi.Options{Now: func() time.Time { return domain }})},
		Trail:    server.TrailConfig{Store: store},
	})
	for _, tls := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", tls), func(t *testing.T) {
			store.events = nil
			var ts *httptest.Server
			if tls {
				ts = httptest.NewTLSServer(s)
			} else {
				ts = httptest.NewServer(s)
			}
			defer ts.Close()
			c := ts.Client()
			form := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "trail-test/1"}
			status, reqID, body := signedPost(t, c, ts.URL, "sts", "eu-west-1", "secret", form, "Action=GetCallerIdentity&Version=2011-06-15")
			if status != http.StatusOK {
				t.Fatalf("GetCallerIdentity: %d %s", status, body)
			}
			signedPost(t, c, ts.URL, "sts", "eu-west-1", "secret", form, "Action=NoSuchAction&Version=2011-06-15")
			signedPost(t, c, ts.URL, "sts", "eu-west-1", "wrong", form, "Action=GetCallerIdentity&Version=2011-06-15")
			if res, err := c.Get(ts.URL + "/_accountplane/health"); err == nil {
				res.Body.Close()
			}
			s.DrainTrail()
			recs := store.records(t)
			if len(recs) != 1 {
				t.Fatalf("%d records, want 1: %v", len(recs), recs)
			}
			rec := recs[0]
			want := map[string]any{
				"eventVersion": "1.08", "eventSource": "sts.amazonaws.com", "eventName": "GetCallerIdentity",
				"awsRegion": "eu-west-1", "sourceIPAddress": "127.0.0.1", "userAgent": "trail-test/1", "requestID": reqID,
				"readOnly": true, "eventType": "AwsApiCall", "managementEvent": true, "eventCategory": "Management",
				"recipientAccountId": "111122223333", "eventTime": "2026-03-01T12:00:00Z", "requestParameters": nil, "responseElements": nil,
			}
			for k, v := range want {
				if rec[k] != v {
					t.Errorf("%s = %v, want %v", k, rec[k], v)
				}
			}
			tlsDetails, ok := rec["tlsDetails"].(map[string]any)
			if ok != tls {
				t.Errorf("tlsDetails = %v over TLS %v", rec["tlsDetails"], tls)
			}
			if tls && (tlsDetails["tlsVersion"] != "TLSv1.3" || tlsDetails["cipherSuite"] == "" || !strings.HasPrefix(tlsDetails["clientProvidedHostHeader"].(string), "127.0.0.1:")) {
				t.Errorf("tlsDetails = %v", tlsDetails)
			}
		})
	}
}

// LookupEvents answers under both target prefixes, is recorded, and an
// unknown CloudTrail operation is not.
func TestTrailLookupRouting(t *testing.T) {
	store := &memTrail{}
	s := mustNew(t, server.Config{
		Keys: oneKey{}, Authorizer: allowAll{},
		Services: []operation.Service{cloudtrailapi.Service(store, cloudtrailapi.Options{})},
		Trail:    server.TrailConfig{Store: store},
	})
	ts := httptest.NewServer(s)
	defer ts.Close()
	for _, target := range []string{cloudtrailapi.TargetPrefix + "LookupEvents", cloudtrailapi.ServicePrefix + "LookupEvents", cloudtrailapi.ServicePrefix + "CreateTrail"} {
		h := map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target}
		status, _, body := signedPost(t, ts.Client(), ts.URL, "cloudtrail", "us-east-1", "secret", h, `{}`)
		if strings.HasSuffix(target, "CreateTrail") {
			if status != http.StatusBadRequest || !strings.Contains(body, "UnknownOperationException") {
				t.Errorf("%s: %d %s", target, status, body)
			}
			continue
		}
		if status != http.StatusOK || !strings.Contains(body, `"Events":[`) {
			t.Errorf("%s: %d %s", target, status, body)
		}
	}
	s.DrainTrail()
	recs := store.records(t)
	if len(recs) != 2 || recs[0]["eventName"] != "LookupEvents" || recs[1]["eventSource"] != "cloudtrail.amazonaws.com" || recs[1]["readOnly"] != true {
		t.Errorf("records %v", recs)
	}
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time                               { return c.t }
func (c fixedClock) Offset() time.Duration                        { return 0 }
func (c fixedClock) Advance(time.Duration) (time.Duration, error) { return 0, nil }

// allowAll is an authorizer that allows every call: the tests that use it
// are about something else (the trail, routing).
type allowAll struct{}

func (allowAll) Authorize(context.Context, server.AuthzQuery) (authz.Decision, error) {
	return authz.Decision{Allowed: true}, nil
}

func mustNew(t *testing.T, cfg server.Config) *server.Server {
	t.Helper()
	s, err := server.New(cfg)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	return s
}

// With SkipReads (--trail-reads=off), calls that change nothing are not
// recorded.
func TestTrailSkipReads(t *testing.T) {
	store := &memTrail{}
	s := mustNew(t, server.Config{
		Keys: oneKey{}, Authorizer: allowAll{},
		Services: []operation.Service{stsapi.Service(nil)},
		Trail:    server.TrailConfig{Store: store, SkipReads: true},
	})
	ts := httptest.NewServer(s)
	defer ts.Close()
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	if status, _, body := signedPost(t, ts.Client(), ts.URL, "sts", "us-east-1", "secret", form, "Action=GetCallerIdentity&Version=2011-06-15"); status != http.StatusOK {
		t.Fatalf("GetCallerIdentity: %d %s", status, body)
	}
	s.DrainTrail()
	if recs := store.records(t); len(recs) != 0 {
		t.Errorf("%d records of a read with SkipReads", len(recs))
	}
}
