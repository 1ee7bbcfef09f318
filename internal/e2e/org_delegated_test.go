package e2e_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

const configPrincipal = "config.amazonaws.com"

func serviceAccess(t *testing.T, c *organizations.Client) map[string]time.Time {
	t.Helper()
	m := map[string]time.Time{}
	p := organizations.NewListAWSServiceAccessForOrganizationPaginator(c, &organizations.ListAWSServiceAccessForOrganizationInput{MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		must(t, err, "ListAWSServiceAccessForOrganization")
		for _, s := range out.EnabledServicePrincipals {
			m[aws.ToString(s.ServicePrincipal)] = aws.ToTime(s.DateEnabled)
		}
	}
	return m
}

func delegatedAdmins(t *testing.T, c *organizations.Client, principal string) []otypes.DelegatedAdministrator {
	t.Helper()
	in := &organizations.ListDelegatedAdministratorsInput{MaxResults: aws.Int32(1)}
	if principal != "" {
		in.ServicePrincipal = aws.String(principal)
	}
	var all []otypes.DelegatedAdministrator
	p := organizations.NewListDelegatedAdministratorsPaginator(c, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		must(t, err, "ListDelegatedAdministrators")
		all = append(all, out.DelegatedAdministrators...)
	}
	return all
}

func adminIDs(list []otypes.DelegatedAdministrator) []string {
	out := make([]string, len(list))
	for i, d := range list {
		out[i] = aws.ToString(d.Id)
	}
	return out
}

func delegatedServices(t *testing.T, c *organizations.Client, id string) ([]string, error) {
	t.Helper()
	var out []string
	p := organizations.NewListDelegatedServicesForAccountPaginator(c, &organizations.ListDelegatedServicesForAccountInput{AccountId: aws.String(id)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, s := range page.DelegatedServices {
			out = append(out, aws.ToString(s.ServicePrincipal))
		}
	}
	return out, nil
}

func TestOrgTrustedAccessAndDelegatedAdmins(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	mgmt := e.mgmt
	c := mgmt.Org
	createOrg(t, c, otypes.OrganizationFeatureSetAll)
	m1 := e.createMember(t, mgmt, "m1", "da-m1@example.com")
	m2 := e.createMember(t, mgmt, "m2", "da-m2@example.com")
	register := func(id, principal string) error {
		_, err := c.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(id), ServicePrincipal: aws.String(principal)})
		return err
	}
	deregister := func(id, principal string) error {
		_, err := c.DeregisterDelegatedAdministrator(ctx, &organizations.DeregisterDelegatedAdministratorInput{AccountId: aws.String(id), ServicePrincipal: aws.String(principal)})
		return err
	}

	t.Run("NoneEnabled", func(t *testing.T) {
		if got := serviceAccess(t, c); len(got) != 0 {
			t.Errorf("a new organization trusts %v", got)
		}
		if got := delegatedAdmins(t, c, ""); len(got) != 0 {
			t.Errorf("a new organization has delegated admins %v", adminIDs(got))
		}
	})

	t.Run("RegisterNeedsTrustedAccess", func(t *testing.T) {
		wantConstraint(t, register(m1.ID, accountPrincipal), otypes.ConstraintViolationExceptionReasonServiceAccessNotEnabled)
	})

	enabledAt := e.clk.Now()
	t.Run("EnableAndList", func(t *testing.T) {
		enableTrustedAccess(t, c, accountPrincipal)
		e.clk.Advance(time.Minute)
		enableTrustedAccess(t, c, configPrincipal)
		enableTrustedAccess(t, c, configPrincipal) // idempotent
		got := serviceAccess(t, c)
		if len(got) != 2 {
			t.Fatalf("trusted services %v, want account and config", got)
		}
		if !got[accountPrincipal].Equal(enabledAt) || !got[configPrincipal].Equal(enabledAt.Add(time.Minute)) {
			t.Errorf("DateEnabled = %v", got)
		}
		_, err := m1.Org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("ssm.amazonaws.com")})
		wantOrgAccessDenied(t, err)
		_, err = m1.Org.ListAWSServiceAccessForOrganization(ctx, &organizations.ListAWSServiceAccessForOrganizationInput{})
		wantOrgAccessDenied(t, err)
	})

	t.Run("UnrecognizedPrincipal", func(t *testing.T) {
		_, err := c.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("not-a-service")})
		wantInvalidInput(t, err, otypes.InvalidInputExceptionReasonUnrecognizedServicePrincipal)
	})

	registeredAt := e.clk.Now()
	t.Run("Register", func(t *testing.T) {
		must(t, register(m1.ID, accountPrincipal), "register m1")
		all := delegatedAdmins(t, c, "")
		if len(all) != 1 || aws.ToString(all[0].Id) != m1.ID {
			t.Fatalf("delegated admins %v, want [m1]", adminIDs(all))
		}
		d := all[0]
		if aws.ToString(d.Email) != m1.Email || aws.ToString(d.Name) != "m1" || d.JoinedMethod != otypes.AccountJoinedMethodCreated ||
			d.Status != otypes.AccountStatusActive || !aws.ToTime(d.DelegationEnabledDate).Equal(registeredAt) {
			t.Errorf("delegated admin = %+v", d)
		}
		sameIDs(t, "admins for account.amazonaws.com", adminIDs(delegatedAdmins(t, c, accountPrincipal)), []string{m1.ID})
		sameIDs(t, "admins for config.amazonaws.com", adminIDs(delegatedAdmins(t, c, configPrincipal)), nil)
		svcs, err := delegatedServices(t, c, m1.ID)
		must(t, err, "ListDelegatedServicesForAccount")
		sameIDs(t, "services of m1", svcs, []string{accountPrincipal})
	})

	t.Run("AlreadyRegistered", func(t *testing.T) {
		wantOrgErr[*otypes.AccountAlreadyRegisteredException](t, register(m1.ID, accountPrincipal), "AccountAlreadyRegisteredException")
	})

	t.Run("OnlyOneForAccountManagement", func(t *testing.T) {
		// AWS Account Management admits a single delegated administrator.
		wantConstraint(t, register(m2.ID, accountPrincipal), otypes.ConstraintViolationExceptionReasonMaxDelegatedAdministratorsForServiceLimitExceeded)
		sameIDs(t, "admins for account.amazonaws.com", adminIDs(delegatedAdmins(t, c, accountPrincipal)), []string{m1.ID})
	})

	t.Run("CannotRegisterManagement", func(t *testing.T) {
		wantConstraint(t, register(defaultAccountID, configPrincipal), otypes.ConstraintViolationExceptionReasonCannotRegisterMasterAsDelegatedAdministrator)
	})

	t.Run("RegisterNonMember", func(t *testing.T) {
		wantOrgErr[*otypes.AccountNotFoundException](t, register("123456789012", configPrincipal), "AccountNotFoundException")
	})

	t.Run("SeveralServices", func(t *testing.T) {
		must(t, register(m2.ID, configPrincipal), "register m2 for config")
		must(t, register(m1.ID, configPrincipal), "register m1 for config")
		sameIDs(t, "all admins", adminIDs(delegatedAdmins(t, c, "")), []string{m1.ID, m2.ID})
		sameIDs(t, "admins for config", adminIDs(delegatedAdmins(t, c, configPrincipal)), []string{m1.ID, m2.ID})
		svcs, err := delegatedServices(t, c, m1.ID)
		must(t, err, "ListDelegatedServicesForAccount")
		sameIDs(t, "services of m1", svcs, []string{accountPrincipal, configPrincipal})
	})

	t.Run("DelegatedAdminReads", func(t *testing.T) {
		sameIDs(t, "admins seen by m1", adminIDs(delegatedAdmins(t, m1.Org, "")), []string{m1.ID, m2.ID})
		if got := serviceAccess(t, m1.Org); len(got) != 2 {
			t.Errorf("m1 sees trusted services %v", got)
		}
		// No other administrative rights.
		_, err := m1.Org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("x"), Email: aws.String("da-x@example.com")})
		wantOrgAccessDenied(t, err)
		_, err = m1.Org.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(m2.ID), ServicePrincipal: aws.String(accountPrincipal)})
		wantOrgAccessDenied(t, err)
	})

	// AWS opens Organizations' read-only operations to every delegated
	// administrator (of any service), and nothing else.
	t.Run("DelegatedAdminReadOnlyOperations", func(t *testing.T) {
		root := aws.ToString(rootOf(t, c).Id)
		ou := aws.ToString(createOU(t, c, root, "readable").Id)
		reqs, err := c.ListCreateAccountStatus(ctx, &organizations.ListCreateAccountStatusInput{})
		must(t, err, "ListCreateAccountStatus")
		if len(reqs.CreateAccountStatuses) == 0 {
			t.Fatal("no CreateAccount requests")
		}
		car := reqs.CreateAccountStatuses[0].Id
		_, err = c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: scpType})
		must(t, err, "EnablePolicyType")
		reads := []struct {
			op   string
			call func(a *organizations.Client) error
		}{
			{"ListRoots", func(a *organizations.Client) error {
				_, err := a.ListRoots(ctx, &organizations.ListRootsInput{})
				return err
			}},
			{"ListAccounts", func(a *organizations.Client) error {
				_, err := a.ListAccounts(ctx, &organizations.ListAccountsInput{})
				return err
			}},
			{"DescribeAccount", func(a *organizations.Client) error {
				_, err := a.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(m2.ID)})
				return err
			}},
			{"ListAccountsForParent", func(a *organizations.Client) error {
				_, err := a.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: aws.String(root)})
				return err
			}},
			{"ListChildren", func(a *organizations.Client) error {
				_, err := a.ListChildren(ctx, &organizations.ListChildrenInput{ParentId: aws.String(root), ChildType: otypes.ChildTypeAccount})
				return err
			}},
			{"ListParents", func(a *organizations.Client) error {
				_, err := a.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(m2.ID)})
				return err
			}},
			{"ListOrganizationalUnitsForParent", func(a *organizations.Client) error {
				_, err := a.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(root)})
				return err
			}},
			{"DescribeOrganizationalUnit", func(a *organizations.Client) error {
				_, err := a.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(ou)})
				return err
			}},
			{"ListCreateAccountStatus", func(a *organizations.Client) error {
				_, err := a.ListCreateAccountStatus(ctx, &organizations.ListCreateAccountStatusInput{})
				return err
			}},
			{"DescribeCreateAccountStatus", func(a *organizations.Client) error {
				_, err := a.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: car})
				return err
			}},
			{"ListPolicies", func(a *organizations.Client) error {
				_, err := a.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: scpType})
				return err
			}},
			{"DescribePolicy", func(a *organizations.Client) error {
				_, err := a.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(fullAWSAccess)})
				return err
			}},
			{"ListPoliciesForTarget", func(a *organizations.Client) error {
				_, err := a.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(root), Filter: scpType})
				return err
			}},
			{"ListTargetsForPolicy", func(a *organizations.Client) error {
				_, err := a.ListTargetsForPolicy(ctx, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String(fullAWSAccess)})
				return err
			}},
			{"ListTagsForResource", func(a *organizations.Client) error {
				_, err := a.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String(m2.ID)})
				return err
			}},
			{"ListHandshakesForOrganization", func(a *organizations.Client) error {
				_, err := a.ListHandshakesForOrganization(ctx, &organizations.ListHandshakesForOrganizationInput{})
				return err
			}},
		}
		for _, r := range reads {
			t.Run(r.op, func(t *testing.T) {
				if err := r.call(c); err != nil {
					t.Fatalf("management account: %v", err)
				}
				if err := r.call(m1.Org); err != nil {
					t.Errorf("%s by the delegated administrator: %v, want allowed (AWS: management account or a delegated administrator)", r.op, err)
				}
			})
		}
		// A member that is no delegated administrator reads nothing.
		plain := e.createMember(t, mgmt, "plain", "da-plain@example.com")
		for _, r := range reads {
			wantOrgAccessDenied(t, r.call(plain.Org))
		}
	})

	t.Run("Deregister", func(t *testing.T) {
		must(t, deregister(m1.ID, accountPrincipal), "deregister m1 account")
		wantOrgErr[*otypes.AccountNotRegisteredException](t, deregister(m1.ID, accountPrincipal), "AccountNotRegisteredException")
		svcs, err := delegatedServices(t, c, m1.ID)
		must(t, err, "ListDelegatedServicesForAccount")
		sameIDs(t, "services of m1", svcs, []string{configPrincipal})
		must(t, deregister(m1.ID, configPrincipal), "deregister m1 config")
		_, err = delegatedServices(t, c, m1.ID)
		wantOrgErr[*otypes.AccountNotRegisteredException](t, err, "AccountNotRegisteredException")
		sameIDs(t, "all admins", adminIDs(delegatedAdmins(t, c, "")), []string{m2.ID})
		// The seat for account.amazonaws.com is free again.
		must(t, register(m2.ID, accountPrincipal), "register m2 for account")
		must(t, deregister(m2.ID, accountPrincipal), "deregister m2 for account")
	})

	t.Run("Disable", func(t *testing.T) {
		_, err := c.DisableAWSServiceAccess(ctx, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String(accountPrincipal)})
		must(t, err, "DisableAWSServiceAccess")
		got := serviceAccess(t, c)
		if _, ok := got[accountPrincipal]; ok || len(got) != 1 {
			t.Errorf("trusted services after disabling account: %v", got)
		}
		wantConstraint(t, register(m1.ID, accountPrincipal), otypes.ConstraintViolationExceptionReasonServiceAccessNotEnabled)
	})
}
