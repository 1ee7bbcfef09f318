package e2e_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

func TestOrgEnableAllFeatures(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	mgmt := e.mgmt
	c := mgmt.Org
	org := createOrg(t, c, otypes.OrganizationFeatureSetConsolidatedBilling)
	orgID := aws.ToString(org.Id)
	b := e.signUp(t, "Bravo", "eaf-b@example.com")
	join(t, mgmt, b)
	created := e.createMember(t, mgmt, "created", "eaf-created@example.com")
	d := e.signUp(t, "Delta", "eaf-d@example.com")

	var parent string
	t.Run("Start", func(t *testing.T) {
		out, err := c.EnableAllFeatures(ctx, &organizations.EnableAllFeaturesInput{})
		must(t, err, "EnableAllFeatures")
		h := out.Handshake
		parent = aws.ToString(h.Id)
		if !reHSID.MatchString(parent) || h.Action != otypes.ActionTypeEnableAllFeatures {
			t.Errorf("handshake = %+v", h)
		}
		if !hasParty(h, orgID, otypes.HandshakePartyTypeOrganization) {
			t.Errorf("Parties = %+v, want the organization", h.Parties)
		}
		if got := describeOrgFeatureSet(t, c); got != otypes.OrganizationFeatureSetConsolidatedBilling {
			t.Errorf("FeatureSet = %q before the members approve", got)
		}
	})
	if parent == "" {
		t.FailNow()
	}

	t.Run("WhileMigrating", func(t *testing.T) {
		_, err := c.EnableAllFeatures(ctx, &organizations.EnableAllFeaturesInput{})
		wantHSConstraint(t, err, otypes.HandshakeConstraintViolationExceptionReasonOrganizationIsAlreadyPendingAllFeaturesMigration)
		_, err = inviteTo(c, otypes.HandshakePartyTypeAccount, d.ID)
		wantHSConstraint(t, err, otypes.HandshakeConstraintViolationExceptionReasonInviteDisabledDuringEnableAllFeatures)
		// Only invited members are asked; created ones are not.
		if got := handshakesForAccount(t, created, nil); len(got) != 0 {
			t.Errorf("the created member received %d handshakes", len(got))
		}
		children := handshakesForOrg(t, c, &otypes.HandshakeFilter{ParentHandshakeId: aws.String(parent)}, 0)
		if len(children) != 1 || !hasParty(&children[0], b.ID, otypes.HandshakePartyTypeAccount) {
			t.Errorf("handshakes under %s: %+v, want one for B", parent, children)
		}
	})

	t.Run("MemberApproves", func(t *testing.T) {
		list := handshakesForAccount(t, b, &otypes.HandshakeFilter{ActionType: otypes.ActionTypeEnableAllFeatures})
		if len(list) != 1 {
			t.Fatalf("B has %d ENABLE_ALL_FEATURES handshakes, want 1", len(list))
		}
		h := list[0]
		if h.State != otypes.HandshakeStateOpen {
			t.Errorf("State = %q, want OPEN", h.State)
		}
		if v, _ := resourceValue(h.Resources, otypes.HandshakeResourceTypeParentHandshake); v != parent {
			t.Errorf("PARENT_HANDSHAKE = %q, want %q", v, parent)
		}
		if got := accept(t, b, aws.ToString(h.Id)); got.State != otypes.HandshakeStateAccepted {
			t.Errorf("accepted State = %q", got.State)
		}
		if got := describeOrgFeatureSet(t, c); got != otypes.OrganizationFeatureSetConsolidatedBilling {
			t.Errorf("FeatureSet = %q before the management account approves", got)
		}
	})

	t.Run("ManagementApproves", func(t *testing.T) {
		list := handshakesForAccount(t, mgmt, &otypes.HandshakeFilter{ActionType: otypes.ActionTypeApproveAllFeatures})
		if len(list) != 1 {
			t.Fatalf("the management account has %d APPROVE_ALL_FEATURES handshakes, want 1", len(list))
		}
		accept(t, mgmt, aws.ToString(list[0].Id))
		if got := describeOrgFeatureSet(t, c); got != otypes.OrganizationFeatureSetAll {
			t.Errorf("FeatureSet = %q, want ALL", got)
		}
		if got := describeHandshake(t, mgmt, parent).State; got != otypes.HandshakeStateAccepted {
			t.Errorf("the ENABLE_ALL_FEATURES handshake is %q, want ACCEPTED", got)
		}
	})

	t.Run("AlreadyAllFeatures", func(t *testing.T) {
		_, err := c.EnableAllFeatures(ctx, &organizations.EnableAllFeaturesInput{})
		wantHSConstraint(t, err, otypes.HandshakeConstraintViolationExceptionReasonOrganizationAlreadyHasAllFeatures)
		// What all features unlock now works, and invitations resume.
		enableTrustedAccess(t, c, accountPrincipal)
		_, err = c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: rootOf(t, c).Id, PolicyType: scpType})
		must(t, err, "EnablePolicyType")
		invite(t, mgmt, d.ID)
	})

	t.Run("MemberCannotStart", func(t *testing.T) {
		_, err := b.Org.EnableAllFeatures(ctx, &organizations.EnableAllFeaturesInput{})
		wantOrgAccessDenied(t, err)
	})
}

// A member declining ends the migration.
func TestOrgEnableAllFeaturesDeclined(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	mgmt := e.mgmt
	c := mgmt.Org
	createOrg(t, c, otypes.OrganizationFeatureSetConsolidatedBilling)
	b := e.signUp(t, "Bravo", "eafd-b@example.com")
	join(t, mgmt, b)
	out, err := c.EnableAllFeatures(ctx, &organizations.EnableAllFeaturesInput{})
	must(t, err, "EnableAllFeatures")
	parent := aws.ToString(out.Handshake.Id)
	list := handshakesForAccount(t, b, &otypes.HandshakeFilter{ActionType: otypes.ActionTypeEnableAllFeatures})
	if len(list) != 1 {
		t.Fatalf("B has %d ENABLE_ALL_FEATURES handshakes, want 1", len(list))
	}
	_, err = b.Org.DeclineHandshake(ctx, &organizations.DeclineHandshakeInput{HandshakeId: list[0].Id})
	must(t, err, "DeclineHandshake")
	if got := describeOrgFeatureSet(t, c); got != otypes.OrganizationFeatureSetConsolidatedBilling {
		t.Errorf("FeatureSet = %q after a decline", got)
	}
	if got := describeHandshake(t, mgmt, parent).State; got == otypes.HandshakeStateOpen || got == otypes.HandshakeStateAccepted {
		t.Errorf("the parent handshake is %q after a member declined", got)
	}
	// The migration can start over.
	_, err = c.EnableAllFeatures(ctx, &organizations.EnableAllFeaturesInput{})
	must(t, err, "EnableAllFeatures again")
}

func describeOrgFeatureSet(t *testing.T, c *organizations.Client) otypes.OrganizationFeatureSet {
	t.Helper()
	out, err := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	must(t, err, "DescribeOrganization")
	return out.Organization.FeatureSet
}
