package app_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/accountplane/accountplane/internal/app"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
)

const orgSeed = `
accounts:
  - id: "111111111111"
    name: mgmt
    email: mgmt@example.com
    credentials: [{accessKeyId: AKIAMGMT, secretAccessKey: mgmtsecret}]
  - id: "222222222222"
    name: prod
    email: prod@example.com
    paymentMethod: false
  - id: "333333333333"
    name: admin
    email: admin@example.com
organizations:
  - managementAccount: "111111111111"
    trustedServices: [account.amazonaws.com]
    policyTypes: [SERVICE_CONTROL_POLICY]
    organizationalUnits: [Security]
    members:
      - {account: "222222222222", ou: Workloads/Prod, joined: CREATED}
      - {account: "333333333333", ou: Security}
    delegatedAdministrators:
      - {account: "333333333333", servicePrincipal: account.amazonaws.com}
`

func TestSeedOrganizations(t *testing.T) {
	dir := t.TempDir()
	seed := filepath.Join(dir, "seed.yaml")
	if err := os.WriteFile(seed, []byte(orgSeed), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	for round := 1; round <= 2; round++ { // the second start re-applies the seed
		a, err := app.Start(context.Background(), app.Config{Addr: "127.0.0.1:0", DataDir: data, Seed: seed, Log: quietLog()})
		if err != nil {
			t.Fatalf("round %d: start: %v", round, err)
		}
		ctx := context.Background()
		mgmt := identity.RootPrincipal("111111111111", "")
		accounts, err := a.Orgs.ListAccounts(ctx, mgmt, "")
		if err != nil {
			t.Fatalf("round %d: list accounts: %v", round, err)
		}
		if len(accounts) != 3 {
			t.Errorf("round %d: got %d members, want 3", round, len(accounts))
		}
		for _, v := range accounts {
			switch v.Account.ID {
			case "222222222222":
				if v.Member.Method != organizations.Created || v.Account.PaymentMethod {
					t.Errorf("round %d: prod: got method %s payment %v, want CREATED without payment method", round, v.Member.Method, v.Account.PaymentMethod)
				}
				if want := 4; len(splitPath(v.Path)) != want+1 {
					t.Errorf("round %d: prod path %q: want o/r/Workloads/Prod/account", round, v.Path)
				}
			case "333333333333":
				if v.Member.Method != organizations.Invited {
					t.Errorf("round %d: admin: got method %s, want INVITED", round, v.Member.Method)
				}
			}
		}
		ok, err := a.Orgs.CanManage(ctx, "333333333333", "222222222222")
		if err != nil || !ok {
			t.Errorf("round %d: delegated admin CanManage member: got %v, %v; want true", round, ok, err)
		}
		ok, err = a.Orgs.CanManage(ctx, "111111111111", "111111111111")
		if err != nil || ok {
			t.Errorf("round %d: management CanManage itself: got %v, %v; want false", round, ok, err)
		}
		org, err := a.Orgs.ListRoots(ctx, mgmt)
		if err != nil || !org.PolicyTypeEnabled(organizations.SCP) {
			t.Errorf("round %d: SCPs enabled: got %v, %v", round, org, err)
		}
		ous, err := a.Orgs.ListOUs(ctx, mgmt, string(org.RootID))
		if err != nil || len(ous) != 2 {
			t.Errorf("round %d: OUs under root: got %d (%v), want 2 (Security, Workloads)", round, len(ous), err)
		}
		wantMemberRoles(t, a, round)
		if err := a.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// wantMemberRoles checks the roles the seed's members got, as CreateAccount
// and an accepted invitation would make them: OrganizationAccountAccessRole
// (trusting the management account, AdministratorAccess attached) in the
// CREATED member only, AWSServiceRoleForOrganizations in both.
func wantMemberRoles(t *testing.T, a *app.App, round int) {
	t.Helper()
	ctx := context.Background()
	r, err := a.IAM.Role(ctx, "222222222222", iam.OrganizationAccessRoleName)
	if err != nil {
		t.Fatalf("round %d: CREATED member: %s: %v", round, iam.OrganizationAccessRoleName, err)
	}
	if want := iam.OrganizationAccessTrustPolicy("111111111111"); r.TrustPolicy != want {
		t.Errorf("round %d: trust policy %s, want %s", round, r.TrustPolicy, want)
	}
	attached, err := a.IAM.AttachedPolicies(ctx, "222222222222", iam.KindRole, iam.OrganizationAccessRoleName, "")
	if err != nil || len(attached) != 1 || attached[0].ARN != "arn:aws:iam::aws:policy/AdministratorAccess" {
		t.Errorf("round %d: attached policies %+v, %v; want AdministratorAccess", round, attached, err)
	}
	if _, err := a.IAM.Role(ctx, "333333333333", iam.OrganizationAccessRoleName); err == nil {
		t.Errorf("round %d: INVITED member has %s", round, iam.OrganizationAccessRoleName)
	}
	for _, id := range []identity.AccountID{"222222222222", "333333333333"} {
		r, err := a.IAM.Role(ctx, id, iam.OrganizationsServiceRoleName)
		if err != nil || !r.ServiceLinked || r.Path != "/aws-service-role/organizations.amazonaws.com/" {
			t.Errorf("round %d: %s: service-linked role %+v, %v", round, id, r, err)
		}
	}
}

func splitPath(p string) []string {
	var out []string
	start := 0
	for i := 0; i < len(p); i++ {
		if p[i] == '/' {
			out = append(out, p[start:i])
			start = i + 1
		}
	}
	return out
}
