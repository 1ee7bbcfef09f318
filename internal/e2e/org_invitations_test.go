package e2e_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

const handshakeTTL = 15 * 24 * time.Hour

func inviteTo(c *organizations.Client, typ otypes.HandshakePartyType, id string) (*otypes.Handshake, error) {
	out, err := c.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
		Target: &otypes.HandshakeParty{Id: aws.String(id), Type: typ},
	})
	if err != nil {
		return nil, err
	}
	return out.Handshake, nil
}

func describeHandshake(t *testing.T, who actor, id string) *otypes.Handshake {
	t.Helper()
	out, err := who.Org.DescribeHandshake(ctx, &organizations.DescribeHandshakeInput{HandshakeId: aws.String(id)})
	must(t, err, "DescribeHandshake "+id)
	return out.Handshake
}

func TestOrgInvitations(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	mgmt := e.mgmt
	org := createOrg(t, mgmt.Org, otypes.OrganizationFeatureSetAll)
	orgID := aws.ToString(org.Id)
	b := e.signUp(t, "Bravo", "inv-b@example.com")
	cc := e.signUp(t, "Charlie", "inv-c@example.com")
	d := e.signUp(t, "Delta", "inv-d@example.com")
	now := e.clk.Now()

	var hb *otypes.Handshake
	t.Run("InviteByAccountID", func(t *testing.T) {
		out, err := mgmt.Org.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
			Target: &otypes.HandshakeParty{Id: aws.String(b.ID), Type: otypes.HandshakePartyTypeAccount},
			Notes:  aws.String("welcome aboard"),
		})
		must(t, err, "InviteAccountToOrganization")
		hb = out.Handshake
		id := aws.ToString(hb.Id)
		if !reHSID.MatchString(id) {
			t.Errorf("Id = %q", id)
		}
		if hb.State != otypes.HandshakeStateOpen || hb.Action != otypes.ActionTypeInviteAccountToOrganization {
			t.Errorf("State %q Action %q, want OPEN INVITE", hb.State, hb.Action)
		}
		if want := "arn:aws:organizations::000000000000:handshake/" + orgID + "/invite/" + id; aws.ToString(hb.Arn) != want {
			t.Errorf("Arn = %q, want %q", aws.ToString(hb.Arn), want)
		}
		if !hasParty(hb, orgID, otypes.HandshakePartyTypeOrganization) || !hasParty(hb, b.ID, otypes.HandshakePartyTypeAccount) {
			t.Errorf("Parties = %+v", hb.Parties)
		}
		if v, _ := resourceValue(hb.Resources, otypes.HandshakeResourceTypeNotes); v != "welcome aboard" {
			t.Errorf("NOTES resource = %q", v)
		}
		if v, _ := resourceValue(hb.Resources, otypes.HandshakeResourceTypeOrganization); v != orgID {
			t.Errorf("ORGANIZATION resource = %q", v)
		}
		if got := aws.ToTime(hb.RequestedTimestamp); !got.Equal(now) {
			t.Errorf("RequestedTimestamp = %v, want %v", got, now)
		}
		if got := aws.ToTime(hb.ExpirationTimestamp); !got.Equal(now.Add(handshakeTTL)) {
			t.Errorf("ExpirationTimestamp = %v, want %v", got, now.Add(handshakeTTL))
		}
	})
	if hb == nil {
		t.FailNow()
	}
	hbID := aws.ToString(hb.Id)

	t.Run("InvitationInOutbox", func(t *testing.T) {
		for _, m := range e.outbox(t) {
			if m.To == b.Email && strings.Contains(m.Body, hbID) {
				if !strings.Contains(m.Subject+m.Body, orgID) {
					t.Errorf("the invitation mail does not name the organization: %+v", m)
				}
				return
			}
		}
		t.Errorf("no invitation mail to %s naming %s in the outbox", b.Email, hbID)
	})

	t.Run("RecipientSeesIt", func(t *testing.T) {
		h := findHandshake(handshakesForAccount(t, b, nil), hbID)
		if h == nil || h.State != otypes.HandshakeStateOpen {
			t.Fatalf("ListHandshakesForAccount of B: %+v", h)
		}
		got := describeHandshake(t, b, hbID)
		if got.State != otypes.HandshakeStateOpen {
			t.Errorf("B DescribeHandshake State = %q", got.State)
		}
		// AWS always sends the handshake's ARN, to the recipient too.
		for what, arn := range map[string]string{"ListHandshakesForAccount": aws.ToString(h.Arn), "DescribeHandshake": aws.ToString(got.Arn)} {
			if arn != aws.ToString(hb.Arn) {
				t.Errorf("the recipient's %s has Arn %q, want %q", what, arn, aws.ToString(hb.Arn))
			}
		}
		if got := handshakesForAccount(t, d, nil); len(got) != 0 {
			t.Errorf("D sees %d handshakes, want 0", len(got))
		}
	})

	t.Run("DuplicateHandshake", func(t *testing.T) {
		_, err := inviteTo(mgmt.Org, otypes.HandshakePartyTypeAccount, b.ID)
		wantOrgErr[*otypes.DuplicateHandshakeException](t, err, "DuplicateHandshakeException")
		_, err = inviteTo(mgmt.Org, otypes.HandshakePartyTypeEmail, b.Email)
		wantOrgErr[*otypes.DuplicateHandshakeException](t, err, "DuplicateHandshakeException")
	})

	t.Run("Accept", func(t *testing.T) {
		h := accept(t, b, hbID)
		if h.State != otypes.HandshakeStateAccepted {
			t.Errorf("State = %q, want ACCEPTED", h.State)
		}
		a := describeAccount(t, mgmt.Org, b.ID)
		if a.JoinedMethod != otypes.AccountJoinedMethodInvited || a.Status != otypes.AccountStatusActive ||
			aws.ToString(a.Email) != b.Email || aws.ToString(a.Name) != "Bravo" {
			t.Errorf("DescribeAccount(B) = %+v", a)
		}
		sameIDs(t, "ListAccounts", accountIDsOf(listAccounts(t, mgmt.Org)), []string{defaultAccountID, b.ID})
		out, err := b.Org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		must(t, err, "B DescribeOrganization")
		if aws.ToString(out.Organization.Id) != orgID {
			t.Errorf("B is in %q, want %q", aws.ToString(out.Organization.Id), orgID)
		}
		if got := describeHandshake(t, mgmt, hbID); got.State != otypes.HandshakeStateAccepted {
			t.Errorf("management DescribeHandshake State = %q", got.State)
		}
	})

	t.Run("AcceptAgain", func(t *testing.T) {
		_, err := b.Org.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: aws.String(hbID)})
		wantOrgErr[*otypes.HandshakeAlreadyInStateException](t, err, "HandshakeAlreadyInStateException")
	})

	t.Run("AlreadyInAnOrganization", func(t *testing.T) {
		_, err := inviteTo(mgmt.Org, otypes.HandshakePartyTypeAccount, b.ID)
		wantHSConstraint(t, err, otypes.HandshakeConstraintViolationExceptionReasonAlreadyInAnOrganization)
		_, err = inviteTo(mgmt.Org, otypes.HandshakePartyTypeAccount, defaultAccountID)
		wantHSConstraint(t, err, otypes.HandshakeConstraintViolationExceptionReasonAlreadyInAnOrganization)
		// An account in another organization.
		x := e.signUp(t, "Xray", "inv-x@example.com")
		createOrg(t, x.Org, otypes.OrganizationFeatureSetAll)
		_, err = inviteTo(mgmt.Org, otypes.HandshakePartyTypeEmail, x.Email)
		wantHSConstraint(t, err, otypes.HandshakeConstraintViolationExceptionReasonAlreadyInAnOrganization)
	})

	t.Run("MemberCannotInvite", func(t *testing.T) {
		_, err := inviteTo(b.Org, otypes.HandshakePartyTypeAccount, d.ID)
		wantOrgAccessDenied(t, err)
		_, err = b.Org.ListHandshakesForOrganization(ctx, &organizations.ListHandshakesForOrganizationInput{})
		wantOrgAccessDenied(t, err)
	})

	var hc string
	t.Run("InviteByEmailAndDecline", func(t *testing.T) {
		h, err := inviteTo(mgmt.Org, otypes.HandshakePartyTypeEmail, cc.Email)
		must(t, err, "invite by email")
		hc = aws.ToString(h.Id)
		if !hasParty(h, cc.Email, otypes.HandshakePartyTypeEmail) {
			t.Errorf("Parties = %+v, want the EMAIL party %s", h.Parties, cc.Email)
		}
		if findHandshake(handshakesForAccount(t, cc, nil), hc) == nil {
			t.Fatalf("C does not see the invitation sent to its email")
		}
		out, err := cc.Org.DeclineHandshake(ctx, &organizations.DeclineHandshakeInput{HandshakeId: aws.String(hc)})
		must(t, err, "DeclineHandshake")
		if out.Handshake.State != otypes.HandshakeStateDeclined {
			t.Errorf("State = %q, want DECLINED", out.Handshake.State)
		}
		_, err = cc.Org.DeclineHandshake(ctx, &organizations.DeclineHandshakeInput{HandshakeId: aws.String(hc)})
		wantOrgErr[*otypes.HandshakeAlreadyInStateException](t, err, "HandshakeAlreadyInStateException")
		_, err = cc.Org.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: aws.String(hc)})
		wantOrgErr[*otypes.InvalidHandshakeTransitionException](t, err, "InvalidHandshakeTransitionException")
		if h := findHandshake(handshakesForAccount(t, cc, nil), hc); h == nil || h.State != otypes.HandshakeStateDeclined {
			t.Errorf("C lists %+v, want the DECLINED handshake", h)
		}
		_, err = cc.Org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		wantNotInUse(t, err)
	})

	var hd string
	t.Run("Cancel", func(t *testing.T) {
		hd = aws.ToString(invite(t, mgmt, d.ID).Id)
		out, err := mgmt.Org.CancelHandshake(ctx, &organizations.CancelHandshakeInput{HandshakeId: aws.String(hd)})
		must(t, err, "CancelHandshake")
		if out.Handshake.State != otypes.HandshakeStateCanceled {
			t.Errorf("State = %q, want CANCELED", out.Handshake.State)
		}
		_, err = mgmt.Org.CancelHandshake(ctx, &organizations.CancelHandshakeInput{HandshakeId: aws.String(hd)})
		wantOrgErr[*otypes.HandshakeAlreadyInStateException](t, err, "HandshakeAlreadyInStateException")
		_, err = d.Org.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: aws.String(hd)})
		wantOrgErr[*otypes.InvalidHandshakeTransitionException](t, err, "InvalidHandshakeTransitionException")
		_, err = d.Org.DeclineHandshake(ctx, &organizations.DeclineHandshakeInput{HandshakeId: aws.String(hd)})
		wantOrgErr[*otypes.InvalidHandshakeTransitionException](t, err, "InvalidHandshakeTransitionException")
		// Cancelling a declined invitation is no transition either.
		_, err = mgmt.Org.CancelHandshake(ctx, &organizations.CancelHandshakeInput{HandshakeId: aws.String(hc)})
		wantOrgErr[*otypes.InvalidHandshakeTransitionException](t, err, "InvalidHandshakeTransitionException")
		if h := findHandshake(handshakesForAccount(t, d, nil), hd); h == nil || h.State != otypes.HandshakeStateCanceled {
			t.Errorf("D lists %+v, want the CANCELED handshake", h)
		}
	})

	t.Run("ListHandshakesForOrganization", func(t *testing.T) {
		all := handshakesForOrg(t, mgmt.Org, nil, 1)
		want := map[string]otypes.HandshakeState{hbID: otypes.HandshakeStateAccepted, hc: otypes.HandshakeStateDeclined, hd: otypes.HandshakeStateCanceled}
		if len(all) != len(want) {
			t.Errorf("%d handshakes, want %d", len(all), len(want))
		}
		for id, st := range want {
			if h := findHandshake(all, id); h == nil || h.State != st {
				t.Errorf("handshake %s: %+v, want %s", id, h, st)
			}
		}
		invites := handshakesForOrg(t, mgmt.Org, &otypes.HandshakeFilter{ActionType: otypes.ActionTypeInviteAccountToOrganization}, 0)
		if len(invites) != 3 {
			t.Errorf("ActionType INVITE filter: %d handshakes, want 3", len(invites))
		}
		if got := handshakesForOrg(t, mgmt.Org, &otypes.HandshakeFilter{ActionType: otypes.ActionTypeEnableAllFeatures}, 0); len(got) != 0 {
			t.Errorf("ActionType ENABLE_ALL_FEATURES filter: %d handshakes, want 0", len(got))
		}
		_, err := mgmt.Org.ListHandshakesForOrganization(ctx, &organizations.ListHandshakesForOrganizationInput{
			Filter: &otypes.HandshakeFilter{ActionType: otypes.ActionTypeInviteAccountToOrganization, ParentHandshakeId: aws.String(hbID)},
		})
		wantInvalidInput(t, err, otypes.InvalidInputExceptionReasonMaxFilterLimitExceeded)
	})

	t.Run("BadInput", func(t *testing.T) {
		_, err := inviteTo(mgmt.Org, otypes.HandshakePartyTypeEmail, "not-an-email")
		wantInvalidInput(t, err, otypes.InvalidInputExceptionReasonInvalidEmailAddressTarget)
		_, err = mgmt.Org.DescribeHandshake(ctx, &organizations.DescribeHandshakeInput{HandshakeId: aws.String("h-0000000000")})
		wantOrgErr[*otypes.HandshakeNotFoundException](t, err, "HandshakeNotFoundException")
		_, err = b.Org.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: aws.String("h-0000000000")})
		wantOrgErr[*otypes.HandshakeNotFoundException](t, err, "HandshakeNotFoundException")
	})

	t.Run("InvitationTagsApplyOnAccept", func(t *testing.T) {
		// "A list of tags that you want to attach to the account when it
		// becomes a member of the organization."
		tg := e.signUp(t, "Tagged", "inv-tagged@example.com")
		out, err := mgmt.Org.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
			Target: &otypes.HandshakeParty{Id: aws.String(tg.ID), Type: otypes.HandshakePartyTypeAccount},
			Tags:   []otypes.Tag{{Key: aws.String("cost-center"), Value: aws.String("42")}},
		})
		must(t, err, "InviteAccountToOrganization with tags")
		accept(t, tg, aws.ToString(out.Handshake.Id))
		if got := tagsOf(t, mgmt.Org, tg.ID); len(got) != 1 || got["cost-center"] != "42" {
			t.Errorf("tags of the account after accepting = %v, want cost-center=42 from the invitation", got)
		}
	})

	t.Run("InviteAnAddressWithoutAccount", func(t *testing.T) {
		h, err := inviteTo(mgmt.Org, otypes.HandshakePartyTypeEmail, "nobody-yet@example.com")
		must(t, err, "invite an email without account")
		found := false
		for _, m := range e.outbox(t) {
			found = found || (m.To == "nobody-yet@example.com" && strings.Contains(m.Body, aws.ToString(h.Id)))
		}
		if !found {
			t.Errorf("no invitation mail to nobody-yet@example.com")
		}
		// The address signs up later and answers the invitation.
		late := e.signUp(t, "Late", "nobody-yet@example.com")
		if findHandshake(handshakesForAccount(t, late, nil), aws.ToString(h.Id)) == nil {
			t.Fatalf("the new account does not see the invitation sent to its address")
		}
		accept(t, late, aws.ToString(h.Id))
		if a := describeAccount(t, mgmt.Org, late.ID); a.JoinedMethod != otypes.AccountJoinedMethodInvited {
			t.Errorf("JoinedMethod = %q, want INVITED", a.JoinedMethod)
		}
	})
}

