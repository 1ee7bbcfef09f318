package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// `accountplane explain` prints the decision the running server kept for a
// request id.
func TestExplain(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr := freeAddr(t)
	endpoint := "http://" + addr
	done := make(chan int, 1)
	go func() {
		done <- serve(ctx, []string{"--addr", addr, "--data", ":memory:"}, &bytes.Buffer{}, &bytes.Buffer{})
	}()
	defer func() { cancel(); <-done }()

	// A call the authorizer refuses, signed as the default root user.
	body := `{"AlternateContactType":"MARKETING"}`
	var res *http.Response
	for i := 0; i < startupTries; i++ { // wait for the listener
		req, _ := http.NewRequest(http.MethodPost, endpoint+"/getAlternateContact", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, req, hex.EncodeToString(sum[:]), "account", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		var err error
		if res, err = http.DefaultClient.Do(req); err == nil {
			break
		}
		sleep()
	}
	if res == nil {
		t.Fatal("server did not start")
	}
	res.Body.Close()
	id := res.Header.Get("X-Amzn-Requestid")
	if res.StatusCode != http.StatusForbidden || id == "" {
		t.Fatalf("refused call: %s, request id %q", res.Status, id)
	}
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"explain", "--endpoint", endpoint, id}, &out, &errb); code != 0 {
		t.Fatalf("explain: code %d, %s", code, errb.String())
	}
	for _, want := range []string{"DENIED account:GetAlternateContact by arn:aws:iam::000000000000:root", "refused by the authorizer before any policy: You specified an invalid Alternate Contact type."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("explain output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	errb.Reset()
	if code := run(ctx, []string{"explain", "--endpoint", endpoint, "no-such-request"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "404") {
		t.Errorf("explain of an unknown id: code %d, %s", code, errb.String())
	}
}

func TestDecisionText(t *testing.T) {
	d := decision{RequestID: "r1", Principal: "arn:aws:iam::111111111111:user/u", Action: "organizations:CreatePolicy",
		Message: "User: ... with an explicit deny in a service control policy"}
	d.Checks = []decisionCheck{{Resource: "*", DeniedBy: "service control policy", Explicit: true,
		Reasons: []decisionReason{{Kind: "service control policy", Level: 1, Policy: "p-deny", Statement: 0, Effect: "Deny"}}}}
	got := d.text()
	for _, want := range []string{"DENIED organizations:CreatePolicy", "on *: denied by an explicit Deny (service control policy)", "Deny  service control policy p-deny (level 1), statement #0"} {
		if !strings.Contains(got, want) {
			t.Errorf("text lacks %q:\n%s", want, got)
		}
	}
}
