// Package e2e_test drives an in-process accountplane server with the real
// aws-sdk-go-v2 clients over real HTTP and real SigV4, plus hand-signed raw
// requests for what the SDK cannot send (operations newer than the SDK,
// malformed bodies, broken signatures).
package e2e_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/testclock"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/accountplane/accountplane/accountplanetest"
)

const (
	defaultAccountID = "000000000000"
	defaultRootARN   = "arn:aws:iam::000000000000:root"
	defaultKey       = "test"
	defaultSecret    = "test"
)

// accountClient returns an Account client for cfg with retries off, so
// throttling and server faults surface at once.
func accountClient(cfg aws.Config, optFns ...func(*account.Options)) *account.Client {
	fns := append([]func(*account.Options){func(o *account.Options) { o.RetryMaxAttempts = 1 }}, optFns...)
	return account.NewFromConfig(cfg, fns...)
}

// stsClient returns an STS client for cfg with retries off.
func stsClient(cfg aws.Config) *sts.Client {
	return sts.NewFromConfig(cfg, func(o *sts.Options) { o.RetryMaxAttempts = 1 })
}

// start starts a server with opts and returns it with an Account client for
// the default account.
func start(t *testing.T, opts ...accountplanetest.Options) (*accountplanetest.Server, *account.Client) {
	t.Helper()
	srv := accountplanetest.Start(t, opts...)
	return srv, accountClient(srv.Config)
}

// clock is a controllable domain clock, safe for concurrent use.
type clock = testclock.Clock

func newClock() *clock {
	return testclock.New(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
}

// wantAPIError asserts that err is (or wraps) a T with the given error code
// and, when status is non-zero, that the HTTP status is status. It returns the
// typed error.
func wantAPIError[T error](t *testing.T, err error, code string, status int) T {
	t.Helper()
	var typed T
	if err == nil {
		t.Fatalf("got no error, want %s (%d)", code, status)
	}
	if !errors.As(err, &typed) {
		t.Fatalf("error %v (%T) is not a %T", err, err, typed)
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Fatalf("error %v is not a smithy.APIError", err)
	}
	if api.ErrorCode() != code {
		t.Errorf("ErrorCode() = %q, want %q", api.ErrorCode(), code)
	}
	if api.ErrorMessage() == "" {
		t.Errorf("ErrorMessage() is empty for %s", code)
	}
	if status != 0 {
		if got := httpStatus(t, err); got != status {
			t.Errorf("HTTP status = %d, want %d", got, status)
		}
	}
	return typed
}

// httpStatus returns the HTTP status of an SDK error.
func httpStatus(t *testing.T, err error) int {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("error %v carries no HTTP response", err)
	}
	return re.HTTPStatusCode()
}

// wantValidation asserts a ValidationException (400) with reason and, for
// each name in fields, a fieldList entry of that name.
func wantValidation(t *testing.T, err error, reason types.ValidationExceptionReason, fields ...string) *types.ValidationException {
	t.Helper()
	ve := wantAPIError[*types.ValidationException](t, err, "ValidationException", http.StatusBadRequest)
	if ve.Reason != reason {
		t.Errorf("Reason = %q, want %q", ve.Reason, reason)
	}
	for _, f := range fields {
		if !hasField(ve.FieldList, f) {
			t.Errorf("FieldList %s does not name %q", fieldNames(ve.FieldList), f)
		}
	}
	return ve
}

func hasField(list []types.ValidationExceptionField, name string) bool {
	for _, f := range list {
		if aws.ToString(f.Name) == name {
			if aws.ToString(f.Message) == "" {
				return false
			}
			return true
		}
	}
	return false
}

func fieldNames(list []types.ValidationExceptionField) string {
	names := make([]string, len(list))
	for i, f := range list {
		names[i] = aws.ToString(f.Name)
	}
	return "[" + strings.Join(names, ", ") + "]"
}

// ---- raw HTTP ---------------------------------------------------------------

// raw sends hand-built requests to a server.
type raw struct {
	t   *testing.T
	url string
}

func newRaw(t *testing.T, srv *accountplanetest.Server) raw { return raw{t: t, url: srv.URL} }

// signing says how a raw request is signed; the zero value means the default
// account's key, service "account", region us-east-1, now.
type signing struct {
	unsigned bool
	key      string
	secret   string
	service  string
	region   string
	at       time.Time
}

func (s signing) withDefaults() signing {
	if s.key == "" {
		s.key = defaultKey
	}
	if s.secret == "" {
		s.secret = defaultSecret
	}
	if s.service == "" {
		s.service = "account"
	}
	if s.region == "" {
		s.region = "us-east-1"
	}
	if s.at.IsZero() {
		s.at = time.Now()
	}
	return s
}

