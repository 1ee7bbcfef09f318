package stsapi_test

import (
	"context"
	"encoding/xml"
	"math/rand/v2"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/operation"
	"github.com/accountplane/accountplane/internal/operation/operationtest"
	"github.com/accountplane/accountplane/internal/protocol/query"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/sqlite"
	"github.com/accountplane/accountplane/internal/stsapi"
)

const (
	mgmt   = identity.AccountID("111111111111")
	member = identity.AccountID("222222222222")
)

var now = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func setup(t *testing.T) (*iam.Service, []operation.Operation, identity.Principal) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), ":memory:", sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc := iam.NewService(db.IAM(), iam.Options{Now: func() time.Time { return now }, Rand: rand.NewChaCha8([32]byte{3})})
	ctx := context.Background()
	if _, err := svc.EnsureRole(ctx, member, iam.OrganizationAccessRoleName, iam.OrganizationAccessTrustPolicy(mgmt), iam.AdministratorAccessARN); err != nil {
		t.Fatal(err)
	}
	u, err := svc.CreateUser(ctx, mgmt, iam.CreateUserInput{Name: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	k, err := svc.CreateAccessKey(ctx, mgmt, "admin")
	if err != nil {
		t.Fatal(err)
	}
	return svc, stsapi.Service(svc).Operations, k.UserPrincipal(u.ID, u.Path)
}

// find is the server's routing of a query request to an STS operation.
func find(ops []operation.Operation, params url.Values) (operation.Operation, error) {
	if v := params.Get("Version"); v != "" && v != stsapi.Version {
		return operation.Operation{}, apierr.New(stsapi.CodeInvalidAction, "Could not find operation for version "+v)
	}
	for _, op := range ops {
		if op.Name == params.Get("Action") {
			return op, nil
		}
	}
	return operation.Operation{}, stsapi.Service(nil).Unknown(params.Get("Action"))
}

func access(t *testing.T, op operation.Operation, caller identity.Principal, params url.Values) operation.Access {
	t.Helper()
	acc, err := operationtest.Access(context.Background(), op, caller, operation.Input{Params: params})
	if err != nil {
		t.Fatalf("%s: access: %v", op.Name, err)
	}
	return acc
}

func invoke(t *testing.T, ops []operation.Operation, caller identity.Principal, form string) (string, error) {
	t.Helper()
	params, err := url.ParseQuery(form)
	if err != nil {
		t.Fatal(err)
	}
	op, err := find(ops, params)
	if err != nil {
		return "", err
	}
	out, err := operationtest.InvokeQuery(context.Background(), op, caller, params)
	if err != nil {
		return "", err
	}
	b, err := xml.Marshal(query.Response{Op: op.Name, Xmlns: stsapi.Xmlns, Result: out, RequestID: "req-1"})
	if err != nil {
		t.Fatal(err)
	}
	return string(b), nil
}

const roleARN = "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"

func TestAssumeRole(t *testing.T) {
	svc, ops, user := setup(t)
	out, err := invoke(t, ops, user, "Action=AssumeRole&Version=2011-06-15&RoleSessionName=ops&RoleArn="+url.QueryEscape(roleARN))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>` +
		`<AccessKeyId>(ASIA[A-Z0-9]{16})</AccessKeyId><SecretAccessKey>[A-Za-z0-9+/]{40}</SecretAccessKey><SessionToken>[A-Za-z0-9+/=]{300,}</SessionToken>` +
		`<Expiration>2026-01-02T04:04:05Z</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA[A-Z0-9]{17}:ops</AssumedRoleId>` +
		`<Arn>arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/ops</Arn></AssumedRoleUser></AssumeRoleResult>` +
		`<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></AssumeRoleResponse>$`)
	m := re.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("AssumeRole = %s", out)
	}
	// The session is stored: its key resolves to the assumed role, and
	// GetCallerIdentity answers for it.
	c, err := svc.Credential(context.Background(), m[1])
	if err != nil {
		t.Fatal(err)
	}
	out, err = invoke(t, ops, c.Principal, "Action=GetCallerIdentity")
	if err != nil {
		t.Fatal(err)
	}
	role, _ := svc.Role(context.Background(), member, iam.OrganizationAccessRoleName)
	want := `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
		`<Arn>arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/ops</Arn><UserId>` + role.ID + `:ops</UserId><Account>222222222222</Account>` +
		`</GetCallerIdentityResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`
	if out != want {
		t.Errorf("GetCallerIdentity = %s\nwant %s", out, want)
	}

	// With session policy and tags: PackedPolicySize.
	out, err = invoke(t, ops, user, "Action=AssumeRole&RoleSessionName=p1&DurationSeconds=900&RoleArn="+url.QueryEscape(roleARN)+
		"&Policy="+url.QueryEscape(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"account:Get*","Resource":"*"}]}`)+
		"&PolicyArns.member.1.arn="+url.QueryEscape(iam.ReadOnlyAccessARN)+"&Tags.member.1.Key=team&Tags.member.1.Value=x")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "<Expiration>2026-01-02T03:19:05Z</Expiration>") || !regexp.MustCompile(`<PackedPolicySize>\d+</PackedPolicySize>`).MatchString(out) {
		t.Errorf("AssumeRole with policies = %s", out)
	}
}

func TestAssumeRoleErrors(t *testing.T) {
	_, ops, user := setup(t)
	arn := "&RoleArn=" + url.QueryEscape(roleARN)
	stranger := identity.AccessKey{Account: "333333333333", User: "x", ID: "AKIAX"}.UserPrincipal("AIDAX", "/")
	for _, tc := range []struct {
		name   string
		caller identity.Principal
		form   string
		code   string
		status int
		msg    string
	}{
		{"trust denies", stranger, "Action=AssumeRole&RoleSessionName=s1" + arn, iam.CodeAccessDenied, 403,
			"User: arn:aws:iam::333333333333:user/x is not authorized to perform: sts:AssumeRole on resource: " + roleARN},
		{"no such role", user, "Action=AssumeRole&RoleSessionName=s1&RoleArn=arn:aws:iam::222222222222:role/Missing", iam.CodeAccessDenied, 403, ""},
		{"root", identity.RootPrincipal(mgmt, "AKIAROOT"), "Action=AssumeRole&RoleSessionName=s1" + arn, iam.CodeAccessDenied, 403, "Roles may not be assumed by root accounts."},
		{"too short", user, "Action=AssumeRole&RoleSessionName=s1&DurationSeconds=899" + arn, iam.CodeValidation, 400,
			"1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{"over role max", user, "Action=AssumeRole&RoleSessionName=s1&DurationSeconds=3601" + arn, iam.CodeValidation, 400,
			"The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
		{"over model max", user, "Action=AssumeRole&RoleSessionName=s1&DurationSeconds=43201" + arn, iam.CodeValidation, 400, ""},
		{"session name", user, "Action=AssumeRole&RoleSessionName=a%20b" + arn, iam.CodeValidation, 400,
			`1 validation error detected: Value 'a b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`},
		{"missing", user, "Action=AssumeRole", iam.CodeValidation, 400,
			"2 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null; Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null"},
		{"malformed policy", user, "Action=AssumeRole&RoleSessionName=s1&Policy=%7B%7D" + arn, iam.CodeMalformedPolicyDocument, 400, ""},
		{"policy too long", user, "Action=AssumeRole&RoleSessionName=s1&Policy=" + strings.Repeat("a", 2049) + arn, iam.CodeValidation, 400, ""},
		{"unknown action", user, "Action=GetFederationToken", stsapi.CodeInvalidAction, 400, "Could not find operation GetFederationToken for version 2011-06-15"},
		{"other version", user, "Action=AssumeRole&Version=2010-05-08", stsapi.CodeInvalidAction, 400, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := invoke(t, ops, tc.caller, tc.form)
			e, ok := apierr.As(err)
			if !ok || e.Code != tc.code {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
			if got := stsapi.StatusOf(e.Code); got != tc.status {
				t.Errorf("status = %d, want %d", got, tc.status)
			}
			if tc.msg != "" && e.Message != tc.msg {
				t.Errorf("message = %q\nwant      %q", e.Message, tc.msg)
			}
		})
	}
}