// Invitations expire after 15 days and leave the lists 30 days later.
func TestOrgInvitationExpiry(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{MaxAccounts: 2})
	mgmt := e.mgmt
	createOrg(t, mgmt.Org, otypes.OrganizationFeatureSetAll)
	b := e.signUp(t, "Bravo", "exp-b@example.com")
	h := aws.ToString(invite(t, mgmt, b.ID).Id)

	state := func(t *testing.T, who actor) otypes.HandshakeState {
		t.Helper()
		return describeHandshake(t, who, h).State
	}

	t.Run("OpenJustBeforeExpiry", func(t *testing.T) {
		e.clk.Advance(handshakeTTL - time.Second)
		if s := state(t, b); s != otypes.HandshakeStateOpen {
			t.Errorf("State = %q one second before expiry, want OPEN", s)
		}
		// The open invitation holds the second seat of MaxAccounts 2.
		_, err := inviteTo(mgmt.Org, otypes.HandshakePartyTypeEmail, "exp-other@example.com")
		wantHSConstraint(t, err, otypes.HandshakeConstraintViolationExceptionReasonAccountNumberLimitExceeded)
	})

	t.Run("Expired", func(t *testing.T) {
		e.clk.Advance(time.Second)
		if s := state(t, b); s != otypes.HandshakeStateExpired {
			t.Errorf("recipient sees %q, want EXPIRED", s)
		}
		if s := state(t, mgmt); s != otypes.HandshakeStateExpired {
			t.Errorf("sender sees %q, want EXPIRED", s)
		}
		if got := findHandshake(handshakesForAccount(t, b, nil), h); got == nil || got.State != otypes.HandshakeStateExpired {
			t.Errorf("ListHandshakesForAccount: %+v, want EXPIRED", got)
		}
		if got := findHandshake(handshakesForOrg(t, mgmt.Org, nil, 0), h); got == nil || got.State != otypes.HandshakeStateExpired {
			t.Errorf("ListHandshakesForOrganization: %+v, want EXPIRED", got)
		}
		_, err := b.Org.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: aws.String(h)})
		wantOrgErr[*otypes.InvalidHandshakeTransitionException](t, err, "InvalidHandshakeTransitionException")
		_, err = mgmt.Org.CancelHandshake(ctx, &organizations.CancelHandshakeInput{HandshakeId: aws.String(h)})
		wantOrgErr[*otypes.InvalidHandshakeTransitionException](t, err, "InvalidHandshakeTransitionException")
		_, err = b.Org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		wantNotInUse(t, err)
	})

	t.Run("ExpiryReleasesTheSeat", func(t *testing.T) {
		h2, err := inviteTo(mgmt.Org, otypes.HandshakePartyTypeEmail, "exp-other@example.com")
		must(t, err, "invitation once the other expired")
		_, err = mgmt.Org.CancelHandshake(ctx, &organizations.CancelHandshakeInput{HandshakeId: h2.Id})
		must(t, err, "CancelHandshake")
	})

	t.Run("RetainedFor30Days", func(t *testing.T) {
		e.clk.Advance(30*24*time.Hour - time.Second)
		if got := findHandshake(handshakesForAccount(t, b, nil), h); got == nil {
			t.Errorf("the expired handshake left ListHandshakesForAccount before 30 days")
		}
		e.clk.Advance(time.Second)
		if got := findHandshake(handshakesForAccount(t, b, nil), h); got != nil {
			t.Errorf("ListHandshakesForAccount still lists %s 30 days after it expired", h)
		}
		if got := findHandshake(handshakesForOrg(t, mgmt.Org, nil, 0), h); got != nil {
			t.Errorf("ListHandshakesForOrganization still lists %s 30 days after it expired", h)
		}
	})

	t.Run("DeletedAfterRetention", func(t *testing.T) {
		// "After that, it's deleted": no party reaches it any more.
		calls := []struct {
			what string
			call func() error
		}{
			{"recipient DescribeHandshake", func() error {
				_, err := b.Org.DescribeHandshake(ctx, &organizations.DescribeHandshakeInput{HandshakeId: aws.String(h)})
				return err
			}},
			{"sender DescribeHandshake", func() error {
				_, err := mgmt.Org.DescribeHandshake(ctx, &organizations.DescribeHandshakeInput{HandshakeId: aws.String(h)})
				return err
			}},
			{"recipient AcceptHandshake", func() error {
				_, err := b.Org.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: aws.String(h)})
				return err
			}},
			{"sender CancelHandshake", func() error {
				_, err := mgmt.Org.CancelHandshake(ctx, &organizations.CancelHandshakeInput{HandshakeId: aws.String(h)})
				return err
			}},
		}
		for _, c := range calls {
			t.Run(strings.ReplaceAll(c.what, " ", ""), func(t *testing.T) {
				err := c.call()
				var nf *otypes.HandshakeNotFoundException
				if !errors.As(err, &nf) {
					t.Fatalf("%s 30 days after expiry: %v, want HandshakeNotFoundException", c.what, err)
				}
				wantOrgErr[*otypes.HandshakeNotFoundException](t, err, "HandshakeNotFoundException")
			})
		}
	})

	t.Run("InviteAgain", func(t *testing.T) {
		join(t, mgmt, b)
	})
}

