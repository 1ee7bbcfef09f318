package organizations_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
)

// inviteEmail invites an address that belongs to no account.
func (w *world) inviteEmail(mgmt identity.Principal, n int) (*organizations.Handshake, error) {
	return w.orgs.InviteAccount(w.ctx, mgmt, organizations.Invitation{TargetType: organizations.PartyEmail, Target: fmt.Sprintf("nobody%d@example.com", n)})
}

func TestInvitationsPerDay(t *testing.T) {
	t.Parallel()
	// A large account quota, so that only the daily limit binds.
	w := newWorld(t, organizations.Options{MaxAccounts: 1000})
	mgmt := w.signUp(t, "Mgmt")
	w.createOrg(t, mgmt, organizations.AllFeatures)
	x := w.signUp(t, "Xray")
	var sent []*organizations.Handshake
	for i := 0; i < 19; i++ {
		h, err := w.inviteEmail(mgmt, i)
		must(t, err, fmt.Sprintf("invitation %d", i+1))
		sent = append(sent, h)
		w.clk.Advance(time.Minute)
	}
	hx := w.invite(t, mgmt, x) // the 20th
	_, err := w.inviteEmail(mgmt, 100)
	wantHSConstraint(t, err, organizations.HSReasonHandshakeRateLimitExceeded)

	// Declined and canceled invitations were still sent today.
	_, err = w.orgs.CancelHandshake(w.ctx, mgmt, sent[0].ID)
	must(t, err, "cancel")
	_, err = w.inviteEmail(mgmt, 101)
	wantHSConstraint(t, err, organizations.HSReasonHandshakeRateLimitExceeded)

	// An accepted invitation frees its slot at once.
	_, err = w.orgs.AcceptHandshake(w.ctx, x, hx.ID)
	must(t, err, "accept")
	_, err = w.inviteEmail(mgmt, 102)
	must(t, err, "invite after an acceptance")
	_, err = w.inviteEmail(mgmt, 103)
	wantHSConstraint(t, err, organizations.HSReasonHandshakeRateLimitExceeded)

	// The day is a rolling 24 hours: the first invitation (sent at epoch)
	// leaves the window at epoch+24h, the second a minute later.
	w.clk.Advance(epoch.Add(day).Sub(w.clk.Now()) - time.Second)
	_, err = w.inviteEmail(mgmt, 104)
	wantHSConstraint(t, err, organizations.HSReasonHandshakeRateLimitExceeded)
	w.clk.Advance(time.Second)
	_, err = w.inviteEmail(mgmt, 105)
	must(t, err, "invite 24 hours after the first")
	_, err = w.inviteEmail(mgmt, 106)
	wantHSConstraint(t, err, organizations.HSReasonHandshakeRateLimitExceeded)
}

func TestInvitationsPerDayOption(t *testing.T) {
	t.Parallel()
	w := newWorld(t, organizations.Options{MaxInvitationsPerDay: 2})
	mgmt := w.signUp(t, "Mgmt")
	w.createOrg(t, mgmt, organizations.AllFeatures)
	for i := 0; i < 2; i++ {
		_, err := w.inviteEmail(mgmt, i)
		must(t, err, "invite")
	}
	_, err := w.inviteEmail(mgmt, 2)
	wantHSConstraint(t, err, organizations.HSReasonHandshakeRateLimitExceeded)
}

