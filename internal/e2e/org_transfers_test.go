package e2e_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

// transferStart is the first day of the month after next on e's clock:
// far enough ahead for an invitation to be accepted.
func (e *orgEnv) transferStart() time.Time {
	y, m, _ := e.clk.Now().Date()
	return time.Date(y, m+2, 1, 0, 0, 0, 0, time.UTC)
}

// inviteToTransfer sends a billing transfer invitation from by to the
// management account to; it returns the handshake and the transfer id.
func (e *orgEnv) inviteToTransfer(t *testing.T, by, to actor, name string) (*otypes.Handshake, string) {
	t.Helper()
	out, err := by.Org.InviteOrganizationToTransferResponsibility(ctx, &organizations.InviteOrganizationToTransferResponsibilityInput{
		Type:           otypes.ResponsibilityTransferTypeBilling,
		Target:         &otypes.HandshakeParty{Id: aws.String(to.ID), Type: otypes.HandshakePartyTypeAccount},
		StartTimestamp: aws.Time(e.transferStart()),
		SourceName:     aws.String(name),
		Notes:          aws.String("we pay"),
	})
	must(t, err, "InviteOrganizationToTransferResponsibility")
	h := out.Handshake
	if h.Action != otypes.ActionTypeTransferResponsibility || h.State != otypes.HandshakeStateOpen || !reHSID.MatchString(aws.ToString(h.Id)) {
		t.Fatalf("handshake %+v", h)
	}
	for _, r := range h.Resources {
		if r.Type == otypes.HandshakeResourceTypeResponsibilityTransfer {
			return h, aws.ToString(r.Value)
		}
	}
	t.Fatalf("handshake %s names no RESPONSIBILITY_TRANSFER resource", aws.ToString(h.Id))
	return nil, ""
}

func describeTransfer(t *testing.T, a actor, id string) *otypes.ResponsibilityTransfer {
	t.Helper()
	out, err := a.Org.DescribeResponsibilityTransfer(ctx, &organizations.DescribeResponsibilityTransferInput{Id: aws.String(id)})
	must(t, err, "DescribeResponsibilityTransfer")
	return out.ResponsibilityTransfer
}

func wantTransferStatus(t *testing.T, a actor, id string, want otypes.ResponsibilityTransferStatus) {
	t.Helper()
	if got := describeTransfer(t, a, id).Status; got != want {
		t.Fatalf("transfer %s as %s: %s, want %s", id, a.ID, got, want)
	}
}

