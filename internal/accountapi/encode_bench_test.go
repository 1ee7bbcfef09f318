package accountapi

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/accountplane/accountplane/internal/protocol/restjson"
)

// discard is a ResponseWriter that keeps only the headers.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

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
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		if err := c.WriteResult(w, "GetAlternateContact", out, "req"); err != nil {
			b.Fatal(err)
		}
	}
}
