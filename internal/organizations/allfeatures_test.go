package organizations_test

import (
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
)

// cbWorld is a consolidated-billing organization with two invited members
// and one created member.
type cbWorld struct {
	*world
	mgmt, a, b, created identity.Principal
	org                 *organizations.Organization
}

func newCBWorld(t *testing.T, opts organizations.Options) *cbWorld {
	t.Helper()
	w := newWorld(t, opts)
	cw := &cbWorld{world: w, mgmt: w.signUp(t, "Mgmt"), a: w.signUp(t, "Alpha"), b: w.signUp(t, "Bravo")}
	cw.org = w.createOrg(t, cw.mgmt, organizations.ConsolidatedBilling)
	w.join(t, cw.mgmt, cw.a)
	w.join(t, cw.mgmt, cw.b)
	cw.created = w.createMember(t, cw.mgmt, "created")
	return cw
}

// open returns the open handshakes of action addressed to p.
func (cw *cbWorld) open(t *testing.T, p identity.Principal, action organizations.HandshakeAction) []organizations.Handshake {
	t.Helper()
	all, err := cw.orgs.ListHandshakesForAccount(cw.ctx, p, organizations.HandshakeFilter{Action: action})
	must(t, err, "ListHandshakesForAccount")
	var out []organizations.Handshake
	for _, h := range all {
		if h.StateAt(cw.clk.Now()) == organizations.HandshakeOpen {
			out = append(out, h)
		}
	}
	return out
}

func (cw *cbWorld) featureSet(t *testing.T) organizations.FeatureSet {
	t.Helper()
	o, err := cw.orgs.DescribeOrganization(cw.ctx, cw.mgmt)
	must(t, err, "DescribeOrganization")
	return o.FeatureSet
}

// acceptOne accepts the one open handshake of action addressed to p.
func (cw *cbWorld) acceptOne(t *testing.T, p identity.Principal, action organizations.HandshakeAction) *organizations.Handshake {
	t.Helper()
	hs := cw.open(t, p, action)
	if len(hs) != 1 {
		t.Fatalf("%s has %d open %s handshakes, want 1", p.Account, len(hs), action)
	}
	h, err := cw.orgs.AcceptHandshake(cw.ctx, p, hs[0].ID)
	must(t, err, "accept "+string(action))
	return h
}

func TestEnableAllFeaturesFlow(t *testing.T) {
	t.Parallel()
	cw := newCBWorld(t, organizations.Options{})
	w := cw.world
	_, err := w.orgs.EnableAllFeatures(w.ctx, cw.a)
	wantCode(t, err, organizations.CodeAccessDenied)

	parent, err := w.orgs.EnableAllFeatures(w.ctx, cw.mgmt)
	must(t, err, "EnableAllFeatures")
	if parent.Action != organizations.ActionEnableAllFeatures || parent.TargetType != organizations.PartyOrganization || parent.Target != string(cw.org.ID) {
		t.Errorf("parent handshake %+v, want ENABLE_ALL_FEATURES for the organization", parent)
	}
	// Only invited members are asked; the created member is not.
	if n := len(cw.open(t, cw.created, "")); n != 0 {
		t.Errorf("the created member got %d handshakes, want 0", n)
	}
	for _, p := range []identity.Principal{cw.a, cw.b} {
		hs := cw.open(t, p, organizations.ActionEnableAllFeatures)
		if len(hs) != 1 || hs[0].Parent != parent.ID {
			t.Fatalf("%s: open handshakes %+v, want one child of %s", p.Account, hs, parent.ID)
		}
	}
	// The management account cannot finish by accepting the parent.
	_, err = w.orgs.AcceptHandshake(w.ctx, cw.mgmt, parent.ID)
	wantCode(t, err, organizations.CodeAccessDenied)

	_, err = w.orgs.EnableAllFeatures(w.ctx, cw.mgmt)
	wantHSConstraint(t, err, organizations.HSReasonAlreadyPendingAllFeatures)
	_, err = w.orgs.InviteAccount(w.ctx, cw.mgmt, organizations.Invitation{TargetType: organizations.PartyEmail, Target: "new@example.com"})
	wantHSConstraint(t, err, organizations.HSReasonInviteDisabledDuringAllFeature)

	cw.acceptOne(t, cw.a, organizations.ActionEnableAllFeatures)
	if n := len(cw.open(t, cw.mgmt, organizations.ActionApproveAllFeatures)); n != 0 {
		t.Fatalf("APPROVE_ALL_FEATURES sent after %d of 2 approvals", 1)
	}
	cw.acceptOne(t, cw.b, organizations.ActionEnableAllFeatures)
	if got := cw.featureSet(t); got != organizations.ConsolidatedBilling {
		t.Fatalf("feature set %s before the management account approved, want CONSOLIDATED_BILLING", got)
	}
	approve := cw.acceptOne(t, cw.mgmt, organizations.ActionApproveAllFeatures)
	if approve.Parent != parent.ID {
		t.Errorf("APPROVE_ALL_FEATURES parent %s, want %s", approve.Parent, parent.ID)
	}
	if got := cw.featureSet(t); got != organizations.AllFeatures {
		t.Fatalf("feature set %s after approval, want ALL", got)
	}
	p, err := w.orgs.DescribeHandshake(w.ctx, cw.mgmt, parent.ID)
	must(t, err, "DescribeHandshake parent")
	if p.State != organizations.HandshakeAccepted {
		t.Errorf("parent state %s, want ACCEPTED", p.State)
	}
	_, err = w.orgs.EnableAllFeatures(w.ctx, cw.mgmt)
	wantHSConstraint(t, err, organizations.HSReasonOrganizationAlreadyHasAll)
	// Invitations work again, and all-features rules apply.
	_, err = w.orgs.InviteAccount(w.ctx, cw.mgmt, organizations.Invitation{TargetType: organizations.PartyEmail, Target: "new@example.com"})
	must(t, err, "invite after the migration")
	must(t, w.orgs.EnableServiceAccess(w.ctx, cw.mgmt, acctSP), "EnableServiceAccess with all features")
	must(t, w.orgs.CloseAccount(w.ctx, cw.mgmt, cw.created.Account), "CloseAccount with all features")
}

