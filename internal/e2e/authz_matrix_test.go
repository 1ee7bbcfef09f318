package e2e_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	atypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	itypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/accountplane/accountplane/accountplanetest"
)

// The authorization matrix: every implemented Account operation, a
// representative set of Organizations, IAM and STS operations, each called
// by every kind of caller. No caller may be let through unexpectedly, and
// every refusal must be the exception the protocol names it with.

// mxKind is a kind of caller.
type mxKind int

const (
	mxUnsigned mxKind = iota
	mxBadSignature
	mxUnknownKey
	mxNoPolicy
	mxDenyAll
	mxRoot
	mxAllowed
)

var mxKindNames = map[mxKind]string{
	mxUnsigned: "Unsigned", mxBadSignature: "BadSignature", mxUnknownKey: "UnknownKey",
	mxNoPolicy: "UserWithoutPolicy", mxDenyAll: "UserWithExplicitDeny", mxRoot: "Root", mxAllowed: "AllowedUser",
}

// mxCaller is one row of the matrix.
type mxCaller struct {
	kind mxKind
	p    principal
	sign signing // for raw requests
}

// Protocol families, which name failures differently.
const (
	famREST  = "account"       // REST-JSON behind API Gateway: 403
	famJSON  = "organizations" // awsJson 1.1: 400 with __type
	famQuery = "query"         // IAM and STS: XML, 403
)

// mxOp is one column: an operation with an input valid for every caller,
// so that authorization (not validation) decides its fate.
type mxOp struct {
	service string // account, organizations, iam, sts
	name    string
	// resource is the resource ARN an Account API denial names.
	resource string
	call     func(p principal) error
	// raw operations (the Account API's phone operations, which the SDK
	// does not have) are sent by hand.
	rawPath, rawBody string
	// alwaysAllowed: every authenticated caller may call it
	// (GetCallerIdentity, which AWS answers even under Deny *).
	alwaysAllowed bool
	// rootDenied: root users are refused (AssumeRole).
	rootDenied bool
}

func (o mxOp) family() string {
	switch o.service {
	case "account":
		return famREST
	case "organizations":
		return famJSON
	}
	return famQuery
}

func (o mxOp) action() string { return o.service + ":" + o.name }

// mxOutcome is what a cell must produce.
type mxOutcome struct {
	allow  bool
	code   string
	status int
	// message: exact (Account API) or the parts it must contain.
	exact    string
	contains []string
}

var mxAuthCodes = map[mxKind]map[string]string{
	mxUnsigned:     {famREST: "MissingAuthenticationTokenException", famJSON: "MissingAuthenticationTokenException", famQuery: "MissingAuthenticationToken"},
	mxBadSignature: {famREST: "InvalidSignatureException", famJSON: "InvalidSignatureException", famQuery: "SignatureDoesNotMatch"},
	mxUnknownKey:   {famREST: "UnrecognizedClientException", famJSON: "UnrecognizedClientException", famQuery: "InvalidClientTokenId"},
}

var mxDeniedCodes = map[string]string{famREST: "AccessDeniedException", famJSON: "AccessDeniedException", famQuery: "AccessDenied"}

var mxFamilyStatus = map[string]int{famREST: http.StatusForbidden, famJSON: http.StatusBadRequest, famQuery: http.StatusForbidden}

// authzCodes are the codes of authentication and authorization failures.
var authzCodes = map[string]bool{
	"MissingAuthenticationTokenException": true, "MissingAuthenticationToken": true,
	"InvalidSignatureException": true, "SignatureDoesNotMatch": true,
	"UnrecognizedClientException": true, "InvalidClientTokenId": true,
	"IncompleteSignatureException": true, "IncompleteSignature": true,
	"ExpiredTokenException": true, "ExpiredToken": true,
	"AccessDeniedException": true, "AccessDenied": true,
}

