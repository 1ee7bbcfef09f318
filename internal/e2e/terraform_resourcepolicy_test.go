package e2e_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/accountplane/accountplane/accountplanetest"
)

// aws_organizations_resource_policy, as the provider's acceptance test
// configures it: the content names the delegated account by
// data.aws_caller_identity.delegated.arn and delegates the read-only
// actions. Create is PutResourcePolicy (normalized content and the tags)
// then Read (findResourcePolicy: DescribeResourcePolicy, with
// AWSOrganizationsNotInUseException and ResourcePolicyNotFoundException
// meaning gone; the transparent tagging reads ListTagsForResource of the
// id); a content change is PutResourcePolicy without tags, a tags change
// Tag/UntagResource of the id; Destroy is DeleteResourcePolicy
// (ResourcePolicyNotFoundException counts as gone); import is a Read by
// id.
func TestTerraformResourcePolicy(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	c := e.mgmt.Org
	createOrg(t, c, otypes.OrganizationFeatureSetAll)
	delegated := e.createMember(t, e.mgmt, "tf-delegated", "tf-delegated@example.com")
	who, err := stsClient(e.srv.ConfigFor(delegated.key, delegated.secret)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	must(t, err, "GetCallerIdentity of the delegated account")

	readActions := `"organizations:DescribeOrganization","organizations:DescribeOrganizationalUnit","organizations:DescribeAccount",` +
		`"organizations:DescribePolicy","organizations:DescribeEffectivePolicy","organizations:ListRoots",` +
		`"organizations:ListOrganizationalUnitsForParent","organizations:ListParents","organizations:ListChildren",` +
		`"organizations:ListAccounts","organizations:ListAccountsForParent","organizations:ListPolicies",` +
		`"organizations:ListPoliciesForTarget","organizations:ListTargetsForPolicy","organizations:ListTagsForResource"`
	content := `{"Version":"2012-10-17","Statement":[{"Sid":"DelegatingNecessaryDescribeListActions","Effect":"Allow",` +
		`"Principal":{"AWS":"` + aws.ToString(who.Arn) + `"},"Action":[` + readActions + `],"Resource":"*"}]}`

	read := func(t *testing.T) (*otypes.ResourcePolicy, error) {
		t.Helper()
		out, err := c.DescribeResourcePolicy(ctx, &organizations.DescribeResourcePolicyInput{})
		if err != nil {
			return nil, err
		}
		if out.ResourcePolicy == nil || out.ResourcePolicy.ResourcePolicySummary == nil {
			t.Fatalf("DescribeResourcePolicy: empty result")
		}
		return out.ResourcePolicy, nil
	}

	var id string
	t.Run("Create", func(t *testing.T) {
		out, err := c.PutResourcePolicy(ctx, &organizations.PutResourcePolicyInput{
			Content: aws.String(content), Tags: []otypes.Tag{{Key: aws.String("key1"), Value: aws.String("value1")}},
		})
		must(t, err, "PutResourcePolicy")
		id = aws.ToString(out.ResourcePolicy.ResourcePolicySummary.Id)
		rp, err := read(t)
		must(t, err, "DescribeResourcePolicy")
		if aws.ToString(rp.ResourcePolicySummary.Id) != id || aws.ToString(rp.ResourcePolicySummary.Arn) == "" {
			t.Errorf("Read = %+v", rp.ResourcePolicySummary)
		}
		sameJSON(t, "content", aws.ToString(rp.Content), content)
		if got := tagsOf(t, c, id); len(got) != 1 || got["key1"] != "value1" {
			t.Errorf("tags = %v", got)
		}
	})
	if id == "" {
		t.FailNow()
	}

	t.Run("DelegatedReads", func(t *testing.T) {
		root, err := delegated.Org.ListRoots(ctx, &organizations.ListRootsInput{})
		must(t, err, "ListRoots as the delegated account")
		_, err = delegated.Org.ListAccounts(ctx, &organizations.ListAccountsInput{})
		must(t, err, "ListAccounts as the delegated account")
		_, err = delegated.Org.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: scpType})
		must(t, err, "ListPolicies as the delegated account")
		_, err = delegated.Org.ListChildren(ctx, &organizations.ListChildrenInput{ParentId: root.Roots[0].Id, ChildType: otypes.ChildTypeAccount})
		must(t, err, "ListChildren as the delegated account")
		// Not delegated: the handshakes.
		_, err = delegated.Org.ListHandshakesForOrganization(ctx, &organizations.ListHandshakesForOrganizationInput{})
		wantOrgAccessDenied(t, err)
	})

	t.Run("UpdateContentAndTags", func(t *testing.T) {
		narrower := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + aws.ToString(who.Arn) + `"},"Action":"organizations:ListRoots","Resource":"*"}]}`
		_, err := c.PutResourcePolicy(ctx, &organizations.PutResourcePolicyInput{Content: aws.String(narrower)})
		must(t, err, "PutResourcePolicy (update)")
		_, err = c.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(id), Tags: []otypes.Tag{{Key: aws.String("key2"), Value: aws.String("value2")}}})
		must(t, err, "TagResource")
		_, err = c.UntagResource(ctx, &organizations.UntagResourceInput{ResourceId: aws.String(id), TagKeys: []string{"key1"}})
		must(t, err, "UntagResource")
		rp, err := read(t)
		must(t, err, "DescribeResourcePolicy")
		if aws.ToString(rp.ResourcePolicySummary.Id) != id {
			t.Errorf("the id changed on update: %s, was %s", aws.ToString(rp.ResourcePolicySummary.Id), id)
		}
		sameJSON(t, "content", aws.ToString(rp.Content), narrower)
		if got := tagsOf(t, c, id); len(got) != 1 || got["key2"] != "value2" {
			t.Errorf("tags = %v", got)
		}
		_, err = delegated.Org.ListAccounts(ctx, &organizations.ListAccountsInput{})
		wantOrgAccessDenied(t, err)
	})

	t.Run("Destroy", func(t *testing.T) {
		_, err := c.DeleteResourcePolicy(ctx, &organizations.DeleteResourcePolicyInput{})
		must(t, err, "DeleteResourcePolicy")
		_, err = read(t)
		wantOrgErr[*otypes.ResourcePolicyNotFoundException](t, err, "ResourcePolicyNotFoundException")
		_, err = c.DeleteResourcePolicy(ctx, &organizations.DeleteResourcePolicyInput{})
		wantOrgErr[*otypes.ResourcePolicyNotFoundException](t, err, "ResourcePolicyNotFoundException")
		// Its tags went with it.
		_, err = c.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String(id)})
		wantOrgErr[*otypes.TargetNotFoundException](t, err, "TargetNotFoundException")
	})

	// Outside any organization the Read finds nothing.
	t.Run("NotInUse", func(t *testing.T) {
		loner := e.signUp(t, "tf-loner", "tf-loner@example.com")
		_, err := loner.Org.DescribeResourcePolicy(ctx, &organizations.DescribeResourcePolicyInput{})
		wantNotInUse(t, err)
	})
}
