package e2e_test

import (
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/account"
	atypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/accountplane/accountplane/accountplanetest"
)

// Helpers of the IAM, STS and authorization end-to-end tests (iam_*_test.go
// and authz_*_test.go).

// ARNs of the AWS managed policies the tests attach.
const (
	adminAccessARN      = "arn:aws:iam::aws:policy/AdministratorAccess"
	acctReadOnlyARN     = "arn:aws:iam::aws:policy/AWSAccountManagementReadOnlyAccess"
	acctFullAccessARN   = "arn:aws:iam::aws:policy/AWSAccountManagementFullAccess"
	orgAccessRoleName   = "OrganizationAccountAccessRole"
	denyAllPolicy       = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`
	allowAllPolicy      = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	acctReadOnlyDocSpec = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "account:Get*",
        "account:List*"
      ],
      "Resource": "*"
    }
  ]
}`
)

// iamClient returns an IAM client for cfg with retries off.
func iamClient(cfg aws.Config) *iam.Client {
	return iam.NewFromConfig(cfg, func(o *iam.Options) { o.RetryMaxAttempts = 1 })
}

// principal is a caller (root user, IAM user or role session) with a client
// of every service, all signing with its credentials.
type principal struct {
	Account, ARN       string
	Key, Secret, Token string
	UserName, UserID   string
	Cfg                aws.Config
	IAM                *iam.Client
	STS                *sts.Client
	Acct               *account.Client
	Org                *organizations.Client
}

// configWith returns a config for srv signing with the given credentials
// (token "" for long-term keys).
func configWith(srv *accountplanetest.Server, key, secret, token string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(key, secret, token),
		BaseEndpoint: aws.String(srv.URL),
	}
}

func newPrincipal(srv *accountplanetest.Server, acct, arn, key, secret, token string) principal {
	cfg := configWith(srv, key, secret, token)
	return principal{
		Account: acct, ARN: arn, Key: key, Secret: secret, Token: token, Cfg: cfg,
		IAM: iamClient(cfg), STS: stsClient(cfg), Acct: accountClient(cfg), Org: orgClient(cfg),
	}
}

// rootPrincipal is the root user of acct signing with key/secret.
func rootPrincipal(srv *accountplanetest.Server, acct, key, secret string) principal {
	return newPrincipal(srv, acct, "arn:aws:iam::"+acct+":root", key, secret, "")
}

// defaultRoot is the default account's root user.
func defaultRoot(srv *accountplanetest.Server) principal {
	return rootPrincipal(srv, defaultAccountID, defaultKey, defaultSecret)
}

// sign says how to sign a raw Account API request as p (long-term keys
// only: raw requests carry no session token).
func (p principal) sign() signing { return signing{key: p.Key, secret: p.Secret} }

// newUser creates IAM user name in admin's account with an access key and
// the given managed policies attached, and returns it as a principal.
func newUser(t *testing.T, srv *accountplanetest.Server, admin principal, name string, policyARNs ...string) principal {
	t.Helper()
	u, err := admin.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
	must(t, err, "CreateUser "+name)
	for _, arn := range policyARNs {
		_, err := admin.IAM.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(name), PolicyArn: aws.String(arn)})
		must(t, err, "AttachUserPolicy "+name+" "+arn)
	}
	k, err := admin.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	must(t, err, "CreateAccessKey "+name)
	p := newPrincipal(srv, admin.Account, aws.ToString(u.User.Arn), aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	p.UserName, p.UserID = name, aws.ToString(u.User.UserId)
	if want := "arn:aws:iam::" + admin.Account + ":user/" + name; p.ARN != want {
		t.Errorf("CreateUser %s: Arn = %q, want %q", name, p.ARN, want)
	}
	return p
}

// putUserPolicy puts inline policy policyName on user.
func putUserPolicy(t *testing.T, admin principal, user, policyName, doc string) {
	t.Helper()
	_, err := admin.IAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(user), PolicyName: aws.String(policyName), PolicyDocument: aws.String(doc)})
	must(t, err, "PutUserPolicy "+user+" "+policyName)
}

// assumeRole assumes roleARN as caller and returns the session as a
// principal, with the raw output.
func assumeRole(t *testing.T, srv *accountplanetest.Server, caller principal, roleARN, session string, opts ...func(*sts.AssumeRoleInput)) (principal, *sts.AssumeRoleOutput) {
	t.Helper()
	in := &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String(session)}
	for _, o := range opts {
		o(in)
	}
	out, err := caller.STS.AssumeRole(ctx, in)
	must(t, err, "AssumeRole "+roleARN)
	c := out.Credentials
	acct := strings.Split(roleARN, ":")[4]
	p := newPrincipal(srv, acct, aws.ToString(out.AssumedRoleUser.Arn), aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	return p, out
}

