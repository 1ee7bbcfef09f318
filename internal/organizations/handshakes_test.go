package organizations_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
)

// handshakeWorld is an ALL-features organization run by mgmt, an invitee
// with an open invitation h, and an unrelated standalone account.
type handshakeWorld struct {
	*world
	mgmt, invitee, other identity.Principal
	org                  *organizations.Organization
	h                    *organizations.Handshake
}

func newHandshakeWorld(tb testing.TB, opts organizations.Options) *handshakeWorld {
	tb.Helper()
	w := newWorld(tb, opts)
	hw := &handshakeWorld{world: w, mgmt: w.signUp(tb, "Mgmt"), invitee: w.signUp(tb, "Invitee"), other: w.signUp(tb, "Other")}
	hw.org = w.createOrg(tb, hw.mgmt, organizations.AllFeatures)
	hw.h = w.invite(tb, hw.mgmt, hw.invitee)
	return hw
}

func (hw *handshakeWorld) describe(tb testing.TB, p identity.Principal) *organizations.Handshake {
	tb.Helper()
	h, err := hw.orgs.DescribeHandshake(hw.ctx, p, hw.h.ID)
	if err != nil {
		tb.Fatalf("DescribeHandshake by %s: %v", p.Account, err)
	}
	return h
}

func (hw *handshakeWorld) member(tb testing.TB, p identity.Principal) bool {
	tb.Helper()
	_, _, ok, err := hw.orgs.MembershipOf(hw.ctx, p.Account)
	must(tb, err, "MembershipOf")
	return ok
}

func TestInvitationIsOpenAndMailed(t *testing.T) {
	t.Parallel()
	hw := newHandshakeWorld(t, organizations.Options{})
	h := hw.h
	if h.Action != organizations.ActionInvite || h.State != organizations.HandshakeOpen {
		t.Errorf("Action, State = %s, %s; want INVITE, OPEN", h.Action, h.State)
	}
	if h.TargetAccount != hw.invitee.Account || h.ManagementAccount != hw.mgmt.Account || h.Org != hw.org.ID {
		t.Errorf("handshake %+v: want target %s, management %s, org %s", h, hw.invitee.Account, hw.mgmt.Account, hw.org.ID)
	}
	if !h.RequestedAt.Equal(epoch) || !h.ExpiresAt.Equal(epoch.Add(15*day)) {
		t.Errorf("RequestedAt %v, ExpiresAt %v; want %v and 15 days later", h.RequestedAt, h.ExpiresAt, epoch)
	}
	if !organizations.IsHandshakeID(string(h.ID)) {
		t.Errorf("id %q does not match the handshake id pattern", h.ID)
	}
	msgs, err := hw.db.Messages(hw.ctx, 10)
	must(t, err, "Messages")
	if len(msgs) != 1 {
		t.Fatalf("outbox has %d messages, want the invitation", len(msgs))
	}
	m := msgs[0]
	if m.To != emailOf("Invitee") || m.Account != string(hw.invitee.Account) || !strings.Contains(m.Body, string(h.ID)) {
		t.Errorf("invitation message %+v: want to %s about %s", m, emailOf("Invitee"), h.ID)
	}
	if hw.member(t, hw.invitee) {
		t.Error("the invitee is a member before accepting")
	}
}