func TestEnableAllFeaturesWithoutInvitedMembers(t *testing.T) {
	t.Parallel()
	w := newWorld(t, organizations.Options{})
	mgmt := w.signUp(t, "Mgmt")
	w.createOrg(t, mgmt, organizations.ConsolidatedBilling)
	w.createMember(t, mgmt, "created")
	cw := &cbWorld{world: w, mgmt: mgmt}
	_, err := w.orgs.EnableAllFeatures(w.ctx, mgmt)
	must(t, err, "EnableAllFeatures")
	cw.acceptOne(t, mgmt, organizations.ActionApproveAllFeatures)
	if got := cw.featureSet(t); got != organizations.AllFeatures {
		t.Errorf("feature set %s, want ALL", got)
	}
}

// TestEnableAllFeaturesEndsEarly: a member's decline or the management
// account's cancel ends the migration and cancels the other handshakes.
func TestEnableAllFeaturesEndsEarly(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		end  func(t *testing.T, cw *cbWorld, parent *organizations.Handshake)
	}{
		{"member declines", func(t *testing.T, cw *cbWorld, _ *organizations.Handshake) {
			h := cw.open(t, cw.b, organizations.ActionEnableAllFeatures)[0]
			_, err := cw.orgs.DeclineHandshake(cw.ctx, cw.b, h.ID)
			must(t, err, "decline")
		}},
		{"management cancels the parent", func(t *testing.T, cw *cbWorld, parent *organizations.Handshake) {
			_, err := cw.orgs.CancelHandshake(cw.ctx, cw.mgmt, parent.ID)
			must(t, err, "cancel parent")
		}},
		{"management cancels a member's handshake", func(t *testing.T, cw *cbWorld, _ *organizations.Handshake) {
			h := cw.open(t, cw.b, organizations.ActionEnableAllFeatures)[0]
			_, err := cw.orgs.CancelHandshake(cw.ctx, cw.mgmt, h.ID)
			must(t, err, "cancel child")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cw := newCBWorld(t, organizations.Options{})
			parent, err := cw.orgs.EnableAllFeatures(cw.ctx, cw.mgmt)
			must(t, err, "EnableAllFeatures")
			cw.acceptOne(t, cw.a, organizations.ActionEnableAllFeatures)
			tt.end(t, cw, parent)
			if n := len(cw.open(t, cw.b, organizations.ActionEnableAllFeatures)); n != 0 {
				t.Errorf("Bravo still has %d open handshakes", n)
			}
			p, err := cw.orgs.DescribeHandshake(cw.ctx, cw.mgmt, parent.ID)
			must(t, err, "DescribeHandshake parent")
			if st := p.StateAt(cw.clk.Now()); st == organizations.HandshakeOpen || st == organizations.HandshakeAccepted {
				t.Errorf("parent is %s after the migration ended", st)
			}
			if got := cw.featureSet(t); got != organizations.ConsolidatedBilling {
				t.Errorf("feature set %s, want CONSOLIDATED_BILLING", got)
			}
			_, err = cw.orgs.InviteAccount(cw.ctx, cw.mgmt, organizations.Invitation{TargetType: organizations.PartyEmail, Target: "new@example.com"})
			must(t, err, "invite after the migration ended")
			_, err = cw.orgs.EnableAllFeatures(cw.ctx, cw.mgmt)
			must(t, err, "start the migration again")
		})
	}
}