// TestOpenInvitationsCountTowardAccountQuota: members plus open invitations
// may not exceed MaxAccounts (default 10); a declined, canceled or expired
// invitation releases its place.
func TestOpenInvitationsCountTowardAccountQuota(t *testing.T) {
	t.Parallel()
	w := newWorld(t, organizations.Options{})
	mgmt := w.signUp(t, "Mgmt")
	w.createOrg(t, mgmt, organizations.AllFeatures)
	member := w.signUp(t, "Member")
	w.join(t, mgmt, member) // 2 members
	decliner, late := w.signUp(t, "Decliner"), w.signUp(t, "Late")
	hd := w.invite(t, mgmt, decliner)
	var open []*organizations.Handshake
	for i := 0; i < 6; i++ {
		h, err := w.inviteEmail(mgmt, i)
		must(t, err, "invite")
		open = append(open, h)
	}
	w.clk.Advance(day) // so that the last invitation expires later than the rest
	hl := w.invite(t, mgmt, late)
	// 2 members + 8 open invitations = 10.
	_, err := w.inviteEmail(mgmt, 50)
	wantHSConstraint(t, err, organizations.HSReasonAccountNumberLimitExceeded)
	st, err := w.orgs.CreateAccount(w.ctx, mgmt, organizations.NewAccount{Name: "new", Email: "new@example.com"})
	must(t, err, "CreateAccount")
	if st.StateAt(w.clk.Now()) != organizations.CreateFailed || st.FailureReason != "ACCOUNT_LIMIT_EXCEEDED" || st.Account != "" {
		t.Errorf("CreateAccount at the quota: %s %q account %q, want FAILED ACCOUNT_LIMIT_EXCEEDED", st.StateAt(w.clk.Now()), st.FailureReason, st.Account)
	}

	steps := []struct {
		name    string
		release func(t *testing.T)
	}{
		{"declined", func(t *testing.T) {
			_, err := w.orgs.DeclineHandshake(w.ctx, decliner, hd.ID)
			must(t, err, "decline")
		}},
		{"canceled", func(t *testing.T) {
			_, err := w.orgs.CancelHandshake(w.ctx, mgmt, open[0].ID)
			must(t, err, "cancel")
		}},
	}
	for i, s := range steps {
		s.release(t)
		_, err := w.inviteEmail(mgmt, 60+i)
		must(t, err, "invite after a "+s.name+" invitation")
		_, err = w.inviteEmail(mgmt, 70+i)
		wantHSConstraint(t, err, organizations.HSReasonAccountNumberLimitExceeded)
	}

	// An accepted invitation keeps its place (as a member).
	_, err = w.orgs.AcceptHandshake(w.ctx, late, hl.ID)
	must(t, err, "accept")
	_, err = w.inviteEmail(mgmt, 80)
	wantHSConstraint(t, err, organizations.HSReasonAccountNumberLimitExceeded)

	// Now 3 members and 7 open invitations: five sent at epoch, two a day
	// later. Fifteen days after epoch the five expire and release 5 places.
	w.clk.Advance(14 * day)
	for i := 0; i < 5; i++ {
		_, err := w.inviteEmail(mgmt, 90+i)
		must(t, err, fmt.Sprintf("invite %d after expiry", i))
	}
	_, err = w.inviteEmail(mgmt, 99)
	wantHSConstraint(t, err, organizations.HSReasonAccountNumberLimitExceeded)
}

func TestCreateAccountCountsTowardQuota(t *testing.T) {
	t.Parallel()
	w := newWorld(t, organizations.Options{MaxAccounts: 3, CreateAccountDelay: time.Hour})
	mgmt := w.signUp(t, "Mgmt")
	w.createOrg(t, mgmt, organizations.AllFeatures)
	w.createMember(t, mgmt, "one")
	w.createMember(t, mgmt, "two") // still IN_PROGRESS: counted
	st, err := w.orgs.CreateAccount(w.ctx, mgmt, organizations.NewAccount{Name: "three", Email: "three@example.com"})
	must(t, err, "CreateAccount")
	if st.FailureReason != "ACCOUNT_LIMIT_EXCEEDED" {
		t.Errorf("FailureReason %q, want ACCOUNT_LIMIT_EXCEEDED", st.FailureReason)
	}
	_, err = w.inviteEmail(mgmt, 1)
	wantHSConstraint(t, err, organizations.HSReasonAccountNumberLimitExceeded)
}

// TestClosedMemberCountsUntilPostClosureEnds: a SUSPENDED member still
// counts toward the account quota; it stops counting when it leaves.
func TestClosedMemberCountsUntilPostClosureEnds(t *testing.T) {
	t.Parallel()
	w := newWorld(t, organizations.Options{MaxAccounts: 2})
	mgmt := w.signUp(t, "Mgmt")
	w.createOrg(t, mgmt, organizations.AllFeatures)
	m := w.createMember(t, mgmt, "member")
	must(t, w.orgs.CloseAccount(w.ctx, mgmt, m.Account), "CloseAccount")
	_, err := w.inviteEmail(mgmt, 1)
	wantHSConstraint(t, err, organizations.HSReasonAccountNumberLimitExceeded)
	w.clk.Advance(90*day - time.Second)
	_, err = w.inviteEmail(mgmt, 2)
	wantHSConstraint(t, err, organizations.HSReasonAccountNumberLimitExceeded)
	w.clk.Advance(time.Second)
	_, err = w.inviteEmail(mgmt, 3)
	must(t, err, "invite after the post-closure period")
}