// TestHandshakeAnswers walks every answer from OPEN and then every answer
// again from the state it reached.
func TestHandshakeAnswers(t *testing.T) {
	t.Parallel()
	type answer int
	const (
		accept answer = iota
		decline
		cancel
	)
	do := func(hw *handshakeWorld, a answer) (*organizations.Handshake, error) {
		switch a {
		case accept:
			return hw.orgs.AcceptHandshake(hw.ctx, hw.invitee, hw.h.ID)
		case decline:
			return hw.orgs.DeclineHandshake(hw.ctx, hw.invitee, hw.h.ID)
		default:
			return hw.orgs.CancelHandshake(hw.ctx, hw.mgmt, hw.h.ID)
		}
	}
	names := map[answer]string{accept: "Accept", decline: "Decline", cancel: "Cancel"}
	tests := []struct {
		first      answer
		state      organizations.HandshakeState
		joins      bool
		thenErrors map[answer]string
	}{
		{accept, organizations.HandshakeAccepted, true, map[answer]string{
			accept:  organizations.CodeHandshakeAlreadyInState,
			decline: organizations.CodeInvalidHandshakeTransition,
			cancel:  organizations.CodeInvalidHandshakeTransition,
		}},
		{decline, organizations.HandshakeDeclined, false, map[answer]string{
			accept:  organizations.CodeInvalidHandshakeTransition,
			decline: organizations.CodeHandshakeAlreadyInState,
			cancel:  organizations.CodeInvalidHandshakeTransition,
		}},
		{cancel, organizations.HandshakeCanceled, false, map[answer]string{
			accept:  organizations.CodeInvalidHandshakeTransition,
			decline: organizations.CodeInvalidHandshakeTransition,
			cancel:  organizations.CodeHandshakeAlreadyInState,
		}},
	}
	for _, tt := range tests {
		t.Run(names[tt.first], func(t *testing.T) {
			hw := newHandshakeWorld(t, organizations.Options{})
			hw.clk.Advance(time.Hour)
			h, err := do(hw, tt.first)
			must(t, err, names[tt.first])
			if h.State != tt.state || !h.UpdatedAt.Equal(epoch.Add(time.Hour)) {
				t.Errorf("State %s UpdatedAt %v, want %s at %v", h.State, h.UpdatedAt, tt.state, epoch.Add(time.Hour))
			}
			if got := hw.describe(t, hw.mgmt).State; got != tt.state {
				t.Errorf("stored state %s, want %s", got, tt.state)
			}
			if got := hw.member(t, hw.invitee); got != tt.joins {
				t.Errorf("invitee member = %v, want %v", got, tt.joins)
			}
			for _, then := range []answer{accept, decline, cancel} {
				_, err := do(hw, then)
				wantCode(t, err, tt.thenErrors[then])
			}
			if got := hw.describe(t, hw.mgmt).State; got != tt.state {
				t.Errorf("after the refused answers: state %s, want %s", got, tt.state)
			}
		})
	}
}

func TestHandshakeParties(t *testing.T) {
	t.Parallel()
	hw := newHandshakeWorld(t, organizations.Options{})
	member := hw.signUp(t, "Member")
	hw.join(t, hw.mgmt, member)
	tests := []struct {
		name   string
		caller func() identity.Principal
		call   func(p identity.Principal) error
		code   string // "" means allowed
	}{
		{"management cannot accept", func() identity.Principal { return hw.mgmt }, hw.accept, organizations.CodeAccessDenied},
		{"management cannot decline", func() identity.Principal { return hw.mgmt }, hw.decline, organizations.CodeAccessDenied},
		{"invitee cannot cancel", func() identity.Principal { return hw.invitee }, hw.cancel, organizations.CodeAccessDenied},
		{"a member cannot cancel", func() identity.Principal { return member }, hw.cancel, organizations.CodeAccessDenied},
		{"a stranger cannot accept", func() identity.Principal { return hw.other }, hw.accept, organizations.CodeAccessDenied},
		{"a stranger cannot decline", func() identity.Principal { return hw.other }, hw.decline, organizations.CodeAccessDenied},
		{"a stranger cannot cancel", func() identity.Principal { return hw.other }, hw.cancel, organizations.CodeAccessDenied},
		{"a stranger cannot describe", func() identity.Principal { return hw.other }, hw.describeErr, organizations.CodeAccessDenied},
		{"a member cannot describe", func() identity.Principal { return member }, hw.describeErr, organizations.CodeAccessDenied},
		{"the invitee describes", func() identity.Principal { return hw.invitee }, hw.describeErr, ""},
		{"the management account describes", func() identity.Principal { return hw.mgmt }, hw.describeErr, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(tt.caller())
			if tt.code == "" {
				must(t, err, tt.name)
				return
			}
			wantCode(t, err, tt.code)
		})
	}
	if st := hw.describe(t, hw.mgmt).State; st != organizations.HandshakeOpen {
		t.Errorf("after refused answers the handshake is %s, want OPEN", st)
	}
	_, err := hw.orgs.AcceptHandshake(hw.ctx, hw.invitee, "h-0000000000")
	wantCode(t, err, organizations.CodeHandshakeNotFound)
	_, err = hw.orgs.CancelHandshake(hw.ctx, hw.mgmt, "h-0000000000")
	wantCode(t, err, organizations.CodeHandshakeNotFound)
}

