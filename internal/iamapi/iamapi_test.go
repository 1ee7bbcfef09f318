package iamapi_test

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
	"github.com/accountplane/accountplane/internal/iamapi"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/sqlite"
)

const acct = identity.AccountID("111111111111")

var root = identity.RootPrincipal(acct, "AKIAROOT")

// fakeSCPs answers SimulatePrincipalPolicy's SCP question.
type fakeSCPs struct {
	levels [][]string
	mgmt   bool
}

func (f fakeSCPs) SCPs(context.Context, identity.AccountID) ([][]string, bool, bool, error) {
	return f.levels, f.mgmt, true, nil
}

type harness struct {
	t   *testing.T
	svc *iam.Service
	ops map[string]operation.Operation
}

func newHarness(t *testing.T, scps iamapi.SCPSource) *harness {
	t.Helper()
	db, err := sqlite.Open(context.Background(), ":memory:", sqlite.Options{})
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	now := func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	svc := iam.NewService(db.IAM(), iam.Options{Now: now, Rand: rand.NewChaCha8([32]byte{7})})
	h := &harness{t: t, svc: svc, ops: map[string]operation.Operation{}}
	for _, op := range iamapi.Service(svc, iamapi.Options{TokenKey: []byte("k"), SCPs: scps}).Operations {
		h.ops[op.Name] = op
	}
	return h
}

// call runs the form-encoded request as caller and returns the response
// XML, or the error.
func (h *harness) call(caller identity.Principal, form string) (string, error) {
	h.t.Helper()
	params, err := url.ParseQuery(form)
	if err != nil {
		h.t.Fatalf("bad form %q: %v", form, err)
	}
	op, ok := h.ops[params.Get("Action")]
	if !ok {
		return "", iamapi.UnknownAction(params.Get("Action"))
	}
	out, err := operationtest.InvokeQuery(context.Background(), op, caller, params)
	if err != nil {
		return "", err
	}
	b, err := xml.Marshal(query.Response{Op: op.Name, Xmlns: iamapi.Xmlns, Result: out, RequestID: "req-1"})
	if err != nil {
		h.t.Fatalf("marshal %s: %v", params.Get("Action"), err)
	}
	return string(b), nil
}

// access is what op declares it acts on for caller's request.
func (h *harness) access(caller identity.Principal, op operation.Operation, params url.Values) operation.Access {
	h.t.Helper()
	acc, err := operationtest.Access(context.Background(), op, caller, operation.Input{Params: params})
	if err != nil {
		h.t.Fatalf("%s: access: %v", op.Name, err)
	}
	return acc
}

func (h *harness) ok(form string) string {
	h.t.Helper()
	out, err := h.call(root, form)
	if err != nil {
		h.t.Fatalf("%s: %v", form, err)
	}
	return out
}

// fails asserts the request fails with code (and its status) and returns
// the message.
func (h *harness) fails(form, code string, status int) string {
	h.t.Helper()
	_, err := h.call(root, form)
	e, ok := apierr.As(err)
	if !ok {
		h.t.Fatalf("%s: err = %v, want %s", form, err, code)
	}
	if e.Code != code {
		h.t.Fatalf("%s: %s (%s), want %s", form, e.Code, e.Message, code)
	}
	if got := iamapi.StatusOf(e.Code); got != status {
		h.t.Errorf("StatusOf(%s) = %d, want %d", code, got, status)
	}
	return e.Message
}

