package accountapi

import (
	"net/http/httptest"
	"testing"

	"github.com/accountplane/accountplane/internal/protocol/restjson"
	"github.com/accountplane/accountplane/internal/protocol/wire/wiretest"
)

// BenchmarkEncodeGetAlternateContact encodes a GetAlternateContact answer
// as the server writes it (REST-JSON).
func BenchmarkEncodeGetAlternateContact(b *testing.B) {
	typ, name, title, email, phone := "BILLING", "Mary Major", "CFO", "billing@example.com", "+1 206 555 0100"
	out := &getAlternateContactOutput{AlternateContact: &AlternateContact{
		AlternateContactType: &typ, Name: &name, Title: &title, EmailAddress: &email, PhoneNumber: &phone,
	}}
	c := &restjson.Codec{}
	rec := httptest.NewRecorder()
	if err := c.WriteResult(rec, "GetAlternateContact", out, "req"); err != nil || rec.Body.Len() < 100 {
		b.Fatalf("encode: %v, %q", err, rec.Body)
	}
	w := wiretest.NewDiscard()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.WriteResult(w, "GetAlternateContact", out, "req"); err != nil {
			b.Fatal(err)
		}
	}
}