func (hw *handshakeWorld) accept(p identity.Principal) error {
	_, err := hw.orgs.AcceptHandshake(hw.ctx, p, hw.h.ID)
	return err
}

func (hw *handshakeWorld) decline(p identity.Principal) error {
	_, err := hw.orgs.DeclineHandshake(hw.ctx, p, hw.h.ID)
	return err
}

func (hw *handshakeWorld) cancel(p identity.Principal) error {
	_, err := hw.orgs.CancelHandshake(hw.ctx, p, hw.h.ID)
	return err
}

func (hw *handshakeWorld) describeErr(p identity.Principal) error {
	_, err := hw.orgs.DescribeHandshake(hw.ctx, p, hw.h.ID)
	return err
}

func TestHandshakeExpiresAfter15Days(t *testing.T) {
	t.Parallel()
	hw := newHandshakeWorld(t, organizations.Options{})
	hw.clk.Advance(15*day - time.Second)
	if st := hw.describe(t, hw.invitee).StateAt(hw.clk.Now()); st != organizations.HandshakeOpen {
		t.Fatalf("one second before 15 days: %s, want OPEN", st)
	}
	hw.clk.Advance(time.Second)
	if st := hw.describe(t, hw.invitee).StateAt(hw.clk.Now()); st != organizations.HandshakeExpired {
		t.Fatalf("at 15 days: %s, want EXPIRED", st)
	}
	wantCode(t, hw.accept(hw.invitee), organizations.CodeInvalidHandshakeTransition)
	wantCode(t, hw.decline(hw.invitee), organizations.CodeInvalidHandshakeTransition)
	wantCode(t, hw.cancel(hw.mgmt), organizations.CodeInvalidHandshakeTransition)
	if hw.member(t, hw.invitee) {
		t.Error("an expired invitation made the invitee a member")
	}
	// Expiry releases the target: a new invitation is no duplicate.
	h2 := hw.invite(t, hw.mgmt, hw.invitee)
	if _, err := hw.orgs.AcceptHandshake(hw.ctx, hw.invitee, h2.ID); err != nil {
		t.Fatalf("accept the new invitation: %v", err)
	}
}

func TestHandshakeTTLOption(t *testing.T) {
	t.Parallel()
	hw := newHandshakeWorld(t, organizations.Options{HandshakeTTL: time.Hour})
	if !hw.h.ExpiresAt.Equal(epoch.Add(time.Hour)) {
		t.Errorf("ExpiresAt %v, want one hour after %v", hw.h.ExpiresAt, epoch)
	}
	hw.clk.Advance(time.Hour)
	wantCode(t, hw.accept(hw.invitee), organizations.CodeInvalidHandshakeTransition)
}