func TestGetCallerIdentity(t *testing.T) {
	_, ops, user := setup(t)
	out, err := invoke(t, ops, user, "Action=GetCallerIdentity")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`<Arn>arn:aws:iam::111111111111:user/admin</Arn><UserId>AIDA[A-Z0-9]{17}</UserId><Account>111111111111</Account>`).MatchString(out) {
		t.Errorf("GetCallerIdentity (user) = %s", out)
	}
	// Without IAM, STS answers GetCallerIdentity only.
	bare := stsapi.Service(nil).Operations
	b, err := invoke(t, bare, identity.RootPrincipal(mgmt, ""), "Action=GetCallerIdentity")
	if err != nil || !strings.Contains(b, "<Arn>arn:aws:iam::111111111111:root</Arn><UserId>111111111111</UserId>") {
		t.Errorf("root = %s, %v", b, err)
	}
	if _, err := invoke(t, bare, user, "Action=AssumeRole"); !apierr.HasCode(err, stsapi.CodeInvalidAction) {
		t.Errorf("AssumeRole without IAM: %v", err)
	}
	for _, o := range ops {
		if o.Name == "AssumeRole" {
			if got := access(t, o, user, url.Values{"RoleArn": {roleARN}, "RoleSessionName": {"s1"}}).Resources[0]; got != roleARN || o.Action != "sts:AssumeRole" {
				t.Errorf("AssumeRole resource = %s, action %s", got, o.Action)
			}
		}
		if o.Name == "GetCallerIdentity" && !access(t, o, user, nil).Public {
			t.Error("GetCallerIdentity requires authorization")
		}
	}
}

