package e2e_test

import (
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	atypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

// Scenarios of issue 4: identity policies, conditions, SCPs, delegated
// administrators, role sessions, session policies, permissions boundaries
// and explicit denies, end to end through the SDKs.

const standaloneARN = "arn:aws:account::000000000000:account"

func acctARN(id string) string { return "arn:aws:account::" + id + ":account" }

func putAlt(p principal, typ atypes.AlternateContactType, name string, accountID string) error {
	in := altContact(typ, name)
	if accountID != "" {
		in.AccountId = aws.String(accountID)
	}
	_, err := p.Acct.PutAlternateContact(ctx, in)
	return err
}

func getAltOf(p principal, typ atypes.AlternateContactType, accountID string) (*atypes.AlternateContact, error) {
	in := &account.GetAlternateContactInput{AlternateContactType: typ}
	if accountID != "" {
		in.AccountId = aws.String(accountID)
	}
	out, err := p.Acct.GetAlternateContact(ctx, in)
	if err != nil {
		return nil, err
	}
	return out.AlternateContact, nil
}

func enableRegionAs(p principal, region, accountID string) error {
	in := &account.EnableRegionInput{RegionName: aws.String(region)}
	if accountID != "" {
		in.AccountId = aws.String(accountID)
	}
	_, err := p.Acct.EnableRegion(ctx, in)
	return err
}

func regionStatusOf(t *testing.T, p principal, region string) atypes.RegionOptStatus {
	t.Helper()
	out, err := p.Acct.GetRegionOptStatus(ctx, &account.GetRegionOptStatusInput{RegionName: aws.String(region)})
	must(t, err, "GetRegionOptStatus "+region)
	return out.RegionOptStatus
}

// A user with AWSAccountManagementReadOnlyAccess reads and does not write.
func TestAuthzAccountReadOnlyUser(t *testing.T) {
	t.Parallel()
	srv := accountplanetest.Start(t)
	root := defaultRoot(srv)
	must(t, putAlt(root, atypes.AlternateContactTypeBilling, "Billing Person", ""), "PutAlternateContact as root")
	reader := newUser(t, srv, root, "reader", acctReadOnlyARN)

	t.Run("Reads", func(t *testing.T) {
		_, err := reader.Acct.GetContactInformation(ctx, &account.GetContactInformationInput{})
		must(t, err, "GetContactInformation")
		_, err = reader.Acct.ListRegions(ctx, &account.ListRegionsInput{})
		must(t, err, "ListRegions")
		alt, err := getAltOf(reader, atypes.AlternateContactTypeBilling, "")
		must(t, err, "GetAlternateContact")
		if aws.ToString(alt.Name) != "Billing Person" {
			t.Errorf("GetAlternateContact Name = %q", aws.ToString(alt.Name))
		}
		if got := regionStatusOf(t, reader, "af-south-1"); got != atypes.RegionOptStatusDisabled {
			t.Errorf("af-south-1 is %s", got)
		}
	})

	t.Run("PutAlternateContact", func(t *testing.T) {
		err := putAlt(reader, atypes.AlternateContactTypeBilling, "Intruder", "")
		wantAcctDenied(t, err, "User: arn:aws:iam::000000000000:user/reader is not authorized to perform: account:PutAlternateContact on resource: arn:aws:account::000000000000:account because no identity-based policy allows the account:PutAlternateContact action")
		alt, err := getAltOf(root, atypes.AlternateContactTypeBilling, "")
		must(t, err, "GetAlternateContact as root")
		if aws.ToString(alt.Name) != "Billing Person" {
			t.Errorf("the denied write landed: Name = %q", aws.ToString(alt.Name))
		}
	})

	t.Run("OtherWrites", func(t *testing.T) {
		wantAcctDenied(t, enableRegionAs(reader, "af-south-1", ""), deniedMsg(reader.ARN, "account:EnableRegion", standaloneARN, noIdentityAllows("account:EnableRegion")))
		_, err := reader.Acct.PutContactInformation(ctx, &account.PutContactInformationInput{ContactInformation: contactInfo()})
		wantAcctDenied(t, err, deniedMsg(reader.ARN, "account:PutContactInformation", standaloneARN, noIdentityAllows("account:PutContactInformation")))
		_, err = reader.Acct.DeleteAlternateContact(ctx, &account.DeleteAlternateContactInput{AlternateContactType: atypes.AlternateContactTypeBilling})
		wantAcctDenied(t, err, deniedMsg(reader.ARN, "account:DeleteAlternateContact", standaloneARN, noIdentityAllows("account:DeleteAlternateContact")))
		_, err = reader.Acct.PutAccountName(ctx, &account.PutAccountNameInput{AccountName: aws.String("renamed")})
		wantAcctDenied(t, err, deniedMsg(reader.ARN, "account:PutAccountName", standaloneARN, noIdentityAllows("account:PutAccountName")))
		if got := regionStatusOf(t, root, "af-south-1"); got != atypes.RegionOptStatusDisabled {
			t.Errorf("the denied EnableRegion changed af-south-1 to %s", got)
		}
	})

	t.Run("OtherServices", func(t *testing.T) {
		_, err := reader.IAM.ListUsers(ctx, &iam.ListUsersInput{})
		wantQueryDenied(t, err, "")
		wantMessageContains(t, err, noIdentityAllows("iam:ListUsers"))
		_, err = reader.Org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		wantOrgDenied(t, err, "")
		wantMessageContains(t, err, noIdentityAllows("organizations:DescribeOrganization"))
	})
}

// A policy allowing the alternate-contact actions only for SECURITY
// (account:AlternateContactTypes) lets the user touch that type only.
func TestAuthzAlternateContactTypeCondition(t *testing.T) {
	t.Parallel()
	srv := accountplanetest.Start(t)
	root := defaultRoot(srv)

	variants := []struct{ name, operator string }{
		{"ForAnyValueStringEquals", "ForAnyValue:StringEquals"},
		{"ForAllValuesStringEquals", "ForAllValues:StringEquals"},
		{"StringEquals", "StringEquals"},
	}
	for i, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			doc := `{"Version":"2012-10-17","Statement":[{"Sid":"SecurityOnly","Effect":"Allow",` +
				`"Action":["account:PutAlternateContact","account:GetAlternateContact"],"Resource":"*",` +
				`"Condition":{"` + v.operator + `":{"account:AlternateContactTypes":["SECURITY"]}}}]}`
			u := newUser(t, srv, root, "security-"+string(rune('a'+i)))
			putUserPolicy(t, root, u.UserName, "security-only", doc)

			must(t, putAlt(u, atypes.AlternateContactTypeSecurity, "Sec "+v.name, ""), "PutAlternateContact SECURITY")
			alt, err := getAltOf(u, atypes.AlternateContactTypeSecurity, "")
			must(t, err, "GetAlternateContact SECURITY")
			if aws.ToString(alt.Name) != "Sec "+v.name {
				t.Errorf("SECURITY contact Name = %q", aws.ToString(alt.Name))
			}

			for _, typ := range []atypes.AlternateContactType{atypes.AlternateContactTypeBilling, atypes.AlternateContactTypeOperations} {
				err := putAlt(u, typ, "Nope", "")
				wantAcctDenied(t, err, deniedMsg(u.ARN, "account:PutAlternateContact", standaloneARN, noIdentityAllows("account:PutAlternateContact")))
				_, err = getAltOf(u, typ, "")
				wantAcctDenied(t, err, deniedMsg(u.ARN, "account:GetAlternateContact", standaloneARN, noIdentityAllows("account:GetAlternateContact")))
			}
			_, err = u.Acct.DeleteAlternateContact(ctx, &account.DeleteAlternateContactInput{AlternateContactType: atypes.AlternateContactTypeSecurity})
			wantAcctDenied(t, err, deniedMsg(u.ARN, "account:DeleteAlternateContact", standaloneARN, noIdentityAllows("account:DeleteAlternateContact")))
		})
	}
}

