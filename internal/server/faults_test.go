package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/account/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

func admin(t *testing.T, method, url string, in any) (int, []byte) {
	t.Helper()
	var body bytes.Buffer
	if in != nil {
		json.NewEncoder(&body).Encode(in)
	}
	req, _ := http.NewRequest(method, url, &body)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestFaultInjectionAndRetry(t *testing.T) {
	srv := accountplanetest.Start(t)
	ctx := context.Background()
	// Two throttles: the SDK's standard retryer (3 attempts) recovers.
	if code, b := admin(t, http.MethodPost, srv.URL+"/_accountplane/faults", map[string]any{
		"service": "account", "operation": "GetContactInformation", "errorCode": "TooManyRequestsException", "count": 2,
	}); code != http.StatusCreated {
		t.Fatalf("add fault: %d %s", code, b)
	}
	client := account.NewFromConfig(srv.Config)
	if _, err := client.GetContactInformation(ctx, &account.GetContactInformationInput{}); err != nil {
		t.Fatalf("standard retryer should recover from two injected throttles: %v", err)
	}
	// The rule was used up: no rules left.
	_, b := admin(t, http.MethodGet, srv.URL+"/_accountplane/faults", nil)
	if !strings.Contains(string(b), `"faults":[]`) {
		t.Errorf("faults after the count ran out: %s", b)
	}
	// Without retries the injected error surfaces with its type.
	admin(t, http.MethodPost, srv.URL+"/_accountplane/faults", map[string]any{
		"operation": "GetAlternateContact", "errorCode": "InternalServerException",
	})
	noRetry := account.NewFromConfig(srv.Config, func(o *account.Options) { o.RetryMaxAttempts = 1 })
	_, err := noRetry.GetAlternateContact(ctx, &account.GetAlternateContactInput{AlternateContactType: types.AlternateContactTypeBilling})
	var ise *types.InternalServerException
	if !errors.As(err, &ise) {
		t.Errorf("injected InternalServerException: got %v", err)
	}
	if code, _ := admin(t, http.MethodDelete, srv.URL+"/_accountplane/faults", nil); code != http.StatusOK {
		t.Errorf("clear faults: %d", code)
	}
	_, err = noRetry.GetAlternateContact(ctx, &account.GetAlternateContactInput{AlternateContactType: types.AlternateContactTypeBilling})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("after clearing faults: got %v, want ResourceNotFoundException", err)
	}
	if code, _ := admin(t, http.MethodPost, srv.URL+"/_accountplane/faults", map[string]any{"probability": 2, "errorCode": "X"}); code != http.StatusBadRequest {
		t.Errorf("bad rule: got %d, want 400", code)
	}
	// Metrics count the calls, injected ones included.
	code, m := admin(t, http.MethodGet, srv.URL+"/_accountplane/metrics", nil)
	for _, want := range []string{
		`accountplane_requests_total{service="account",operation="GetContactInformation",status="429"} 2`,
		`accountplane_requests_total{service="account",operation="GetContactInformation",status="200"} 1`,
		`accountplane_request_duration_seconds_count{service="account",operation="GetAlternateContact"} 2`,
		`accountplane_faults_injected_total 3`,
	} {
		if code != http.StatusOK || !strings.Contains(string(m), want) {
			t.Errorf("metrics lack %q:\n%s", want, m)
		}
	}
}