// TestClosedHandshakesRetained30Days: a closed handshake stays visible for
// 30 days after it closed (the expiry time for an expired one), then is gone.
func TestClosedHandshakesRetained30Days(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// close closes the handshake and returns when it closed.
		close func(t *testing.T, hw *handshakeWorld) time.Time
	}{
		{"accepted", func(t *testing.T, hw *handshakeWorld) time.Time {
			hw.clk.Advance(2 * day)
			must(t, hw.accept(hw.invitee), "accept")
			return hw.clk.Now()
		}},
		{"declined", func(t *testing.T, hw *handshakeWorld) time.Time {
			hw.clk.Advance(3 * day)
			must(t, hw.decline(hw.invitee), "decline")
			return hw.clk.Now()
		}},
		{"canceled", func(t *testing.T, hw *handshakeWorld) time.Time {
			hw.clk.Advance(day)
			must(t, hw.cancel(hw.mgmt), "cancel")
			return hw.clk.Now()
		}},
		{"expired", func(t *testing.T, hw *handshakeWorld) time.Time {
			hw.clk.Advance(15 * day)
			return hw.h.ExpiresAt
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hw := newHandshakeWorld(t, organizations.Options{})
			closed := tt.close(t, hw)
			listed := func() (forOrg, forAccount bool) {
				all, err := hw.orgs.ListHandshakesForOrganization(hw.ctx, hw.mgmt, organizations.HandshakeFilter{})
				must(t, err, "ListHandshakesForOrganization")
				mine, err := hw.orgs.ListHandshakesForAccount(hw.ctx, hw.invitee, organizations.HandshakeFilter{})
				must(t, err, "ListHandshakesForAccount")
				for _, h := range all {
					forOrg = forOrg || h.ID == hw.h.ID
				}
				for _, h := range mine {
					forAccount = forAccount || h.ID == hw.h.ID
				}
				return
			}
			hw.clk.Advance(closed.Add(30*day).Sub(hw.clk.Now()) - time.Second)
			hw.describe(t, hw.mgmt)
			hw.describe(t, hw.invitee)
			if o, a := listed(); !o || !a {
				t.Errorf("a second before 30 days: listed for organization %v, for account %v; want both", o, a)
			}
			hw.clk.Advance(time.Second)
			wantCode(t, hw.describeErr(hw.mgmt), organizations.CodeHandshakeNotFound)
			wantCode(t, hw.describeErr(hw.invitee), organizations.CodeHandshakeNotFound)
			wantCode(t, hw.accept(hw.invitee), organizations.CodeHandshakeNotFound)
			if o, a := listed(); o || a {
				t.Errorf("at 30 days: listed for organization %v, for account %v; want neither", o, a)
			}
		})
	}
}

func TestHandshakeRetentionOption(t *testing.T) {
	t.Parallel()
	hw := newHandshakeWorld(t, organizations.Options{HandshakeRetention: time.Hour})
	must(t, hw.cancel(hw.mgmt), "cancel")
	hw.clk.Advance(time.Hour)
	wantCode(t, hw.describeErr(hw.mgmt), organizations.CodeHandshakeNotFound)
}

// TestOpenHandshakeStaysListed: an open handshake is never retired, however
// long before its expiry it was sent.
func TestOpenHandshakeStaysListed(t *testing.T) {
	t.Parallel()
	hw := newHandshakeWorld(t, organizations.Options{HandshakeTTL: 60 * day})
	hw.clk.Advance(45 * day)
	if st := hw.describe(t, hw.invitee).StateAt(hw.clk.Now()); st != organizations.HandshakeOpen {
		t.Errorf("state %s, want OPEN", st)
	}
	must(t, hw.accept(hw.invitee), "accept after 45 days of a 60-day invitation")
}

func TestInviteByEmail(t *testing.T) {
	t.Parallel()
	w := newWorld(t, organizations.Options{})
	mgmt := w.signUp(t, "Mgmt")
	w.createOrg(t, mgmt, organizations.AllFeatures)

	t.Run("existing account", func(t *testing.T) {
		b := w.signUp(t, "Bravo")
		h, err := w.orgs.InviteAccount(w.ctx, mgmt, organizations.Invitation{TargetType: organizations.PartyEmail, Target: "BRAVO@example.com"})
		must(t, err, "invite by email")
		if h.TargetAccount != b.Account {
			t.Errorf("TargetAccount %q, want %s (resolved from the email)", h.TargetAccount, b.Account)
		}
		// The same account by id is a duplicate.
		_, err = w.orgs.InviteAccount(w.ctx, mgmt, organizations.Invitation{TargetType: organizations.PartyAccount, Target: string(b.Account)})
		wantCode(t, err, organizations.CodeDuplicateHandshake)
		_, err = w.orgs.AcceptHandshake(w.ctx, b, h.ID)
		must(t, err, "accept")
	})

	t.Run("address of no account yet", func(t *testing.T) {
		h, err := w.orgs.InviteAccount(w.ctx, mgmt, organizations.Invitation{TargetType: organizations.PartyEmail, Target: "late@example.com", Notes: "welcome"})
		must(t, err, "invite an address")
		if h.TargetAccount != "" {
			t.Errorf("TargetAccount %q, want none", h.TargetAccount)
		}
		msgs, err := w.db.Messages(w.ctx, 1)
		must(t, err, "Messages")
		if len(msgs) != 1 || msgs[0].To != "late@example.com" || !strings.Contains(msgs[0].Body, "welcome") {
			t.Errorf("newest message %+v, want the invitation to late@example.com with its notes", msgs)
		}
		// The account that later owns the address is the recipient.
		late := w.signUp(t, "Late")
		mine, err := w.orgs.ListHandshakesForAccount(w.ctx, late, organizations.HandshakeFilter{})
		must(t, err, "ListHandshakesForAccount")
		if len(mine) != 1 || mine[0].ID != h.ID {
			t.Fatalf("Late lists %+v, want %s", mine, h.ID)
		}
		other := w.signUp(t, "Other")
		_, err = w.orgs.AcceptHandshake(w.ctx, other, h.ID)
		wantCode(t, err, organizations.CodeAccessDenied)
		got, err := w.orgs.AcceptHandshake(w.ctx, late, h.ID)
		must(t, err, "accept by the owner of the address")
		if got.TargetAccount != late.Account {
			t.Errorf("accepted handshake TargetAccount %q, want %s", got.TargetAccount, late.Account)
		}
		if org, _, ok, _ := w.orgs.MembershipOf(w.ctx, late.Account); !ok || org == "" {
			t.Error("Late is no member after accepting")
		}
	})
}