// Open invitations count toward the account quota.
func TestOrgInvitationQuota(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{MaxAccounts: 3})
	mgmt := e.mgmt
	createOrg(t, mgmt.Org, otypes.OrganizationFeatureSetAll)
	e.createAccount(t, mgmt.Org, "created", "quota-created@example.com") // 2 of 3
	b := e.signUp(t, "Bravo", "quota-b@example.com")
	cc := e.signUp(t, "Charlie", "quota-c@example.com")
	d := e.signUp(t, "Delta", "quota-d@example.com")

	hb := aws.ToString(invite(t, mgmt, b.ID).Id) // 3 of 3, open

	t.Run("OpenInvitationCounts", func(t *testing.T) {
		_, err := inviteTo(mgmt.Org, otypes.HandshakePartyTypeAccount, cc.ID)
		wantHSConstraint(t, err, otypes.HandshakeConstraintViolationExceptionReasonAccountNumberLimitExceeded)
		out, err := mgmt.Org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("x"), Email: aws.String("quota-x@example.com")})
		must(t, err, "CreateAccount")
		st, _ := e.waitCreateAccount(t, mgmt.Org, aws.ToString(out.CreateAccountStatus.Id))
		if st.State != otypes.CreateAccountStateFailed || st.FailureReason != otypes.CreateAccountFailureReasonAccountLimitExceeded {
			t.Errorf("CreateAccount at the quota: %s %s, want FAILED ACCOUNT_LIMIT_EXCEEDED", st.State, st.FailureReason)
		}
	})

	t.Run("CancelFreesTheSeat", func(t *testing.T) {
		_, err := mgmt.Org.CancelHandshake(ctx, &organizations.CancelHandshakeInput{HandshakeId: aws.String(hb)})
		must(t, err, "CancelHandshake")
		join(t, mgmt, cc)
		_, err = inviteTo(mgmt.Org, otypes.HandshakePartyTypeAccount, d.ID)
		wantHSConstraint(t, err, otypes.HandshakeConstraintViolationExceptionReasonAccountNumberLimitExceeded)
	})
}