// response is a raw response, fully read.
type response struct {
	status int
	header http.Header
	body   []byte
}

// restError is the REST-JSON error body.
type restError struct {
	Type      string `json:"__type"`
	Message   string `json:"message"`
	Reason    string `json:"reason"`
	FieldList []struct {
		Name    string `json:"name"`
		Message string `json:"message"`
	} `json:"fieldList"`
}

func sha256hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// do sends method path with body and headers, signed as s says, and checks
// that the response carries Date and x-amzn-RequestId.
func (r raw) do(method, path string, body []byte, headers map[string]string, s signing) response {
	r.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, r.url+path, bytes.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if !s.unsigned {
		s = s.withDefaults()
		creds := aws.Credentials{AccessKeyID: s.key, SecretAccessKey: s.secret}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, sha256hex(body), s.service, s.region, s.at); err != nil {
			r.t.Fatalf("sign: %v", err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		r.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	if resp.Header.Get("Date") == "" {
		r.t.Errorf("%s %s: response has no Date header", method, path)
	}
	if resp.Header.Get("x-amzn-RequestId") == "" {
		r.t.Errorf("%s %s: response has no x-amzn-RequestId header", method, path)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// post sends a signed REST-JSON POST as the default account's root user.
func (r raw) post(path, body string) response {
	r.t.Helper()
	return r.do(http.MethodPost, path, []byte(body), map[string]string{"Content-Type": "application/json"}, signing{})
}

// postAs sends a REST-JSON POST signed as s says.
func (r raw) postAs(path, body string, s signing) response {
	r.t.Helper()
	return r.do(http.MethodPost, path, []byte(body), map[string]string{"Content-Type": "application/json"}, s)
}

// ok asserts a 200 and decodes the JSON body into v (if non-nil).
func (resp response) ok(t *testing.T, v any) {
	t.Helper()
	if resp.status != http.StatusOK {
		t.Fatalf("status %d, want 200; body %s", resp.status, resp.body)
	}
	if v != nil {
		if err := json.Unmarshal(resp.body, v); err != nil {
			t.Fatalf("decode %s: %v", resp.body, err)
		}
	}
}

// restErr asserts a REST-JSON error of status and code: the X-Amzn-ErrorType
// header, and __type and a message in the body. It returns the body.
func (resp response) restErr(t *testing.T, status int, code string) restError {
	t.Helper()
	if resp.status != status {
		t.Errorf("status %d, want %d; body %s", resp.status, status, resp.body)
	}
	if got := resp.header.Get("X-Amzn-ErrorType"); got != code {
		t.Errorf("X-Amzn-ErrorType = %q, want %q", got, code)
	}
	var e restError
	if err := json.Unmarshal(resp.body, &e); err != nil {
		t.Fatalf("error body %q is not JSON: %v", resp.body, err)
	}
	if e.Type != code {
		t.Errorf("__type = %q, want %q", e.Type, code)
	}
	if e.Message == "" {
		t.Errorf("error body %s has no message", resp.body)
	}
	return e
}

func (e restError) hasField(name string) bool {
	for _, f := range e.FieldList {
		if f.Name == name && f.Message != "" {
			return true
		}
	}
	return false
}

// outboxMessage is one entry of GET /_accountplane/outbox.
type outboxMessage struct {
	To   string `json:"to"`
	Code string `json:"code"`
}

// outboxCode returns the newest one-time code sent to to.
func (r raw) outboxCode(to string) string {
	r.t.Helper()
	resp, err := http.Get(r.url + "/_accountplane/outbox")
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		r.t.Fatalf("outbox: status %d: %s", resp.StatusCode, b)
	}
	var out struct {
		Messages []outboxMessage `json:"messages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		r.t.Fatal(err)
	}
	for _, m := range out.Messages { // newest first
		if m.To == to && m.Code != "" {
			return m.Code
		}
	}
	r.t.Fatalf("outbox has no code for %q: %+v", to, out.Messages)
	return ""
}

// recordingHTTPClient records request bodies the SDK sends.
type recordingHTTPClient struct {
	mu     sync.Mutex
	bodies []string
}

func (c *recordingHTTPClient) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(b))
		c.mu.Lock()
		c.bodies = append(c.bodies, string(b))
		c.mu.Unlock()
	}
	return http.DefaultClient.Do(req)
}

func (c *recordingHTTPClient) last() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.bodies) == 0 {
		return ""
	}
	return c.bodies[len(c.bodies)-1]
}

var ctx = context.Background()