func TestInviteRefusals(t *testing.T) {
	t.Parallel()
	w := newWorld(t, organizations.Options{})
	mgmt := w.signUp(t, "Mgmt")
	w.createOrg(t, mgmt, organizations.AllFeatures)
	member := w.signUp(t, "Member")
	w.join(t, mgmt, member)
	target := w.signUp(t, "Target")
	otherMgmt := w.signUp(t, "OtherMgmt")
	w.createOrg(t, otherMgmt, organizations.AllFeatures)
	otherMember := w.signUp(t, "OtherMember")
	w.join(t, otherMgmt, otherMember)
	india := w.signUp(t, "India")
	w.editAccount(t, india.Account, func(a *account.Account) { a.Seller = "AISPL" })
	standalone := w.signUp(t, "Standalone")
	open := w.invite(t, mgmt, target)

	byID := func(id identity.AccountID) organizations.Invitation {
		return organizations.Invitation{TargetType: organizations.PartyAccount, Target: string(id)}
	}
	tests := []struct {
		name         string
		caller       identity.Principal
		in           organizations.Invitation
		code, reason string
	}{
		{"party type ORGANIZATION", mgmt, organizations.Invitation{TargetType: organizations.PartyOrganization, Target: "o-aaaaaaaaaa"},
			organizations.CodeInvalidInput, organizations.InputReasonInvalidPartyTypeTarget},
		{"ACCOUNT target not 12 digits", mgmt, organizations.Invitation{TargetType: organizations.PartyAccount, Target: "12345"},
			organizations.CodeInvalidInput, organizations.InputReasonInvalidPartyTypeTarget},
		{"unknown account", mgmt, byID("999999999999"), organizations.CodeAccountNotFound, ""},
		{"a member cannot invite", member, byID(target.Account), organizations.CodeAccessDenied, ""},
		{"a standalone account cannot invite", standalone, byID(target.Account), organizations.CodeAWSOrganizationsNotInUse, ""},
		{"the management account itself", mgmt, byID(mgmt.Account),
			organizations.CodeHandshakeConstraintViolation, organizations.HSReasonAlreadyInAnOrganization},
		{"a member of this organization", mgmt, byID(member.Account),
			organizations.CodeHandshakeConstraintViolation, organizations.HSReasonAlreadyInAnOrganization},
		{"a member of another organization", mgmt, byID(otherMember.Account),
			organizations.CodeHandshakeConstraintViolation, organizations.HSReasonAlreadyInAnOrganization},
		{"another management account by email", mgmt, organizations.Invitation{TargetType: organizations.PartyEmail, Target: emailOf("OtherMgmt")},
			organizations.CodeHandshakeConstraintViolation, organizations.HSReasonAlreadyInAnOrganization},
		{"another seller of record", mgmt, byID(india.Account),
			organizations.CodeHandshakeConstraintViolation, organizations.HSReasonDifferentSellerOfRecord},
		{"an open invitation to the same account", mgmt, byID(target.Account), organizations.CodeDuplicateHandshake, ""},
		{"an open invitation to the same account's email", mgmt, organizations.Invitation{TargetType: organizations.PartyEmail, Target: emailOf("Target")},
			organizations.CodeDuplicateHandshake, ""},
		{"duplicate tag keys", mgmt, organizations.Invitation{TargetType: organizations.PartyAccount, Target: string(standalone.Account),
			Tags: []organizations.Tag{{Key: "k", Value: "1"}, {Key: "k", Value: "2"}}},
			organizations.CodeInvalidInput, organizations.InputReasonDuplicateTagKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := w.orgs.InviteAccount(w.ctx, tt.caller, tt.in)
			wantReason(t, err, tt.code, tt.reason)
		})
	}
	// None of the refusals wrote a handshake.
	all, err := w.orgs.ListHandshakesForOrganization(w.ctx, mgmt, organizations.HandshakeFilter{})
	must(t, err, "ListHandshakesForOrganization")
	if len(all) != 2 {
		t.Errorf("%d handshakes, want the member's and %s", len(all), open.ID)
	}
}

