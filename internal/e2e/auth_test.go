package e2e_test

import (
	"encoding/xml"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// Account API authentication failures are API Gateway's (spec/api.md §4.2).
func TestAccountAuthFailures(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	r := newRaw(t, srv)
	const path = "/getContactInformation"

	cases := []struct {
		name   string
		sign   signing
		code   string
		prefix string // of the message, if checked
	}{
		{"NoAuth", signing{unsigned: true}, "MissingAuthenticationTokenException", ""},
		{"UnknownKey", signing{key: "nope"}, "UnrecognizedClientException", ""},
		{"WrongSecret", signing{secret: "wrong"}, "InvalidSignatureException", ""},
		{"Expired", signing{at: time.Now().Add(-20 * time.Minute)}, "InvalidSignatureException", "Signature expired"},
		{"WrongService", signing{service: "organizations"}, "InvalidSignatureException", ""},
		{"FutureDated", signing{at: time.Now().Add(20 * time.Minute)}, "InvalidSignatureException", "Signature not yet current"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := r.postAs(path, `{}`, c.sign).restErr(t, http.StatusForbidden, c.code)
			if c.prefix != "" && !strings.HasPrefix(e.Message, c.prefix) {
				t.Errorf("message = %q, want prefix %q", e.Message, c.prefix)
			}
		})
	}

	t.Run("AnyRegionInScope", func(t *testing.T) {
		r.postAs(path, `{}`, signing{region: "eu-west-1"}).ok(t, nil)
	})

	t.Run("WithinSkew", func(t *testing.T) {
		r.postAs(path, `{}`, signing{at: time.Now().Add(-10 * time.Minute)}).ok(t, nil)
	})

	// Authentication comes before everything else: a broken body or an
	// unknown path is not looked at for an unsigned request.
	t.Run("AuthBeforeParsing", func(t *testing.T) {
		r.postAs("/putAlternateContact", `{not json`, signing{unsigned: true}).restErr(t, http.StatusForbidden, "MissingAuthenticationTokenException")
		r.postAs("/putAlternateContact", `{"AlternateContactType":"NOPE"}`, signing{secret: "wrong"}).restErr(t, http.StatusForbidden, "InvalidSignatureException")
	})

	t.Run("SDKWrongSecret", func(t *testing.T) {
		_, err := accountClient(srv.ConfigFor(defaultKey, "wrong")).GetContactInformation(ctx, &account.GetContactInformationInput{})
		var api smithy.APIError
		if !errors.As(err, &api) || api.ErrorCode() != "InvalidSignatureException" {
			t.Fatalf("got %v, want InvalidSignatureException", err)
		}
		if got := httpStatus(t, err); got != http.StatusForbidden {
			t.Errorf("HTTP status = %d, want 403", got)
		}
	})

	t.Run("SDKUnknownKey", func(t *testing.T) {
		_, err := accountClient(srv.ConfigFor("nope", "nope")).GetContactInformation(ctx, &account.GetContactInformationInput{})
		var api smithy.APIError
		if !errors.As(err, &api) || api.ErrorCode() != "UnrecognizedClientException" {
			t.Fatalf("got %v, want UnrecognizedClientException", err)
		}
	})
}

type queryErrorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

// STS speaks the query protocol: form body, XML answers and its own codes.
func TestSTSAuthFailures(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	r := newRaw(t, srv)
	const body = "Action=GetCallerIdentity&Version=2011-06-15"
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}

	t.Run("OK", func(t *testing.T) {
		resp := r.do(http.MethodPost, "/", []byte(body), form, signing{service: "sts"})
		if resp.status != http.StatusOK {
			t.Fatalf("status %d: %s", resp.status, resp.body)
		}
		var out struct {
			Result struct {
				Account string `xml:"Account"`
				Arn     string `xml:"Arn"`
			} `xml:"GetCallerIdentityResult"`
		}
		if err := xml.Unmarshal(resp.body, &out); err != nil {
			t.Fatalf("%s: %v", resp.body, err)
		}
		if out.Result.Account != defaultAccountID || out.Result.Arn != defaultRootARN {
			t.Errorf("got %+v", out.Result)
		}
	})

	cases := []struct {
		name   string
		sign   signing
		status int
		code   string
	}{
		{"NoAuth", signing{unsigned: true}, http.StatusForbidden, "MissingAuthenticationToken"},
		{"UnknownKey", signing{service: "sts", key: "nope"}, http.StatusForbidden, "InvalidClientTokenId"},
		{"WrongSecret", signing{service: "sts", secret: "wrong"}, http.StatusForbidden, "SignatureDoesNotMatch"},
		{"Expired", signing{service: "sts", at: time.Now().Add(-20 * time.Minute)}, http.StatusBadRequest, "RequestExpired"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := r.do(http.MethodPost, "/", []byte(body), form, c.sign)
			if resp.status != c.status {
				t.Errorf("status %d, want %d; body %s", resp.status, c.status, resp.body)
			}
			if ct := resp.header.Get("Content-Type"); !strings.Contains(ct, "xml") {
				t.Errorf("Content-Type = %q, want XML", ct)
			}
			var e queryErrorResponse
			if err := xml.Unmarshal(resp.body, &e); err != nil {
				t.Fatalf("body %q is not an ErrorResponse: %v", resp.body, err)
			}
			if e.Error.Code != c.code {
				t.Errorf("<Code> = %q, want %q", e.Error.Code, c.code)
			}
			if e.Error.Type != "Sender" {
				t.Errorf("<Type> = %q, want Sender", e.Error.Type)
			}
			if e.Error.Message == "" || e.RequestID == "" {
				t.Errorf("ErrorResponse lacks Message or RequestId: %s", resp.body)
			}
		})
	}

	t.Run("SDKWrongSecret", func(t *testing.T) {
		_, err := stsClient(srv.ConfigFor(defaultKey, "wrong")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		var api smithy.APIError
		if !errors.As(err, &api) {
			t.Fatalf("got %v, want an API error", err)
		}
		if api.ErrorCode() != "SignatureDoesNotMatch" {
			t.Errorf("ErrorCode() = %q, want SignatureDoesNotMatch", api.ErrorCode())
		}
		if got := httpStatus(t, err); got != http.StatusForbidden {
			t.Errorf("HTTP status = %d, want 403", got)
		}
	})

	t.Run("SDKUnknownKey", func(t *testing.T) {
		_, err := stsClient(srv.ConfigFor("nope", "nope")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		var api smithy.APIError
		if !errors.As(err, &api) || api.ErrorCode() != "InvalidClientTokenId" {
			t.Fatalf("got %v, want InvalidClientTokenId", err)
		}
	})

	t.Run("SDKOK", func(t *testing.T) {
		out, err := stsClient(srv.Config).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.Account) != defaultAccountID {
			t.Errorf("Account = %q", aws.ToString(out.Account))
		}
	})
}
