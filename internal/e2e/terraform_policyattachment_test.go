package e2e_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

// aws_organizations_policy_attachment: users import the attachment of
// p-FullAWSAccess on every target (terraform import
// aws_organizations_policy_attachment.x r-xxxx:p-FullAWSAccess), and manage
// attachments of their own SCPs.
func TestTerraformPolicyAttachment(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	c := e.mgmt.Org
	createOrg(t, c, otypes.OrganizationFeatureSetAll)
	root := aws.ToString(rootOf(t, c).Id)
	_, err := c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: scpType})
	must(t, err, "EnablePolicyType")
	ou := aws.ToString(createOU(t, c, root, "workloads").Id)
	acct := e.createAccount(t, c, "tf-pa", "tf-pa@example.com")

	// findPolicyAttachmentByTwoPartKey, both ways the provider has looked
	// an attachment up: the target's policies of the policy's type, and the
	// policy's targets.
	attached := func(t *testing.T, target, policy string) bool {
		t.Helper()
		out, err := c.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(policy)})
		must(t, err, "DescribePolicy")
		byTarget := slices.Contains(policiesFor(t, c, target, out.Policy.PolicySummary.Type), policy)
		byPolicy := slices.Contains(targetsFor(t, c, policy), target)
		if byTarget != byPolicy {
			t.Errorf("%s on %s: ListPoliciesForTarget says %v, ListTargetsForPolicy says %v", policy, target, byTarget, byPolicy)
		}
		return byTarget
	}

	t.Run("ImportFullAWSAccess", func(t *testing.T) {
		for _, target := range []string{root, ou, acct} {
			importID := target + ":" + fullAWSAccess
			tgt, pol, ok := strings.Cut(importID, ":")
			if !ok || pol != fullAWSAccess {
				t.Fatalf("import id %q", importID)
			}
			if !attached(t, tgt, pol) {
				t.Errorf("import %s: p-FullAWSAccess is not attached to %s", importID, tgt)
			}
		}
	})

	var policy string
	t.Run("Create", func(t *testing.T) {
		out, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{
			Name: aws.String("deny-leave"), Description: aws.String("managed by Terraform"), Content: aws.String(denyLeaveSCP), Type: scpType,
		})
		must(t, err, "CreatePolicy")
		policy = aws.ToString(out.Policy.PolicySummary.Id)
		for _, target := range []string{root, ou, acct} {
			_, err := c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(policy), TargetId: aws.String(target)})
			must(t, err, "AttachPolicy "+target)
			if !attached(t, target, policy) {
				t.Errorf("%s not attached to %s after AttachPolicy", policy, target)
			}
		}
	})
	if policy == "" {
		t.FailNow()
	}

	t.Run("Destroy", func(t *testing.T) {
		for _, target := range []string{root, ou, acct} {
			_, err := c.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(policy), TargetId: aws.String(target)})
			must(t, err, "DetachPolicy "+target)
			if attached(t, target, policy) {
				t.Errorf("%s still attached to %s after DetachPolicy", policy, target)
			}
			// A second destroy of an already detached attachment.
			_, err = c.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(policy), TargetId: aws.String(target)})
			wantOrgErr[*otypes.PolicyNotAttachedException](t, err, "PolicyNotAttachedException")
		}
		// The imported p-FullAWSAccess attachments are untouched.
		for _, target := range []string{root, ou, acct} {
			if !attached(t, target, fullAWSAccess) {
				t.Errorf("p-FullAWSAccess left %s", target)
			}
		}
		_, err := c.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(policy)})
		must(t, err, "DeletePolicy")
	})
}