func wantXML(t *testing.T, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

const meta = `<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>`

func q(s string) string { return url.QueryEscape(s) }

func TestUsersWire(t *testing.T) {
	h := newHarness(t, nil)
	out := h.ok("Action=CreateUser&Version=2010-05-08&UserName=alice&Path=/eng/&Tags.member.1.Key=team&Tags.member.1.Value=blue")
	u, _ := h.svc.User(context.Background(), acct, "alice")
	wantXML(t, out, `<CreateUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><CreateUserResult><User>`+
		`<Path>/eng/</Path><UserName>alice</UserName><UserId>`+u.ID+`</UserId><Arn>arn:aws:iam::111111111111:user/eng/alice</Arn>`+
		`<CreateDate>2026-01-02T03:04:05Z</CreateDate><Tags><member><Key>team</Key><Value>blue</Value></member></Tags>`+
		`</User></CreateUserResult>`+meta+`</CreateUserResponse>`)

	h.ok("Action=CreateUser&UserName=bob")
	out = h.ok("Action=ListUsers&MaxItems=1")
	if !strings.Contains(out, "<UserName>alice</UserName>") || strings.Contains(out, "bob") || !strings.Contains(out, "<IsTruncated>true</IsTruncated>") {
		t.Fatalf("page 1 = %s", out)
	}
	marker := regexp.MustCompile(`<Marker>([^<]+)</Marker>`).FindStringSubmatch(out)[1]
	out = h.ok("Action=ListUsers&MaxItems=1&Marker=" + q(marker))
	if !strings.Contains(out, "<UserName>bob</UserName>") || !strings.Contains(out, "<IsTruncated>false</IsTruncated>") || strings.Contains(out, "<Marker>") {
		t.Fatalf("page 2 = %s", out)
	}
	h.fails("Action=ListUsers&Marker=forged", iam.CodeValidation, 400)
	// A marker minted for another request does not continue this one.
	h.fails("Action=ListUsers&PathPrefix=/eng/&MaxItems=1&Marker="+q(marker), iam.CodeValidation, 400)

	wantXML(t, h.ok("Action=DeleteUser&UserName=bob"), `<DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">`+meta+`</DeleteUserResponse>`)
	msg := h.fails("Action=GetUser&UserName=bob", iam.CodeNoSuchEntity, 404)
	if msg != "The user with name bob cannot be found." {
		t.Errorf("message = %q", msg)
	}
	h.fails("Action=CreateUser&UserName=ALICE", iam.CodeEntityAlreadyExists, 409)

	// GetUser without a name: the caller.
	out = h.ok("Action=GetUser")
	wantXML(t, out, `<GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetUserResult><User><UserId>111111111111</UserId>`+
		`<Arn>arn:aws:iam::111111111111:root</Arn><CreateDate>2026-01-02T03:04:05Z</CreateDate></User></GetUserResult>`+meta+`</GetUserResponse>`)
	alice := identity.AccessKey{Account: acct, User: "alice", ID: "AKIAALICE"}.UserPrincipal(u.ID, "/eng/")
	out, err := h.call(alice, "Action=GetUser")
	if err != nil || !strings.Contains(out, "<UserName>alice</UserName>") {
		t.Errorf("GetUser as alice = %s, %v", out, err)
	}
	_, err = h.call(identity.AssumedRolePrincipal(acct, "r", "AROAX", "s", "ASIAX"), "Action=GetUser")
	if !apierr.HasCode(err, iam.CodeValidation) {
		t.Errorf("GetUser as role session: %v", err)
	}
}

func TestValidation(t *testing.T) {
	h := newHarness(t, nil)
	msg := h.fails("Action=CreateUser", iam.CodeValidation, 400)
	if want := "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null"; msg != want {
		t.Errorf("message = %q\nwant      %q", msg, want)
	}
	msg = h.fails("Action=CreateUser&UserName=a!b&Path=nope", iam.CodeValidation, 400)
	want := `2 validation errors detected: Value 'nope' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F); ` +
		`Value 'a!b' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`
	if msg != want {
		t.Errorf("message = %q\nwant      %q", msg, want)
	}
	msg = h.fails("Action=ListUsers&MaxItems=0", iam.CodeValidation, 400)
	if !strings.HasSuffix(msg, "Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1") {
		t.Errorf("message = %q", msg)
	}
	msg = h.fails("Action=CreateAccountAlias&AccountAlias=a--b", iam.CodeValidation, 400)
	if !strings.Contains(msg, "at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$") {
		t.Errorf("message = %q", msg)
	}
	msg = h.fails("Action=UpdateAccessKey&AccessKeyId=AKIAAAAAAAAAAAAAAAAA&Status=On", iam.CodeValidation, 400)
	if !strings.Contains(msg, "Member must satisfy enum value set: [Active, Inactive, Expired]") {
		t.Errorf("message = %q", msg)
	}
	msg = h.fails("Action=CreateUser&UserName=x&Tags.member.1.Key=", iam.CodeValidation, 400)
	if !strings.Contains(msg, "at 'tags.1.member.key'") {
		t.Errorf("message = %q", msg)
	}
	h.fails("Action=CreateRole&RoleName=r&AssumeRolePolicyDocument=x&MaxSessionDuration=100", iam.CodeValidation, 400)
	if _, err := h.call(root, "Action=Nope"); !apierr.HasCode(err, iamapi.CodeInvalidAction) {
		t.Errorf("unknown action: %v", err)
	}
	h.fails("Action=ListUsers&Version=2011-01-01", iamapi.CodeInvalidAction, 400)
}

func TestPoliciesWire(t *testing.T) {
	h := newHarness(t, nil)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}`
	h.ok("Action=CreateUser&UserName=u")
	h.ok("Action=PutUserPolicy&UserName=u&PolicyName=p1&PolicyDocument=" + q(doc))
	wantXML(t, h.ok("Action=GetUserPolicy&UserName=u&PolicyName=p1"),
		`<GetUserPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetUserPolicyResult><UserName>u</UserName><PolicyName>p1</PolicyName>`+
			`<PolicyDocument>%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGet%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D</PolicyDocument>`+
			`</GetUserPolicyResult>`+meta+`</GetUserPolicyResponse>`)
	wantXML(t, h.ok("Action=ListUserPolicies&UserName=u"),
		`<ListUserPoliciesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUserPoliciesResult><PolicyNames><member>p1</member></PolicyNames>`+
			`<IsTruncated>false</IsTruncated></ListUserPoliciesResult>`+meta+`</ListUserPoliciesResponse>`)
	msg := h.fails("Action=PutUserPolicy&UserName=u&PolicyName=bad&PolicyDocument="+q(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}`), iam.CodeMalformedPolicyDocument, 400)
	if msg != "Policy statement must contain actions." {
		t.Errorf("message = %q", msg)
	}

	// Customer managed policy with versions.
	out := h.ok("Action=CreatePolicy&PolicyName=P&Path=/t/&Description=d&PolicyDocument=" + q(doc))
	p, err := h.svc.Policy(context.Background(), acct, "arn:aws:iam::111111111111:policy/t/P")
	if err != nil {
		t.Fatal(err)
	}
	wantXML(t, out, `<CreatePolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><CreatePolicyResult><Policy>`+
		`<PolicyName>P</PolicyName><PolicyId>`+p.ID+`</PolicyId><Arn>arn:aws:iam::111111111111:policy/t/P</Arn><Path>/t/</Path>`+
		`<DefaultVersionId>v1</DefaultVersionId><AttachmentCount>0</AttachmentCount><PermissionsBoundaryUsageCount>0</PermissionsBoundaryUsageCount>`+
		`<IsAttachable>true</IsAttachable><CreateDate>2026-01-02T03:04:05Z</CreateDate><UpdateDate>2026-01-02T03:04:05Z</UpdateDate>`+
		`</Policy></CreatePolicyResult>`+meta+`</CreatePolicyResponse>`)
	arn := q("arn:aws:iam::111111111111:policy/t/P")
	for range 4 {
		h.ok("Action=CreatePolicyVersion&PolicyArn=" + arn + "&PolicyDocument=" + q(doc))
	}
	msg = h.fails("Action=CreatePolicyVersion&PolicyArn="+arn+"&PolicyDocument="+q(doc), iam.CodeLimitExceeded, 409)
	if !strings.Contains(msg, "up to 5 versions") {
		t.Errorf("message = %q", msg)
	}
	h.fails("Action=DeletePolicyVersion&PolicyArn="+arn+"&VersionId=v1", iam.CodeDeleteConflict, 409)
	h.fails("Action=GetPolicyVersion&PolicyArn="+arn+"&VersionId=x1", iam.CodeValidation, 400)
	h.ok("Action=AttachUserPolicy&UserName=u&PolicyArn=" + arn)
	h.fails("Action=DeletePolicy&PolicyArn="+arn, iam.CodeDeleteConflict, 409)
	wantXML(t, h.ok("Action=ListAttachedUserPolicies&UserName=u"),
		`<ListAttachedUserPoliciesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListAttachedUserPoliciesResult><AttachedPolicies>`+
			`<member><PolicyName>P</PolicyName><PolicyArn>arn:aws:iam::111111111111:policy/t/P</PolicyArn></member></AttachedPolicies>`+
			`<IsTruncated>false</IsTruncated></ListAttachedUserPoliciesResult>`+meta+`</ListAttachedUserPoliciesResponse>`)
	out = h.ok("Action=ListPolicyVersions&PolicyArn=" + arn)
	if !strings.HasPrefix(out, `<ListPolicyVersionsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListPolicyVersionsResult><Versions><member><VersionId>v5</VersionId><IsDefaultVersion>false</IsDefaultVersion>`) {
		t.Errorf("ListPolicyVersions = %s", out)
	}
	h.fails("Action=GetPolicy&PolicyArn=arn:aws:iam::111111111111:policy/none", iam.CodeNoSuchEntity, 404)
	h.fails("Action=GetPolicy&PolicyArn=arn:aws:iam::111111111111:user/u/xx", iam.CodeInvalidInput, 400)

	// AWS managed.
	out = h.ok("Action=GetPolicyVersion&VersionId=v1&PolicyArn=" + q(iam.AWSAccountManagementFullAccessARN))
	wantXML(t, out, `<GetPolicyVersionResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetPolicyVersionResult><PolicyVersion>`+
		`<Document>%7B%0A%20%20%22Version%22%3A%20%222012-10-17%22%2C%0A%20%20%22Statement%22%3A%20%5B%0A%20%20%20%20%7B%0A%20%20%20%20%20%20%22Effect%22%3A%20%22Allow%22%2C%0A%20%20%20%20%20%20%22Action%22%3A%20%22account%3A%2A%22%2C%0A%20%20%20%20%20%20%22Resource%22%3A%20%22%2A%22%0A%20%20%20%20%7D%0A%20%20%5D%0A%7D</Document>`+
		`<VersionId>v1</VersionId><IsDefaultVersion>true</IsDefaultVersion><CreateDate>2021-09-30T00:00:00Z</CreateDate></PolicyVersion></GetPolicyVersionResult>`+meta+`</GetPolicyVersionResponse>`)
	out = h.ok("Action=ListPolicies&Scope=AWS")
	for _, name := range []string{"AdministratorAccess", "ReadOnlyAccess", "AWSOrganizationsFullAccess", "AWSOrganizationsReadOnlyAccess", "AWSAccountManagementReadOnlyAccess", "AWSAccountManagementFullAccess"} {
		if !strings.Contains(out, "<Arn>arn:aws:iam::aws:policy/"+name+"</Arn>") {
			t.Errorf("ListPolicies Scope=AWS lacks %s", name)
		}
	}
	if strings.Contains(out, "policy/t/P") {
		t.Errorf("Scope=AWS lists a local policy")
	}
	out = h.ok("Action=ListPolicies&Scope=Local&OnlyAttached=true")
	if !strings.Contains(out, "<AttachmentCount>1</AttachmentCount>") || strings.Count(out, "<member>") != 1 {
		t.Errorf("ListPolicies Local OnlyAttached = %s", out)
	}
}

