package app_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/accountplane/accountplane/internal/app"
)

func iamAs(endpoint, key, secret string) *iam.Client {
	return iam.NewFromConfig(aws.Config{
		Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, ""),
	}, func(o *iam.Options) { o.RetryMaxAttempts = 1 })
}

func passwordPresent(t *testing.T, c *iam.Client) int32 {
	t.Helper()
	out, err := c.GetAccountSummary(context.Background(), &iam.GetAccountSummaryInput{})
	if err != nil {
		t.Fatal(err)
	}
	return out.SummaryMap["AccountPasswordPresent"]
}

// Sign-up takes an optional root password, checked before the account
// exists.
func TestSignUpWithRootPassword(t *testing.T) {
	a := start(t, app.Config{DataDir: app.MemoryData})
	var bad map[string]string
	if code := adminCall(t, http.MethodPost, a.URL()+"/_accountplane/accounts", map[string]string{"name": "pw", "email": "pw@example.com", "Password": "weak"}, &bad); code != http.StatusBadRequest || bad["__type"] != "PasswordPolicyViolation" {
		t.Fatalf("weak password: %d %v", code, bad)
	}
	var list struct{ Accounts []struct{ AccountId string } }
	adminCall(t, http.MethodGet, a.URL()+"/_accountplane/accounts", nil, &list)
	if len(list.Accounts) != 1 {
		t.Errorf("a refused sign-up created an account: %+v", list.Accounts)
	}
	var created struct{ AccountId, AccessKeyId, SecretAccessKey string }
	if code := adminCall(t, http.MethodPost, a.URL()+"/_accountplane/accounts", map[string]string{"name": "pw", "email": "pw@example.com", "Password": "Sign-up-pass1"}, &created); code != http.StatusCreated {
		t.Fatalf("sign up: %d", code)
	}
	if got := passwordPresent(t, iamAs(a.URL(), created.AccessKeyId, created.SecretAccessKey)); got != 1 {
		t.Errorf("AccountPasswordPresent = %d after a sign-up with a password", got)
	}
	if code := adminCall(t, http.MethodPost, a.URL()+"/_accountplane/accounts", map[string]string{"name": "nopw", "email": "nopw@example.com"}, &created); code != http.StatusCreated {
		t.Fatalf("sign up: %d", code)
	}
	if got := passwordPresent(t, iamAs(a.URL(), created.AccessKeyId, created.SecretAccessKey)); got != 0 {
		t.Errorf("AccountPasswordPresent = %d after a sign-up without a password", got)
	}
	if got := passwordPresent(t, iamAs(a.URL(), "test", "test")); got != 1 {
		t.Errorf("the default world's root has no password")
	}
	// The root routes: unknown account, bad JSON, missing fields.
	for _, tc := range []struct {
		method, path string
		body         any
		want         int
	}{
		{http.MethodPut, "/_accountplane/accounts/999999999999/root/password", map[string]string{"Password": "Val1d-pass"}, http.StatusNotFound},
		{http.MethodPut, "/_accountplane/accounts/000000000000/root/password", map[string]string{}, http.StatusBadRequest},
		{http.MethodPut, "/_accountplane/accounts/bad/root/password", map[string]string{"Password": "Val1d-pass"}, http.StatusBadRequest},
		{http.MethodPost, "/_accountplane/accounts/999999999999/root/mfa-devices", map[string]string{"DeviceName": "d"}, http.StatusNotFound},
		{http.MethodPost, "/_accountplane/accounts/000000000000/root/mfa-devices", map[string]string{"DeviceName": "bad name"}, http.StatusBadRequest},
		{http.MethodPost, "/_accountplane/accounts/000000000000/root/mfa-devices", "not an object", http.StatusBadRequest},
	} {
		if code := adminCall(t, tc.method, a.URL()+tc.path, tc.body, nil); code != tc.want {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, code, tc.want)
		}
	}
}

// The seed's rootPassword is checked when the seed is read and applied
// when the account has none.
func TestSeedRootPassword(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("accounts:\n  - id: \"111111111111\"\n    name: dev\n    email: dev@example.com\n    rootPassword: dev\n"), 0o600)
	if _, err := app.LoadSeed(bad); err == nil || !strings.Contains(err.Error(), "rootPassword") {
		t.Errorf("weak seed password: %v", err)
	}
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte("accounts:\n  - id: \"111111111111\"\n    name: dev\n    email: dev@example.com\n    rootPassword: Dev-r00t-pass\n"+
		"    credentials:\n      - {accessKeyId: AKIADEV0000000000001, secretAccessKey: dev-secret}\n"), 0o600)
	a := start(t, app.Config{DataDir: app.MemoryData, Seed: good})
	if got := passwordPresent(t, iamAs(a.URL(), "AKIADEV0000000000001", "dev-secret")); got != 1 {
		t.Errorf("seeded account: AccountPasswordPresent = %d", got)
	}
}

// Key uses noted in memory reach the store by shutdown and survive a
// restart.
func TestKeyUsesSurviveRestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	a, err := app.Start(context.Background(), app.Config{Addr: "127.0.0.1:0", DataDir: dir, Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	callerAccount(t, a.URL(), "test", "test")
	if err := a.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	b := start(t, app.Config{DataDir: dir})
	// Ask with a key other than "test", so that this call's own use does
	// not answer the question.
	root := iamAs(b.URL(), "test", "test")
	k, err := root.CreateAccessKey(context.Background(), &iam.CreateAccessKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	b.Shutdown(context.Background()) // flush the CreateAccessKey call's use too
	c := start(t, app.Config{DataDir: dir})
	out, err := iamAs(c.URL(), aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)).
		GetAccessKeyLastUsed(context.Background(), &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String("test")})
	if err != nil {
		t.Fatal(err)
	}
	if lu := out.AccessKeyLastUsed; lu.LastUsedDate == nil || aws.ToString(lu.ServiceName) != "iam" {
		t.Errorf("test key's last use after restarts = %+v", lu)
	}
}
