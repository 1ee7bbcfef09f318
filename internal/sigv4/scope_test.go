package sigv4_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/accountplane/accountplane/internal/sigv4"
)

func TestScope(t *testing.T) {
	t.Parallel()
	type scope struct {
		key, region, service string
		ok                   bool
	}
	tests := []struct {
		name  string
		auth  string
		query string
		want  scope
	}{
		{
			name: "Authorization header",
			auth: "AWS4-HMAC-SHA256 Credential=AKID/20260102/eu-west-3/account/aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
			want: scope{"AKID", "eu-west-3", "account", true},
		},
		{
			name: "header without spaces after commas",
			auth: "AWS4-HMAC-SHA256 Credential=AKID/20260102/us-east-1/sts/aws4_request,SignedHeaders=host,Signature=00",
			want: scope{"AKID", "us-east-1", "sts", true},
		},
		{
			name: "header without signature still has a scope",
			auth: "AWS4-HMAC-SHA256 Credential=AKID/20260102/us-east-1/sts/aws4_request",
			want: scope{"AKID", "us-east-1", "sts", true},
		},
		{
			name:  "presigned query",
			query: "Action=GetCallerIdentity&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20260102%2Fus-east-1%2Fsts%2Faws4_request",
			want:  scope{"AKID", "us-east-1", "sts", true},
		},
		{name: "nothing", query: "Action=GetCallerIdentity"},
		{name: "garbage header", auth: "garbage"},
		{name: "header without credential", auth: "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00"},
		{name: "four-part credential", auth: "AWS4-HMAC-SHA256 Credential=AKID/20260102/us-east-1/aws4_request"},
		{name: "bad terminator", auth: "AWS4-HMAC-SHA256 Credential=AKID/20260102/us-east-1/sts/aws5_request"},
		{name: "empty service", auth: "AWS4-HMAC-SHA256 Credential=AKID/20260102/us-east-1//aws4_request"},
		{name: "duplicate query credential", query: "X-Amz-Credential=AKID%2F20260102%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Credential=B%2F20260102%2Fus-east-1%2Fsts%2Faws4_request"},
		{name: "malformed query escape", query: "X-Amz-Credential=AKID%2G20260102"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := &http.Request{Method: "GET", URL: &url.URL{Path: "/", RawQuery: tt.query}, Header: http.Header{}}
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			var got scope
			got.key, got.region, got.service, got.ok = sigv4.Scope(r)
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