// Responsibility transfers reaching each status with the SDK: accepted
// (then withdrawn), declined, canceled and expired, with the model's
// transition errors.
func TestResponsibilityTransfers(t *testing.T) {
	e := startOrgs(t, accountplanetest.Options{})
	biller := e.mgmt
	createOrg(t, biller.Org, otypes.OrganizationFeatureSetAll)
	payers := make([]actor, 4)
	for i, name := range []string{"accepts", "declines", "canceled", "expires"} {
		payers[i] = e.signUp(t, "Payer "+name, "payer-"+name+"@example.com")
		createOrg(t, payers[i].Org, otypes.OrganizationFeatureSetAll)
	}

	t.Run("Accepted", func(t *testing.T) {
		payer := payers[0]
		h, id := e.inviteToTransfer(t, biller, payer, "Payer billing")
		// The invitation reaches the payer's handshakes and outbound list.
		hs, err := payer.Org.ListHandshakesForAccount(ctx, &organizations.ListHandshakesForAccountInput{})
		must(t, err, "ListHandshakesForAccount")
		if len(hs.Handshakes) != 1 || aws.ToString(hs.Handshakes[0].Id) != aws.ToString(h.Id) {
			t.Fatalf("payer's handshakes %+v", hs.Handshakes)
		}
		outb, err := payer.Org.ListOutboundResponsibilityTransfers(ctx, &organizations.ListOutboundResponsibilityTransfersInput{Type: otypes.ResponsibilityTransferTypeBilling})
		must(t, err, "ListOutboundResponsibilityTransfers")
		if len(outb.ResponsibilityTransfers) != 1 || outb.ResponsibilityTransfers[0].Status != otypes.ResponsibilityTransferStatusRequested ||
			aws.ToString(outb.ResponsibilityTransfers[0].ActiveHandshakeId) != aws.ToString(h.Id) {
			t.Fatalf("outbound %+v", outb.ResponsibilityTransfers)
		}
		if arn := aws.ToString(outb.ResponsibilityTransfers[0].Arn); !strings.HasPrefix(arn, "arn:aws:organizations::"+payer.ID+":transfer/o-") ||
			!strings.HasSuffix(arn, "/billing/outbound/"+id) {
			t.Errorf("outbound Arn %s", arn)
		}

		acc, err := payer.Org.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: h.Id})
		must(t, err, "AcceptHandshake")
		if acc.Handshake.State != otypes.HandshakeStateAccepted {
			t.Fatalf("accepted handshake %s", acc.Handshake.State)
		}
		in, err := biller.Org.ListInboundResponsibilityTransfers(ctx, &organizations.ListInboundResponsibilityTransfersInput{
			Type: otypes.ResponsibilityTransferTypeBilling, Id: aws.String(id)})
		must(t, err, "ListInboundResponsibilityTransfers")
		if len(in.ResponsibilityTransfers) != 1 {
			t.Fatalf("inbound %+v", in.ResponsibilityTransfers)
		}
		rt := in.ResponsibilityTransfers[0]
		if rt.Status != otypes.ResponsibilityTransferStatusAccepted || aws.ToString(rt.Name) != "Payer billing" ||
			aws.ToString(rt.Source.ManagementAccountId) != payer.ID || aws.ToString(rt.Target.ManagementAccountId) != biller.ID ||
			!aws.ToTime(rt.StartTimestamp).Equal(e.transferStart()) || rt.ActiveHandshakeId != nil {
			t.Errorf("inbound transfer %+v", rt)
		}
		if arn := aws.ToString(rt.Arn); !strings.HasPrefix(arn, "arn:aws:organizations::"+biller.ID+":transfer/o-") || !strings.HasSuffix(arn, "/billing/inbound/"+id) {
			t.Errorf("inbound Arn %s", arn)
		}
		_, err = payer.Org.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: h.Id})
		wantOrgErr[*otypes.HandshakeAlreadyInStateException](t, err, "HandshakeAlreadyInStateException")

		up, err := payer.Org.UpdateResponsibilityTransfer(ctx, &organizations.UpdateResponsibilityTransferInput{Id: aws.String(id), Name: aws.String("Renamed")})
		must(t, err, "UpdateResponsibilityTransfer")
		if aws.ToString(up.ResponsibilityTransfer.Name) != "Renamed" {
			t.Errorf("renamed to %q", aws.ToString(up.ResponsibilityTransfer.Name))
		}

		// Terminated: WITHDRAWN, ending at the end of a month.
		y, m, _ := e.clk.Now().Date()
		end := time.Date(y, m+3, 1, 0, 0, 0, 0, time.UTC).Add(-time.Millisecond)
		_, err = biller.Org.TerminateResponsibilityTransfer(ctx, &organizations.TerminateResponsibilityTransferInput{
			Id: aws.String(id), EndTimestamp: aws.Time(end.Add(-time.Hour))})
		wantInvalidInput(t, err, otypes.InvalidInputExceptionReasonEndDateNotEndOfMonth)
		term, err := biller.Org.TerminateResponsibilityTransfer(ctx, &organizations.TerminateResponsibilityTransferInput{
			Id: aws.String(id), EndTimestamp: aws.Time(end)})
		must(t, err, "TerminateResponsibilityTransfer")
		if term.ResponsibilityTransfer.Status != otypes.ResponsibilityTransferStatusWithdrawn || !aws.ToTime(term.ResponsibilityTransfer.EndTimestamp).Equal(end) {
			t.Errorf("terminated %s ending %v, want WITHDRAWN ending %v", term.ResponsibilityTransfer.Status, aws.ToTime(term.ResponsibilityTransfer.EndTimestamp), end)
		}
		wantTransferStatus(t, payer, id, otypes.ResponsibilityTransferStatusWithdrawn)
		_, err = payer.Org.TerminateResponsibilityTransfer(ctx, &organizations.TerminateResponsibilityTransferInput{Id: aws.String(id)})
		wantOrgErr[*otypes.ResponsibilityTransferAlreadyInStatusException](t, err, "ResponsibilityTransferAlreadyInStatusException")
	})

	t.Run("Declined", func(t *testing.T) {
		payer := payers[1]
		h, id := e.inviteToTransfer(t, biller, payer, "Declined")
		_, err := payer.Org.DeclineHandshake(ctx, &organizations.DeclineHandshakeInput{HandshakeId: h.Id})
		must(t, err, "DeclineHandshake")
		wantTransferStatus(t, biller, id, otypes.ResponsibilityTransferStatusDeclined)
		_, err = biller.Org.TerminateResponsibilityTransfer(ctx, &organizations.TerminateResponsibilityTransferInput{Id: aws.String(id)})
		wantOrgErr[*otypes.InvalidResponsibilityTransferTransitionException](t, err, "InvalidResponsibilityTransferTransitionException")
		_, err = payer.Org.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: h.Id})
		wantOrgErr[*otypes.InvalidHandshakeTransitionException](t, err, "InvalidHandshakeTransitionException")
	})

	t.Run("Canceled", func(t *testing.T) {
		payer := payers[2]
		h, id := e.inviteToTransfer(t, biller, payer, "Canceled")
		_, err := biller.Org.InviteOrganizationToTransferResponsibility(ctx, &organizations.InviteOrganizationToTransferResponsibilityInput{
			Type: otypes.ResponsibilityTransferTypeBilling, Target: &otypes.HandshakeParty{Id: aws.String(payer.ID), Type: otypes.HandshakePartyTypeAccount},
			StartTimestamp: aws.Time(e.transferStart()), SourceName: aws.String("again")})
		wantOrgErr[*otypes.DuplicateHandshakeException](t, err, "DuplicateHandshakeException")
		_, err = biller.Org.CancelHandshake(ctx, &organizations.CancelHandshakeInput{HandshakeId: h.Id})
		must(t, err, "CancelHandshake")
		wantTransferStatus(t, payer, id, otypes.ResponsibilityTransferStatusCanceled)
		_, err = payer.Org.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: h.Id})
		wantOrgErr[*otypes.InvalidHandshakeTransitionException](t, err, "InvalidHandshakeTransitionException")
		_, err = payer.Org.TerminateResponsibilityTransfer(ctx, &organizations.TerminateResponsibilityTransferInput{Id: aws.String(id)})
		wantOrgErr[*otypes.InvalidResponsibilityTransferTransitionException](t, err, "InvalidResponsibilityTransferTransitionException")
	})

	t.Run("Expired", func(t *testing.T) {
		payer := payers[3]
		h, id := e.inviteToTransfer(t, biller, payer, "Expires")
		e.clk.Advance(15 * 24 * time.Hour)
		wantTransferStatus(t, biller, id, otypes.ResponsibilityTransferStatusExpired)
		_, err := payer.Org.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: h.Id})
		wantOrgErr[*otypes.InvalidHandshakeTransitionException](t, err, "InvalidHandshakeTransitionException")
	})

	t.Run("Errors", func(t *testing.T) {
		_, err := biller.Org.InviteOrganizationToTransferResponsibility(ctx, &organizations.InviteOrganizationToTransferResponsibilityInput{
			Type: otypes.ResponsibilityTransferTypeBilling, Target: &otypes.HandshakeParty{Id: aws.String(payers[0].ID), Type: otypes.HandshakePartyTypeAccount},
			StartTimestamp: aws.Time(e.transferStart().AddDate(0, 0, 14)), SourceName: aws.String("mid-month")})
		wantInvalidInput(t, err, otypes.InvalidInputExceptionReasonStartDateNotBeginningOfMonth)
		_, err = biller.Org.InviteOrganizationToTransferResponsibility(ctx, &organizations.InviteOrganizationToTransferResponsibilityInput{
			Type: otypes.ResponsibilityTransferTypeBilling, Target: &otypes.HandshakeParty{Id: aws.String(biller.ID), Type: otypes.HandshakePartyTypeAccount},
			StartTimestamp: aws.Time(e.transferStart()), SourceName: aws.String("myself")})
		wantHSConstraint(t, err, otypes.HandshakeConstraintViolationExceptionReasonSourceAndTargetCannotMatch)
		_, err = payers[1].Org.DescribeResponsibilityTransfer(ctx, &organizations.DescribeResponsibilityTransferInput{Id: aws.String("rt-doesnotexist")})
		wantOrgErr[*otypes.ResponsibilityTransferNotFoundException](t, err, "ResponsibilityTransferNotFoundException")
	})
}