func TestRolesWire(t *testing.T) {
	h := newHarness(t, nil)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"sts:AssumeRole"}]}`
	out := h.ok("Action=CreateRole&RoleName=R&Description=d&MaxSessionDuration=7200&AssumeRolePolicyDocument=" + q(trust))
	r, _ := h.svc.Role(context.Background(), acct, "R")
	enc := "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22AWS%22%3A%22arn%3Aaws%3Aiam%3A%3A222222222222%3Aroot%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D"
	wantXML(t, out, `<CreateRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><CreateRoleResult><Role><Path>/</Path><RoleName>R</RoleName>`+
		`<RoleId>`+r.ID+`</RoleId><Arn>arn:aws:iam::111111111111:role/R</Arn><CreateDate>2026-01-02T03:04:05Z</CreateDate>`+
		`<AssumeRolePolicyDocument>`+enc+`</AssumeRolePolicyDocument><Description>d</Description><MaxSessionDuration>7200</MaxSessionDuration>`+
		`</Role></CreateRoleResult>`+meta+`</CreateRoleResponse>`)
	out = h.ok("Action=GetRole&RoleName=R")
	if !strings.Contains(out, "<RoleLastUsed></RoleLastUsed>") || !strings.Contains(out, enc) {
		t.Errorf("GetRole = %s", out)
	}
	h.fails("Action=CreateRole&RoleName=X&AssumeRolePolicyDocument="+q(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`), iam.CodeMalformedPolicyDocument, 400)
	h.ok("Action=PutRolePolicy&RoleName=R&PolicyName=inl&PolicyDocument=" + q(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`))
	h.fails("Action=DeleteRole&RoleName=R", iam.CodeDeleteConflict, 409)
	if _, err := h.svc.ServiceLinkedRole(context.Background(), acct, iam.OrganizationsServiceRoleName, iam.OrganizationsService); err != nil {
		t.Fatal(err)
	}
	h.fails("Action=DeleteRole&RoleName=AWSServiceRoleForOrganizations", iam.CodeUnmodifiableEntity, 400)
}

func TestAccountWire(t *testing.T) {
	h := newHarness(t, nil)
	wantXML(t, h.ok("Action=ListAccountAliases"), `<ListAccountAliasesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListAccountAliasesResult>`+
		`<AccountAliases></AccountAliases><IsTruncated>false</IsTruncated></ListAccountAliasesResult>`+meta+`</ListAccountAliasesResponse>`)
	h.ok("Action=CreateAccountAlias&AccountAlias=my-corp")
	wantXML(t, h.ok("Action=ListAccountAliases"), `<ListAccountAliasesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListAccountAliasesResult>`+
		`<AccountAliases><member>my-corp</member></AccountAliases><IsTruncated>false</IsTruncated></ListAccountAliasesResult>`+meta+`</ListAccountAliasesResponse>`)
	other := identity.RootPrincipal("222222222222", "")
	if _, err := h.call(other, "Action=CreateAccountAlias&AccountAlias=my-corp"); !apierr.HasCode(err, iam.CodeEntityAlreadyExists) {
		t.Errorf("alias taken: %v", err)
	}
	h.fails("Action=DeleteAccountAlias&AccountAlias=other", iam.CodeNoSuchEntity, 404)

	out := h.ok("Action=GetAccountSummary")
	if !strings.HasPrefix(out, `<GetAccountSummaryResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetAccountSummaryResult><SummaryMap><entry><key>AccessKeysPerUserQuota</key><value>2</value></entry>`) ||
		!strings.Contains(out, "<entry><key>Users</key><value>0</value></entry>") {
		t.Errorf("GetAccountSummary = %s", out)
	}

	// Access keys.
	h.ok("Action=CreateUser&UserName=u")
	out = h.ok("Action=CreateAccessKey&UserName=u")
	if !regexp.MustCompile(`^<CreateAccessKeyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><CreateAccessKeyResult><AccessKey><UserName>u</UserName><AccessKeyId>AKIA[A-Z0-9]{16}</AccessKeyId><Status>Active</Status><SecretAccessKey>[A-Za-z0-9+/]{40}</SecretAccessKey><CreateDate>2026-01-02T03:04:05Z</CreateDate></AccessKey></CreateAccessKeyResult>`).MatchString(out) {
		t.Errorf("CreateAccessKey = %s", out)
	}
	h.ok("Action=CreateAccessKey&UserName=u")
	msg := h.fails("Action=CreateAccessKey&UserName=u", iam.CodeLimitExceeded, 409)
	if msg != "Cannot exceed quota for AccessKeysPerUser: 2" {
		t.Errorf("message = %q", msg)
	}
	out = h.ok("Action=ListAccessKeys&UserName=u")
	if strings.Count(out, "<Status>Active</Status>") != 2 || strings.Contains(out, "Secret") {
		t.Errorf("ListAccessKeys = %s", out)
	}
}

func TestSimulateWire(t *testing.T) {
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"account:EnableRegion","Resource":"*"},{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	h := newHarness(t, fakeSCPs{levels: [][]string{{deny}}})
	h.ok("Action=CreateUser&UserName=u")
	h.ok("Action=AttachUserPolicy&UserName=u&PolicyArn=" + q(iam.AWSAccountManagementFullAccessARN))
	out := h.ok("Action=SimulatePrincipalPolicy&PolicySourceArn=" + q("arn:aws:iam::111111111111:user/u") +
		"&ActionNames.member.1=account:GetAlternateContact&ActionNames.member.2=account:EnableRegion&ActionNames.member.3=s3:GetObject")
	wantXML(t, out, `<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><SimulatePrincipalPolicyResult><EvaluationResults>`+
		`<member><EvalActionName>account:GetAlternateContact</EvalActionName><EvalResourceName>*</EvalResourceName><EvalDecision>allowed</EvalDecision>`+
		`<MatchedStatements><member><SourcePolicyId>AWSAccountManagementFullAccess</SourcePolicyId><SourcePolicyType>aws-managed</SourcePolicyType>`+
		`<StartPosition><Line>4</Line><Column>5</Column></StartPosition><EndPosition><Line>8</Line><Column>6</Column></EndPosition></member></MatchedStatements>`+
		`<MissingContextValues></MissingContextValues><OrganizationsDecisionDetail><AllowedByOrganizations>true</AllowedByOrganizations></OrganizationsDecisionDetail></member>`+
		`<member><EvalActionName>account:EnableRegion</EvalActionName><EvalResourceName>*</EvalResourceName><EvalDecision>explicitDeny</EvalDecision>`+
		`<MatchedStatements><member><SourcePolicyId>OrderedOrganizationPolicyInputList.1.ServiceControlPolicyInputList.1</SourcePolicyId><SourcePolicyType>none</SourcePolicyType>`+
		`<StartPosition><Line>1</Line><Column>38</Column></StartPosition><EndPosition><Line>1</Line><Column>102</Column></EndPosition></member></MatchedStatements>`+
		`<MissingContextValues></MissingContextValues><OrganizationsDecisionDetail><AllowedByOrganizations>false</AllowedByOrganizations></OrganizationsDecisionDetail></member>`+
		`<member><EvalActionName>s3:GetObject</EvalActionName><EvalResourceName>*</EvalResourceName><EvalDecision>implicitDeny</EvalDecision>`+
		`<MatchedStatements></MatchedStatements><MissingContextValues></MissingContextValues><OrganizationsDecisionDetail><AllowedByOrganizations>true</AllowedByOrganizations></OrganizationsDecisionDetail></member>`+
		`</EvaluationResults><IsTruncated>false</IsTruncated></SimulatePrincipalPolicyResult>`+meta+`</SimulatePrincipalPolicyResponse>`)

	out = h.ok("Action=SimulateCustomPolicy&PolicyInputList.member.1=" + q(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"account:PutAlternateContact","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"account:AlternateContactTypes":["SECURITY"]}}}}`) +
		"&ActionNames.member.1=account:PutAlternateContact&ContextEntries.member.1.ContextKeyName=account:AlternateContactTypes&ContextEntries.member.1.ContextKeyValues.member.1=SECURITY&ContextEntries.member.1.ContextKeyType=stringList")
	if !strings.Contains(out, "<EvalDecision>allowed</EvalDecision>") || !strings.Contains(out, "<SourcePolicyId>PolicyInputList.1</SourcePolicyId>") ||
		!strings.Contains(out, "<StartPosition><Line>1</Line><Column>37</Column></StartPosition>") || strings.Contains(out, "OrganizationsDecisionDetail") {
		t.Errorf("SimulateCustomPolicy = %s", out)
	}
	out = h.ok("Action=SimulateCustomPolicy&PolicyInputList.member.1=" + q(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"account:PutAlternateContact","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"account:AlternateContactTypes":["SECURITY"]}}}}`) +
		"&ActionNames.member.1=account:PutAlternateContact&ContextEntries.member.1.ContextKeyName=account:AlternateContactTypes&ContextEntries.member.1.ContextKeyValues.member.1=BILLING&ContextEntries.member.1.ContextKeyType=stringList")
	if !strings.Contains(out, "<EvalDecision>implicitDeny</EvalDecision>") {
		t.Errorf("SimulateCustomPolicy (BILLING) = %s", out)
	}
	h.fails("Action=SimulateCustomPolicy&ActionNames.member.1=s3:GetObject", iam.CodeValidation, 400)
	h.fails("Action=SimulateCustomPolicy&PolicyInputList.member.1=%7B&ActionNames.member.1=s3:GetObject", iam.CodeInvalidInput, 400)
	h.fails("Action=SimulatePrincipalPolicy&PolicySourceArn="+q("arn:aws:iam::111111111111:user/nobody")+"&ActionNames.member.1=s3:GetObject", iam.CodeNoSuchEntity, 404)
}