// An SCP denying account:EnableRegion for some Regions binds the member
// accounts' root users and administrators, never the management account.
func TestAuthzSCPDeniesEnableRegion(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	srv, mgmt := e.srv, e.mgmt
	createOrg(t, mgmt.Org, otypes.OrganizationFeatureSetAll)
	r := rootOf(t, mgmt.Org)
	_, err := mgmt.Org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: r.Id, PolicyType: scpType})
	must(t, err, "EnablePolicyType")
	enableTrustedAccess(t, mgmt.Org, accountPrincipal)

	created := e.createMember(t, mgmt, "scp-created", "scp-created@example.com")
	invited := e.signUp(t, "scp-invited", "scp-invited@example.com")
	join(t, mgmt, invited)

	mgmtRoot := defaultRoot(srv)
	mgmtAdmin := newUser(t, srv, mgmtRoot, "admin", adminAccessARN)
	memberRoot := rootPrincipal(srv, created.ID, created.key, created.secret)
	memberAdmin := newUser(t, srv, memberRoot, "admin", adminAccessARN)
	invitedRoot := rootPrincipal(srv, invited.ID, invited.key, invited.secret)

	const denyRegions = `{"Version":"2012-10-17","Statement":[{"Sid":"DenyOptIn","Effect":"Deny","Action":"account:EnableRegion","Resource":"*",` +
		`"Condition":{"StringEquals":{"account:TargetRegion":["af-south-1","ap-southeast-3"]}}}]}`
	pol, err := mgmt.Org.CreatePolicy(ctx, &organizations.CreatePolicyInput{
		Name: aws.String("DenyOptInRegions"), Description: aws.String("no af-south-1, no ap-southeast-3"),
		Type: scpType, Content: aws.String(denyRegions),
	})
	must(t, err, "CreatePolicy")
	polID := pol.Policy.PolicySummary.Id
	_, err = mgmt.Org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: polID, TargetId: r.Id})
	must(t, err, "AttachPolicy to the root")

	t.Run("MemberRoot", func(t *testing.T) {
		err := enableRegionAs(memberRoot, "af-south-1", "")
		wantAcctDenied(t, err, deniedMsg(memberRoot.ARN, "account:EnableRegion", acctARN(created.ID), explicitSCPDeny))
		if got := regionStatusOf(t, memberRoot, "af-south-1"); got != atypes.RegionOptStatusDisabled {
			t.Errorf("af-south-1 of the member is %s after a denied EnableRegion", got)
		}
	})

	t.Run("MemberAdmin", func(t *testing.T) {
		err := enableRegionAs(memberAdmin, "ap-southeast-3", "")
		wantAcctDenied(t, err, deniedMsg(memberAdmin.ARN, "account:EnableRegion", acctARN(created.ID), explicitSCPDeny))
		wantMessageContains(t, err, "with an explicit deny in a service control policy")
	})

	t.Run("InvitedMemberRoot", func(t *testing.T) {
		wantAcctDenied(t, enableRegionAs(invitedRoot, "af-south-1", ""), deniedMsg(invitedRoot.ARN, "account:EnableRegion", acctARN(invited.ID), explicitSCPDeny))
	})

	t.Run("OtherRegionsAndReads", func(t *testing.T) {
		must(t, enableRegionAs(memberRoot, "me-south-1", ""), "member root EnableRegion me-south-1")
		must(t, enableRegionAs(memberAdmin, "eu-south-1", ""), "member admin EnableRegion eu-south-1")
		_, err := memberAdmin.Acct.GetRegionOptStatus(ctx, &account.GetRegionOptStatusInput{RegionName: aws.String("af-south-1")})
		must(t, err, "member admin GetRegionOptStatus af-south-1")
	})

	t.Run("ManagementExempt", func(t *testing.T) {
		must(t, enableRegionAs(mgmtRoot, "af-south-1", ""), "management root EnableRegion af-south-1")
		must(t, enableRegionAs(mgmtAdmin, "ap-southeast-3", ""), "management admin EnableRegion ap-southeast-3")
		if got := regionStatusOf(t, mgmtRoot, "af-south-1"); got != atypes.RegionOptStatusEnabled && got != atypes.RegionOptStatusEnabling {
			t.Errorf("management af-south-1 is %s", got)
		}
	})

	// SCPs filter the member's principals, not the management account's
	// calls on a member (organization mode).
	t.Run("ManagementOnMember", func(t *testing.T) {
		must(t, enableRegionAs(mgmtAdmin, "af-south-1", created.ID), "management admin EnableRegion af-south-1 on the member")
		if got := regionStatusOf(t, memberRoot, "af-south-1"); got != atypes.RegionOptStatusEnabled && got != atypes.RegionOptStatusEnabling {
			t.Errorf("member af-south-1 is %s", got)
		}
	})

	t.Run("Detached", func(t *testing.T) {
		_, err := mgmt.Org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: polID, TargetId: r.Id})
		must(t, err, "DetachPolicy")
		must(t, enableRegionAs(memberAdmin, "ap-southeast-3", ""), "member admin EnableRegion ap-southeast-3 after the detach")
		must(t, enableRegionAs(invitedRoot, "af-south-1", ""), "invited root EnableRegion af-south-1 after the detach")
	})

	// Attached to one account, the SCP binds that account only.
	t.Run("AttachedToAccount", func(t *testing.T) {
		_, err := mgmt.Org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: polID, TargetId: aws.String(created.ID)})
		must(t, err, "AttachPolicy to the member")
		wantAcctDenied(t, enableRegionAs(memberRoot, "ap-southeast-3", ""), deniedMsg(memberRoot.ARN, "account:EnableRegion", acctARN(created.ID), explicitSCPDeny))
		must(t, enableRegionAs(invitedRoot, "ap-southeast-3", ""), "the other member is not bound")
	})
}

