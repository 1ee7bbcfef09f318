package e2e_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

var reResourcePolicyID = regexp.MustCompile(`^rp-[0-9a-zA-Z_]{4,128}$`)

// The delegation policy lets a delegated administrator create and attach
// SCPs; its own identity policies must still allow the calls, the policy's
// resources and conditions narrow what it may do, and a Deny in it wins.
func TestDelegationPolicy(t *testing.T) {
	t.Parallel()
	w := newOrgTree(t, "deleg")
	c, srv := w.c, w.e.srv
	enableTrustedAccess(t, c, accountPrincipal)
	admin := w.e.createMember(t, w.e.mgmt, "deleg-admin", "deleg-admin@example.com")
	registerAdmin(t, c, admin.ID, accountPrincipal)
	enablePolicyType(t, c, w.root, scpType)

	createSCP := func(cl *organizations.Client, name string) (*otypes.Policy, error) {
		out, err := cl.CreatePolicy(ctx, &organizations.CreatePolicyInput{
			Name: aws.String(name), Description: aws.String("by the delegated administrator"), Type: scpType, Content: aws.String(denyLeaveSCP),
		})
		if err != nil {
			return nil, err
		}
		return out.Policy, nil
	}
	attach := func(cl *organizations.Client, policy, target string) error {
		_, err := cl.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(policy), TargetId: aws.String(target)})
		return err
	}

	t.Run("NoPolicyYet", func(t *testing.T) {
		_, err := createSCP(admin.Org, "too-early")
		wantOrgAccessDenied(t, err)
		_, err = admin.Org.DescribeResourcePolicy(ctx, &organizations.DescribeResourcePolicyInput{})
		wantOrgErr[*otypes.ResourcePolicyNotFoundException](t, err, "ResourcePolicyNotFoundException")
		// The delegated administrator reads, as before.
		_, err = admin.Org.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: scpType})
		must(t, err, "ListPolicies as the delegated administrator")
	})

	rootARN := "arn:aws:organizations::" + w.mgmtID + ":root/" + w.orgID + "/" + w.root
	content := `{"Version":"2012-10-17","Statement":[
		{"Sid":"ManageSCPs","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + admin.ID + `:root"},
		 "Action":["organizations:CreatePolicy","organizations:UpdatePolicy","organizations:DeletePolicy","organizations:AttachPolicy","organizations:DetachPolicy"],
		 "Resource":"*","Condition":{"StringEquals":{"organizations:PolicyType":"SERVICE_CONTROL_POLICY"}}},
		{"Sid":"NotAtTheRoot","Effect":"Deny","Principal":{"AWS":"` + admin.ID + `"},"Action":"organizations:AttachPolicy","Resource":"` + rootARN + `"},
		{"Sid":"NavigateOnly","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + w.memberID + `:root"},"Action":["organizations:ListRoots","organizations:Describe*"],"Resource":"*"}]}`

	var rpID string
	t.Run("Put", func(t *testing.T) {
		out, err := c.PutResourcePolicy(ctx, &organizations.PutResourcePolicyInput{
			Content: aws.String(content), Tags: []otypes.Tag{{Key: aws.String("owner"), Value: aws.String("platform")}},
		})
		must(t, err, "PutResourcePolicy")
		s := out.ResourcePolicy.ResourcePolicySummary
		rpID = aws.ToString(s.Id)
		if !reResourcePolicyID.MatchString(rpID) || aws.ToString(s.Arn) != "arn:aws:organizations::"+w.mgmtID+":resourcepolicy/"+w.orgID+"/"+rpID ||
			aws.ToString(out.ResourcePolicy.Content) != content {
			t.Errorf("PutResourcePolicy = %s %s", rpID, aws.ToString(s.Arn))
		}
		for _, cl := range []*organizations.Client{c, admin.Org} {
			d, err := cl.DescribeResourcePolicy(ctx, &organizations.DescribeResourcePolicyInput{})
			must(t, err, "DescribeResourcePolicy")
			if aws.ToString(d.ResourcePolicy.ResourcePolicySummary.Id) != rpID || aws.ToString(d.ResourcePolicy.Content) != content {
				t.Errorf("DescribeResourcePolicy = %+v", d.ResourcePolicy.ResourcePolicySummary)
			}
		}
		if got := tagsOf(t, c, rpID); got["owner"] != "platform" || len(got) != 1 {
			t.Errorf("tags of the resource policy = %v", got)
		}
		// Only the management account puts it.
		_, err = admin.Org.PutResourcePolicy(ctx, &organizations.PutResourcePolicyInput{Content: aws.String(content)})
		wantOrgAccessDenied(t, err)
	})

	var scp string
	t.Run("DelegatedAdminManagesSCPs", func(t *testing.T) {
		p, err := createSCP(admin.Org, "deny-leave")
		must(t, err, "CreatePolicy as the delegated administrator")
		scp = aws.ToString(p.PolicySummary.Id)
		if want := "arn:aws:organizations::" + w.mgmtID + ":policy/" + w.orgID + "/service_control_policy/" + scp; aws.ToString(p.PolicySummary.Arn) != want {
			t.Errorf("Arn = %s, want %s", aws.ToString(p.PolicySummary.Arn), want)
		}
		must(t, attach(admin.Org, scp, w.ou), "AttachPolicy to the OU as the delegated administrator")
		if got := policiesFor(t, c, w.ou, scpType); !strings.Contains(strings.Join(got, ","), scp) {
			t.Errorf("SCPs of the OU = %v, want %s among them", got, scp)
		}
		// A Deny in the policy wins.
		wantOrgAccessDenied(t, attach(admin.Org, scp, w.root))
		// The policy type is conditioned.
		_, err = admin.Org.CreatePolicy(ctx, &organizations.CreatePolicyInput{
			Name: aws.String("tags"), Description: aws.String(""), Type: otypes.PolicyTypeTagPolicy,
			Content: aws.String(`{"tags":{"team":{"tag_key":{"@@assign":"Team"}}}}`),
		})
		wantOrgAccessDenied(t, err)
		// Operations the policy does not name stay the management account's.
		_, err = admin.Org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(w.root), Name: aws.String("nope")})
		wantOrgAccessDenied(t, err)
		// And the SCP binds the member below the OU.
		_, err = w.member.Org.LeaveOrganization(ctx, &organizations.LeaveOrganizationInput{})
		wantOrgDenied(t, err, "")
	})

	t.Run("IdentityPoliciesStillApply", func(t *testing.T) {
		adminRoot := rootPrincipal(srv, admin.ID, admin.key, admin.secret)
		plain := newUser(t, srv, adminRoot, "plain")
		_, err := createSCP(plain.Org, "by-plain")
		wantOrgDenied(t, err, deniedMsg(plain.ARN, "organizations:CreatePolicy", "", noIdentityAllows("organizations:CreatePolicy")))
		putUserPolicy(t, adminRoot, "plain", "orgs", allowDoc("organizations:*"))
		_, err = createSCP(plain.Org, "by-plain")
		must(t, err, "CreatePolicy by an IAM user of the delegated administrator allowed by its identity policy")
	})

	t.Run("ReadsNamedOnly", func(t *testing.T) {
		// The member is not a delegated administrator: the policy gives it
		// ListRoots and Describe*, nothing else.
		_, err := w.member.Org.ListRoots(ctx, &organizations.ListRootsInput{})
		must(t, err, "ListRoots as a member the policy names")
		_, err = w.member.Org.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(scp)})
		must(t, err, "DescribePolicy as a member the policy names")
		_, err = w.member.Org.DescribeEffectivePolicy(ctx, &organizations.DescribeEffectivePolicyInput{PolicyType: otypes.EffectivePolicyTypeTagPolicy, TargetId: aws.String(w.other)})
		wantOrgErr[*otypes.EffectivePolicyNotFoundException](t, err, "EffectivePolicyNotFoundException")
		_, err = w.member.Org.ListAccounts(ctx, &organizations.ListAccountsInput{})
		wantOrgAccessDenied(t, err)
		_, err = w.member.Org.DescribeResourcePolicy(ctx, &organizations.DescribeResourcePolicyInput{})
		must(t, err, "DescribeResourcePolicy as a member the policy names")
	})

	t.Run("InvalidPolicies", func(t *testing.T) {
		for _, tt := range []struct {
			content string
			reason  otypes.InvalidInputExceptionReason
		}{
			{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"organizations:ListRoots","Resource":"*"}]}`, otypes.InvalidInputExceptionReasonInvalidPrincipal},
			{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + admin.ID + `"},"Action":"organizations:CreateAccount","Resource":"*"}]}`, otypes.InvalidInputExceptionReasonUnsupportedActionInResourcePolicy},
			{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + admin.ID + `"},"Action":"organizations:ListRoots","Resource":"arn:aws:s3:::x"}]}`, otypes.InvalidInputExceptionReasonUnsupportedResourceInResourcePolicy},
			{`{"Version":"2012-10-17","Statement":`, otypes.InvalidInputExceptionReasonInvalidResourcePolicyJson},
		} {
			_, err := c.PutResourcePolicy(ctx, &organizations.PutResourcePolicyInput{Content: aws.String(tt.content)})
			wantInvalidInput(t, err, tt.reason)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		_, err := admin.Org.DeleteResourcePolicy(ctx, &organizations.DeleteResourcePolicyInput{})
		wantOrgAccessDenied(t, err)
		_, err = c.DeleteResourcePolicy(ctx, &organizations.DeleteResourcePolicyInput{})
		must(t, err, "DeleteResourcePolicy")
		_, err = c.DescribeResourcePolicy(ctx, &organizations.DescribeResourcePolicyInput{})
		wantOrgErr[*otypes.ResourcePolicyNotFoundException](t, err, "ResourcePolicyNotFoundException")
		_, err = c.DeleteResourcePolicy(ctx, &organizations.DeleteResourcePolicyInput{})
		wantOrgErr[*otypes.ResourcePolicyNotFoundException](t, err, "ResourcePolicyNotFoundException")
		_, err = createSCP(admin.Org, "after-delete")
		wantOrgAccessDenied(t, err)
		_, err = w.member.Org.ListRoots(ctx, &organizations.ListRootsInput{})
		wantOrgAccessDenied(t, err)
	})
}