// At most 20 invitations a day; accepted ones free their slot.
func TestOrgInvitationRateLimit(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{MaxAccounts: 50})
	mgmt := e.mgmt
	createOrg(t, mgmt.Org, otypes.OrganizationFeatureSetAll)
	b := e.signUp(t, "Bravo", "rate-b@example.com")

	// T0: B; T0+1min..T0+19min: 19 addresses without account.
	hb := aws.ToString(invite(t, mgmt, b.ID).Id)
	e.clk.Advance(time.Minute)
	var second string
	for i := 1; i < 20; i++ {
		h, err := inviteTo(mgmt.Org, otypes.HandshakePartyTypeEmail, fmt.Sprintf("rate-%02d@example.com", i))
		must(t, err, fmt.Sprintf("invitation %d", i+1))
		if i == 1 {
			second = aws.ToString(h.Id)
		}
		e.clk.Advance(time.Minute)
	}
	t.Run("TwentyFirst", func(t *testing.T) {
		_, err := inviteTo(mgmt.Org, otypes.HandshakePartyTypeEmail, "rate-20@example.com")
		wantHSConstraint(t, err, otypes.HandshakeConstraintViolationExceptionReasonHandshakeRateLimitExceeded)
	})
	t.Run("AcceptedFreesItsSlot", func(t *testing.T) {
		accept(t, b, hb)
		_, err := inviteTo(mgmt.Org, otypes.HandshakePartyTypeEmail, "rate-20@example.com")
		must(t, err, "invitation after one was accepted")
		_, err = inviteTo(mgmt.Org, otypes.HandshakePartyTypeEmail, "rate-21@example.com")
		wantHSConstraint(t, err, otypes.HandshakeConstraintViolationExceptionReasonHandshakeRateLimitExceeded)
	})
	t.Run("CancelDoesNotRefund", func(t *testing.T) {
		_, err := mgmt.Org.CancelHandshake(ctx, &organizations.CancelHandshakeInput{HandshakeId: aws.String(second)})
		must(t, err, "CancelHandshake")
		_, err = inviteTo(mgmt.Org, otypes.HandshakePartyTypeEmail, "rate-21@example.com")
		wantHSConstraint(t, err, otypes.HandshakeConstraintViolationExceptionReasonHandshakeRateLimitExceeded)
	})
	t.Run("RollingDay", func(t *testing.T) {
		// Now T0+20min. At T0+24h+1min the invitation of T0+1min (the
		// cancelled one) is more than a day old: one slot.
		e.clk.Advance(24*time.Hour - 19*time.Minute)
		_, err := inviteTo(mgmt.Org, otypes.HandshakePartyTypeEmail, "rate-21@example.com")
		must(t, err, "invitation a day later")
		_, err = inviteTo(mgmt.Org, otypes.HandshakePartyTypeEmail, "rate-22@example.com")
		wantHSConstraint(t, err, otypes.HandshakeConstraintViolationExceptionReasonHandshakeRateLimitExceeded)
	})
}