// A delegated administrator for account.amazonaws.com, with an IAM user
// that has AWSAccountManagementFullAccess, manages member accounts through
// AccountId; a user there without a policy cannot.
func TestAuthzDelegatedAdministrator(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	srv, mgmt := e.srv, e.mgmt
	org := createOrg(t, mgmt.Org, otypes.OrganizationFeatureSetAll)
	da := e.createMember(t, mgmt, "da", "authz-da@example.com")
	target := e.createMember(t, mgmt, "target", "authz-target@example.com")
	enableTrustedAccess(t, mgmt.Org, accountPrincipal)
	registerAdmin(t, mgmt.Org, da.ID, accountPrincipal)

	daRoot := rootPrincipal(srv, da.ID, da.key, da.secret)
	targetRoot := rootPrincipal(srv, target.ID, target.key, target.secret)
	admin := newUser(t, srv, daRoot, "acct-admin", acctFullAccessARN)
	nobody := newUser(t, srv, daRoot, "nobody")
	reader := newUser(t, srv, daRoot, "reader", acctReadOnlyARN)
	targetARN := "arn:aws:account::" + defaultAccountID + ":account/" + aws.ToString(org.Id) + "/" + target.ID

	t.Run("AdminActsOnMember", func(t *testing.T) {
		must(t, putAlt(admin, atypes.AlternateContactTypeSecurity, "Delegated Sec", target.ID), "PutAlternateContact on the member")
		alt, err := getAltOf(targetRoot, atypes.AlternateContactTypeSecurity, "")
		must(t, err, "GetAlternateContact as the member's root")
		if aws.ToString(alt.Name) != "Delegated Sec" {
			t.Errorf("member's SECURITY contact = %q", aws.ToString(alt.Name))
		}
		alt, err = getAltOf(admin, atypes.AlternateContactTypeSecurity, target.ID)
		must(t, err, "GetAlternateContact on the member")
		if aws.ToString(alt.Name) != "Delegated Sec" {
			t.Errorf("GetAlternateContact = %q", aws.ToString(alt.Name))
		}
		_, err = admin.Acct.ListRegions(ctx, &account.ListRegionsInput{AccountId: aws.String(target.ID)})
		must(t, err, "ListRegions on the member")
		must(t, enableRegionAs(admin, "af-south-1", target.ID), "EnableRegion on the member")
		if got := regionStatusOf(t, targetRoot, "af-south-1"); got != atypes.RegionOptStatusEnabled && got != atypes.RegionOptStatusEnabling {
			t.Errorf("member af-south-1 is %s", got)
		}
	})

	t.Run("UserWithoutPolicyDenied", func(t *testing.T) {
		err := putAlt(nobody, atypes.AlternateContactTypeSecurity, "Nope", target.ID)
		wantAcctDenied(t, err, deniedMsg(nobody.ARN, "account:PutAlternateContact", targetARN, noIdentityAllows("account:PutAlternateContact")))
		_, err = getAltOf(nobody, atypes.AlternateContactTypeSecurity, target.ID)
		wantAcctDenied(t, err, deniedMsg(nobody.ARN, "account:GetAlternateContact", targetARN, noIdentityAllows("account:GetAlternateContact")))
		alt, err := getAltOf(targetRoot, atypes.AlternateContactTypeSecurity, "")
		must(t, err, "GetAlternateContact as the member's root")
		if aws.ToString(alt.Name) != "Delegated Sec" {
			t.Errorf("the denied write landed: %q", aws.ToString(alt.Name))
		}
	})

	t.Run("ReaderReadsOnly", func(t *testing.T) {
		_, err := getAltOf(reader, atypes.AlternateContactTypeSecurity, target.ID)
		must(t, err, "GetAlternateContact on the member as reader")
		err = putAlt(reader, atypes.AlternateContactTypeSecurity, "Nope", target.ID)
		wantAcctDenied(t, err, deniedMsg(reader.ARN, "account:PutAlternateContact", targetARN, noIdentityAllows("account:PutAlternateContact")))
	})

	// A delegated administrator cannot act on the management account.
	t.Run("NotTheManagementAccount", func(t *testing.T) {
		wantAcctDenied(t, putAlt(admin, atypes.AlternateContactTypeSecurity, "Nope", defaultAccountID), "")
	})

	// A member that is not the delegated administrator cannot use
	// AccountId, whatever its users' policies.
	t.Run("NotDelegated", func(t *testing.T) {
		outsider := newUser(t, srv, targetRoot, "full", acctFullAccessARN)
		wantAcctDenied(t, putAlt(outsider, atypes.AlternateContactTypeSecurity, "Nope", da.ID), "")
	})
}

