package sigv4_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/sigv4"
)

const alternateContactBody = `{"AlternateContactType":"BILLING"}`

// signedCase describes a request signed with aws-sdk-go-v2's SignHTTP.
type signedCase struct {
	name        string
	method      string
	url         string
	header      http.Header
	body        string
	payloadHash string // "" means hex(sha256(body))
	key         string
	service     string
	region      string
}

func signedCases() []signedCase {
	return []signedCase{
		{
			name: "account JSON us-east-1", method: "POST", url: testBaseURL + "/getAlternateContact",
			header: http.Header{"Content-Type": {"application/json"}}, body: alternateContactBody,
			key: testKey, service: "account", region: "us-east-1",
		},
		{
			name: "account JSON eu-west-3", method: "POST", url: testBaseURL + "/getAlternateContact",
			header: http.Header{"Content-Type": {"application/json"}}, body: alternateContactBody,
			key: testKey, service: "account", region: "eu-west-3",
		},
		{
			name: "awsJson X-Amz-Target", method: "POST", url: testBaseURL + "/",
			header: http.Header{
				"Content-Type": {"application/x-amz-json-1.1"},
				"X-Amz-Target": {"AWSOrganizationsV20161128.DescribeOrganization"},
			},
			body: `{}`, key: testKey, service: "organizations", region: "us-east-1",
		},
		{
			name: "query protocol form body", method: "POST", url: testBaseURL + "/",
			header: http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}},
			body:   "Action=GetCallerIdentity&Version=2011-06-15", key: testKey, service: "sts", region: "us-east-1",
		},
		{
			name: "GET with query string", method: "GET",
			url: testBaseURL + "/?Action=ListAccounts&Version=2016-11-28&NextToken=a%2Fb%2Bc%3D&empty=&b=2&b=1&sp=x+y&tilde=~&uni=%C3%BC",
			key: testKey, service: "organizations", region: "us-east-1",
		},
		{
			name: "path needing escaping", method: "GET",
			url: testBaseURL + "/accounts/foo%20bar/%C3%BC/a%2Fb/(x)!*'~.-_/%25",
			key: testKey, service: "account", region: "us-west-2",
		},
		{
			name: "empty path", method: "GET", url: testBaseURL,
			key: testKey, service: "sts", region: "us-east-1",
		},
		{
			name: "session token", method: "POST", url: testBaseURL + "/getAlternateContact",
			header: http.Header{"Content-Type": {"application/json"}}, body: alternateContactBody,
			key: tempKey, service: "account", region: "us-east-1",
		},
		{
			name: "header values trimmed and joined", method: "POST", url: testBaseURL + "/",
			header: http.Header{
				"Content-Type":  {"application/json"},
				"X-Amz-Meta-A":  {"  a   b  c ", "second\tvalue"},
				"X-Custom-Head": {"v"},
			},
			body: `{}`, key: testKey, service: "account", region: "us-east-1",
		},
		{
			name: "UNSIGNED-PAYLOAD header", method: "POST", url: testBaseURL + "/upload",
			header: http.Header{"X-Amz-Content-Sha256": {"UNSIGNED-PAYLOAD"}},
			body:   "anything", payloadHash: "UNSIGNED-PAYLOAD",
			key: testKey, service: "account", region: "us-east-1",
		},
		{
			name: "X-Amz-Content-Sha256 header", method: "PUT", url: testBaseURL + "/upload",
			header: http.Header{"X-Amz-Content-Sha256": {hexSHA256([]byte("payload"))}},
			body:   "payload", key: testKey, service: "account", region: "us-east-1",
		},
		{
			name: "default port", method: "POST", url: "http://localhost:80/getAlternateContact",
			header: http.Header{"Content-Type": {"application/json"}}, body: alternateContactBody,
			key: testKey, service: "account", region: "us-east-1",
		},
	}
}

func (c signedCase) request(tb testing.TB) *http.Request {
	tb.Helper()
	req := mustNewRequest(tb, c.method, c.url, []byte(c.body), c.header)
	mustSign(tb, req, []byte(c.body), c.payloadHash, awsCreds(c.key), c.service, c.region)
	return req
}

func (c signedCase) wantResult() sigv4.Result {
	want := sigv4.Result{
		AccessKeyID: c.key, Region: c.region, Service: c.service,
		Date: signTime.Format("20060102T150405Z"),
	}
	if c.key == tempKey {
		want.SecurityToken = tempToken
	}
	return want
}

func TestVerifySignedBySDK(t *testing.T) {
	t.Parallel()
	for _, tt := range signedCases() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, body := overTheWire(t, tt.request(t))
			got, err := newVerifier(signTime.Add(time.Minute)).Verify(context.Background(), r, body)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if want := tt.wantResult(); got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

// TestVerifyClientSideRequest verifies requests as built by the client,
// without the server's parsing: no RequestURI, Content-Length only in
// r.ContentLength.
func TestVerifyClientSideRequest(t *testing.T) {
	t.Parallel()
	for _, tt := range signedCases() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := tt.request(t)
			got, err := newVerifier(signTime).Verify(context.Background(), r, []byte(tt.body))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if want := tt.wantResult(); got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

// TestVerifyThroughServer runs one signed request through a real HTTP
// server and client.
func TestVerifyThroughServer(t *testing.T) {
	t.Parallel()
	v := newVerifier(signTime)
	type outcome struct {
		res sigv4.Result
		err error
	}
	got := make(chan outcome, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read body: %v", err)
		}
		res, err := v.Verify(r.Context(), r, body)
		got <- outcome{res, err}
	}))
	t.Cleanup(srv.Close)

	c := signedCases()[0]
	c.url = srv.URL + "/getAlternateContact"
	resp, err := srv.Client().Do(c.request(t))
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	resp.Body.Close()
	o := <-got
	if o.err != nil {
		t.Fatalf("Verify: %v", o.err)
	}
	if want := c.wantResult(); o.res != want {
		t.Errorf("got %+v, want %+v", o.res, want)
	}
}

