package organizations_test

import (
	"context"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
	"github.com/accountplane/accountplane/internal/sqlite"
)

// A management policy stored before its syntax was checked (an older
// accountplane accepted any JSON) is left out of the merge and reported,
// instead of failing DescribeEffectivePolicy.
func TestEffectivePolicyOfMalformedStoredPolicy(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:", sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	now := func() time.Time { return t0 }
	if _, err := account.NewService(db, account.Options{Now: now}).EnsureSignUp(ctx, account.SignUp{ID: mgmtID, Name: "m", Email: "m@example.com"}); err != nil {
		t.Fatal(err)
	}
	svc := organizations.NewService(db.Organizations(), organizations.Options{Now: now})
	mgmt := identity.RootPrincipal(mgmtID, "")
	org, err := svc.CreateOrganization(ctx, mgmt, organizations.AllFeatures)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.EnablePolicyType(ctx, mgmt, org.RootID, organizations.TagPolicy); err != nil {
		t.Fatal(err)
	}
	good, err := svc.CreatePolicy(ctx, mgmt, organizations.NewPolicy{Name: "good", Type: organizations.TagPolicy,
		Content: `{"tags":{"team":{"tag_key":{"@@assign":"Team"}}}}`})
	if err != nil {
		t.Fatal(err)
	}
	old := &organizations.Policy{ID: "p-oldpolicy", Org: org.ID, Type: organizations.TagPolicy, Name: "old", Content: `{"anything":1}`}
	if err := db.Organizations().Update(ctx, func(tx organizations.Tx) error { return tx.PutPolicy(ctx, old) }); err != nil {
		t.Fatal(err)
	}
	for _, id := range []organizations.PolicyID{good.ID, old.ID} {
		if err := svc.AttachPolicy(ctx, mgmt, id, string(org.RootID)); err != nil {
			t.Fatalf("attach %s: %v", id, err)
		}
	}
	eff, err := svc.DescribeEffectivePolicy(ctx, mgmt, organizations.TagPolicy, "")
	if err != nil {
		t.Fatalf("DescribeEffectivePolicy: %v", err)
	}
	if want := `{"tags":{"team":{"tag_key":"Team"}}}`; eff.Content != want {
		t.Errorf("effective policy = %s, want %s", eff.Content, want)
	}
	r, err := svc.ListEffectivePolicyValidationErrors(ctx, mgmt, mgmtID, organizations.TagPolicy)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Errors) != 1 || r.Errors[0].Code != organizations.ValidationMalformedPolicy || r.Errors[0].Policies[0] != old.ID {
		t.Errorf("validation errors = %+v", r.Errors)
	}
	// SCPs and RCPs have no effective policy.
	_, err = svc.DescribeEffectivePolicy(ctx, mgmt, organizations.SCP, "")
	if !apierr.HasCode(err, organizations.CodeInvalidInput) {
		t.Errorf("DescribeEffectivePolicy of SCPs: %v, want InvalidInputException", err)
	}
}