func (c mxCaller) expect(o mxOp) mxOutcome {
	fam := o.family()
	if codes, ok := mxAuthCodes[c.kind]; ok {
		return mxOutcome{code: codes[fam], status: mxFamilyStatus[fam]}
	}
	denied := func(why string) mxOutcome {
		out := mxOutcome{code: mxDeniedCodes[fam], status: mxFamilyStatus[fam]}
		head := "User: " + c.p.ARN + " is not authorized to perform: " + o.action()
		if fam == famREST {
			out.exact = deniedMsg(c.p.ARN, o.action(), o.resource, why)
		} else {
			out.contains = []string{head, why}
		}
		return out
	}
	switch {
	case o.alwaysAllowed:
		return mxOutcome{allow: true}
	case c.kind == mxNoPolicy:
		return denied(noIdentityAllows(o.action()))
	case c.kind == mxDenyAll:
		return denied(explicitIdentityDeny)
	case c.kind == mxRoot && o.rootDenied:
		return mxOutcome{code: mxDeniedCodes[fam], status: mxFamilyStatus[fam], exact: "Roles may not be assumed by root accounts."}
	}
	return mxOutcome{allow: true}
}

// check asserts an SDK call's error against want.
func (want mxOutcome) check(t *testing.T, o mxOp, err error) {
	t.Helper()
	var api smithy.APIError
	if want.allow {
		if err == nil {
			return
		}
		if !errors.As(err, &api) {
			t.Fatalf("unexpected non-API error: %v", err)
		}
		if authzCodes[api.ErrorCode()] {
			t.Fatalf("unexpected refusal %s: %s", api.ErrorCode(), api.ErrorMessage())
		}
		if s := httpStatus(t, err); s >= 500 {
			t.Fatalf("server error %d %s: %s", s, api.ErrorCode(), api.ErrorMessage())
		}
		return
	}
	if err == nil {
		t.Fatalf("unexpected allow: want %s (%d)", want.code, want.status)
	}
	apiErr(t, err, want.code, want.status)
	if want.code == "AccessDeniedException" {
		switch o.family() {
		case famREST:
			var typed *atypes.AccessDeniedException
			if !errors.As(err, &typed) {
				t.Errorf("error %T is not the Account API's AccessDeniedException", err)
			}
		case famJSON:
			var typed *otypes.AccessDeniedException
			if !errors.As(err, &typed) {
				t.Errorf("error %T is not Organizations' AccessDeniedException", err)
			}
		}
	}
	if want.exact != "" {
		wantMessage(t, err, want.exact)
	}
	for _, s := range want.contains {
		wantMessageContains(t, err, s)
	}
}

// checkRaw asserts a raw Account API response against want.
func (want mxOutcome) checkRaw(t *testing.T, resp response) {
	t.Helper()
	code := resp.header.Get("X-Amzn-ErrorType")
	if want.allow {
		if resp.status >= 500 || authzCodes[code] {
			t.Fatalf("unexpected refusal or failure: %d %s: %s", resp.status, code, resp.body)
		}
		return
	}
	e := resp.restErr(t, want.status, want.code)
	if want.exact != "" && e.Message != want.exact {
		t.Errorf("message = %q\nwant      %q", e.Message, want.exact)
	}
}