// presignCase describes a request presigned with aws-sdk-go-v2's PresignHTTP.
type presignCase struct {
	name        string
	url         string
	payloadHash string
	key         string
	service     string
	now         time.Time
}

func TestVerifyPresignedBySDK(t *testing.T) {
	t.Parallel()
	emptyHash := hexSHA256(nil)
	tests := []presignCase{
		{name: "S3 style UNSIGNED-PAYLOAD", url: testBaseURL + "/?Action=GetCallerIdentity&Version=2011-06-15",
			payloadHash: "UNSIGNED-PAYLOAD", key: testKey, service: "sts", now: signTime},
		{name: "STS style empty body hash", url: testBaseURL + "/?Action=GetCallerIdentity&Version=2011-06-15",
			payloadHash: emptyHash, key: testKey, service: "sts", now: signTime},
		{name: "session token", url: testBaseURL + "/?Action=GetCallerIdentity&Version=2011-06-15",
			payloadHash: "UNSIGNED-PAYLOAD", key: tempKey, service: "sts", now: signTime},
		{name: "X-Amz-Expires honoured beyond skew", url: testBaseURL + "/object?X-Amz-Expires=3600",
			payloadHash: "UNSIGNED-PAYLOAD", key: testKey, service: "sts", now: signTime.Add(59 * time.Minute)},
		{name: "escaped path", url: testBaseURL + "/a%20b/c",
			payloadHash: emptyHash, key: testKey, service: "sts", now: signTime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := mustNewRequest(t, "GET", tt.url, nil, nil)
			r, body := overTheWire(t, mustPresign(t, req, tt.payloadHash, awsCreds(tt.key), tt.service, "us-east-1"))
			got, err := newVerifier(tt.now).Verify(context.Background(), r, body)
			if err != nil {
				t.Fatalf("Verify(%s): %v", r.RequestURI, err)
			}
			want := sigv4.Result{AccessKeyID: tt.key, Region: "us-east-1", Service: tt.service, Date: "20260102T030405Z"}
			if tt.key == tempKey {
				want.SecurityToken = tempToken
			}
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

// TestVerifyDateHeader checks the fallback to an RFC 1123 Date header when
// X-Amz-Date is absent. The SDK always sends X-Amz-Date, so the request is
// signed by hand here; the canonical request spells out the layout.
func TestVerifyDateHeader(t *testing.T) {
	t.Parallel()
	date := signTime.Format(http.TimeFormat)
	canonical := "GET\n/\n\n" +
		"date:" + date + "\n" +
		"host:" + testHost + "\n" +
		"\n" +
		"date;host\n" +
		hexSHA256(nil)
	scope := "20260102/us-east-1/sts/aws4_request"
	sts := "AWS4-HMAC-SHA256\n20260102T030405Z\n" + scope + "\n" + hexSHA256([]byte(canonical))
	key := []byte("AWS4" + testSecret)
	for _, part := range strings.Split(scope, "/") {
		key = hmacSHA256(key, part)
	}
	sig := hex.EncodeToString(hmacSHA256(key, sts))

	r := httptest.NewRequest("GET", testBaseURL+"/", nil)
	r.Host = testHost
	r.Header.Set("Date", date)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testKey+"/"+scope+", SignedHeaders=date;host, Signature="+sig)
	got, err := newVerifier(signTime).Verify(context.Background(), r, nil)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := sigv4.Result{AccessKeyID: testKey, Region: "us-east-1", Service: "sts", Date: "20260102T030405Z"}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

// TestVerifyConcurrent exercises the key cache from many goroutines, with
// several scopes so that inserts race with lookups.
func TestVerifyConcurrent(t *testing.T) {
	t.Parallel()
	v := newVerifier(signTime)
	type signed struct {
		r    *http.Request
		body []byte
	}
	var reqs []signed
	for _, region := range []string{"us-east-1", "eu-west-3", "ap-south-1", "sa-east-1"} {
		c := signedCases()[0]
		c.region = region
		r, body := overTheWire(t, c.request(t))
		reqs = append(reqs, signed{r, body})
	}
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			var err error
			for i := range 200 {
				s := reqs[(g+i)%len(reqs)]
				if _, err = v.Verify(context.Background(), s.r, s.body); err != nil {
					break
				}
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Errorf("Verify: %v", err)
		}
	}
}

func TestVerifyCredentialSourceFailure(t *testing.T) {
	t.Parallel()
	boom := errors.New("database is locked")
	v := &sigv4.Verifier{Creds: failingCreds{boom}, Now: func() time.Time { return signTime }}
	r, body := overTheWire(t, signedCases()[0].request(t))
	_, err := v.Verify(context.Background(), r, body)
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want wrapped %v", err, boom)
	}
	if k := kindOf(err); k != 0 {
		t.Errorf("got Kind %v, want a plain internal error", k)
	}
}

type failingCreds struct{ err error }

func (f failingCreds) Credential(context.Context, string) (sigv4.Credential, error) {
	return sigv4.Credential{}, f.err
}
