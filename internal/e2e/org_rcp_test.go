package e2e_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Resource control policies: RCPFullAWSAccess everywhere and for good, and
// a customer RCP denying sts:AssumeRole to principals outside the
// organization: a standalone account's user is refused a member's role
// that trusts it, while the management account still assumes the member's
// OrganizationAccountAccessRole.
func TestResourceControlPolicies(t *testing.T) {
	t.Parallel()
	w := newOrgTree(t, "rcp")
	c, srv := w.c, w.e.srv
	const rcpFull = "p-RCPFullAWSAccess"

	// The member's role Shared trusts a standalone account, whose user may
	// assume roles.
	outsiderAcct := w.e.signUp(t, "outsider", "rcp-outsider@example.com")
	outsider := newUser(t, srv, rootPrincipal(srv, outsiderAcct.ID, outsiderAcct.key, outsiderAcct.secret), "eve", adminAccessARN)
	memberRoot := rootPrincipal(srv, w.memberID, w.member.key, w.member.secret)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + outsiderAcct.ID + `:root"},"Action":"sts:AssumeRole"}]}`
	_, err := memberRoot.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Shared"), AssumeRolePolicyDocument: aws.String(trust)})
	must(t, err, "CreateRole Shared")
	sharedARN := "arn:aws:iam::" + w.memberID + ":role/Shared"
	accessARN := "arn:aws:iam::" + w.memberID + ":role/" + orgAccessRoleName
	ops := newUser(t, srv, defaultRoot(srv), "ops", adminAccessARN)

	assume := func(p principal, role string) error {
		_, err := p.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("rcp")})
		return err
	}
	must(t, assume(outsider, sharedARN), "AssumeRole by the outsider before RCPs")

	enablePolicyType(t, c, w.root, otypes.PolicyTypeResourceControlPolicy)

	t.Run("RCPFullAWSAccessEverywhere", func(t *testing.T) {
		late := w.e.createAccount(t, c, "rcp-late", "rcp-late@example.com")
		for _, target := range []string{w.root, w.ou, w.memberID, w.other, w.mgmtID, late} {
			if got := policiesFor(t, c, target, otypes.PolicyTypeResourceControlPolicy); !slices.Equal(got, []string{rcpFull}) {
				t.Errorf("RCPs of %s = %v, want [%s]", target, got, rcpFull)
			}
		}
		out, err := c.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(rcpFull)})
		must(t, err, "DescribePolicy p-RCPFullAWSAccess")
		s := out.Policy.PolicySummary
		if aws.ToString(s.Arn) != "arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess" || !s.AwsManaged ||
			aws.ToString(s.Name) != "RCPFullAWSAccess" || s.Type != otypes.PolicyTypeResourceControlPolicy {
			t.Errorf("p-RCPFullAWSAccess = %+v", s)
		}
		list, err := c.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: otypes.PolicyTypeResourceControlPolicy})
		must(t, err, "ListPolicies RCP")
		if len(list.Policies) != 1 || aws.ToString(list.Policies[0].Id) != rcpFull {
			t.Errorf("ListPolicies RCP = %+v", list.Policies)
		}
		_, err = c.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(rcpFull), TargetId: aws.String(w.memberID)})
		wantInvalidInput(t, err, otypes.InvalidInputExceptionReasonNonDetachablePolicy)
	})

	t.Run("DenyOnly", func(t *testing.T) {
		_, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{
			Name: aws.String("allow"), Description: aws.String(""), Type: otypes.PolicyTypeResourceControlPolicy,
			Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`),
		})
		wantOrgErr[*otypes.MalformedPolicyDocumentException](t, err, "MalformedPolicyDocumentException")
	})

	orgOnly := createPolicy(t, c, "org-only", otypes.PolicyTypeResourceControlPolicy, `{"Version":"2012-10-17","Statement":[{
		"Sid":"EnforceOrgIdentities","Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Resource":"*",
		"Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"`+w.orgID+`"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}]}`)
	attachPolicy(t, c, orgOnly, w.root)

	t.Run("OutsiderRefused", func(t *testing.T) {
		err := assume(outsider, sharedARN)
		wantQueryDenied(t, err, deniedMsg(outsider.ARN, "sts:AssumeRole", sharedARN, "with an explicit deny in a resource control policy"))
		chk := lastCheck(t, decisionOf(t, srv.URL, err))
		if chk["deniedBy"] != "resource control policy" || chk["explicitDeny"] != true {
			t.Errorf("decision check = %v", chk)
		}
		r := reasonWith(chk, "EnforceOrgIdentities", "Deny")
		if r == nil || r["kind"] != "resource control policy" || r["policy"] != orgOnly {
			t.Errorf("decision reasons lack the RCP's Deny: %v", chk["reasons"])
		}
	})

	t.Run("OrganizationStillAssumes", func(t *testing.T) {
		must(t, assume(ops, accessARN), "AssumeRole of OrganizationAccountAccessRole by the management account's user")
	})

	t.Run("ManagementAccountExempt", func(t *testing.T) {
		// A role of the management account trusting the outsider stays
		// assumable: RCPs do not affect the management account's resources.
		mgmtRoot := defaultRoot(srv)
		_, err := mgmtRoot.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Partner"), AssumeRolePolicyDocument: aws.String(trust)})
		must(t, err, "CreateRole Partner")
		must(t, assume(outsider, "arn:aws:iam::"+w.mgmtID+":role/Partner"), "AssumeRole of the management account's role")
	})

	t.Run("DetachedAgain", func(t *testing.T) {
		_, err := c.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(orgOnly), TargetId: aws.String(w.root)})
		must(t, err, "DetachPolicy org-only")
		must(t, assume(outsider, sharedARN), "AssumeRole by the outsider after detaching the RCP")
	})

	t.Run("Disabled", func(t *testing.T) {
		attachPolicy(t, c, orgOnly, w.ou)
		wantQueryDenied(t, assume(outsider, sharedARN), "")
		_, err := c.DisablePolicyType(ctx, &organizations.DisablePolicyTypeInput{RootId: aws.String(w.root), PolicyType: otypes.PolicyTypeResourceControlPolicy})
		must(t, err, "DisablePolicyType RCP")
		must(t, assume(outsider, sharedARN), "AssumeRole by the outsider with RCPs disabled")
		if got := policiesFor(t, c, w.ou, otypes.PolicyTypeResourceControlPolicy); len(got) != 0 {
			t.Errorf("RCPs of the OU after disabling: %v", got)
		}
	})
}
