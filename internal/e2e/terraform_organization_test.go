package e2e_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

// The Terraform replays drive the server with the call sequence the AWS
// provider's resources make (terraform-provider-aws, internal/service/
// organizations), so that the provider works unchanged against it.

// aws_organizations_organization with
//
//	aws_service_access_principals = ["account.amazonaws.com", "config.amazonaws.com"]
//	enabled_policy_types          = ["SERVICE_CONTROL_POLICY", "TAG_POLICY"]
//	feature_set                   = "ALL"
func TestTerraformOrganization(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	c := e.mgmt.Org
	principals := []string{accountPrincipal, configPrincipal}
	policyTypes := []otypes.PolicyType{scpType, otypes.PolicyTypeTagPolicy}

	// read is resourceOrganizationRead.
	read := func(t *testing.T) (*otypes.Organization, []otypes.Account, otypes.Root, map[string]bool) {
		t.Helper()
		out, err := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		must(t, err, "DescribeOrganization")
		accounts := listAccounts(t, c)
		var roots []otypes.Root
		p := organizations.NewListRootsPaginator(c, &organizations.ListRootsInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			must(t, err, "ListRoots")
			roots = append(roots, page.Roots...)
		}
		if len(roots) != 1 {
			t.Fatalf("ListRoots: %d roots", len(roots))
		}
		enabled := map[string]bool{}
		if out.Organization.FeatureSet == otypes.OrganizationFeatureSetAll {
			for sp := range serviceAccess(t, c) {
				enabled[sp] = true
			}
		}
		return out.Organization, accounts, roots[0], enabled
	}

	t.Run("Create", func(t *testing.T) {
		_, err := c.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: otypes.OrganizationFeatureSetAll})
		must(t, err, "CreateOrganization")
		for _, sp := range principals {
			_, err := c.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(sp)})
			must(t, err, "EnableAWSServiceAccess "+sp)
		}
		rootID := rootOf(t, c).Id
		for _, pt := range policyTypes {
			_, err := c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: rootID, PolicyType: pt})
			must(t, err, "EnablePolicyType "+string(pt))
			// waitPolicyTypeEnabled: poll ListRoots until the type is ENABLED
			// (PENDING_ENABLE in between).
			enabled := false
			for range terraformMaxPolls {
				st, ok := rootPolicyTypes(t, c)[pt]
				if ok && st == otypes.PolicyTypeStatusEnabled {
					enabled = true
					break
				}
				if ok && st != otypes.PolicyTypeStatusPendingEnable {
					t.Fatalf("policy type %s is %s while enabling", pt, st)
				}
				e.clk.Advance(terraformPollInterval)
			}
			if !enabled {
				t.Fatalf("policy type %s never became ENABLED", pt)
			}
		}
	})

	t.Run("Read", func(t *testing.T) {
		org, accounts, root, enabled := read(t)
		if org.FeatureSet != otypes.OrganizationFeatureSetAll || aws.ToString(org.MasterAccountId) != defaultAccountID ||
			aws.ToString(org.MasterAccountEmail) != defaultEmail || aws.ToString(org.MasterAccountArn) == "" || aws.ToString(org.Arn) == "" {
			t.Errorf("organization = %+v", org)
		}
		sameIDs(t, "accounts", accountIDsOf(accounts), []string{defaultAccountID})
		types := map[otypes.PolicyType]otypes.PolicyTypeStatus{}
		for _, pt := range root.PolicyTypes {
			types[pt.Type] = pt.Status
		}
		for _, pt := range policyTypes {
			if types[pt] != otypes.PolicyTypeStatusEnabled {
				t.Errorf("root policy types %v, want %s ENABLED", types, pt)
			}
		}
		if len(enabled) != 2 || !enabled[accountPrincipal] || !enabled[configPrincipal] {
			t.Errorf("service access principals = %v", enabled)
		}
	})

	t.Run("UpdateRemovesOneOfEach", func(t *testing.T) {
		_, err := c.DisableAWSServiceAccess(ctx, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String(configPrincipal)})
		must(t, err, "DisableAWSServiceAccess")
		_, err = c.DisablePolicyType(ctx, &organizations.DisablePolicyTypeInput{RootId: rootOf(t, c).Id, PolicyType: otypes.PolicyTypeTagPolicy})
		must(t, err, "DisablePolicyType")
		// waitPolicyTypeDisabled: poll ListRoots until the type is gone.
		if _, ok := rootPolicyTypes(t, c)[otypes.PolicyTypeTagPolicy]; ok {
			t.Errorf("TAG_POLICY still listed after DisablePolicyType")
		}
		_, _, _, enabled := read(t)
		if len(enabled) != 1 || !enabled[accountPrincipal] {
			t.Errorf("service access principals = %v", enabled)
		}
	})

	t.Run("Destroy", func(t *testing.T) {
		_, err := c.DeleteOrganization(ctx, &organizations.DeleteOrganizationInput{})
		must(t, err, "DeleteOrganization")
		// The provider's post-destroy check: DescribeOrganization answers
		// AWSOrganizationsNotInUseException, which it reads as gone.
		_, err = c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		wantNotInUse(t, err)
	})
}