// TestSameSellerMayJoin: an AISPL organization invites AISPL accounts.
func TestSameSellerMayJoin(t *testing.T) {
	t.Parallel()
	w := newWorld(t, organizations.Options{})
	mgmt, b := w.signUp(t, "Mgmt"), w.signUp(t, "Bravo")
	w.editAccount(t, mgmt.Account, func(a *account.Account) { a.Seller = "AISPL" })
	w.editAccount(t, b.Account, func(a *account.Account) { a.Seller = "AISPL" })
	c := w.signUp(t, "Charlie")
	w.createOrg(t, mgmt, organizations.AllFeatures)
	w.join(t, mgmt, b)
	_, err := w.orgs.InviteAccount(w.ctx, mgmt, organizations.Invitation{TargetType: organizations.PartyAccount, Target: string(c.Account)})
	wantHSConstraint(t, err, organizations.HSReasonDifferentSellerOfRecord)
}

func TestAcceptWhileInAnotherOrganization(t *testing.T) {
	t.Parallel()
	w := newWorld(t, organizations.Options{})
	a, b, x := w.signUp(t, "Alpha"), w.signUp(t, "Bravo"), w.signUp(t, "Xray")
	w.createOrg(t, a, organizations.AllFeatures)
	w.createOrg(t, b, organizations.AllFeatures)
	ha, hb := w.invite(t, a, x), w.invite(t, b, x)
	_, err := w.orgs.AcceptHandshake(w.ctx, x, ha.ID)
	must(t, err, "accept A's invitation")
	_, err = w.orgs.AcceptHandshake(w.ctx, x, hb.ID)
	wantHSConstraint(t, err, organizations.HSReasonAlreadyInAnOrganization)
	hb2, err := w.orgs.DescribeHandshake(w.ctx, b, hb.ID)
	must(t, err, "describe B's invitation")
	if hb2.State != organizations.HandshakeOpen {
		t.Errorf("B's refused invitation is %s, want still OPEN", hb2.State)
	}
	org, mgmt, ok, err := w.orgs.MembershipOf(w.ctx, x.Account)
	must(t, err, "MembershipOf")
	if !ok || mgmt {
		t.Fatalf("Xray membership ok=%v management=%v", ok, mgmt)
	}
	ao, err := w.orgs.DescribeOrganization(w.ctx, a)
	must(t, err, "DescribeOrganization")
	if org != ao.ID {
		t.Errorf("Xray is in %s, want %s", org, ao.ID)
	}
	// An account that became a management account since its invitation
	// cannot accept it.
	y := w.signUp(t, "Yankee")
	hy := w.invite(t, b, y)
	w.createOrg(t, y, organizations.AllFeatures)
	_, err = w.orgs.AcceptHandshake(w.ctx, y, hy.ID)
	wantHSConstraint(t, err, organizations.HSReasonAlreadyInAnOrganization)
}

