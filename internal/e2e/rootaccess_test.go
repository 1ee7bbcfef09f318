package e2e_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	itypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

// Centralized root access: IAM's organization features, STS AssumeRoot
// with the task policies, and the root posture report.

const (
	iamPrincipal   = "iam.amazonaws.com"
	auditTask      = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
	deleteTask     = "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"
	createPassTask = "arn:aws:iam::aws:policy/root-task/IAMCreateRootUserPassword"
)

// features enables or disables a feature as p and returns the features
// then enabled, or the error.
func setFeature(p principal, feature string, on bool) ([]itypes.FeatureType, error) {
	switch {
	case feature == "RootCredentialsManagement" && on:
		out, err := p.IAM.EnableOrganizationsRootCredentialsManagement(ctx, &iam.EnableOrganizationsRootCredentialsManagementInput{})
		if err != nil {
			return nil, err
		}
		return out.EnabledFeatures, nil
	case feature == "RootCredentialsManagement":
		out, err := p.IAM.DisableOrganizationsRootCredentialsManagement(ctx, &iam.DisableOrganizationsRootCredentialsManagementInput{})
		if err != nil {
			return nil, err
		}
		return out.EnabledFeatures, nil
	case on:
		out, err := p.IAM.EnableOrganizationsRootSessions(ctx, &iam.EnableOrganizationsRootSessionsInput{})
		if err != nil {
			return nil, err
		}
		return out.EnabledFeatures, nil
	}
	out, err := p.IAM.DisableOrganizationsRootSessions(ctx, &iam.DisableOrganizationsRootSessionsInput{})
	if err != nil {
		return nil, err
	}
	return out.EnabledFeatures, nil
}

// assumeRoot starts a root session in target as caller.
func assumeRoot(srv *accountplanetest.Server, caller principal, target, task string, duration int32) (principal, *sts.AssumeRootOutput, error) {
	in := &sts.AssumeRootInput{TargetPrincipal: aws.String(target), TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String(task)}}
	if duration != 0 {
		in.DurationSeconds = aws.Int32(duration)
	}
	out, err := caller.STS.AssumeRoot(ctx, in)
	if err != nil {
		return principal{}, nil, err
	}
	c := out.Credentials
	id := strings.TrimSuffix(strings.TrimPrefix(target, "arn:aws:iam::"), ":root")
	return newPrincipal(srv, id, "arn:aws:iam::"+id+":root", aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)), out, nil
}

// postureRow is one account of the root posture report.
type postureRow struct {
	AccountID    string `json:"AccountId"`
	Organization string
	Management   bool
	MFADevices   []struct{ SerialNumber string }
	AccessKeys   []struct {
		AccessKeyID     string `json:"AccessKeyId"`
		Status          string
		LastUsedDate    *time.Time
		LastUsedService string
	}
	PasswordPresent             bool
	SigningCertificates         []struct{}
	CredentialsRemovedCentrally bool
	LastRootSignIn              *time.Time
	LastRootAPICall             *time.Time `json:"LastRootApiCall"`
	Rules                       map[string]string
}

func (e *orgEnv) posture(t *testing.T, query string) map[string]postureRow {
	t.Helper()
	var out struct{ Accounts []postureRow }
	e.adminDo(t, http.MethodGet, "/_accountplane/root-posture"+query, nil, http.StatusOK, &out)
	m := map[string]postureRow{}
	for _, r := range out.Accounts {
		m[r.AccountID] = r
	}
	return m
}

func wantVerdicts(t *testing.T, what string, r postureRow, mfa, keys string) {
	t.Helper()
	if r.Rules["root-account-mfa-enabled"] != mfa || r.Rules["iam-root-access-key-check"] != keys {
		t.Errorf("%s: verdicts %v, want root-account-mfa-enabled %s, iam-root-access-key-check %s", what, r.Rules, mfa, keys)
	}
}