func TestResources(t *testing.T) {
	h := newHarness(t, nil)
	user := identity.AccessKey{Account: acct, User: "me", ID: "AKIAME"}.UserPrincipal("AIDAME", "/")
	for _, tc := range []struct{ form, action, want string }{
		{"Action=CreateUser&UserName=bob&Path=/x/", "iam:CreateUser", "arn:aws:iam::111111111111:user/x/bob"},
		{"Action=GetUser", "iam:GetUser", "arn:aws:iam::111111111111:user/me"},
		{"Action=ListUsers", "iam:ListUsers", "*"},
		{"Action=CreateAccessKey", "iam:CreateAccessKey", "arn:aws:iam::111111111111:user/me"},
		{"Action=AddUserToGroup&GroupName=g&UserName=u", "iam:AddUserToGroup", "arn:aws:iam::111111111111:group/g"},
		{"Action=PutRolePolicy&RoleName=r&PolicyName=p&PolicyDocument=%7B%7D", "iam:PutRolePolicy", "arn:aws:iam::111111111111:role/r"},
		{"Action=CreatePolicy&PolicyName=p&PolicyDocument=%7B%7D", "iam:CreatePolicy", "arn:aws:iam::111111111111:policy/p"},
		{"Action=GetPolicy&PolicyArn=arn:aws:iam::aws:policy/ReadOnlyAccess", "iam:GetPolicy", "arn:aws:iam::aws:policy/ReadOnlyAccess"},
		{"Action=AttachRolePolicy&RoleName=r&PolicyArn=arn:aws:iam::aws:policy/ReadOnlyAccess", "iam:AttachRolePolicy", "arn:aws:iam::111111111111:role/r"},
		{"Action=CreateAccountAlias&AccountAlias=abc", "iam:CreateAccountAlias", "*"},
		{"Action=SimulatePrincipalPolicy&ActionNames.member.1=s3:GetObject&PolicySourceArn=arn:aws:iam::111111111111:user/u", "iam:SimulatePrincipalPolicy", "arn:aws:iam::111111111111:user/u"},
	} {
		params, _ := url.ParseQuery(tc.form)
		op := h.ops[params.Get("Action")]
		if op.Action != tc.action {
			t.Errorf("%s: Action = %s", tc.form, op.Action)
		}
		if got := h.access(user, op, params).Resources[0]; got != tc.want {
			t.Errorf("%s: Resource = %s, want %s", tc.form, got, tc.want)
		}
	}
	params, _ := url.ParseQuery("Action=AttachUserPolicy&UserName=u&PolicyArn=arn:aws:iam::aws:policy/ReadOnlyAccess")
	if c := h.access(user, h.ops["AttachUserPolicy"], params).Conditions; len(c["iam:PolicyARN"]) != 1 {
		t.Errorf("Context = %v", c)
	}
	if n := len(h.ops); n != 97 {
		t.Errorf("%d operations", n)
	}
}

