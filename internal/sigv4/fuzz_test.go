package sigv4_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/accountplane/accountplane/internal/sigv4"
)

// checkError fails unless err is nil or a well-formed *sigv4.Error whose
// message is printable ASCII.
func checkError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *sigv4.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %T %v, want *sigv4.Error", err, err)
	}
	if e.Kind < sigv4.Missing || e.Kind > sigv4.BadToken {
		t.Fatalf("got Kind %d out of range", e.Kind)
	}
	for i := 0; i < len(e.Message); i++ {
		if c := e.Message[i]; c < 0x20 || c >= 0x7f {
			t.Fatalf("message %q has byte %#x", e.Message, c)
		}
	}
}

func FuzzParseAuthorization(f *testing.F) {
	signed, _ := overTheWire(f, signedCases()[0].request(f))
	valid := signed.Header.Get("Authorization")
	for _, seed := range []string{
		valid,
		strings.ReplaceAll(valid, ", ", ","),
		strings.Replace(valid, "Signature=", "Signature=Signature=", 1),
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/us-east-1/account/aws4_request, SignedHeaders=host;x-amz-date, Signature=",
		"AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=;;;, Signature=zz",
		"AWS4-HMAC-SHA256 Credential",
		"AWS4-HMAC-SHA256 ,,,=,=,",
		"AWS4-HMAC-SHA256",
		"AWS AKIDEXAMPLE:c2lnbmF0dXJl",
		"Bearer eyJhbGciOi",
		"",
		" ",
		"AWS4-HMAC-SHA256 Credential=\x00\xff/20260102/r/s/aws4_request, SignedHeaders=host, Signature=00",
	} {
		f.Add(seed)
	}
	v := newVerifier(signTime)
	f.Fuzz(func(t *testing.T, auth string) {
		r := signed.Clone(context.Background())
		r.Header.Set("Authorization", auth)
		sigv4.Scope(r)
		_, err := v.Verify(context.Background(), r, []byte(alternateContactBody))
		checkError(t, err)
	})
}

func FuzzVerify(f *testing.F) {
	signed, body := overTheWire(f, signedCases()[0].request(f))
	presigned, _ := overTheWire(f, mustPresign(f, mustNewRequest(f, "GET", testBaseURL+"/?Action=GetCallerIdentity&X-Amz-Expires=60", nil, nil),
		"UNSIGNED-PAYLOAD", awsCreds(testKey), "sts", "us-east-1"))
	f.Add(signed.Method, signed.RequestURI, signed.Header.Get("Authorization"), signed.Header.Get("X-Amz-Date"), signed.Host, body)
	f.Add(presigned.Method, presigned.RequestURI, "", "", presigned.Host, []byte(nil))
	f.Add("GET", "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%zz&X-Amz-Date=x&X-Amz-Expires=-1", "", "", "h", []byte(nil))
	f.Add("GET", "/a;b?c;d=e&&=&X-Amz-Signature", "AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders=host, Signature=00", "20260102T030405Z", "", []byte("x"))
	f.Add("", "*", "AWS4-HMAC-SHA256", "99999999T999999Z", "[::1]:80", []byte(nil))
	v := newVerifier(signTime)
	f.Fuzz(func(t *testing.T, method, target, auth, amzDate, host string, body []byte) {
		path, query, _ := strings.Cut(target, "?")
		r := &http.Request{
			Method:     method,
			URL:        &url.URL{Path: path, RawQuery: query},
			RequestURI: target,
			Host:       host,
			Header:     http.Header{"Content-Type": {"application/json"}},
		}
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		if amzDate != "" {
			r.Header.Set("X-Amz-Date", amzDate)
		}
		sigv4.Scope(r)
		_, err := v.Verify(context.Background(), r, body)
		checkError(t, err)
	})
}

// FuzzSignVerify signs arbitrary paths, queries, header values and bodies
// with aws-sdk-go-v2 and checks that every one verifies after a trip over
// the wire.
func FuzzSignVerify(f *testing.F) {
	f.Add("getAlternateContact", "", "application/json", []byte(alternateContactBody))
	f.Add("a b/ü/%2F/(x)", "a=1&a=0&b=%2B+c&~=~", "  x   y  ", []byte(nil))
	f.Add("..//./x", "k=v;w", "\u00a0v\t", []byte("body"))
	v := newVerifier(signTime)
	f.Fuzz(func(t *testing.T, path, query, value string, body []byte) {
		if strings.ContainsAny(value, "\r\n\x00") {
			t.Skip("header value cannot be sent")
		}
		u := &url.URL{Scheme: "http", Host: testHost, Path: "/" + path, RawQuery: query}
		req, err := http.NewRequest("POST", u.String(), bytes.NewReader(body))
		if err != nil {
			t.Skip("unparsable URL")
		}
		req.URL = u
		req.Header.Set("X-Amz-Meta", value)
		mustSign(t, req, body, "", awsCreds(testKey), "account", "us-east-1")

		var wire bytes.Buffer
		if err := req.Write(&wire); err != nil {
			t.Skip("request cannot be written")
		}
		r, err := http.ReadRequest(bufio.NewReader(&wire))
		if err != nil {
			t.Skip("server would reject the request")
		}
		got, err := io.ReadAll(r.Body)
		if err != nil {
			t.Skip("unreadable body")
		}
		if _, err := v.Verify(context.Background(), r, got); err != nil {
			t.Fatalf("Verify(%q, header %q): %v", r.RequestURI, r.Header.Get("X-Amz-Meta"), err)
		}
	})
}