// From an IAM user of the management account with AdministratorAccess:
// CreateAccount, AssumeRole into the new member's
// OrganizationAccountAccessRole, act there, and watch the session expire.
func TestAuthzAssumeOrganizationAccountAccessRole(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	srv, mgmt := e.srv, e.mgmt
	createOrg(t, mgmt.Org, otypes.OrganizationFeatureSetAll)
	mgmtRoot := defaultRoot(srv)
	ops := newUser(t, srv, mgmtRoot, "ops", adminAccessARN)

	memberID := e.createAccount(t, ops.Org, "workload", "authz-workload@example.com")
	member := e.credentials(t, memberID, "authz-workload@example.com")
	memberRoot := rootPrincipal(srv, memberID, member.key, member.secret)
	roleARN := "arn:aws:iam::" + memberID + ":role/" + orgAccessRoleName
	sessARN := "arn:aws:sts::" + memberID + ":assumed-role/" + orgAccessRoleName + "/ops-session"

	issued := e.clk.Now()
	sess, out := assumeRole(t, srv, ops, roleARN, "ops-session")

	t.Run("Credentials", func(t *testing.T) {
		if !reSessKeyID.MatchString(sess.Key) || len(sess.Secret) != 40 || sess.Token == "" {
			t.Errorf("credentials: key %q, secret of %d, token of %d characters", sess.Key, len(sess.Secret), len(sess.Token))
		}
		if got, want := aws.ToTime(out.Credentials.Expiration), issued.Add(time.Hour).Truncate(time.Second); !got.Equal(want) {
			t.Errorf("Expiration = %v, want %v (one hour of the domain clock)", got, want)
		}
		if got := aws.ToString(out.AssumedRoleUser.Arn); got != sessARN {
			t.Errorf("AssumedRoleUser.Arn = %q, want %q", got, sessARN)
		}
		role, err := memberRoot.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(orgAccessRoleName)})
		must(t, err, "GetRole as the member's root")
		if got, want := aws.ToString(out.AssumedRoleUser.AssumedRoleId), aws.ToString(role.Role.RoleId)+":ops-session"; got != want {
			t.Errorf("AssumedRoleId = %q, want %q", got, want)
		}
	})

	t.Run("CallerIdentity", func(t *testing.T) {
		gci, err := sess.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		must(t, err, "GetCallerIdentity")
		if aws.ToString(gci.Account) != memberID || aws.ToString(gci.Arn) != sessARN {
			t.Errorf("GetCallerIdentity = %s %s, want %s %s", aws.ToString(gci.Account), aws.ToString(gci.Arn), memberID, sessARN)
		}
		if !regexp.MustCompile(`^AROA[A-Z0-9]{17}:ops-session$`).MatchString(aws.ToString(gci.UserId)) {
			t.Errorf("UserId = %q, want AROA…:ops-session", aws.ToString(gci.UserId))
		}
	})

	t.Run("ActInMember", func(t *testing.T) {
		must(t, putAlt(sess, atypes.AlternateContactTypeOperations, "Ops From Mgmt", ""), "PutAlternateContact as the session")
		alt, err := getAltOf(memberRoot, atypes.AlternateContactTypeOperations, "")
		must(t, err, "GetAlternateContact as the member's root")
		if aws.ToString(alt.Name) != "Ops From Mgmt" {
			t.Errorf("member's OPERATIONS contact = %q", aws.ToString(alt.Name))
		}
		_, err = sess.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("made-by-session")})
		must(t, err, "CreateUser as the session")
		_, err = memberRoot.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("made-by-session")})
		must(t, err, "GetUser in the member")
		_, err = mgmtRoot.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("made-by-session")})
		wantNoSuchEntity(t, err)
	})

	t.Run("RootCannotAssume", func(t *testing.T) {
		_, err := mgmtRoot.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("root")})
		wantQueryDenied(t, err, "Roles may not be assumed by root accounts.")
	})

	t.Run("UserWithoutPermission", func(t *testing.T) {
		plain := newUser(t, srv, mgmtRoot, "plain")
		_, err := plain.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("plain")})
		wantQueryDenied(t, err, deniedMsg(plain.ARN, "sts:AssumeRole", roleARN, noIdentityAllows("sts:AssumeRole")))
	})

	t.Run("UntrustedAccount", func(t *testing.T) {
		other := e.signUp(t, "other", "authz-other@example.com")
		outsider := newUser(t, srv, rootPrincipal(srv, other.ID, other.key, other.secret), "outsider", adminAccessARN)
		_, err := outsider.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("outsider")})
		wantQueryDenied(t, err, "")
		wantMessageContains(t, err, "User: "+outsider.ARN+" is not authorized to perform: sts:AssumeRole on resource: "+roleARN)
	})

	t.Run("DurationOverRoleMax", func(t *testing.T) {
		_, err := ops.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("long"), DurationSeconds: aws.Int32(7200)})
		apiErr(t, err, "ValidationError", http.StatusBadRequest)
	})

	t.Run("SessionPolicyNarrows", func(t *testing.T) {
		narrow, _ := assumeRole(t, srv, ops, roleARN, "narrow", func(in *sts.AssumeRoleInput) {
			in.Policy = aws.String(allowDoc("account:GetContactInformation", "account:GetAlternateContact"))
		})
		_, err := getAltOf(narrow, atypes.AlternateContactTypeOperations, "")
		must(t, err, "GetAlternateContact under the session policy")
		err = putAlt(narrow, atypes.AlternateContactTypeOperations, "Nope", "")
		wantAcctDenied(t, err, deniedMsg(narrow.ARN, "account:PutAlternateContact", acctARN(memberID), "because no session policy allows the account:PutAlternateContact action"))
		_, err = narrow.IAM.ListUsers(ctx, &iam.ListUsersInput{})
		wantQueryDenied(t, err, "")
		wantMessageContains(t, err, "because no session policy allows the iam:ListUsers action")

		managed, _ := assumeRole(t, srv, ops, roleARN, "managed", func(in *sts.AssumeRoleInput) {
			in.PolicyArns = []ststypes.PolicyDescriptorType{{Arn: aws.String(acctReadOnlyARN)}}
		})
		_, err = managed.Acct.ListRegions(ctx, &account.ListRegionsInput{})
		must(t, err, "ListRegions under the managed session policy")
		wantAcctDenied(t, enableRegionAs(managed, "af-south-1", ""), deniedMsg(managed.ARN, "account:EnableRegion", acctARN(memberID), "because no session policy allows the account:EnableRegion action"))

		// A session policy grants nothing the role does not have.
		_, err = memberRoot.IAM.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String(orgAccessRoleName), PermissionsBoundary: aws.String(acctReadOnlyARN)})
		if err == nil {
			wide, _ := assumeRole(t, srv, ops, roleARN, "wide", func(in *sts.AssumeRoleInput) { in.Policy = aws.String(allowAllPolicy) })
			err = putAlt(wide, atypes.AlternateContactTypeOperations, "Nope", "")
			wantAcctDenied(t, err, deniedMsg(wide.ARN, "account:PutAlternateContact", acctARN(memberID), "because no permissions boundary allows the account:PutAlternateContact action"))
			_, err = memberRoot.IAM.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String(orgAccessRoleName)})
			must(t, err, "DeleteRolePermissionsBoundary")
		} else {
			t.Errorf("PutRolePermissionsBoundary on %s: %v", orgAccessRoleName, err)
		}
	})

	t.Run("Expired", func(t *testing.T) {
		e.clk.Advance(time.Hour + time.Second)
		_, err := sess.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		apiErr(t, err, "ExpiredToken", 0)
		wantMessage(t, err, "The security token included in the request is expired")
		_, err = sess.Acct.GetContactInformation(ctx, &account.GetContactInformationInput{})
		apiErr(t, err, "ExpiredTokenException", http.StatusForbidden)
		_, err = sess.IAM.ListUsers(ctx, &iam.ListUsersInput{})
		apiErr(t, err, "ExpiredToken", 0)
		_, err = sess.Org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		apiErr(t, err, "ExpiredTokenException", http.StatusBadRequest)
		// Long-term keys do not expire.
		_, err = ops.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		must(t, err, "GetCallerIdentity with the user's key")
		// A fresh session works again.
		again, _ := assumeRole(t, srv, ops, roleARN, "again")
		_, err = again.Acct.ListRegions(ctx, &account.ListRegionsInput{})
		must(t, err, "ListRegions with a fresh session")
	})
}

