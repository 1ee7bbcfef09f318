package stsapi

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/accountplane/accountplane/internal/protocol/query"
	"github.com/accountplane/accountplane/internal/protocol/wire/wiretest"
)

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
	w := wiretest.NewDiscard()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.WriteResult(w, "AssumeRole", out, "req"); err != nil {
			b.Fatal(err)
		}
	}
}
