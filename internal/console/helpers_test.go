package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/accountplane/accountplane/accountplanetest"
)

const prefix = "/_accountplane/console/"

// keyPair is an access key id and its secret.
type keyPair struct{ Account, ID, Secret string }

// signUp creates a standalone account through the admin API and returns
// its root key.
func signUp(t *testing.T, srv *accountplanetest.Server, name, email string) keyPair {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"Name": name, "Email": email})
	res, err := http.Post(srv.URL+"/_accountplane/accounts", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct{ AccountId, AccessKeyId, SecretAccessKey string }
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("sign up %s: status %d, %v", name, res.StatusCode, err)
	}
	return keyPair{out.AccountId, out.AccessKeyId, out.SecretAccessKey}
}

// iamUser creates an IAM user of the default account with managed policy
// policyARN attached and returns its access key.
func iamUser(t *testing.T, srv *accountplanetest.Server, name, policyARN string) keyPair {
	t.Helper()
	ctx := context.Background()
	c := iam.NewFromConfig(srv.Config)
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(name), PolicyArn: aws.String(policyARN)}); err != nil {
		t.Fatal(err)
	}
	k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return keyPair{"000000000000", aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)}
}

// configFor is an SDK config for srv signing with k.
func configFor(srv *accountplanetest.Server, k keyPair) aws.Config {
	cfg := srv.Config.Copy()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(k.ID, k.Secret, "")
	return cfg
}

// client is a browser-like HTTP client of the console: it keeps cookies,
// follows redirects, and posts forms with the page's CSRF token.
type client struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

func newClient(t *testing.T, srv *accountplanetest.Server) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: srv.URL, http: &http.Client{Jar: jar}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get fetches path and returns the status and body, remembering the
// page's CSRF token.
func (c *client) get(path string) (int, string) {
	c.t.Helper()
	res, err := c.http.Get(c.base + path)
	if err != nil {
		c.t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if m := csrfRE.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	return res.StatusCode, string(b)
}

// post posts form to path as the console's pages do (same Origin, the
// CSRF token unless form has one), following the redirect.
func (c *client) post(path string, form url.Values, hdr ...string) (int, string) {
	c.t.Helper()
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", c.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.base)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if m := csrfRE.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	return res.StatusCode, string(b)
}

// signIn signs in with an access key pair.
func (c *client) signIn(k keyPair) {
	c.t.Helper()
	c.get(prefix + "signin")
	code, body := c.post(prefix+"signin", url.Values{"kind": {"key"}, "access_key_id": {k.ID}, "secret_access_key": {k.Secret}})
	if code != http.StatusOK || !strings.Contains(body, "<h1>Account</h1>") {
		c.t.Fatalf("sign in as %s: status %d, body %.400s", k.ID, code, body)
	}
}
