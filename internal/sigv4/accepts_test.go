package sigv4_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/sigv4"
)

// A key that does not accept the Region it signed for is unknown there,
// even with a wrong signature (the key is looked up first); in its own
// Regions it verifies as usual.
func TestAcceptsRegion(t *testing.T) {
	govOnly := func(region string) bool { return strings.HasPrefix(region, "us-gov-") }
	v := &sigv4.Verifier{
		Creds: creds{testKey: {Secret: testSecret, Subject: "gov", Accepts: govOnly}},
		Now:   func() time.Time { return signTime },
	}
	tests := []struct {
		name, region string
		secret       string
		want         sigv4.Kind
	}{
		{"own partition", "us-gov-west-1", testSecret, 0},
		{"other partition", "us-east-1", testSecret, sigv4.UnknownKey},
		{"other partition, bad signature", "us-east-1", "wrong", sigv4.UnknownKey},
		{"own partition, bad signature", "us-gov-east-1", "wrong", sigv4.Mismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(`{}`)
			req := mustNewRequest(t, http.MethodPost, testBaseURL+"/", body, nil)
			c := awsCreds(testKey)
			c.SecretAccessKey = tt.secret
			mustSign(t, req, body, "", c, "organizations", tt.region)
			r, b := overTheWire(t, req)
			res, err := v.Verify(context.Background(), r, b)
			if got := kindOf(err); got != tt.want {
				t.Fatalf("Verify: kind %v (%v), want %v", got, err, tt.want)
			}
			if tt.want == 0 && res.Subject != "gov" {
				t.Errorf("Subject = %v", res.Subject)
			}
		})
	}
}