func TestUnknownAction(t *testing.T) {
	svc := iamapi.Service(nil, iamapi.Options{})
	for name, code := range map[string]string{"Nope": iamapi.CodeInvalidAction, "": iamapi.CodeMissingAction} {
		if err := svc.Unknown(name); !apierr.HasCode(err, code) {
			t.Errorf("Unknown(%q) = %v, want %s", name, err, code)
		}
	}
}

// Validation precedes authorization: Prepare checks the input without
// touching the store (the service here is nil: a handler that reached it
// before its input check would panic).
func TestPrepareChecksWithoutTheStore(t *testing.T) {
	svc := iamapi.Service(nil, iamapi.Options{})
	caller := identity.RootPrincipal(acct, "")
	for _, op := range svc.Operations {
		_, err := op.Prepare(operation.Request{Caller: caller}, operation.Input{Params: url.Values{"Action": {op.Name}}})
		if err != nil && !apierr.HasCode(err, "ValidationError") && !apierr.HasCode(err, "InvalidInput") {
			t.Errorf("%s with no parameters: %v, want nil or a validation error", op.Name, err)
		}
	}
	_, err := svc.Operations[0].Prepare(operation.Request{Caller: caller}, operation.Input{Params: url.Values{"UserName": {"bad name!"}}})
	if !apierr.HasCode(err, "ValidationError") {
		t.Errorf("CreateUser with a bad name: %v, want ValidationError", err)
	}
}

