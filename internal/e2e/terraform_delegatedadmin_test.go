package e2e_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

// aws_organizations_delegated_administrator with
//
//	account_id        = aws_organizations_account.admin.id
//	service_principal = "account.amazonaws.com"
//
// (id "<account_id>/<service_principal>").
func TestTerraformDelegatedAdministrator(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	c := e.mgmt.Org
	createOrg(t, c, otypes.OrganizationFeatureSetAll)
	// aws_organizations_organization.aws_service_access_principals.
	enableTrustedAccess(t, c, accountPrincipal)
	admin := e.createAccount(t, c, "tf-admin", "tf-admin@example.com")
	other := e.createAccount(t, c, "tf-other", "tf-other@example.com")

	// findDelegatedAdministratorByTwoPartKey: ListDelegatedAdministrators
	// filtered by the principal, then the account among them.
	find := func(t *testing.T, id, principal string) *otypes.DelegatedAdministrator {
		t.Helper()
		for _, d := range delegatedAdmins(t, c, principal) {
			if aws.ToString(d.Id) == id {
				return &d
			}
		}
		return nil
	}

	t.Run("Create", func(t *testing.T) {
		_, err := c.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{
			AccountId: aws.String(admin), ServicePrincipal: aws.String(accountPrincipal),
		})
		must(t, err, "RegisterDelegatedAdministrator")
	})

	t.Run("Read", func(t *testing.T) {
		d := find(t, admin, accountPrincipal)
		if d == nil {
			t.Fatalf("%s is not listed as delegated administrator for %s", admin, accountPrincipal)
		}
		if aws.ToString(d.Arn) == "" || aws.ToString(d.Email) != "tf-admin@example.com" || aws.ToString(d.Name) != "tf-admin" ||
			d.JoinedMethod != otypes.AccountJoinedMethodCreated || d.Status != otypes.AccountStatusActive ||
			d.JoinedTimestamp == nil || d.DelegationEnabledDate == nil {
			t.Errorf("delegated administrator = %+v", d)
		}
		if find(t, other, accountPrincipal) != nil {
			t.Errorf("%s listed though not registered", other)
		}
		svcs, err := delegatedServices(t, c, admin)
		must(t, err, "ListDelegatedServicesForAccount")
		sameIDs(t, "delegated services", svcs, []string{accountPrincipal})
	})

	t.Run("CreateTwiceFails", func(t *testing.T) {
		_, err := c.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{
			AccountId: aws.String(admin), ServicePrincipal: aws.String(accountPrincipal),
		})
		wantOrgErr[*otypes.AccountAlreadyRegisteredException](t, err, "AccountAlreadyRegisteredException")
	})

	t.Run("Destroy", func(t *testing.T) {
		_, err := c.DeregisterDelegatedAdministrator(ctx, &organizations.DeregisterDelegatedAdministratorInput{
			AccountId: aws.String(admin), ServicePrincipal: aws.String(accountPrincipal),
		})
		must(t, err, "DeregisterDelegatedAdministrator")
		if find(t, admin, accountPrincipal) != nil {
			t.Errorf("still listed after Deregister")
		}
		_, err = delegatedServices(t, c, admin)
		wantOrgErr[*otypes.AccountNotRegisteredException](t, err, "AccountNotRegisteredException")
		_, err = c.DeregisterDelegatedAdministrator(ctx, &organizations.DeregisterDelegatedAdministratorInput{
			AccountId: aws.String(admin), ServicePrincipal: aws.String(accountPrincipal),
		})
		wantOrgErr[*otypes.AccountNotRegisteredException](t, err, "AccountNotRegisteredException")
	})
}