// TestCentralizedRootAccess goes from an empty organization to privileged
// root sessions: every precondition's exception, enabling both features,
// AssumeRoot's refusals by their codes, the audit, delete and
// create-password task policies on an invited member's root credentials
// (the deleted key refused at once), a member created afterwards without
// root credentials, the CloudTrail records of both sides, SCPs binding the
// session through aws:AssumedRoot, and the posture report's three
// verdicts.
func TestCentralizedRootAccess(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	mgmtRoot := defaultRoot(e.srv)

	// An invited member with every root credential: a password, an
	// access key, an MFA device; and an IAM user to read its history.
	var mk adminKey
	e.adminDo(t, http.MethodPost, "/_accountplane/accounts", map[string]string{"name": "workload", "email": "workload@example.com", "Password": "Workload-pass-1"}, http.StatusCreated, &mk)
	member := e.actor(mk.AccountID, "workload@example.com", mk.AccessKeyID, mk.SecretAccessKey)
	memberRoot := rootPrincipal(e.srv, mk.AccountID, mk.AccessKeyID, mk.SecretAccessKey)
	var dev struct{ SerialNumber, Base32StringSeed string }
	e.adminDo(t, http.MethodPost, "/_accountplane/accounts/"+member.ID+"/root/mfa-devices", map[string]string{"DeviceName": "workload-root"}, http.StatusCreated, &dev)
	auditor := newUser(t, e.srv, memberRoot, "auditor")
	putUserPolicy(t, memberRoot, "auditor", "History", allowDoc("cloudtrail:LookupEvents"))

	// 1. No organization.
	_, err := mgmtRoot.IAM.ListOrganizationsFeatures(ctx, &iam.ListOrganizationsFeaturesInput{})
	wantAPIError[*itypes.OrganizationNotFoundException](t, err, "OrganizationNotFoundException", 400)
	// 2. Not all features (a second server, whose organization has
	// consolidated billing only).
	cb := startOrgs(t, accountplanetest.Options{})
	createOrg(t, cb.mgmt.Org, otypes.OrganizationFeatureSetConsolidatedBilling)
	_, err = defaultRoot(cb.srv).IAM.EnableOrganizationsRootSessions(ctx, &iam.EnableOrganizationsRootSessionsInput{})
	wantAPIError[*itypes.OrganizationNotInAllFeaturesModeException](t, err, "OrganizationNotInAllFeaturesModeException", 400)
	// 3. No trusted access for IAM.
	org := createOrg(t, e.mgmt.Org, otypes.OrganizationFeatureSetAll)
	join(t, e.mgmt, member)
	_, err = setFeature(mgmtRoot, "RootSessions", true)
	wantAPIError[*itypes.ServiceAccessNotEnabledException](t, err, "ServiceAccessNotEnabledException", 400)
	enableTrustedAccess(t, e.mgmt.Org, iamPrincipal)
	// 4. A member that is no delegated administrator.
	_, err = memberRoot.IAM.ListOrganizationsFeatures(ctx, &iam.ListOrganizationsFeaturesInput{})
	wantAPIError[*itypes.AccountNotManagementOrDelegatedAdministratorException](t, err, "AccountNotManagementOrDelegatedAdministratorException", 400)
	// 5. The delegated administrator may list and disable, not enable.
	registerAdmin(t, e.mgmt.Org, member.ID, iamPrincipal)
	_, err = setFeature(memberRoot, "RootCredentialsManagement", true)
	wantAPIError[*itypes.CallerIsNotManagementAccountException](t, err, "CallerIsNotManagementAccountException", 400)
	list, err := memberRoot.IAM.ListOrganizationsFeatures(ctx, &iam.ListOrganizationsFeaturesInput{})
	must(t, err, "ListOrganizationsFeatures as the delegated administrator")
	if aws.ToString(list.OrganizationId) != aws.ToString(org.Id) || len(list.EnabledFeatures) != 0 {
		t.Errorf("ListOrganizationsFeatures = %s %v", aws.ToString(list.OrganizationId), list.EnabledFeatures)
	}
	deregisterAdmin(t, e.mgmt.Org, member.ID, iamPrincipal)

	// The management account enables both.
	feats, err := setFeature(mgmtRoot, "RootCredentialsManagement", true)
	must(t, err, "EnableOrganizationsRootCredentialsManagement")
	feats, err = setFeature(mgmtRoot, "RootSessions", true)
	must(t, err, "EnableOrganizationsRootSessions")
	if !slices.Equal(feats, []itypes.FeatureType{itypes.FeatureTypeRootCredentialsManagement, itypes.FeatureTypeRootSessions}) {
		t.Errorf("EnabledFeatures = %v", feats)
	}

	// Who may call AssumeRoot: an IAM principal of the management account
	// whose policies allow sts:AssumeRoot.
	ops := newUser(t, e.srv, mgmtRoot, "rootops")
	putUserPolicy(t, mgmtRoot, "rootops", "AssumeRoot", allowDoc("sts:AssumeRoot"))
	nobody := newUser(t, e.srv, mgmtRoot, "nobody")
	_, _, err = assumeRoot(e.srv, nobody, member.ID, auditTask, 0)
	wantQueryDenied(t, err, deniedMsg(nobody.ARN, "sts:AssumeRoot", "arn:aws:iam::"+member.ID+":root", noIdentityAllows("sts:AssumeRoot")))
	_, _, err = assumeRoot(e.srv, mgmtRoot, member.ID, auditTask, 0)
	apiErr(t, err, "AccessDenied", 403) // never a root user
	memberOps := newUser(t, e.srv, memberRoot, "memberops", adminAccessARN)
	_, _, err = assumeRoot(e.srv, memberOps, defaultAccountID, auditTask, 0)
	apiErr(t, err, "AccessDenied", 403) // not the management account's, nor a delegated administrator's
	_, _, err = assumeRoot(e.srv, ops, defaultAccountID, auditTask, 0)
	apiErr(t, err, "AccessDenied", 403) // the management account is no member
	outsider := e.signUp(t, "outsider", "outsider@example.com")
	_, _, err = assumeRoot(e.srv, ops, outsider.ID, auditTask, 0)
	apiErr(t, err, "AccessDenied", 403) // not in the organization
	_, _, err = assumeRoot(e.srv, ops, member.ID, auditTask, 901)
	apiErr(t, err, "ValidationError", 400)
	_, _, err = assumeRoot(e.srv, ops, member.ID, adminAccessARN, 0)
	apiErr(t, err, "ValidationError", 400)
	_, _, err = assumeRoot(e.srv, ops, "arn:aws:iam::"+member.ID+":user/x", auditTask, 0)
	apiErr(t, err, "ValidationError", 400)
	_, err = setFeature(mgmtRoot, "RootSessions", false)
	must(t, err, "DisableOrganizationsRootSessions")
	_, _, err = assumeRoot(e.srv, ops, member.ID, auditTask, 0)
	apiErr(t, err, "AccessDenied", 403) // RootSessions off
	_, err = setFeature(mgmtRoot, "RootSessions", true)
	must(t, err, "EnableOrganizationsRootSessions")

	// Audit: the member's root credentials, read-only.
	audit, out, err := assumeRoot(e.srv, ops, "arn:aws:iam::"+member.ID+":root", auditTask, 600)
	must(t, err, "AssumeRoot audit")
	sessionKey := aws.ToString(out.Credentials.AccessKeyId)
	if !strings.HasPrefix(sessionKey, "ASIA") || !out.Credentials.Expiration.Equal(e.clk.Now().Add(600*time.Second)) {
		t.Errorf("credentials %s expiring %v", sessionKey, out.Credentials.Expiration)
	}
	who, err := audit.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	must(t, err, "GetCallerIdentity in the session")
	if aws.ToString(who.Arn) != "arn:aws:iam::"+member.ID+":root" || aws.ToString(who.Account) != member.ID {
		t.Errorf("GetCallerIdentity = %s %s", aws.ToString(who.Arn), aws.ToString(who.Account))
	}
	u, err := audit.IAM.GetUser(ctx, &iam.GetUserInput{})
	must(t, err, "GetUser")
	if aws.ToString(u.User.Arn) != "arn:aws:iam::"+member.ID+":root" {
		t.Errorf("GetUser = %s", aws.ToString(u.User.Arn))
	}
	keys, err := audit.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
	must(t, err, "ListAccessKeys")
	if len(keys.AccessKeyMetadata) != 1 || aws.ToString(keys.AccessKeyMetadata[0].AccessKeyId) != member.key {
		t.Errorf("ListAccessKeys = %+v", keys.AccessKeyMetadata)
	}
	_, err = audit.IAM.GetLoginProfile(ctx, &iam.GetLoginProfileInput{})
	must(t, err, "GetLoginProfile")
	mfa, err := audit.IAM.ListMFADevices(ctx, &iam.ListMFADevicesInput{})
	must(t, err, "ListMFADevices")
	if len(mfa.MFADevices) != 1 || aws.ToString(mfa.MFADevices[0].SerialNumber) != dev.SerialNumber {
		t.Errorf("ListMFADevices = %+v", mfa.MFADevices)
	}
	sum, err := audit.IAM.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	must(t, err, "GetAccountSummary")
	if sum.SummaryMap["AccountMFAEnabled"] != 1 || sum.SummaryMap["AccountAccessKeysPresent"] != 1 || sum.SummaryMap["AccountPasswordPresent"] != 1 {
		t.Errorf("SummaryMap = %v", sum.SummaryMap)
	}
	_, err = audit.IAM.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(member.key)})
	must(t, err, "GetAccessKeyLastUsed")
	_, err = audit.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(member.key)})
	wantQueryDenied(t, err, deniedMsg("arn:aws:iam::"+member.ID+":root", "iam:DeleteAccessKey", "arn:aws:iam::"+member.ID+":root", "with an explicit deny in a session policy"))
	_, err = audit.IAM.ListUsers(ctx, &iam.ListUsersInput{})
	apiErr(t, err, "AccessDenied", 403) // everything else is denied
	_, err = audit.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("auditor")})
	apiErr(t, err, "AccessDenied", 403) // on the root user only

	// SCPs bind the session; AWS's sample exempts privileged root
	// sessions through aws:AssumedRoot.
	rootID := aws.ToString(rootOf(t, e.mgmt.Org).Id)
	_, err = e.mgmt.Org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: scpType})
	must(t, err, "EnablePolicyType")
	denyRoot := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":["arn:aws:iam::*:root"]},"Null":{"aws:AssumedRoot":"true"}}}]}`
	pol, err := e.mgmt.Org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("DenyRootButSessions"), Type: scpType, Content: aws.String(denyRoot), Description: aws.String("x")})
	must(t, err, "CreatePolicy")
	_, err = e.mgmt.Org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: pol.Policy.PolicySummary.Id, TargetId: aws.String(member.ID)})
	must(t, err, "AttachPolicy")
	_, err = memberRoot.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
	wantQueryDenied(t, err, deniedMsg(memberRoot.ARN, "iam:ListAccessKeys", "arn:aws:iam::"+member.ID+":root", explicitSCPDeny))
	_, err = audit.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
	must(t, err, "ListAccessKeys in the session, past the SCP")
	denyList := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ListSigningCertificates","Resource":"*"}]}`
	pol2, err := e.mgmt.Org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("DenyCertList"), Type: scpType, Content: aws.String(denyList), Description: aws.String("x")})
	must(t, err, "CreatePolicy")
	_, err = e.mgmt.Org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: pol2.Policy.PolicySummary.Id, TargetId: aws.String(member.ID)})
	must(t, err, "AttachPolicy")
	_, err = audit.IAM.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{})
	wantQueryDenied(t, err, deniedMsg("arn:aws:iam::"+member.ID+":root", "iam:ListSigningCertificates", "arn:aws:iam::"+member.ID+":root", explicitSCPDeny))
	for _, p := range []*string{pol.Policy.PolicySummary.Id, pol2.Policy.PolicySummary.Id} {
		_, err = e.mgmt.Org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: p, TargetId: aws.String(member.ID)})
		must(t, err, "DetachPolicy")
	}

	// Delete: the member's root key (refused at once), password and MFA.
	del, _, err := assumeRoot(e.srv, ops, member.ID, deleteTask, 0)
	must(t, err, "AssumeRoot delete")
	_, err = memberRoot.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	must(t, err, "the member's root key before")
	_, err = del.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(member.key)})
	must(t, err, "DeleteAccessKey")
	_, err = memberRoot.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	apiErr(t, err, "InvalidClientTokenId", 403)
	_, err = del.IAM.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{})
	must(t, err, "DeleteLoginProfile")
	_, err = del.IAM.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{SerialNumber: aws.String(dev.SerialNumber)})
	must(t, err, "DeactivateMFADevice")
	_, err = del.IAM.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(dev.SerialNumber)})
	must(t, err, "DeleteVirtualMFADevice")
	_, err = del.IAM.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{})
	apiErr(t, err, "AccessDenied", 403) // not this task's
	wantSignIn(t, "the member's root after deletion", signIn(t, e.srv, map[string]string{"Email": member.Email, "Password": "Workload-pass-1"}), http.StatusUnauthorized, "AuthenticationFailed")
	e.adminDo(t, http.MethodPut, "/_accountplane/accounts/"+member.ID+"/root/password", map[string]string{"Password": "Recovered-pass-1"}, http.StatusConflict, nil)
	p := e.posture(t, "?organization="+aws.ToString(org.Id))
	if r := p[member.ID]; !r.CredentialsRemovedCentrally || r.PasswordPresent || len(r.AccessKeys)+len(r.MFADevices) != 0 {
		t.Errorf("posture of the member after deletion: %+v", r)
	}
	wantVerdicts(t, "member after deletion", p[member.ID], "NOT_APPLICABLE", "NOT_APPLICABLE")

	// Create password: allow recovery, then recover.
	rec, _, err := assumeRoot(e.srv, ops, member.ID, createPassTask, 0)
	must(t, err, "AssumeRoot create password")
	_, err = rec.IAM.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{Password: aws.String("Not-allowed-1")})
	apiErr(t, err, "ValidationError", 400) // the password must be omitted
	_, err = rec.IAM.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{})
	must(t, err, "CreateLoginProfile without a password")
	_, err = rec.IAM.GetLoginProfile(ctx, &iam.GetLoginProfileInput{})
	must(t, err, "GetLoginProfile")
	_, err = rec.IAM.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{})
	apiErr(t, err, "EntityAlreadyExists", 409)
	e.adminDo(t, http.MethodPut, "/_accountplane/accounts/"+member.ID+"/root/password", map[string]string{"Password": "Recovered-pass-1"}, http.StatusOK, nil)
	wantSignIn(t, "the member's root after recovery", signIn(t, e.srv, map[string]string{"Email": member.Email, "Password": "Recovered-pass-1"}), http.StatusOK, "")

	// The records: the AssumeRoot call in the management account; the
	// session's calls in the member, as its root user.
	var assumeRec map[string]any
	for _, ev := range lookupAll(t, trailClient(mgmtRoot.Cfg), attr(cttypes.LookupAttributeKeyEventName, "AssumeRoot")) {
		if r := recordOf(t, ev); field(r, "responseElements", "credentials", "accessKeyId") == sessionKey {
			assumeRec = r
		}
	}
	if assumeRec == nil {
		t.Fatalf("no AssumeRoot record of %s in the management account", sessionKey)
	}
	if assumeRec["eventSource"] != "sts.amazonaws.com" || field(assumeRec, "userIdentity", "type") != "IAMUser" ||
		field(assumeRec, "requestParameters", "targetPrincipal") != "arn:aws:iam::"+member.ID+":root" ||
		field(assumeRec, "requestParameters", "taskPolicyArn", "arn") != auditTask ||
		field(assumeRec, "responseElements", "credentials", "sessionToken") != nil {
		t.Errorf("AssumeRoot record %v", assumeRec)
	}
	sessionCalls := lookupAll(t, trailClient(auditor.Cfg), attr(cttypes.LookupAttributeKeyAccessKeyId, sessionKey))
	names := map[string]bool{}
	for _, ev := range sessionCalls {
		r := recordOf(t, ev)
		names[aws.ToString(ev.EventName)] = true
		if field(r, "userIdentity", "type") != "Root" || field(r, "userIdentity", "arn") != "arn:aws:iam::"+member.ID+":root" ||
			field(r, "userIdentity", "accessKeyId") != sessionKey || field(r, "userIdentity", "sessionContext", "assumedRoot") != "true" ||
			field(r, "userIdentity", "sessionContext", "attributes", "creationDate") == "" || r["recipientAccountId"] != member.ID {
			t.Errorf("session record %v", r)
		}
	}
	for _, n := range []string{"GetUser", "ListAccessKeys", "GetLoginProfile", "ListMFADevices", "GetAccountSummary", "DeleteAccessKey"} {
		if !names[n] {
			t.Errorf("no record of the session's %s in the member (have %v)", n, names)
		}
	}

	// A member created now has no root credentials.
	newID := e.createAccount(t, e.mgmt.Org, "fresh", "fresh@example.com")
	var refused struct{ Error string }
	e.adminDo(t, http.MethodPost, "/_accountplane/accounts/"+newID+"/credentials", nil, http.StatusConflict, &refused)
	if !strings.Contains(refused.Error, "assume-root") {
		t.Errorf("credentials create for the new member: %q, want it to say how to get in", refused.Error)
	}
	e.adminDo(t, http.MethodPost, "/_accountplane/accounts/"+newID+"/root/mfa-devices", map[string]string{"DeviceName": "x"}, http.StatusConflict, nil)
	e.adminDo(t, http.MethodPut, "/_accountplane/accounts/"+newID+"/root/password", map[string]string{"Password": "Fresh-pass-123"}, http.StatusConflict, nil)
	wantSignIn(t, "the new member's root", signIn(t, e.srv, map[string]string{"Email": "fresh@example.com", "Password": "Fresh-pass-123"}), http.StatusUnauthorized, "AuthenticationFailed")
	fresh, freshOut, err := assumeRoot(e.srv, ops, newID, auditTask, 0)
	must(t, err, "AssumeRoot into the new member")
	if !freshOut.Credentials.Expiration.Equal(e.clk.Now().Add(900 * time.Second)) {
		t.Errorf("a session without DurationSeconds expires %v, want in 900 s", freshOut.Credentials.Expiration)
	}
	sum, err = fresh.IAM.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	must(t, err, "GetAccountSummary of the new member")
	if sum.SummaryMap["AccountMFAEnabled"]+sum.SummaryMap["AccountAccessKeysPresent"]+sum.SummaryMap["AccountPasswordPresent"] != 0 {
		t.Errorf("the new member's root credentials: %v", sum.SummaryMap)
	}
	e.clk.Advance(901 * time.Second)
	_, err = fresh.IAM.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	apiErr(t, err, "ExpiredToken", 0) // the session lasted 15 minutes

	// The posture report: the three verdicts.
	p = e.posture(t, "")
	mgmtRow := p[defaultAccountID]
	wantVerdicts(t, "management (no MFA, the test key)", mgmtRow, "NON_COMPLIANT", "NON_COMPLIANT")
	if !mgmtRow.Management || mgmtRow.Organization != aws.ToString(org.Id) || len(mgmtRow.AccessKeys) != 1 || mgmtRow.AccessKeys[0].LastUsedDate == nil ||
		mgmtRow.LastRootAPICall == nil || !mgmtRow.PasswordPresent {
		t.Errorf("management account's posture %+v", mgmtRow)
	}
	wantVerdicts(t, "new member", p[newID], "NOT_APPLICABLE", "NOT_APPLICABLE")
	if !p[newID].CredentialsRemovedCentrally {
		t.Errorf("new member's posture %+v", p[newID])
	}
	// The recovered member: a password, no MFA, no key.
	wantVerdicts(t, "recovered member", p[member.ID], "NON_COMPLIANT", "COMPLIANT")
	if r := p[member.ID]; r.LastRootSignIn == nil || r.LastRootAPICall == nil || r.CredentialsRemovedCentrally {
		t.Errorf("recovered member's posture %+v", r)
	}
	// The outsider: a standalone account with MFA and no key is
	// compliant.
	_, err = rootPrincipal(e.srv, outsider.ID, outsider.key, outsider.secret).IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(outsider.key)})
	must(t, err, "the outsider deletes its key")
	e.adminDo(t, http.MethodPost, "/_accountplane/accounts/"+outsider.ID+"/root/mfa-devices", map[string]string{"DeviceName": "outsider-root"}, http.StatusCreated, nil)
	p = e.posture(t, "")
	wantVerdicts(t, "outsider", p[outsider.ID], "COMPLIANT", "COMPLIANT")
	if p[outsider.ID].Organization != "" {
		t.Errorf("outsider's posture %+v", p[outsider.ID])
	}
	if got := e.posture(t, "?organization="+aws.ToString(org.Id)); len(got) != 3 {
		t.Errorf("posture of %s: %d accounts, want 3", aws.ToString(org.Id), len(got))
	}
	e.adminDo(t, http.MethodGet, "/_accountplane/root-posture?organization=o-nosuchorg000", nil, http.StatusNotFound, nil)

	// Disabling the features: sessions are refused, credentials stay
	// removed.
	feats, err = setFeature(mgmtRoot, "RootSessions", false)
	must(t, err, "DisableOrganizationsRootSessions")
	if !slices.Equal(feats, []itypes.FeatureType{itypes.FeatureTypeRootCredentialsManagement}) {
		t.Errorf("EnabledFeatures after disabling RootSessions = %v", feats)
	}
	_, err = setFeature(mgmtRoot, "RootCredentialsManagement", false)
	must(t, err, "DisableOrganizationsRootCredentialsManagement")
	_, _, err = assumeRoot(e.srv, ops, member.ID, auditTask, 0)
	apiErr(t, err, "AccessDenied", 403)
	e.adminDo(t, http.MethodPost, "/_accountplane/accounts/"+newID+"/credentials", nil, http.StatusConflict, nil)

}