// TestEnableAllFeaturesExpires: handshakes of a migration nobody finished
// expire after 15 days like any other, and the organization is then free
// to invite accounts and to start the migration again.
func TestEnableAllFeaturesExpires(t *testing.T) {
	t.Parallel()
	cw := newCBWorld(t, organizations.Options{})
	parent, err := cw.orgs.EnableAllFeatures(cw.ctx, cw.mgmt)
	must(t, err, "EnableAllFeatures")
	cw.clk.Advance(15*day - time.Second)
	_, err = cw.orgs.EnableAllFeatures(cw.ctx, cw.mgmt)
	wantHSConstraint(t, err, organizations.HSReasonAlreadyPendingAllFeatures)
	cw.clk.Advance(time.Second)
	p, err := cw.orgs.DescribeHandshake(cw.ctx, cw.mgmt, parent.ID)
	must(t, err, "DescribeHandshake parent")
	if st := p.StateAt(cw.clk.Now()); st != organizations.HandshakeExpired {
		t.Fatalf("parent is %s after 15 days, want EXPIRED", st)
	}
	if n := len(cw.open(t, cw.a, organizations.ActionEnableAllFeatures)); n != 0 {
		t.Errorf("Alpha still has %d open handshakes", n)
	}
	_, err = cw.orgs.InviteAccount(cw.ctx, cw.mgmt, organizations.Invitation{TargetType: organizations.PartyEmail, Target: "new@example.com"})
	must(t, err, "invite after the migration expired")
	_, err = cw.orgs.EnableAllFeatures(cw.ctx, cw.mgmt)
	must(t, err, "start the migration again after it expired")
}

// TestEnableAllFeaturesLateApproval: the management account's
// APPROVE_ALL_FEATURES handshake, sent when the last member approved, runs
// its own 15 days: the migration stays under way until it is answered or
// expires, even when the parent handshake expired before.
func TestEnableAllFeaturesLateApproval(t *testing.T) {
	t.Parallel()
	for _, finish := range []bool{true, false} {
		name := map[bool]string{true: "approved late", false: "approval expires"}[finish]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cw := newCBWorld(t, organizations.Options{})
			_, err := cw.orgs.EnableAllFeatures(cw.ctx, cw.mgmt)
			must(t, err, "EnableAllFeatures")
			cw.clk.Advance(14 * day)
			cw.acceptOne(t, cw.a, organizations.ActionEnableAllFeatures)
			cw.acceptOne(t, cw.b, organizations.ActionEnableAllFeatures)
			cw.clk.Advance(6 * day) // the parent expired; the approval is open
			_, err = cw.orgs.InviteAccount(cw.ctx, cw.mgmt, organizations.Invitation{TargetType: organizations.PartyEmail, Target: "new@example.com"})
			wantHSConstraint(t, err, organizations.HSReasonInviteDisabledDuringAllFeature)
			if finish {
				cw.acceptOne(t, cw.mgmt, organizations.ActionApproveAllFeatures)
				if got := cw.featureSet(t); got != organizations.AllFeatures {
					t.Errorf("feature set %s, want ALL", got)
				}
				return
			}
			cw.clk.Advance(9 * day)
			if n := len(cw.open(t, cw.mgmt, organizations.ActionApproveAllFeatures)); n != 0 {
				t.Fatalf("%d approvals still open after 15 days", n)
			}
			if got := cw.featureSet(t); got != organizations.ConsolidatedBilling {
				t.Errorf("feature set %s, want CONSOLIDATED_BILLING", got)
			}
			_, err = cw.orgs.EnableAllFeatures(cw.ctx, cw.mgmt)
			must(t, err, "start the migration again")
		})
	}
}