// A permissions boundary caps what identity policies grant, and grants
// nothing by itself.
func TestAuthzPermissionsBoundary(t *testing.T) {
	t.Parallel()
	srv := accountplanetest.Start(t)
	root := defaultRoot(srv)
	u := newUser(t, srv, root, "bounded", adminAccessARN)
	_, err := root.IAM.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("bounded"), PermissionsBoundary: aws.String(acctReadOnlyARN)})
	must(t, err, "PutUserPermissionsBoundary")

	t.Run("Narrows", func(t *testing.T) {
		_, err := u.Acct.GetContactInformation(ctx, &account.GetContactInformationInput{})
		must(t, err, "GetContactInformation")
		_, err = u.Acct.ListRegions(ctx, &account.ListRegionsInput{})
		must(t, err, "ListRegions")
		err = putAlt(u, atypes.AlternateContactTypeBilling, "Nope", "")
		wantAcctDenied(t, err, deniedMsg(u.ARN, "account:PutAlternateContact", standaloneARN, "because no permissions boundary allows the account:PutAlternateContact action"))
		_, err = u.IAM.ListUsers(ctx, &iam.ListUsersInput{})
		wantQueryDenied(t, err, "")
		wantMessageContains(t, err, "because no permissions boundary allows the iam:ListUsers action")
	})

	t.Run("GrantsNothingAlone", func(t *testing.T) {
		bare := newUser(t, srv, root, "boundary-only")
		_, err := root.IAM.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("boundary-only"), PermissionsBoundary: aws.String(acctFullAccessARN)})
		must(t, err, "PutUserPermissionsBoundary")
		_, err = bare.Acct.GetContactInformation(ctx, &account.GetContactInformationInput{})
		wantAcctDenied(t, err, deniedMsg(bare.ARN, "account:GetContactInformation", standaloneARN, noIdentityAllows("account:GetContactInformation")))
	})

	t.Run("Removed", func(t *testing.T) {
		_, err := root.IAM.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("bounded")})
		must(t, err, "DeleteUserPermissionsBoundary")
		must(t, putAlt(u, atypes.AlternateContactTypeBilling, "Now Allowed", ""), "PutAlternateContact without the boundary")
	})
}