func TestAssumeRoleTagValidation(t *testing.T) {
	_, ops, user := setup(t)
	_, err := invoke(t, ops, user, "Action=AssumeRole&RoleSessionName=s1&RoleArn="+url.QueryEscape(roleARN)+"&Tags.member.1.Key=&Tags.member.1.Value=v")
	e, ok := apierr.As(err)
	if !ok || e.Code != iam.CodeValidation || !strings.Contains(e.Message, "at 'tags.1.member.key'") {
		t.Errorf("err = %v", err)
	}
}

// AssumeRole's session tags are its aws:RequestTag/<key> and aws:TagKeys;
// the session then carries them as the principal's tags.
func TestAssumeRoleTagContext(t *testing.T) {
	svc, ops, user := setup(t)
	form := "Action=AssumeRole&RoleSessionName=tagged&RoleArn=" + url.QueryEscape(roleARN) +
		"&Tags.member.1.Key=team&Tags.member.1.Value=blue&Tags.member.2.Key=cost&Tags.member.2.Value=42"
	params, _ := url.ParseQuery(form)
	op, err := find(ops, params)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"aws:RequestTag/team": {"blue"}, "aws:RequestTag/cost": {"42"}, "aws:TagKeys": {"team", "cost"}}
	if got := access(t, op, user, params).Conditions; !reflect.DeepEqual(got, want) {
		t.Errorf("Context = %v, want %v", got, want)
	}
	params.Del("Tags.member.1.Key")
	params.Del("Tags.member.1.Value")
	params.Del("Tags.member.2.Key")
	params.Del("Tags.member.2.Value")
	if got := access(t, op, user, params).Conditions; got != nil {
		t.Errorf("Context without tags = %v", got)
	}
	gci, _ := find(ops, url.Values{"Action": {"GetCallerIdentity"}})
	if got := access(t, gci, user, url.Values{}).Conditions; got != nil {
		t.Errorf("GetCallerIdentity Context = %v", got)
	}

	out, err := invoke(t, ops, user, form)
	if err != nil {
		t.Fatal(err)
	}
	key := regexp.MustCompile(`<AccessKeyId>(ASIA[A-Z0-9]+)</AccessKeyId>`).FindStringSubmatch(out)
	if key == nil {
		t.Fatalf("no key in %s", out)
	}
	cred, err := svc.Credential(context.Background(), key[1])
	if err != nil {
		t.Fatal(err)
	}
	pols, err := svc.PrincipalPolicies(context.Background(), cred.Principal)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"team": "blue", "cost": "42"}; !reflect.DeepEqual(pols.Tags, want) {
		t.Errorf("session's principal tags = %v, want %v", pols.Tags, want)
	}
}
