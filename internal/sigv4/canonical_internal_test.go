package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/logging"
)

// captureLogger records the signer's debug output, which contains its
// canonical request.
type captureLogger struct{ buf strings.Builder }

func (l *captureLogger) Logf(_ logging.Classification, format string, v ...any) {
	fmt.Fprintf(&l.buf, format, v...)
}

// sdkCanonical extracts the canonical string from the signer's log.
func (l *captureLogger) sdkCanonical(t *testing.T) string {
	t.Helper()
	const start = "---[ CANONICAL STRING  ]-----------------------------\n"
	const end = "\n---[ STRING TO SIGN ]"
	s := l.buf.String()
	i, j := strings.Index(s, start), strings.Index(s, end)
	if i < 0 || j < 0 {
		t.Fatalf("no canonical string in signer log:\n%s", s)
	}
	return s[i+len(start) : j]
}

// TestCanonicalRequestMatchesSDK compares our canonical request, built from
// the server-side request, with the one aws-sdk-go-v2 signed, so a
// divergence shows up as a readable diff rather than a signature mismatch.
func TestCanonicalRequestMatchesSDK(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		method string
		url    string
		header http.Header
		body   string
	}{
		{name: "JSON POST", method: "POST", url: "http://127.0.0.1:4566/getAlternateContact",
			header: http.Header{"Content-Type": {"application/json"}}, body: `{"AlternateContactType":"BILLING"}`},
		{name: "query string", method: "GET",
			url: "http://127.0.0.1:4566/?b=2&a=%2F&a=1&sp=x+y&e=&%C3%BC=%7E&dot=.&slash=/"},
		{name: "escaped path", method: "GET", url: "http://127.0.0.1:4566/a%20b/%C3%BC/a%2Fb/(x)!*'/%25/"},
		{name: "multi-valued header", method: "PUT", url: "http://127.0.0.1:4566/x",
			header: http.Header{"X-Amz-Meta": {"  a   b ", "c\td"}, "Content-Type": {"text/plain"}}, body: "hi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequest(tt.method, tt.url, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.body == "" {
				req.Body, req.ContentLength = http.NoBody, 0
			}
			for k, v := range tt.header {
				req.Header[k] = v
			}
			sum := sha256.Sum256([]byte(tt.body))
			payload := hex.EncodeToString(sum[:])
			var log captureLogger
			err = v4.NewSigner().SignHTTP(context.Background(),
				aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "secret"}, req, payload, "sts", "us-east-1",
				time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
				func(o *v4.SignerOptions) { o.LogSigning, o.Logger = true, &log })
			if err != nil {
				t.Fatal(err)
			}
			var wire bytes.Buffer
			if err := req.Write(&wire); err != nil {
				t.Fatal(err)
			}
			r, err := http.ReadRequest(bufio.NewReader(&wire))
			if err != nil {
				t.Fatal(err)
			}
			a, perr := parseAuthorization(r.Header.Get("Authorization"))
			if perr != nil {
				t.Fatal(perr)
			}
			got := string(appendCanonicalRequest(nil, r, false, a.signedHeaders)) + payload
			if want := log.sdkCanonical(t); got != want {
				t.Errorf("canonical request\ngot:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestAppendTrimmed(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"a", "a"},
		{"  a  ", "a"},
		{"a   b    c", "a b c"},
		{"\t a  \t  b \t", "a \t b"},
		{"\u00a0x", "x"},
	}
	for _, tt := range tests {
		if got := string(appendTrimmed(nil, tt.in)); got != tt.want {
			t.Errorf("appendTrimmed(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// parseAmzDate accepts exactly what time.Parse(isoBasic, s) accepts, and
// gives the same time.
func FuzzParseAmzDate(f *testing.F) {
	for _, s := range []string{"20261207T102600Z", "20240229T000000Z", "20230229T000000Z", "20261331T000000Z",
		"20260431T000000Z", "20261207T246000Z", "20261207T235960Z", "00000101T000000Z", "20261207T1026000", "2026-12-07T10:26:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseAmzDate(s)
		want, err := time.Parse(isoBasic, s)
		if len(s) != len(isoBasic) {
			if ok {
				t.Fatalf("parseAmzDate(%q) accepted a date of the wrong length", s)
			}
			return
		}
		if ok != (err == nil) || (ok && !got.Equal(want)) {
			t.Fatalf("parseAmzDate(%q) = %v, %v; time.Parse: %v, %v", s, got, ok, want, err)
		}
	})
}