// An explicit deny in any identity policy beats every allow.
func TestAuthzExplicitDenyWins(t *testing.T) {
	t.Parallel()
	srv := accountplanetest.Start(t)
	root := defaultRoot(srv)
	u := newUser(t, srv, root, "denied", adminAccessARN)

	t.Run("InlineDeny", func(t *testing.T) {
		putUserPolicy(t, root, "denied", "no-put", denyDoc("account:PutAlternateContact"))
		err := putAlt(u, atypes.AlternateContactTypeBilling, "Nope", "")
		wantAcctDenied(t, err, "User: arn:aws:iam::000000000000:user/denied is not authorized to perform: account:PutAlternateContact on resource: arn:aws:account::000000000000:account with an explicit deny in an identity-based policy")
		_, err = u.Acct.GetContactInformation(ctx, &account.GetContactInformationInput{})
		must(t, err, "GetContactInformation (allowed, not denied)")
	})

	t.Run("GroupDeny", func(t *testing.T) {
		_, err := root.IAM.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("no-regions")})
		must(t, err, "CreateGroup")
		_, err = root.IAM.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("no-regions"), PolicyName: aws.String("deny"), PolicyDocument: aws.String(denyDoc("account:*Region*"))})
		must(t, err, "PutGroupPolicy")
		_, err = root.IAM.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("no-regions"), UserName: aws.String("denied")})
		must(t, err, "AddUserToGroup")
		_, err = u.Acct.ListRegions(ctx, &account.ListRegionsInput{})
		wantAcctDenied(t, err, deniedMsg(u.ARN, "account:ListRegions", standaloneARN, explicitIdentityDeny))
	})

	t.Run("ConditionalDeny", func(t *testing.T) {
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"account:*AlternateContact","Resource":"*",` +
			`"Condition":{"ForAnyValue:StringEquals":{"account:AlternateContactTypes":"BILLING"}}}]}`
		putUserPolicy(t, root, "denied", "no-put", doc)
		must(t, putAlt(u, atypes.AlternateContactTypeSecurity, "Sec", ""), "PutAlternateContact SECURITY")
		_, err := getAltOf(u, atypes.AlternateContactTypeBilling, "")
		wantAcctDenied(t, err, deniedMsg(u.ARN, "account:GetAlternateContact", standaloneARN, explicitIdentityDeny))
	})

	t.Run("DenyAllStillAnswersCallerIdentity", func(t *testing.T) {
		putUserPolicy(t, root, "denied", "deny-all", denyAllPolicy)
		gci, err := u.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		must(t, err, "GetCallerIdentity under Deny *")
		if aws.ToString(gci.Arn) != u.ARN {
			t.Errorf("Arn = %q", aws.ToString(gci.Arn))
		}
		_, err = u.Acct.GetContactInformation(ctx, &account.GetContactInformationInput{})
		wantAcctDenied(t, err, deniedMsg(u.ARN, "account:GetContactInformation", standaloneARN, explicitIdentityDeny))
		_, err = u.IAM.GetUser(ctx, &iam.GetUserInput{})
		wantQueryDenied(t, err, "")
		wantMessageContains(t, err, explicitIdentityDeny)
		if !strings.Contains(err.Error(), "iam:GetUser") {
			t.Errorf("error %v does not name iam:GetUser", err)
		}
	})
}

// The SCP examples of spec/security.md §8: example 1 denies the
// standalone-mode alternate-contact writes of member accounts (resource
// arn:aws:account::*:account), example 2 every such write (resource "*"),
// including a delegated administrator's on other members.
func TestAuthzSCPSpecExamples(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	srv, mgmt := e.srv, e.mgmt
	org := createOrg(t, mgmt.Org, otypes.OrganizationFeatureSetAll)
	r := rootOf(t, mgmt.Org)
	_, err := mgmt.Org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: r.Id, PolicyType: scpType})
	must(t, err, "EnablePolicyType")
	enableTrustedAccess(t, mgmt.Org, accountPrincipal)
	a := e.createMember(t, mgmt, "ex-a", "ex-a@example.com")
	d := e.createMember(t, mgmt, "ex-d", "ex-d@example.com")
	registerAdmin(t, mgmt.Org, d.ID, accountPrincipal)

	mgmtRoot := defaultRoot(srv)
	aRoot := rootPrincipal(srv, a.ID, a.key, a.secret)
	dAdmin := newUser(t, srv, rootPrincipal(srv, d.ID, d.key, d.secret), "acct-admin", acctFullAccessARN)
	aOrgARN := "arn:aws:account::" + defaultAccountID + ":account/" + aws.ToString(org.Id) + "/" + a.ID

	attach := func(t *testing.T, name, content string) *string {
		t.Helper()
		p, err := mgmt.Org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(name), Description: aws.String(name), Type: scpType, Content: aws.String(content)})
		must(t, err, "CreatePolicy "+name)
		_, err = mgmt.Org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: p.Policy.PolicySummary.Id, TargetId: r.Id})
		must(t, err, "AttachPolicy "+name)
		return p.Policy.PolicySummary.Id
	}

	t.Run("Example1", func(t *testing.T) {
		id := attach(t, "Example1", `{"Version":"2012-10-17","Statement":[{"Sid":"Statement1","Effect":"Deny",`+
			`"Action":["account:PutAlternateContact","account:DeleteAlternateContact"],"Resource":["arn:aws:account::*:account"]}]}`)
		err := putAlt(aRoot, atypes.AlternateContactTypeBilling, "Nope", "")
		wantAcctDenied(t, err, deniedMsg(aRoot.ARN, "account:PutAlternateContact", acctARN(a.ID), explicitSCPDeny))
		_, err = aRoot.Acct.DeleteAlternateContact(ctx, &account.DeleteAlternateContactInput{AlternateContactType: atypes.AlternateContactTypeBilling})
		wantAcctDenied(t, err, deniedMsg(aRoot.ARN, "account:DeleteAlternateContact", acctARN(a.ID), explicitSCPDeny))
		// Organization-mode calls name arn:aws:account::MGMT:account/o-…/ID,
		// which the statement's resource does not match.
		must(t, putAlt(dAdmin, atypes.AlternateContactTypeBilling, "By Delegated Admin", a.ID), "delegated admin PutAlternateContact on the member")
		must(t, putAlt(mgmtRoot, atypes.AlternateContactTypeBilling, "Mgmt", ""), "management PutAlternateContact")
		_, err = mgmt.Org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: id, TargetId: r.Id})
		must(t, err, "DetachPolicy")
	})

	t.Run("Example2", func(t *testing.T) {
		attach(t, "Example2", `{"Version":"2012-10-17","Statement":[{"Sid":"Statement1","Effect":"Deny",`+
			`"Action":["account:PutAlternateContact","account:DeleteAlternateContact"],"Resource":["*"]}]}`)
		err := putAlt(dAdmin, atypes.AlternateContactTypeBilling, "Nope", a.ID)
		wantAcctDenied(t, err, deniedMsg(dAdmin.ARN, "account:PutAlternateContact", aOrgARN, explicitSCPDeny))
		wantAcctDenied(t, putAlt(aRoot, atypes.AlternateContactTypeBilling, "Nope", ""), deniedMsg(aRoot.ARN, "account:PutAlternateContact", acctARN(a.ID), explicitSCPDeny))
		must(t, putAlt(mgmtRoot, atypes.AlternateContactTypeBilling, "By Mgmt", a.ID), "management PutAlternateContact on the member")
		alt, err := getAltOf(aRoot, atypes.AlternateContactTypeBilling, "")
		must(t, err, "GetAlternateContact (reads are not denied)")
		if aws.ToString(alt.Name) != "By Mgmt" {
			t.Errorf("member's BILLING contact = %q, want the management account's write", aws.ToString(alt.Name))
		}
	})
}

// Policy variables: ${aws:username} scopes a user to its own IAM user.
func TestAuthzPolicyVariables(t *testing.T) {
	t.Parallel()
	srv := accountplanetest.Start(t)
	root := defaultRoot(srv)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetUser","iam:ListAccessKeys","iam:CreateAccessKey"],` +
		`"Resource":"arn:aws:iam::000000000000:user/${aws:username}"}]}`
	alice := newUser(t, srv, root, "alice")
	newUser(t, srv, root, "bob")
	putUserPolicy(t, root, "alice", "self", doc)

	t.Run("Self", func(t *testing.T) {
		out, err := alice.IAM.GetUser(ctx, &iam.GetUserInput{})
		must(t, err, "GetUser without UserName")
		if aws.ToString(out.User.Arn) != alice.ARN {
			t.Errorf("GetUser = %q, want the caller %q", aws.ToString(out.User.Arn), alice.ARN)
		}
		_, err = alice.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
		must(t, err, "GetUser alice")
		keys, err := alice.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
		must(t, err, "ListAccessKeys without UserName")
		if len(keys.AccessKeyMetadata) != 1 || aws.ToString(keys.AccessKeyMetadata[0].AccessKeyId) != alice.Key {
			t.Errorf("ListAccessKeys = %+v, want the caller's key", keys.AccessKeyMetadata)
		}
	})

	t.Run("Other", func(t *testing.T) {
		_, err := alice.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")})
		wantQueryDenied(t, err, "")
		wantMessageContains(t, err, "User: "+alice.ARN+" is not authorized to perform: iam:GetUser")
		wantMessageContains(t, err, noIdentityAllows("iam:GetUser"))
		_, err = alice.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})
		wantQueryDenied(t, err, "")
	})
}