// Operations that take Tags carry aws:RequestTag/<key> and aws:TagKeys.
func TestRequestTagContext(t *testing.T) {
	h := newHarness(t, nil)
	tags := "&Tags.member.1.Key=env&Tags.member.1.Value=prod&Tags.member.2.Key=team&Tags.member.2.Value=blue"
	boundary := "arn:aws:iam::111111111111:policy/b"
	for _, tc := range []struct {
		form string
		want map[string][]string
	}{
		{"Action=CreateUser&UserName=u" + tags, map[string][]string{
			"aws:RequestTag/env": {"prod"}, "aws:RequestTag/team": {"blue"}, "aws:TagKeys": {"env", "team"},
		}},
		{"Action=CreateRole&RoleName=r&AssumeRolePolicyDocument=%7B%7D&PermissionsBoundary=" + q(boundary) + tags, map[string][]string{
			"aws:RequestTag/env": {"prod"}, "aws:RequestTag/team": {"blue"}, "aws:TagKeys": {"env", "team"},
			"iam:PermissionsBoundary": {boundary},
		}},
		{"Action=CreatePolicy&PolicyName=p&PolicyDocument=%7B%7D&Tags.member.1.Key=env&Tags.member.1.Value=", map[string][]string{
			"aws:RequestTag/env": {""}, "aws:TagKeys": {"env"},
		}},
		{"Action=CreateUser&UserName=u", nil},
		{"Action=CreateRole&RoleName=r&AssumeRolePolicyDocument=%7B%7D&PermissionsBoundary=" + q(boundary), map[string][]string{"iam:PermissionsBoundary": {boundary}}},
		{"Action=CreatePolicy&PolicyName=p&PolicyDocument=%7B%7D", nil},
		{"Action=GetUser&UserName=u" + tags, nil},
	} {
		params, _ := url.ParseQuery(tc.form)
		if got := h.access(identity.RootPrincipal(acct, ""), h.ops[params.Get("Action")], params).Conditions; !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: Context = %v, want %v", tc.form, got, tc.want)
		}
	}
}