// An organization invites only accounts of its own seller of record.
func TestOrgInvitationSellerOfRecord(t *testing.T) {
	t.Parallel()
	seed := filepath.Join(t.TempDir(), "seed.yaml")
	const seedYAML = `accounts:
  - id: "222222222222"
    name: india
    email: india@example.com
    seller: AISPL
    credentials:
      - accessKeyId: AKIDINDIA
        secretAccessKey: secretindia
  - id: "333333333333"
    name: india-two
    email: india-two@example.com
    seller: AISPL
    credentials:
      - accessKeyId: AKIDINDIA2
        secretAccessKey: secretindia2
`
	if err := os.WriteFile(seed, []byte(seedYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	e := startOrgs(t, accountplanetest.Options{Seed: seed})
	india := e.actor("222222222222", "india@example.com", "AKIDINDIA", "secretindia")
	india2 := e.actor("333333333333", "india-two@example.com", "AKIDINDIA2", "secretindia2")
	createOrg(t, e.mgmt.Org, otypes.OrganizationFeatureSetAll)
	_, err := inviteTo(e.mgmt.Org, otypes.HandshakePartyTypeAccount, india.ID)
	wantHSConstraint(t, err, otypes.HandshakeConstraintViolationExceptionReasonOrganizationFromDifferentSellerOfRecord)
	_, err = inviteTo(e.mgmt.Org, otypes.HandshakePartyTypeEmail, india.Email)
	wantHSConstraint(t, err, otypes.HandshakeConstraintViolationExceptionReasonOrganizationFromDifferentSellerOfRecord)
	// An AISPL organization invites AISPL accounts only.
	createOrg(t, india.Org, otypes.OrganizationFeatureSetAll)
	aws1 := e.signUp(t, "aws", "seller-aws@example.com")
	_, err = inviteTo(india.Org, otypes.HandshakePartyTypeAccount, aws1.ID)
	wantHSConstraint(t, err, otypes.HandshakeConstraintViolationExceptionReasonOrganizationFromDifferentSellerOfRecord)
	join(t, india, india2)
}

// An account invited by two organizations that accepts both at once joins
// exactly one.
func TestOrgAcceptHandshakeRace(t *testing.T) {
	t.Parallel()
	e := startOrgs(t, accountplanetest.Options{})
	org1 := aws.ToString(createOrg(t, e.mgmt.Org, otypes.OrganizationFeatureSetAll).Id)
	m2 := e.signUp(t, "Second management", "race-m2@example.com")
	org2 := aws.ToString(createOrg(t, m2.Org, otypes.OrganizationFeatureSetAll).Id)

	for round := range 3 {
		t.Run(fmt.Sprintf("Round%d", round), func(t *testing.T) {
			target := e.signUp(t, "target", fmt.Sprintf("race-%d@example.com", round))
			h1 := aws.ToString(invite(t, e.mgmt, target.ID).Id)
			h2 := aws.ToString(invite(t, m2, target.ID).Id)
			errs := make([]error, 2)
			var wg sync.WaitGroup
			gate := make(chan struct{})
			for i, h := range []string{h1, h2} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-gate
					_, errs[i] = target.Org.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: aws.String(h)})
				}()
			}
			close(gate)
			wg.Wait()
			winner := -1
			for i, err := range errs {
				if err == nil {
					if winner >= 0 {
						t.Fatalf("both AcceptHandshake calls succeeded")
					}
					winner = i
				}
			}
			if winner < 0 {
				t.Fatalf("no AcceptHandshake call succeeded: %v / %v", errs[0], errs[1])
			}
			wantHSConstraint(t, errs[1-winner], otypes.HandshakeConstraintViolationExceptionReasonAlreadyInAnOrganization)
			out, err := target.Org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
			must(t, err, "DescribeOrganization")
			if want := []string{org1, org2}[winner]; aws.ToString(out.Organization.Id) != want {
				t.Errorf("the account is in %s, want the winner's %s", aws.ToString(out.Organization.Id), want)
			}
			loser := []actor{e.mgmt, m2}[1-winner]
			if s := describeHandshake(t, loser, []string{h1, h2}[1-winner]).State; s != otypes.HandshakeStateOpen {
				t.Errorf("the losing invitation is %s, want still OPEN", s)
			}
			ids := accountIDsOf(listAccounts(t, loser.Org))
			for _, id := range ids {
				if id == target.ID {
					t.Errorf("the losing organization lists the account too")
				}
			}
		})
	}
}