// The request-level global keys (aws:SourceIp, aws:SecureTransport,
// aws:RequestedRegion) reach the conditions of an identity policy: the
// test client calls over plain HTTP from loopback, signing for us-east-1.
func TestAuthzRequestGlobalKeys(t *testing.T) {
	t.Parallel()
	srv := accountplanetest.Start(t)
	root := defaultRoot(srv)
	cases := []struct {
		name, condition string
		allowed         bool
	}{
		{"all-match", `{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"},"Bool":{"aws:SecureTransport":"false"},"StringEquals":{"aws:RequestedRegion":"us-east-1"}}`, true},
		{"other-network", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, false},
		{"secure-only", `{"Bool":{"aws:SecureTransport":"true"}}`, false},
		{"other-region", `{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := newUser(t, srv, root, "globals-"+c.name)
			putUserPolicy(t, root, u.UserName, "globals", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`+
				`"Action":"account:GetAlternateContact","Resource":"*","Condition":`+c.condition+`}]}`)
			_, err := getAltOf(u, atypes.AlternateContactTypeBilling, "")
			if c.allowed {
				var nf *atypes.ResourceNotFoundException
				if err != nil && !errors.As(err, &nf) {
					t.Fatalf("allowed call: %v", err)
				}
				return
			}
			wantAcctDenied(t, err, deniedMsg(u.ARN, "account:GetAlternateContact", standaloneARN, noIdentityAllows("account:GetAlternateContact")))
		})
	}
}

