package stsapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/accountplane/accountplane/internal/protocol/query"
)

// discard is a ResponseWriter that keeps only the headers.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// BenchmarkEncodeAssumeRole encodes an AssumeRole answer as the server
// writes it (query protocol, XML).
func BenchmarkEncodeAssumeRole(b *testing.B) {
	out := &assumeRoleResult{
		Credentials: credentials{AccessKeyID: "ASIAEXAMPLEEXAMPLE01", SecretAccessKey: strings.Repeat("s", 40),
			SessionToken: strings.Repeat("t", 400), Expiration: "2026-12-07T12:00:00Z"},
		AssumedRoleUser: assumedRoleUser{AssumedRoleID: "AROAEXAMPLEEXAMPLE01:bench", Arn: "arn:aws:sts::111122223333:assumed-role/OrganizationAccountAccessRole/bench"},
	}
	c := &query.Codec{Xmlns: Xmlns}
	rec := httptest.NewRecorder()
	if err := c.WriteResult(rec, "AssumeRole", out, "req"); err != nil || !strings.Contains(rec.Body.String(), "<AssumeRoleResult>") {
		b.Fatalf("encode: %v, %q", err, rec.Body)
	}
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		if err := c.WriteResult(w, "AssumeRole", out, "req"); err != nil {
			b.Fatal(err)
		}
	}
}