// While a policy type is being enabled or disabled (PENDING for the
// configured delay on the domain clock) another change of it is refused
// with PolicyChangesInProgressException; after the delay it succeeds.
func TestPolicyChangesInProgress(t *testing.T) {
	e := startOrgs(t, accountplanetest.Options{PolicyTypeDelay: 5 * time.Second})
	createOrg(t, e.mgmt.Org, otypes.OrganizationFeatureSetAll)
	root := rootOf(t, e.mgmt.Org)
	typeStatus := func(r otypes.Root) otypes.PolicyTypeStatus {
		for _, p := range r.PolicyTypes {
			if p.Type == scpType {
				return p.Status
			}
		}
		return ""
	}

	out, err := e.mgmt.Org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: root.Id, PolicyType: scpType})
	must(t, err, "EnablePolicyType")
	if got := typeStatus(*out.Root); got != otypes.PolicyTypeStatusPendingEnable {
		t.Fatalf("EnablePolicyType answered %s, want PENDING_ENABLE", got)
	}
	if got := typeStatus(rootOf(t, e.mgmt.Org)); got != otypes.PolicyTypeStatusPendingEnable {
		t.Fatalf("ListRoots: %s, want PENDING_ENABLE", got)
	}
	_, err = e.mgmt.Org.DisablePolicyType(ctx, &organizations.DisablePolicyTypeInput{RootId: root.Id, PolicyType: scpType})
	wantOrgErr[*otypes.PolicyChangesInProgressException](t, err, "PolicyChangesInProgressException")
	_, err = e.mgmt.Org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: root.Id, PolicyType: scpType})
	wantOrgErr[*otypes.PolicyChangesInProgressException](t, err, "PolicyChangesInProgressException")

	e.clk.Advance(5 * time.Second)
	if got := typeStatus(rootOf(t, e.mgmt.Org)); got != otypes.PolicyTypeStatusEnabled {
		t.Fatalf("after the delay: %s, want ENABLED", got)
	}
	out2, err := e.mgmt.Org.DisablePolicyType(ctx, &organizations.DisablePolicyTypeInput{RootId: root.Id, PolicyType: scpType})
	must(t, err, "DisablePolicyType after the delay")
	if got := typeStatus(*out2.Root); got != otypes.PolicyTypeStatusPendingDisable {
		t.Fatalf("DisablePolicyType answered %s, want PENDING_DISABLE", got)
	}
	_, err = e.mgmt.Org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: root.Id, PolicyType: scpType})
	wantOrgErr[*otypes.PolicyChangesInProgressException](t, err, "PolicyChangesInProgressException")
	e.clk.Advance(5 * time.Second)
	if got := typeStatus(rootOf(t, e.mgmt.Org)); got != "" {
		t.Fatalf("after disabling: %s, want the type gone", got)
	}
	_, err = e.mgmt.Org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: root.Id, PolicyType: scpType})
	must(t, err, "EnablePolicyType again")
}