// The organization keys of an account resource reach an administrator's
// policy when it acts on members: account:AccountResourceOrgPaths,
// account:AccountResourceOrgTags/<key>, aws:ResourceTag/<key>,
// aws:ResourceOrgID and aws:ResourceAccount.
func TestAuthzAccountResourceOrgKeys(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	srv, mgmt := e.srv, e.mgmt
	org := createOrg(t, mgmt.Org, otypes.OrganizationFeatureSetAll)
	enableTrustedAccess(t, mgmt.Org, accountPrincipal)
	blue := e.createMember(t, mgmt, "keys-blue", "keys-blue@example.com")
	green := e.createMember(t, mgmt, "keys-green", "keys-green@example.com")
	_, err := mgmt.Org.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(blue.ID),
		Tags: []otypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}})
	must(t, err, "TagResource")
	root := defaultRoot(srv)
	cases := []struct {
		name, condition string
		blue, green     bool
	}{
		{"tag", `{"StringEquals":{"aws:ResourceTag/team":"blue"}}`, true, false},
		{"org-tag", `{"StringEquals":{"account:AccountResourceOrgTags/team":"blue"}}`, true, false},
		{"path", `{"StringLike":{"account:AccountResourceOrgPaths":"` + aws.ToString(org.Id) + `/r-*/` + green.ID + `/"}}`, false, true},
		{"org", `{"StringEquals":{"aws:ResourceOrgID":"` + aws.ToString(org.Id) + `"}}`, true, true},
		{"account", `{"StringEquals":{"aws:ResourceAccount":"` + blue.ID + `"}}`, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := newUser(t, srv, root, "orgkeys-"+c.name)
			putUserPolicy(t, root, u.UserName, "orgkeys", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`+
				`"Action":"account:GetAlternateContact","Resource":"*","Condition":`+c.condition+`}]}`)
			for _, m := range []struct {
				id      string
				allowed bool
			}{{blue.ID, c.blue}, {green.ID, c.green}} {
				_, err := getAltOf(u, atypes.AlternateContactTypeBilling, m.id)
				var denied *atypes.AccessDeniedException
				if got := errors.As(err, &denied); got == m.allowed {
					t.Errorf("member %s: %v; want allowed %v", m.id, err, m.allowed)
				}
			}
		})
	}
}