// Every operation whose resource is a user or role names it so that the
// tag lookup behind aws:ResourceTag/<key> (iam.Service.ResourceTags, which
// the authorizer's policy source calls with Resource) finds that user's or
// role's tags, and nothing for the other operations.
func TestResourceTagContext(t *testing.T) {
	h := newHarness(t, nil)
	h.ok("Action=CreateUser&UserName=bob&Path=/eng/&Tags.member.1.Key=team&Tags.member.1.Value=blue")
	h.ok("Action=CreateUser&UserName=me&Tags.member.1.Key=self&Tags.member.1.Value=yes")
	h.ok("Action=CreateRole&RoleName=ops&AssumeRolePolicyDocument=" + q(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"}]}`) +
		"&Tags.member.1.Key=env&Tags.member.1.Value=prod")
	h.ok("Action=CreateGroup&GroupName=g")
	me := identity.AccessKey{Account: acct, User: "me", ID: "AKIAME"}.UserPrincipal("AIDAME", "/")
	bob := map[string]string{"team": "blue"}
	ops := map[string]string{"env": "prod"}
	self := map[string]string{"self": "yes"}
	for _, tc := range []struct {
		form string
		want map[string]string
	}{
		{"Action=GetUser&UserName=bob", bob},
		{"Action=GetUser", self},
		{"Action=ListAccessKeys", self},
		{"Action=UpdateUser&UserName=bob&NewPath=/x/", bob},
		{"Action=PutUserPolicy&UserName=bob&PolicyName=p&PolicyDocument=%7B%7D", bob},
		{"Action=AttachUserPolicy&UserName=bob&PolicyArn=arn:aws:iam::aws:policy/ReadOnlyAccess", bob},
		{"Action=ListGroupsForUser&UserName=bob", bob},
		{"Action=PutUserPermissionsBoundary&UserName=bob&PermissionsBoundary=arn:aws:iam::aws:policy/ReadOnlyAccess", bob},
		{"Action=CreateAccessKey&UserName=bob", bob},
		{"Action=GetRole&RoleName=ops", ops},
		{"Action=DeleteRolePolicy&RoleName=ops&PolicyName=p", ops},
		{"Action=UpdateAssumeRolePolicy&RoleName=ops&PolicyDocument=%7B%7D", ops},
		{"Action=GetUser&UserName=nobody", nil},
		{"Action=GetGroup&GroupName=g", nil},
		{"Action=ListUsers", nil},
		{"Action=GetPolicy&PolicyArn=arn:aws:iam::aws:policy/ReadOnlyAccess", nil},
	} {
		params, _ := url.ParseQuery(tc.form)
		res := h.access(me, h.ops[params.Get("Action")], params).Resources[0]
		tags, err := h.svc.ResourceTags(context.Background(), res)
		if err != nil {
			t.Fatalf("%s: ResourceTags(%s): %v", tc.form, res, err)
		}
		var got map[string]string
		for _, tg := range tags {
			if got == nil {
				got = map[string]string{}
			}
			got[tg.Key] = tg.Value
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: tags of %s = %v, want %v", tc.form, res, got, tc.want)
		}
	}
}