// TestRacingAccepts: concurrent accepts of the same invitation, and of two
// organizations' invitations to one account, have exactly one winner.
func TestRacingAccepts(t *testing.T) {
	t.Parallel()
	const racers = 8
	stores := []struct {
		name string
		open func(testing.TB, organizations.Options) *world
	}{
		{"memory", newWorld},
		{"file", newFileWorld},
	}
	for _, st := range stores {
		t.Run(st.name+"/same handshake", func(t *testing.T) {
			w := st.open(t, organizations.Options{})
			mgmt, x := w.signUp(t, "Mgmt"), w.signUp(t, "Xray")
			w.createOrg(t, mgmt, organizations.AllFeatures)
			h := w.invite(t, mgmt, x)
			errs := race(racers, func(int) error {
				_, err := w.orgs.AcceptHandshake(w.ctx, x, h.ID)
				return err
			})
			wantOneWinner(t, errs, organizations.CodeHandshakeAlreadyInState, "")
			if ids := w.accountIDs(t, mgmt); len(ids) != 2 {
				t.Errorf("organization has %v, want the management account and Xray once", ids)
			}
		})
		t.Run(st.name+"/two organizations", func(t *testing.T) {
			w := st.open(t, organizations.Options{})
			x := w.signUp(t, "Xray")
			var mgmts []identity.Principal
			var hs []*organizations.Handshake
			for i := 0; i < racers; i++ {
				m := w.signUp(t, "Mgmt"+string(rune('a'+i)))
				w.createOrg(t, m, organizations.AllFeatures)
				mgmts = append(mgmts, m)
				hs = append(hs, w.invite(t, m, x))
			}
			errs := race(racers, func(i int) error {
				_, err := w.orgs.AcceptHandshake(w.ctx, x, hs[i].ID)
				return err
			})
			wantOneWinner(t, errs, organizations.CodeHandshakeConstraintViolation, organizations.HSReasonAlreadyInAnOrganization)
			members := 0
			for _, m := range mgmts {
				if contains(w.accountIDs(t, m), x.Account) {
					members++
				}
			}
			if members != 1 {
				t.Errorf("Xray is listed in %d organizations, want 1", members)
			}
		})
	}
}

// race runs n calls of fn at once and returns their errors.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := 0; i < n; i++ {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			errs[i] = fn(i)
		}()
	}
	start.Done()
	done.Wait()
	return errs
}

func wantOneWinner(t *testing.T, errs []error, code, reason string) {
	t.Helper()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
			continue
		}
		wantReason(t, err, code, reason)
	}
	if wins != 1 {
		t.Errorf("%d of %d racers won, want exactly 1", wins, len(errs))
	}
}

func TestHandshakeFilters(t *testing.T) {
	t.Parallel()
	hw := newHandshakeWorld(t, organizations.Options{})
	for _, f := range []organizations.HandshakeFilter{
		{}, {Action: organizations.ActionInvite},
	} {
		got, err := hw.orgs.ListHandshakesForOrganization(hw.ctx, hw.mgmt, f)
		must(t, err, "ListHandshakesForOrganization")
		if len(got) != 1 || got[0].ID != hw.h.ID {
			t.Errorf("filter %+v: %d handshakes, want %s", f, len(got), hw.h.ID)
		}
	}
	got, err := hw.orgs.ListHandshakesForOrganization(hw.ctx, hw.mgmt, organizations.HandshakeFilter{Action: organizations.ActionEnableAllFeatures})
	must(t, err, "ListHandshakesForOrganization")
	if len(got) != 0 {
		t.Errorf("ENABLE_ALL_FEATURES filter: %d handshakes, want 0", len(got))
	}
	// Only the management account (or a delegated administrator) lists the organization's.
	_, err = hw.orgs.ListHandshakesForOrganization(hw.ctx, hw.invitee, organizations.HandshakeFilter{})
	wantCode(t, err, organizations.CodeAWSOrganizationsNotInUse)
	mine, err := hw.orgs.ListHandshakesForAccount(hw.ctx, hw.other, organizations.HandshakeFilter{})
	must(t, err, "ListHandshakesForAccount")
	if len(mine) != 0 {
		t.Errorf("a stranger lists %d handshakes, want 0", len(mine))
	}
}
