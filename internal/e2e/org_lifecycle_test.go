package e2e_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

func TestOrgLifecycle(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	c := e.mgmt.Org

	t.Run("NotInUseBeforeCreate", func(t *testing.T) {
		_, err := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		wantNotInUse(t, err)
		_, err = c.ListRoots(ctx, &organizations.ListRootsInput{})
		wantNotInUse(t, err)
		_, err = c.DeleteOrganization(ctx, &organizations.DeleteOrganizationInput{})
		wantNotInUse(t, err)
	})

	var org *otypes.Organization
	t.Run("CreateDefaultsToAllFeatures", func(t *testing.T) {
		org = createOrg(t, c, "")
		if org.FeatureSet != otypes.OrganizationFeatureSetAll {
			t.Errorf("FeatureSet = %q, want ALL", org.FeatureSet)
		}
		id := aws.ToString(org.Id)
		if !reOrgID.MatchString(id) {
			t.Errorf("Id = %q", id)
		}
		if got, want := aws.ToString(org.Arn), "arn:aws:organizations::000000000000:organization/"+id; got != want {
			t.Errorf("Arn = %q, want %q", got, want)
		}
		if got := aws.ToString(org.MasterAccountId); got != defaultAccountID {
			t.Errorf("MasterAccountId = %q", got)
		}
		if got, want := aws.ToString(org.MasterAccountArn), "arn:aws:organizations::000000000000:account/"+id+"/000000000000"; got != want {
			t.Errorf("MasterAccountArn = %q, want %q", got, want)
		}
		if got := aws.ToString(org.MasterAccountEmail); got != defaultEmail {
			t.Errorf("MasterAccountEmail = %q, want %q", got, defaultEmail)
		}
	})
	if org == nil {
		t.FailNow()
	}

	t.Run("Describe", func(t *testing.T) {
		out, err := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		must(t, err, "DescribeOrganization")
		o := out.Organization
		if aws.ToString(o.Id) != aws.ToString(org.Id) || o.FeatureSet != otypes.OrganizationFeatureSetAll ||
			aws.ToString(o.MasterAccountId) != defaultAccountID || aws.ToString(o.Arn) != aws.ToString(org.Arn) {
			t.Errorf("DescribeOrganization = %+v, want %+v", o, org)
		}
	})

	t.Run("OneRootAndTheManagementAccount", func(t *testing.T) {
		r := rootOf(t, c)
		if !reRootID.MatchString(aws.ToString(r.Id)) || aws.ToString(r.Name) != "Root" {
			t.Errorf("root = %+v", r)
		}
		if want := "arn:aws:organizations::000000000000:root/" + aws.ToString(org.Id) + "/" + aws.ToString(r.Id); aws.ToString(r.Arn) != want {
			t.Errorf("root Arn = %q, want %q", aws.ToString(r.Arn), want)
		}
		if len(r.PolicyTypes) != 0 {
			t.Errorf("a new root has policy types %+v", r.PolicyTypes)
		}
		sameIDs(t, "ListAccounts", accountIDsOf(listAccounts(t, c)), []string{defaultAccountID})
		a := describeAccount(t, c, defaultAccountID)
		if a.Status != otypes.AccountStatusActive || a.State != otypes.AccountStateActive || aws.ToString(a.Email) != defaultEmail {
			t.Errorf("management account = %+v", a)
		}
	})

	t.Run("AlreadyInOrganization", func(t *testing.T) {
		_, err := c.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
		wantOrgErr[*otypes.AlreadyInOrganizationException](t, err, "AlreadyInOrganizationException")
		_, err = c.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: otypes.OrganizationFeatureSetConsolidatedBilling})
		wantOrgErr[*otypes.AlreadyInOrganizationException](t, err, "AlreadyInOrganizationException")
	})

	b := e.signUp(t, "member-b", "lifecycle-b@example.com")
	t.Run("DeleteWithMembers", func(t *testing.T) {
		join(t, e.mgmt, b)
		_, err := c.DeleteOrganization(ctx, &organizations.DeleteOrganizationInput{})
		wantOrgErr[*otypes.OrganizationNotEmptyException](t, err, "OrganizationNotEmptyException")
		// A member may read the organization but not delete it.
		out, err := b.Org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		must(t, err, "member DescribeOrganization")
		if aws.ToString(out.Organization.Id) != aws.ToString(org.Id) {
			t.Errorf("member sees organization %q, want %q", aws.ToString(out.Organization.Id), aws.ToString(org.Id))
		}
		_, err = b.Org.DeleteOrganization(ctx, &organizations.DeleteOrganizationInput{})
		wantOrgAccessDenied(t, err)
		_, err = b.Org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
		wantOrgErr[*otypes.AlreadyInOrganizationException](t, err, "AlreadyInOrganizationException")
	})

	t.Run("DeleteEmpty", func(t *testing.T) {
		_, err := b.Org.LeaveOrganization(ctx, &organizations.LeaveOrganizationInput{})
		must(t, err, "LeaveOrganization")
		_, err = c.DeleteOrganization(ctx, &organizations.DeleteOrganizationInput{})
		must(t, err, "DeleteOrganization")
		_, err = c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		wantNotInUse(t, err)
		_, err = c.ListAccounts(ctx, &organizations.ListAccountsInput{})
		wantNotInUse(t, err)
		_, err = c.DeleteOrganization(ctx, &organizations.DeleteOrganizationInput{})
		wantNotInUse(t, err)
	})

	t.Run("ConsolidatedBilling", func(t *testing.T) {
		o := createOrg(t, c, otypes.OrganizationFeatureSetConsolidatedBilling)
		if o.FeatureSet != otypes.OrganizationFeatureSetConsolidatedBilling {
			t.Errorf("FeatureSet = %q, want CONSOLIDATED_BILLING", o.FeatureSet)
		}
		if aws.ToString(o.Id) == aws.ToString(org.Id) {
			t.Errorf("the new organization reuses the deleted one's id %s", aws.ToString(o.Id))
		}
		out, err := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		must(t, err, "DescribeOrganization")
		if out.Organization.FeatureSet != otypes.OrganizationFeatureSetConsolidatedBilling {
			t.Errorf("described FeatureSet = %q", out.Organization.FeatureSet)
		}
		// Trusted access and policies need all features.
		_, err = c.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(accountPrincipal)})
		wantConstraint(t, err, otypes.ConstraintViolationExceptionReasonOrganizationNotInAllFeaturesMode)
		_, err = c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: rootOf(t, c).Id, PolicyType: scpType})
		wantOrgErr[*otypes.PolicyTypeNotAvailableForOrganizationException](t, err, "PolicyTypeNotAvailableForOrganizationException")
		_, err = c.DeleteOrganization(ctx, &organizations.DeleteOrganizationInput{})
		must(t, err, "DeleteOrganization")
	})

	t.Run("InvalidFeatureSet", func(t *testing.T) {
		_, err := c.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: "EVERYTHING"})
		wantInvalidInput(t, err, otypes.InvalidInputExceptionReasonInvalidEnum)
	})

	t.Run("StandaloneCalls", func(t *testing.T) {
		s := e.signUp(t, "standalone", "lifecycle-s@example.com")
		_, err := s.Org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		wantNotInUse(t, err)
		_, err = s.Org.LeaveOrganization(ctx, &organizations.LeaveOrganizationInput{})
		wantNotInUse(t, err)
		_, err = s.Org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("x"), Email: aws.String("x-lifecycle@example.com")})
		wantNotInUse(t, err)
	})
}