// allowDoc is an identity policy allowing actions on "*".
func allowDoc(actions ...string) string {
	b, _ := json.Marshal(actions)
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":` + string(b) + `,"Resource":"*"}]}`
}

// denyDoc is an identity policy denying actions on "*".
func denyDoc(actions ...string) string {
	b, _ := json.Marshal(actions)
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":` + string(b) + `,"Resource":"*"}]}`
}

// ---- errors -----------------------------------------------------------------

// apiErr asserts err is a smithy.APIError with code and (if status is
// non-zero) that HTTP status, whatever its Go type (the query protocol's
// AccessDenied, InvalidClientTokenId, ExpiredToken are not modelled).
func apiErr(t *testing.T, err error, code string, status int) smithy.APIError {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s (%d)", code, status)
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Fatalf("error %v (%T) is not a smithy.APIError", err, err)
	}
	if api.ErrorCode() != code {
		t.Errorf("ErrorCode() = %q, want %q (message %q)", api.ErrorCode(), code, api.ErrorMessage())
	}
	if api.ErrorMessage() == "" {
		t.Errorf("ErrorMessage() is empty for %s", code)
	}
	if status != 0 {
		if got := httpStatus(t, err); got != status {
			t.Errorf("HTTP status = %d, want %d (code %s)", got, status, api.ErrorCode())
		}
	}
	return api
}

// wantMessage asserts the API error message of err is want.
func wantMessage(t *testing.T, err error, want string) {
	t.Helper()
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Fatalf("error %v is not a smithy.APIError", err)
	}
	if got := api.ErrorMessage(); got != want {
		t.Errorf("message = %q\nwant      %q", got, want)
	}
}

// wantMessageContains asserts the API error message of err contains sub.
func wantMessageContains(t *testing.T, err error, sub string) {
	t.Helper()
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Fatalf("error %v is not a smithy.APIError", err)
	}
	if got := api.ErrorMessage(); !strings.Contains(got, sub) {
		t.Errorf("message = %q, want it to contain %q", got, sub)
	}
}

// deniedMsg is AWS's AccessDenied message.
func deniedMsg(callerARN, action, resource, why string) string {
	msg := "User: " + callerARN + " is not authorized to perform: " + action
	if resource != "" {
		msg += " on resource: " + resource
	}
	return msg + " " + why
}

func noIdentityAllows(action string) string {
	return "because no identity-based policy allows the " + action + " action"
}

const (
	explicitIdentityDeny = "with an explicit deny in an identity-based policy"
	explicitSCPDeny      = "with an explicit deny in a service control policy"
)

// wantAcctDenied asserts the Account API's AccessDeniedException (403)
// with message msg ("" to skip the message).
func wantAcctDenied(t *testing.T, err error, msg string) {
	t.Helper()
	ad := wantAPIError[*atypes.AccessDeniedException](t, err, "AccessDeniedException", 403)
	if msg != "" && aws.ToString(ad.Message) != msg {
		t.Errorf("message = %q\nwant      %q", aws.ToString(ad.Message), msg)
	}
}

// wantOrgDenied asserts Organizations' AccessDeniedException (400) with
// message msg ("" to skip the message).
func wantOrgDenied(t *testing.T, err error, msg string) {
	t.Helper()
	ad := wantAPIError[*otypes.AccessDeniedException](t, err, "AccessDeniedException", 400)
	if msg != "" && aws.ToString(ad.Message) != msg {
		t.Errorf("message = %q\nwant      %q", aws.ToString(ad.Message), msg)
	}
}

// wantQueryDenied asserts the query protocol's AccessDenied (403) with
// message msg ("" to skip the message).
func wantQueryDenied(t *testing.T, err error, msg string) {
	t.Helper()
	apiErr(t, err, "AccessDenied", 403)
	if msg != "" {
		wantMessage(t, err, msg)
	}
}

// ---- documents --------------------------------------------------------------

// decodeDoc URL-decodes a policy document as IAM returns it.
func decodeDoc(t *testing.T, s *string) string {
	t.Helper()
	d, err := url.QueryUnescape(aws.ToString(s))
	if err != nil {
		t.Fatalf("policy document %q is not URL-encoded: %v", aws.ToString(s), err)
	}
	return d
}

// sameJSON asserts that got and want are the same JSON value.
func sameJSON(t *testing.T, what, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("%s: %q is not JSON: %v", what, got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: want %q is not JSON: %v", what, want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}