func TestAuthzMatrix(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	srv, mgmt := e.srv, e.mgmt
	org := createOrg(t, mgmt.Org, otypes.OrganizationFeatureSetAll)
	enableTrustedAccess(t, mgmt.Org, accountPrincipal)
	member := e.createMember(t, mgmt, "matrix-member", "matrix-member@example.com")
	rootID := aws.ToString(rootOf(t, mgmt.Org).Id)
	orgARN := "arn:aws:account::" + defaultAccountID + ":account/" + aws.ToString(org.Id) + "/" + member.ID

	root := defaultRoot(srv)
	noPolicy := newUser(t, srv, root, "mx-nopolicy")
	denyAll := newUser(t, srv, root, "mx-denyall", adminAccessARN)
	putUserPolicy(t, root, "mx-denyall", "deny-all", denyAllPolicy)
	allowed := newUser(t, srv, root, "mx-allowed", adminAccessARN)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}`
	_, err := root.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("mx-role"), AssumeRolePolicyDocument: aws.String(trust)})
	must(t, err, "CreateRole mx-role")
	roleARN := "arn:aws:iam::000000000000:role/mx-role"

	anonCfg := aws.Config{Region: "us-east-1", Credentials: aws.AnonymousCredentials{}, BaseEndpoint: aws.String(srv.URL)}
	anonymous := principal{Cfg: anonCfg, IAM: iamClient(anonCfg), STS: stsClient(anonCfg), Acct: accountClient(anonCfg), Org: orgClient(anonCfg)}
	badSig := newPrincipal(srv, defaultAccountID, allowed.ARN, allowed.Key, "wrong-secret-wrong-secret-wrong-secret0", "")
	unknown := newPrincipal(srv, defaultAccountID, "", "AKIAUNKNOWNKEY000000", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "")

	callers := []mxCaller{
		{kind: mxUnsigned, p: anonymous, sign: signing{unsigned: true}},
		{kind: mxBadSignature, p: badSig, sign: signing{key: badSig.Key, secret: badSig.Secret}},
		{kind: mxUnknownKey, p: unknown, sign: signing{key: unknown.Key, secret: unknown.Secret}},
		{kind: mxNoPolicy, p: noPolicy, sign: noPolicy.sign()},
		{kind: mxDenyAll, p: denyAll, sign: denyAll.sign()},
		{kind: mxRoot, p: root, sign: root.sign()},
		{kind: mxAllowed, p: allowed, sign: allowed.sign()},
	}

	ops := mxAccountOps(member.ID, orgARN)
	ops = append(ops, mxOrgOps(member.ID, rootID)...)
	ops = append(ops, mxIAMOps(trust)...)
	ops = append(ops, mxSTSOps(roleARN)...)
	counts := map[string]int{}
	for _, o := range ops {
		counts[o.service]++
	}
	if counts["account"] != 18 || counts["organizations"] < 10 || counts["iam"] < 10 || counts["sts"] != 2 {
		t.Fatalf("matrix columns: %v", counts)
	}

	r := newRaw(t, srv)
	for _, c := range callers {
		t.Run(mxKindNames[c.kind], func(t *testing.T) {
			for _, o := range ops {
				t.Run(o.service+"/"+o.name, func(t *testing.T) {
					want := c.expect(o)
					if o.rawPath != "" {
						want.checkRaw(t, r.postAs(o.rawPath, o.rawBody, c.sign))
						return
					}
					want.check(t, o, o.call(c.p))
				})
			}
		})
	}
}

// mxAccountOps are the 18 Account API operations: the standalone ones on
// the caller's own account, the primary-email ones (which require
// AccountId) on member, whose organization ARN is orgARN.
func mxAccountOps(member, orgARN string) []mxOp {
	id := aws.String(member)
	std := func(name string, call func(c *account.Client) error) mxOp {
		return mxOp{service: "account", name: name, resource: standaloneARN, call: func(p principal) error { return call(p.Acct) }}
	}
	inOrg := func(name string, call func(c *account.Client) error) mxOp {
		return mxOp{service: "account", name: name, resource: orgARN, call: func(p principal) error { return call(p.Acct) }}
	}
	region := aws.String("af-south-1")
	return []mxOp{
		inOrg("AcceptPrimaryEmailUpdate", func(c *account.Client) error {
			_, err := c.AcceptPrimaryEmailUpdate(ctx, &account.AcceptPrimaryEmailUpdateInput{AccountId: id, PrimaryEmail: aws.String("mx-new@example.com"), Otp: aws.String("123456")})
			return err
		}),
		std("DeleteAlternateContact", func(c *account.Client) error {
			_, err := c.DeleteAlternateContact(ctx, &account.DeleteAlternateContactInput{AlternateContactType: atypes.AlternateContactTypeOperations})
			return err
		}),
		std("DisableRegion", func(c *account.Client) error {
			_, err := c.DisableRegion(ctx, &account.DisableRegionInput{RegionName: region})
			return err
		}),
		std("EnableRegion", func(c *account.Client) error {
			_, err := c.EnableRegion(ctx, &account.EnableRegionInput{RegionName: region})
			return err
		}),
		std("GetAccountInformation", func(c *account.Client) error {
			_, err := c.GetAccountInformation(ctx, &account.GetAccountInformationInput{})
			return err
		}),
		std("GetAlternateContact", func(c *account.Client) error {
			_, err := c.GetAlternateContact(ctx, &account.GetAlternateContactInput{AlternateContactType: atypes.AlternateContactTypeSecurity})
			return err
		}),
		std("GetContactInformation", func(c *account.Client) error {
			_, err := c.GetContactInformation(ctx, &account.GetContactInformationInput{})
			return err
		}),
		std("GetGovCloudAccountInformation", func(c *account.Client) error {
			_, err := c.GetGovCloudAccountInformation(ctx, &account.GetGovCloudAccountInformationInput{})
			return err
		}),
		inOrg("GetPrimaryEmail", func(c *account.Client) error {
			_, err := c.GetPrimaryEmail(ctx, &account.GetPrimaryEmailInput{AccountId: id})
			return err
		}),
		inOrg("GetPrimaryEmailUpdateStatus", func(c *account.Client) error {
			_, err := c.GetPrimaryEmailUpdateStatus(ctx, &account.GetPrimaryEmailUpdateStatusInput{AccountId: id})
			return err
		}),
		std("GetRegionOptStatus", func(c *account.Client) error {
			_, err := c.GetRegionOptStatus(ctx, &account.GetRegionOptStatusInput{RegionName: region})
			return err
		}),
		std("ListRegions", func(c *account.Client) error {
			_, err := c.ListRegions(ctx, &account.ListRegionsInput{})
			return err
		}),
		std("PutAccountName", func(c *account.Client) error {
			_, err := c.PutAccountName(ctx, &account.PutAccountNameInput{AccountName: aws.String("matrix")})
			return err
		}),
		std("PutAlternateContact", func(c *account.Client) error {
			_, err := c.PutAlternateContact(ctx, altContact(atypes.AlternateContactTypeOperations, "Matrix"))
			return err
		}),
		std("PutContactInformation", func(c *account.Client) error {
			_, err := c.PutContactInformation(ctx, &account.PutContactInformationInput{ContactInformation: contactInfo()})
			return err
		}),
		{service: "account", name: "SendPhoneNumberVerification", resource: standaloneARN, rawPath: "/sendPhoneNumberVerification", rawBody: `{}`},
		inOrg("StartPrimaryEmailUpdate", func(c *account.Client) error {
			_, err := c.StartPrimaryEmailUpdate(ctx, &account.StartPrimaryEmailUpdateInput{AccountId: id, PrimaryEmail: aws.String("mx-new@example.com")})
			return err
		}),
		{service: "account", name: "VerifyPhoneNumber", resource: standaloneARN, rawPath: "/verifyPhoneNumber", rawBody: `{"Otp":"123456"}`},
	}
}

// mxOrgOps are Organizations reads and writes; the writes name resources
// that do not exist or are idempotent, so the matrix leaves the
// organization usable.
func mxOrgOps(member, rootID string) []mxOp {
	op := func(name string, call func(c *organizations.Client) error) mxOp {
		return mxOp{service: "organizations", name: name, call: func(p principal) error { return call(p.Org) }}
	}
	return []mxOp{
		op("DescribeOrganization", func(c *organizations.Client) error {
			_, err := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
			return err
		}),
		op("ListRoots", func(c *organizations.Client) error {
			_, err := c.ListRoots(ctx, &organizations.ListRootsInput{})
			return err
		}),
		op("ListAccounts", func(c *organizations.Client) error {
			_, err := c.ListAccounts(ctx, &organizations.ListAccountsInput{})
			return err
		}),
		op("DescribeAccount", func(c *organizations.Client) error {
			_, err := c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(member)})
			return err
		}),
		op("ListOrganizationalUnitsForParent", func(c *organizations.Client) error {
			_, err := c.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(rootID)})
			return err
		}),
		op("ListPolicies", func(c *organizations.Client) error {
			_, err := c.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: scpType})
			return err
		}),
		op("DescribePolicy", func(c *organizations.Client) error {
			_, err := c.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(fullAWSAccess)})
			return err
		}),
		op("ListAWSServiceAccessForOrganization", func(c *organizations.Client) error {
			_, err := c.ListAWSServiceAccessForOrganization(ctx, &organizations.ListAWSServiceAccessForOrganizationInput{})
			return err
		}),
		op("ListDelegatedAdministrators", func(c *organizations.Client) error {
			_, err := c.ListDelegatedAdministrators(ctx, &organizations.ListDelegatedAdministratorsInput{})
			return err
		}),
		op("ListTagsForResource", func(c *organizations.Client) error {
			_, err := c.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String(member)})
			return err
		}),
		op("ListHandshakesForOrganization", func(c *organizations.Client) error {
			_, err := c.ListHandshakesForOrganization(ctx, &organizations.ListHandshakesForOrganizationInput{})
			return err
		}),
		op("CreateOrganizationalUnit", func(c *organizations.Client) error {
			_, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(rootID), Name: aws.String("matrix-ou")})
			return err
		}),
		op("DeleteOrganizationalUnit", func(c *organizations.Client) error {
			_, err := c.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: aws.String("ou-abcd-abcdefgh")})
			return err
		}),
		op("TagResource", func(c *organizations.Client) error {
			_, err := c.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(member), Tags: []otypes.Tag{{Key: aws.String("matrix"), Value: aws.String("yes")}}})
			return err
		}),
		op("CreatePolicy", func(c *organizations.Client) error {
			_, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("matrix-scp"), Description: aws.String("matrix"), Type: scpType, Content: aws.String(allowAllSCP)})
			return err
		}),
		op("EnableAWSServiceAccess", func(c *organizations.Client) error {
			_, err := c.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(configPrincipal)})
			return err
		}),
		op("DescribeCreateAccountStatus", func(c *organizations.Client) error {
			_, err := c.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String("car-abcdefgh")})
			return err
		}),
	}
}

// mxIAMOps are IAM reads and writes; the writes name entities that do not
// exist or create matrix-only ones, never touching the callers.
func mxIAMOps(trust string) []mxOp {
	op := func(name string, call func(c *iam.Client) error) mxOp {
		return mxOp{service: "iam", name: name, call: func(p principal) error { return call(p.IAM) }}
	}
	ghost := aws.String("mx-ghost")
	return []mxOp{
		op("ListUsers", func(c *iam.Client) error {
			_, err := c.ListUsers(ctx, &iam.ListUsersInput{})
			return err
		}),
		op("GetUser", func(c *iam.Client) error {
			_, err := c.GetUser(ctx, &iam.GetUserInput{UserName: ghost})
			return err
		}),
		op("CreateUser", func(c *iam.Client) error {
			_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("mx-created")})
			return err
		}),
		op("DeleteUser", func(c *iam.Client) error {
			_, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: ghost})
			return err
		}),
		op("ListAccessKeys", func(c *iam.Client) error {
			_, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: ghost})
			return err
		}),
		op("CreateAccessKey", func(c *iam.Client) error {
			_, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: ghost})
			return err
		}),
		op("UpdateAccessKey", func(c *iam.Client) error {
			_, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: ghost, AccessKeyId: aws.String("AKIAAAAAAAAAAAAAAAAA"), Status: itypes.StatusTypeInactive})
			return err
		}),
		op("CreateGroup", func(c *iam.Client) error {
			_, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("mx-group")})
			return err
		}),
		op("ListGroups", func(c *iam.Client) error {
			_, err := c.ListGroups(ctx, &iam.ListGroupsInput{})
			return err
		}),
		op("AddUserToGroup", func(c *iam.Client) error {
			_, err := c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: ghost, GroupName: aws.String("mx-group")})
			return err
		}),
		op("GetRole", func(c *iam.Client) error {
			_, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: ghost})
			return err
		}),
		op("CreateRole", func(c *iam.Client) error {
			_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("mx-created-role"), AssumeRolePolicyDocument: aws.String(trust)})
			return err
		}),
		op("ListRoles", func(c *iam.Client) error {
			_, err := c.ListRoles(ctx, &iam.ListRolesInput{})
			return err
		}),
		op("PutUserPolicy", func(c *iam.Client) error {
			_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: ghost, PolicyName: aws.String("p"), PolicyDocument: aws.String(allowAllPolicy)})
			return err
		}),
		op("CreatePolicy", func(c *iam.Client) error {
			_, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("mx-policy"), PolicyDocument: aws.String(allowAllPolicy)})
			return err
		}),
		op("GetPolicy", func(c *iam.Client) error {
			_, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(adminAccessARN)})
			return err
		}),
		op("ListPolicies", func(c *iam.Client) error {
			_, err := c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: itypes.PolicyScopeTypeLocal})
			return err
		}),
		op("AttachUserPolicy", func(c *iam.Client) error {
			_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: ghost, PolicyArn: aws.String(adminAccessARN)})
			return err
		}),
		op("PutUserPermissionsBoundary", func(c *iam.Client) error {
			_, err := c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: ghost, PermissionsBoundary: aws.String(acctReadOnlyARN)})
			return err
		}),
		op("GetAccountSummary", func(c *iam.Client) error {
			_, err := c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
			return err
		}),
		op("ListAccountAliases", func(c *iam.Client) error {
			_, err := c.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
			return err
		}),
		op("CreateAccountAlias", func(c *iam.Client) error {
			_, err := c.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("matrix-alias")})
			return err
		}),
	}
}

// mxSTSOps are the two STS operations.
func mxSTSOps(roleARN string) []mxOp {
	return []mxOp{
		{service: "sts", name: "GetCallerIdentity", alwaysAllowed: true, call: func(p principal) error {
			out, err := p.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err == nil && aws.ToString(out.Arn) != p.ARN {
				return errors.New("GetCallerIdentity answered " + aws.ToString(out.Arn) + ", want " + p.ARN)
			}
			return err
		}},
		{service: "sts", name: "AssumeRole", rootDenied: true, call: func(p principal) error {
			_, err := p.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("matrix")})
			return err
		}},
	}
}

// The Account API's phone operations reach the authorizer too: an IAM user
// without a policy is refused with the standalone resource.
func TestAuthzPhoneOperationsRaw(t *testing.T) {
	t.Parallel()
	srv := accountplanetest.Start(t)
	root := defaultRoot(srv)
	u := newUser(t, srv, root, "phone")
	r := newRaw(t, srv)
	for _, o := range []struct{ name, path, body string }{
		{"SendPhoneNumberVerification", "/sendPhoneNumberVerification", `{}`},
		{"VerifyPhoneNumber", "/verifyPhoneNumber", `{"Otp":"123456"}`},
	} {
		t.Run(o.name, func(t *testing.T) {
			e := r.postAs(o.path, o.body, u.sign()).restErr(t, http.StatusForbidden, "AccessDeniedException")
			if want := deniedMsg(u.ARN, "account:"+o.name, standaloneARN, noIdentityAllows("account:"+o.name)); e.Message != want {
				t.Errorf("message = %q\nwant      %q", e.Message, want)
			}
			putUserPolicy(t, root, "phone", "p-"+strings.ToLower(o.name[:4]), allowDoc("account:"+o.name))
			resp := r.postAs(o.path, o.body, u.sign())
			if resp.status == http.StatusForbidden || resp.status >= 500 {
				var body map[string]any
				_ = json.Unmarshal(resp.body, &body)
				t.Errorf("allowed call answered %d %v", resp.status, body)
			}
		})
	}
}
