package sigv4_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/accountplane/accountplane/internal/sigv4"
)

const (
	testKey     = "AKIDEXAMPLE"
	testSecret  = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	tempKey     = "ASIAEXAMPLE"
	tempSecret  = "tempsecret"
	tempToken   = "FwoGZXIvYXdzEXAMPLETOKEN//////////wEaDA=="
	testHost    = "127.0.0.1:4566"
	testBaseURL = "http://" + testHost
)

// signTime is when the test requests are signed; tests verify at signTime
// unless they move the verifier's clock.
var signTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// creds is a CredentialSource backed by a map.
type creds map[string]sigv4.Credential

func (c creds) Credential(_ context.Context, id string) (sigv4.Credential, error) {
	cred, ok := c[id]
	if !ok {
		return sigv4.Credential{}, sigv4.ErrUnknownKey
	}
	return cred, nil
}

func testCreds() creds {
	return creds{
		testKey: {Secret: testSecret},
		tempKey: {Secret: tempSecret, SessionToken: tempToken},
	}
}

func newVerifier(now time.Time) *sigv4.Verifier {
	return &sigv4.Verifier{Creds: testCreds(), Now: func() time.Time { return now }}
}

func awsCreds(id string) aws.Credentials {
	switch id {
	case tempKey:
		return aws.Credentials{AccessKeyID: tempKey, SecretAccessKey: tempSecret, SessionToken: tempToken}
	default:
		return aws.Credentials{AccessKeyID: id, SecretAccessKey: testSecret}
	}
}

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// mustNewRequest builds a client-side request with the given headers.
func mustNewRequest(tb testing.TB, method, url string, body []byte, header http.Header) *http.Request {
	tb.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		tb.Fatalf("NewRequest: %v", err)
	}
	if len(body) == 0 {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	return req
}

// mustSign signs req in place with aws-sdk-go-v2's signer.
func mustSign(tb testing.TB, req *http.Request, body []byte, payloadHash string, c aws.Credentials, service, region string) {
	tb.Helper()
	if payloadHash == "" {
		payloadHash = hexSHA256(body)
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), c, req, payloadHash, service, region, signTime); err != nil {
		tb.Fatalf("SignHTTP: %v", err)
	}
}

// mustPresign presigns req with aws-sdk-go-v2's signer and returns the
// client-side request for the presigned URL.
func mustPresign(tb testing.TB, req *http.Request, payloadHash string, c aws.Credentials, service, region string) *http.Request {
	tb.Helper()
	u, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), c, req, payloadHash, service, region, signTime)
	if err != nil {
		tb.Fatalf("PresignHTTP: %v", err)
	}
	out, err := http.NewRequest(req.Method, u, http.NoBody)
	if err != nil {
		tb.Fatalf("NewRequest(%q): %v", u, err)
	}
	for k, vs := range hdr {
		if k != "Host" {
			out.Header[k] = vs
		}
	}
	out.Host = req.Host
	return out
}

// overTheWire serialises a client request and parses it back the way
// net/http's server does, returning the server-side request and its body.
func overTheWire(tb testing.TB, req *http.Request) (*http.Request, []byte) {
	tb.Helper()
	var wire bytes.Buffer
	if err := req.Write(&wire); err != nil {
		tb.Fatalf("write request: %v", err)
	}
	r, err := http.ReadRequest(bufio.NewReader(&wire))
	if err != nil {
		tb.Fatalf("read request: %v\n%s", err, wire.Bytes())
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		tb.Fatalf("read body: %v", err)
	}
	return r, body
}

// kindOf returns the Kind of a *sigv4.Error, or 0 for nil and other errors.
func kindOf(err error) sigv4.Kind {
	var e *sigv4.Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}
