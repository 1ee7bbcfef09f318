package organizations_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
	"github.com/accountplane/accountplane/internal/sqlite"
)

const (
	mgmtID   identity.AccountID = "111111111111"
	memberID identity.AccountID = "222222222222"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// mustOrg returns a service over a fresh :memory: store with an
// all-features organization of mgmtID that has memberID as a member.
func mustOrg(t *testing.T, opts organizations.Options) *organizations.Service {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:", sqlite.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	now := func() time.Time { return t0 }
	acct := account.NewService(db, account.Options{Now: now})
	for _, id := range []identity.AccountID{mgmtID, memberID} {
		if _, err := acct.EnsureSignUp(ctx, account.SignUp{ID: id, Name: "a" + string(id), Email: string(id) + "@example.com"}); err != nil {
			t.Fatalf("sign up %s: %v", id, err)
		}
	}
	opts.Now = now
	svc := organizations.NewService(db.Organizations(), opts)
	if _, err := svc.CreateOrganization(ctx, identity.RootPrincipal(mgmtID, ""), organizations.AllFeatures); err != nil {
		t.Fatalf("create organization: %v", err)
	}
	if _, err := svc.AdmitMember(ctx, mgmtID, memberID, "", organizations.Invited); err != nil {
		t.Fatalf("admit member: %v", err)
	}
	return svc
}

func TestServicePrincipalTable(t *testing.T) {
	all := organizations.ServicePrincipals()
	seen := map[string]bool{}
	for _, p := range all {
		if seen[p.Name] {
			t.Errorf("%s listed twice", p.Name)
		}
		seen[p.Name] = true
		if !strings.HasSuffix(p.Name, ".amazonaws.com") || strings.ToLower(p.Name) != p.Name {
			t.Errorf("%s: want a lower-case name ending in .amazonaws.com", p.Name)
		}
		if !p.TrustedAccess {
			t.Errorf("%s: every listed principal supports trusted access in the guide", p.Name)
		}
	}
	for _, name := range []string{"account.amazonaws.com", "iam.amazonaws.com", "config.amazonaws.com", "sso.amazonaws.com"} {
		p, ok := organizations.LookupServicePrincipal(name)
		if !ok || !p.TrustedAccess || !p.DelegatedAdmin {
			t.Errorf("%s: got %+v, %v; want trusted access and delegated admin", name, p, ok)
		}
	}
	if p, ok := organizations.LookupServicePrincipal("ram.amazonaws.com"); !ok || p.DelegatedAdmin {
		t.Errorf("ram.amazonaws.com: got %+v, %v; want trusted access only", p, ok)
	}
	if _, ok := organizations.LookupServicePrincipal("moto.amazonaws.com"); ok {
		t.Error("moto.amazonaws.com is recognized")
	}
}

func TestServicePrincipalsRecognized(t *testing.T) {
	svc := mustOrg(t, organizations.Options{})
	ctx := context.Background()
	mgmt := identity.RootPrincipal(mgmtID, "")
	for _, p := range []string{"account.amazonaws.com", "iam.amazonaws.com", "ram.amazonaws.com"} {
		if err := svc.EnableServiceAccess(ctx, mgmt, p); err != nil {
			t.Fatalf("enable %s: %v", p, err)
		}
	}
	const bogus = "moto.amazonaws.com"
	tests := []struct {
		name string
		call func() error
		ok   bool
	}{
		{"Enable unknown", func() error { return svc.EnableServiceAccess(ctx, mgmt, bogus) }, false},
		{"Enable bare name", func() error { return svc.EnableServiceAccess(ctx, mgmt, "not-a-service") }, false},
		{"Disable unknown", func() error { return svc.DisableServiceAccess(ctx, mgmt, bogus) }, false},
		{"Register unknown", func() error { return svc.RegisterDelegatedAdmin(ctx, mgmt, memberID, bogus) }, false},
		{"Register trusted-access-only principal", func() error { return svc.RegisterDelegatedAdmin(ctx, mgmt, memberID, "ram.amazonaws.com") }, false},
		{"Deregister unknown", func() error { return svc.DeregisterDelegatedAdmin(ctx, mgmt, memberID, bogus) }, false},
		{"List unknown", func() error { _, err := svc.ListDelegatedAdmins(ctx, mgmt, bogus); return err }, false},
		{"Register iam", func() error { return svc.RegisterDelegatedAdmin(ctx, mgmt, memberID, "iam.amazonaws.com") }, true},
		{"List iam", func() error { _, err := svc.ListDelegatedAdmins(ctx, mgmt, "iam.amazonaws.com"); return err }, true},
		{"List all", func() error { _, err := svc.ListDelegatedAdmins(ctx, mgmt, ""); return err }, true},
		{"Deregister iam", func() error { return svc.DeregisterDelegatedAdmin(ctx, mgmt, memberID, "iam.amazonaws.com") }, true},
		{"Disable ram", func() error { return svc.DisableServiceAccess(ctx, mgmt, "ram.amazonaws.com") }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if tt.ok {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				return
			}
			e, ok := apierr.As(err)
			if !ok || e.Code != organizations.CodeInvalidInput || e.Reason != organizations.InputReasonUnrecognizedPrincipal {
				t.Fatalf("got %v, want InvalidInputException %s", err, organizations.InputReasonUnrecognizedPrincipal)
			}
			if e.Message != "You specified an unrecognized service principal." {
				t.Errorf("message %q", e.Message)
			}
		})
	}
}
