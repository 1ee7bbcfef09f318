package e2e_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestDefaultWorld(t *testing.T) {
	t.Parallel()
	before := time.Now().Add(-time.Minute)
	srv, client := start(t)

	t.Run("GetAccountInformation", func(t *testing.T) {
		out, err := client.GetAccountInformation(ctx, &account.GetAccountInformationInput{})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(out.AccountId); got != defaultAccountID {
			t.Errorf("AccountId = %q, want %q", got, defaultAccountID)
		}
		if got := aws.ToString(out.AccountName); got != "default" {
			t.Errorf("AccountName = %q, want default", got)
		}
		if out.AccountState != types.AccountStateActive {
			t.Errorf("AccountState = %q, want ACTIVE", out.AccountState)
		}
		if out.AccountCreatedDate == nil {
			t.Fatal("AccountCreatedDate is missing")
		}
		if c := *out.AccountCreatedDate; c.Before(before) || c.After(time.Now().Add(time.Minute)) {
			t.Errorf("AccountCreatedDate = %v, want about now", c)
		}
		if id, ok := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata); !ok || id == "" {
			t.Errorf("no request id in the result metadata")
		}
	})

	t.Run("GetContactInformation", func(t *testing.T) {
		out, err := client.GetContactInformation(ctx, &account.GetContactInformationInput{})
		if err != nil {
			t.Fatal(err)
		}
		ci := out.ContactInformation
		if ci == nil {
			t.Fatal("ContactInformation is missing")
		}
		for name, v := range map[string]*string{
			"FullName": ci.FullName, "AddressLine1": ci.AddressLine1, "City": ci.City,
			"PostalCode": ci.PostalCode, "CountryCode": ci.CountryCode, "PhoneNumber": ci.PhoneNumber,
		} {
			if aws.ToString(v) == "" {
				t.Errorf("required member %s is missing", name)
			}
		}
		if len(aws.ToString(ci.CountryCode)) != 2 {
			t.Errorf("CountryCode = %q, want 2 characters", aws.ToString(ci.CountryCode))
		}
		if !regexp.MustCompile(`^[+][\s0-9()-]+$`).MatchString(aws.ToString(ci.PhoneNumber)) {
			t.Errorf("PhoneNumber = %q does not match the model pattern", aws.ToString(ci.PhoneNumber))
		}
	})

	t.Run("GetCallerIdentity", func(t *testing.T) {
		out, err := stsClient(srv.Config).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(out.Account); got != defaultAccountID {
			t.Errorf("Account = %q, want %q", got, defaultAccountID)
		}
		if got := aws.ToString(out.Arn); got != defaultRootARN {
			t.Errorf("Arn = %q, want %q", got, defaultRootARN)
		}
		if got := aws.ToString(out.UserId); got != defaultAccountID {
			t.Errorf("UserId = %q, want %q (a root user's UserId is the account id)", got, defaultAccountID)
		}
	})

	t.Run("GetGovCloudAccountInformation", func(t *testing.T) {
		_, err := client.GetGovCloudAccountInformation(ctx, &account.GetGovCloudAccountInformationInput{})
		wantAPIError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", http.StatusNotFound)
	})
}

func TestAccountName(t *testing.T) {
	t.Parallel()
	_, client := start(t)

	name := func(t *testing.T) string {
		t.Helper()
		out, err := client.GetAccountInformation(ctx, &account.GetAccountInformationInput{})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.AccountName)
	}

	t.Run("PutAccountName", func(t *testing.T) {
		if _, err := client.PutAccountName(ctx, &account.PutAccountNameInput{AccountName: aws.String("AnyCompany-audit-prod")}); err != nil {
			t.Fatal(err)
		}
		if got := name(t); got != "AnyCompany-audit-prod" {
			t.Errorf("AccountName = %q, want AnyCompany-audit-prod", got)
		}
	})

	t.Run("MaxLength50", func(t *testing.T) {
		n := strings.Repeat("n", 50)
		if _, err := client.PutAccountName(ctx, &account.PutAccountNameInput{AccountName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
		if got := name(t); got != n {
			t.Errorf("AccountName = %q, want %q", got, n)
		}
	})

	t.Run("BadPattern", func(t *testing.T) {
		before := name(t)
		_, err := client.PutAccountName(ctx, &account.PutAccountNameInput{AccountName: aws.String("bad<name")})
		wantValidation(t, err, types.ValidationExceptionReasonFieldValidationFailed, "AccountName")
		if got := name(t); got != before {
			t.Errorf("AccountName changed to %q after a rejected call", got)
		}
	})

	t.Run("TooLong", func(t *testing.T) {
		before := name(t)
		_, err := client.PutAccountName(ctx, &account.PutAccountNameInput{AccountName: aws.String(strings.Repeat("n", 51))})
		wantValidation(t, err, types.ValidationExceptionReasonFieldValidationFailed, "AccountName")
		if got := name(t); got != before {
			t.Errorf("AccountName changed to %q after a rejected call", got)
		}
	})
}

func TestHealth(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	resp := newRaw(t, srv).do(http.MethodGet, "/_accountplane/health", nil, nil, signing{unsigned: true})
	var body map[string]any
	resp.ok(t, &body)
	if body["status"] != "ok" {
		t.Errorf("health body %s, want status ok", resp.body)
	}
	if ct := resp.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if !json.Valid(resp.body) {
		t.Errorf("health body is not JSON: %s", resp.body)
	}
}

func TestCORSPreflight(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	const origin = "http://localhost:3000"
	resp := newRaw(t, srv).do(http.MethodOptions, "/getContactInformation", nil, map[string]string{
		"Origin":                         origin,
		"Access-Control-Request-Method":  "POST",
		"Access-Control-Request-Headers": "authorization,content-type,x-amz-date,x-amz-user-agent",
	}, signing{unsigned: true})
	if resp.status != http.StatusOK {
		t.Fatalf("status %d, want 200; body %s", resp.status, resp.body)
	}
	if got := resp.header.Get("Access-Control-Allow-Origin"); got != origin {
		t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, origin)
	}
	if got := strings.ToLower(resp.header.Get("Access-Control-Allow-Methods")); !strings.Contains(got, "post") {
		t.Errorf("Access-Control-Allow-Methods = %q, want POST allowed", got)
	}
	allowed := strings.ToLower(resp.header.Get("Access-Control-Allow-Headers"))
	for _, h := range []string{"authorization", "content-type", "x-amz-date"} {
		if !strings.Contains(allowed, h) {
			t.Errorf("Access-Control-Allow-Headers = %q, want %s allowed", allowed, h)
		}
	}

	t.Run("ActualRequest", func(t *testing.T) {
		resp := newRaw(t, srv).do(http.MethodPost, "/getContactInformation", []byte(`{}`),
			map[string]string{"Origin": origin, "Content-Type": "application/json"}, signing{})
		resp.ok(t, nil)
		if got := resp.header.Get("Access-Control-Allow-Origin"); got != origin {
			t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, origin)
		}
		exposed := strings.ToLower(resp.header.Get("Access-Control-Expose-Headers"))
		for _, h := range []string{"x-amzn-requestid", "x-amzn-errortype"} {
			if !strings.Contains(exposed, h) {
				t.Errorf("Access-Control-Expose-Headers = %q, want %s exposed", exposed, h)
			}
		}
	})
}
