package organizations_test

import (
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/organizations"
)

// transferWorld is a world (helpers_test.go) with three organizations:
// the biller's (the target of the transfers), the payer's (their source),
// with payerMember as a member, and the other's; lone is in none.
type transferWorld struct {
	*world
	t                                       *testing.T
	biller, payer, other, lone, payerMember identity.Principal
	roots                                   map[identity.AccountID]organizations.RootID
}

func newTransferWorld(t *testing.T, opts organizations.Options) *transferWorld {
	t.Helper()
	w := &transferWorld{world: newWorld(t, opts), t: t, roots: map[identity.AccountID]organizations.RootID{}}
	w.biller, w.payer, w.other = w.signUp(t, "Biller"), w.signUp(t, "Payer"), w.signUp(t, "Other")
	w.lone, w.payerMember = w.signUp(t, "Lone"), w.signUp(t, "Member")
	for _, p := range []identity.Principal{w.biller, w.payer, w.other} {
		w.roots[p.Account] = w.createOrg(t, p, "").RootID
	}
	w.join(t, w.payer, w.payerMember)
	return w
}

// nextStart is the first day of the month after next: always far enough
// ahead to be accepted.
func (w *transferWorld) nextStart() time.Time {
	y, m, _ := w.clk.Now().Date()
	return time.Date(y, m+2, 1, 0, 0, 0, 0, time.UTC)
}

func (w *transferWorld) inviteTo(by identity.Principal, target string, typ organizations.PartyType) (*organizations.Handshake, error) {
	return w.orgs.InviteToTransfer(w.ctx, by, organizations.TransferInvitation{
		Type: organizations.TransferBilling, TargetType: typ, Target: target,
		Start: w.nextStart(), Name: "Partner billing",
	})
}

func (w *transferWorld) mustInvite(by, to identity.Principal) *organizations.Handshake {
	w.t.Helper()
	h, err := w.inviteTo(by, string(to.Account), organizations.PartyAccount)
	if err != nil {
		w.t.Fatalf("invite %s: %v", to.Account, err)
	}
	if h.Transfer == nil {
		w.t.Fatalf("the handshake carries no transfer")
	}
	return h
}

func (w *transferWorld) status(p identity.Principal, id organizations.TransferID) organizations.TransferStatus {
	w.t.Helper()
	v, err := w.orgs.DescribeTransfer(w.ctx, p, id)
	if err != nil {
		w.t.Fatalf("describe %s: %v", id, err)
	}
	return v.Status
}

// wantErr asserts err is an *apierr.Error with code (and reason, if not
// empty).
func wantErr(t *testing.T, what string, err error, code, reason string) {
	t.Helper()
	e, ok := apierr.As(err)
	if !ok {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
	if e.Code != code || (reason != "" && e.Reason != reason) {
		t.Fatalf("%s: got %s %q (%s), want %s %q", what, e.Code, e.Reason, e.Message, code, reason)
	}
}

// Each path through the state machine, and the transitions each status
// refuses.
func TestTransferStateMachine(t *testing.T) {
	const (
		alreadyInState   = "HandshakeAlreadyInStateException"
		badHandshake     = "InvalidHandshakeTransitionException"
		alreadyInStatus  = "ResponsibilityTransferAlreadyInStatusException"
		badTransferTrans = "InvalidResponsibilityTransferTransitionException"
	)
	tests := []struct {
		name string
		// to brings a new invitation h to the status under test.
		to   func(w *transferWorld, h *organizations.Handshake) error
		want organizations.TransferStatus
		// refused are transitions the status refuses, with their codes.
		refused map[string]string
	}{
		{"requested", func(*transferWorld, *organizations.Handshake) error { return nil }, organizations.TransferRequested,
			map[string]string{"terminate": badTransferTrans}},
		{"accepted", func(w *transferWorld, h *organizations.Handshake) error {
			_, err := w.orgs.AcceptHandshake(w.ctx, w.payer, h.ID)
			return err
		}, organizations.TransferAccepted,
			map[string]string{"accept": alreadyInState, "decline": badHandshake, "cancel": badHandshake}},
		{"declined", func(w *transferWorld, h *organizations.Handshake) error {
			_, err := w.orgs.DeclineHandshake(w.ctx, w.payer, h.ID)
			return err
		}, organizations.TransferDeclined,
			map[string]string{"accept": badHandshake, "decline": alreadyInState, "cancel": badHandshake, "terminate": badTransferTrans}},
		{"canceled", func(w *transferWorld, h *organizations.Handshake) error {
			_, err := w.orgs.CancelHandshake(w.ctx, w.biller, h.ID)
			return err
		}, organizations.TransferCanceled,
			map[string]string{"accept": badHandshake, "decline": badHandshake, "cancel": alreadyInState, "terminate": badTransferTrans}},
		{"expired", func(w *transferWorld, h *organizations.Handshake) error {
			w.clk.Advance(15 * 24 * time.Hour)
			return nil
		}, organizations.TransferExpired,
			map[string]string{"accept": badHandshake, "decline": badHandshake, "cancel": badHandshake, "terminate": badTransferTrans}},
		{"withdrawn", func(w *transferWorld, h *organizations.Handshake) error {
			if _, err := w.orgs.AcceptHandshake(w.ctx, w.payer, h.ID); err != nil {
				return err
			}
			_, err := w.orgs.TerminateTransfer(w.ctx, w.payer, h.Transfer.ID, time.Time{})
			return err
		}, organizations.TransferWithdrawn,
			map[string]string{"terminate": alreadyInStatus, "accept": alreadyInState}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newTransferWorld(t, organizations.Options{})
			h := w.mustInvite(w.biller, w.payer)
			id := h.Transfer.ID
			if got := w.status(w.biller, id); got != organizations.TransferRequested {
				t.Fatalf("new transfer %s, want REQUESTED", got)
			}
			if err := tt.to(w, h); err != nil {
				t.Fatalf("bring to %s: %v", tt.want, err)
			}
			for _, p := range []identity.Principal{w.biller, w.payer} {
				if got := w.status(p, id); got != tt.want {
					t.Fatalf("status as %s = %s, want %s", p.Account, got, tt.want)
				}
			}
			ops := map[string]func() error{
				"accept":  func() error { _, err := w.orgs.AcceptHandshake(w.ctx, w.payer, h.ID); return err },
				"decline": func() error { _, err := w.orgs.DeclineHandshake(w.ctx, w.payer, h.ID); return err },
				"cancel":  func() error { _, err := w.orgs.CancelHandshake(w.ctx, w.biller, h.ID); return err },
				"terminate": func() error {
					_, err := w.orgs.TerminateTransfer(w.ctx, w.biller, id, time.Time{})
					return err
				},
			}
			for op, code := range tt.refused {
				wantErr(t, op, ops[op](), code, "")
				if got := w.status(w.biller, id); got != tt.want {
					t.Fatalf("after a refused %s: %s, want %s", op, got, tt.want)
				}
			}
		})
	}
}

// The two sides see one transfer: inbound for the inviter, outbound for
// the invited management account, each with its own organization; no one
// else sees it.
func TestTransferViews(t *testing.T) {
	w := newTransferWorld(t, organizations.Options{})
	h := w.mustInvite(w.biller, w.payer)
	in, err := w.orgs.ListTransfers(w.ctx, w.biller, organizations.Inbound, organizations.TransferBilling, "")
	if err != nil || len(in) != 1 {
		t.Fatalf("inbound of the biller: %v, %v", in, err)
	}
	out, err := w.orgs.ListTransfers(w.ctx, w.payer, organizations.Outbound, organizations.TransferBilling, "")
	if err != nil || len(out) != 1 {
		t.Fatalf("outbound of the payer: %v, %v", out, err)
	}
	if in[0].Direction != organizations.Inbound || in[0].Management != w.biller.Account || in[0].ID != h.Transfer.ID {
		t.Errorf("inbound view %+v", in[0])
	}
	if out[0].Direction != organizations.Outbound || out[0].Management != w.payer.Account || out[0].Org == in[0].Org {
		t.Errorf("outbound view %+v", out[0])
	}
	for _, l := range []struct {
		p   identity.Principal
		dir organizations.TransferDirection
	}{{w.biller, organizations.Outbound}, {w.payer, organizations.Inbound}, {w.other, organizations.Inbound}, {w.other, organizations.Outbound}} {
		if got, err := w.orgs.ListTransfers(w.ctx, l.p, l.dir, organizations.TransferBilling, ""); err != nil || len(got) != 0 {
			t.Errorf("%s %s: %v, %v; want none", l.p.Account, l.dir, got, err)
		}
	}
	_, err = w.orgs.DescribeTransfer(w.ctx, w.other, h.Transfer.ID)
	wantErr(t, "describe by a third party", err, organizations.CodeTransferNotFound, "")
	_, err = w.orgs.DescribeTransfer(w.ctx, w.payerMember, h.Transfer.ID)
	wantErr(t, "describe by a member", err, organizations.CodeAccessDenied, "")
	_, err = w.orgs.ListTransfers(w.ctx, w.biller, organizations.Inbound, organizations.TransferBilling, "rt-doesnotexist")
	wantErr(t, "inbound by unknown id", err, organizations.CodeTransferNotFound, "")

	// An invitation by email reaches the account with that address.
	if _, err := w.inviteTo(w.biller, "OTHER@example.com", organizations.PartyEmail); err != nil {
		t.Fatalf("invite by email: %v", err)
	}
	got, err := w.orgs.ListTransfers(w.ctx, w.other, organizations.Outbound, organizations.TransferBilling, "")
	if err != nil || len(got) != 1 || got[0].SourceAccount != w.other.Account {
		t.Fatalf("outbound of the invited address: %+v, %v", got, err)
	}

	// Renaming is open to both sides, in any status.
	v, err := w.orgs.RenameTransfer(w.ctx, w.payer, h.Transfer.ID, "Renamed")
	if err != nil || v.Name != "Renamed" {
		t.Fatalf("rename: %+v, %v", v, err)
	}
	if v, _ := w.orgs.DescribeTransfer(w.ctx, w.biller, h.Transfer.ID); v.Name != "Renamed" {
		t.Errorf("name seen by the w.other side %q", v.Name)
	}

	// Invitations never accepted are listed for the handshake retention
	// (30 days) after they closed: the declined one until day 30, the
	// w.other, expired on day 15, until day 45.
	if _, err := w.orgs.DeclineHandshake(w.ctx, w.payer, h.ID); err != nil {
		t.Fatal(err)
	}
	w.clk.Advance(30 * 24 * time.Hour)
	if got, _ := w.orgs.ListTransfers(w.ctx, w.biller, organizations.Inbound, organizations.TransferBilling, ""); len(got) != 1 || got[0].Status != organizations.TransferExpired {
		t.Errorf("after 30 days: %+v, want the expired invitation", got)
	}
	_, err = w.orgs.DescribeTransfer(w.ctx, w.biller, h.Transfer.ID)
	wantErr(t, "describe a retired invitation", err, organizations.CodeTransferNotFound, "")
	w.clk.Advance(15 * 24 * time.Hour)
	if got, _ := w.orgs.ListTransfers(w.ctx, w.biller, organizations.Inbound, organizations.TransferBilling, ""); len(got) != 0 {
		t.Errorf("after 45 days: %+v", got)
	}
}

func TestInviteToTransferRules(t *testing.T) {
	w := newTransferWorld(t, organizations.Options{})
	start := w.nextStart()
	invite := func(p identity.Principal, target string, start time.Time) error {
		_, err := w.orgs.InviteToTransfer(w.ctx, p, organizations.TransferInvitation{
			Type: organizations.TransferBilling, TargetType: organizations.PartyAccount, Target: target, Start: start, Name: "n",
		})
		return err
	}
	now := w.clk.Now()
	tests := []struct {
		name         string
		by           identity.Principal
		target       string
		start        time.Time
		code, reason string
	}{
		{"not midnight", w.biller, string(w.payer.Account), start.Add(time.Hour), organizations.CodeInvalidInput, "START_DATE_NOT_BEGINNING_OF_DAY"},
		{"not the first", w.biller, string(w.payer.Account), start.AddDate(0, 0, 1), organizations.CodeInvalidInput, "START_DATE_NOT_BEGINNING_OF_MONTH"},
		{"this month", w.biller, string(w.payer.Account), time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC), organizations.CodeInvalidInput, "START_DATE_TOO_EARLY"},
		{"two years ahead", w.biller, string(w.payer.Account), start.AddDate(2, 0, 0), organizations.CodeInvalidInput, "START_DATE_TOO_LATE"},
		{"itself", w.biller, string(w.biller.Account), start, organizations.CodeHandshakeConstraintViolation, "SOURCE_AND_TARGET_CANNOT_MATCH"},
		{"own member", w.payer, string(w.payerMember.Account), start, organizations.CodeHandshakeConstraintViolation, "SOURCE_AND_TARGET_CANNOT_MATCH"},
		{"by a member", w.payerMember, string(w.other.Account), start, organizations.CodeAccessDenied, ""},
		{"outside organizations", w.lone, string(w.payer.Account), start, organizations.CodeAWSOrganizationsNotInUse, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, tt.name, invite(tt.by, tt.target, tt.start), tt.code, tt.reason)
		})
	}
	if err := invite(w.biller, string(w.payer.Account), start); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "a second open invitation", invite(w.biller, string(w.payer.Account), start), organizations.CodeDuplicateHandshake, "")
	// An id that names no account gets an invitation nobody accepts.
	if err := invite(w.biller, "999999999999", start); err != nil {
		t.Errorf("invite an unknown id: %v", err)
	}
}

func TestAcceptTransferRules(t *testing.T) {
	w := newTransferWorld(t, organizations.Options{})
	// Only a management account accepts: a member is refused, and so is
	// an account in no organization.
	h := w.mustInvite(w.biller, w.payerMember)
	_, err := w.orgs.AcceptHandshake(w.ctx, w.payerMember, h.ID)
	wantErr(t, "accept by a member", err, organizations.CodeAccessDenied, "")
	h = w.mustInvite(w.biller, w.lone)
	_, err = w.orgs.AcceptHandshake(w.ctx, w.lone, h.ID)
	wantErr(t, "accept outside organizations", err, organizations.CodeAWSOrganizationsNotInUse, "")

	// An organization whose bill is transferred can't accept another
	// transfer of it while the first is in force.
	first := w.mustInvite(w.biller, w.payer)
	second := w.mustInvite(w.other, w.payer)
	if _, err := w.orgs.AcceptHandshake(w.ctx, w.payer, first.ID); err != nil {
		t.Fatal(err)
	}
	_, err = w.orgs.AcceptHandshake(w.ctx, w.payer, second.ID)
	wantErr(t, "a second transfer", err, organizations.CodeHandshakeConstraintViolation, "RESPONSIBILITY_TRANSFER_ALREADY_EXISTS")
	wantErr(t, "invite an organization already transferring to the inviter",
		func() error {
			_, err := w.inviteTo(w.biller, string(w.payer.Account), organizations.PartyAccount)
			return err
		}(),
		organizations.CodeHandshakeConstraintViolation, "RESPONSIBILITY_TRANSFER_ALREADY_EXISTS")
	// Nor can the organization be deleted meanwhile.
	wantErr(t, "delete organization", w.orgs.DeleteOrganization(w.ctx, w.biller), organizations.CodeConstraintViolation, "ACTIVE_RESPONSIBILITY_TRANSFER_PROCESS")

	// Once the withdrawn transfer has ended (at the end of this month),
	// another can be accepted.
	if _, err := w.orgs.TerminateTransfer(w.ctx, w.biller, first.Transfer.ID, time.Time{}); err != nil {
		t.Fatal(err)
	}
	_, err = w.orgs.AcceptHandshake(w.ctx, w.payer, second.ID)
	wantErr(t, "accept before the end", err, organizations.CodeHandshakeConstraintViolation, "RESPONSIBILITY_TRANSFER_ALREADY_EXISTS")
	y, m, _ := w.clk.Now().Date()
	w.clk.Advance(time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC).Sub(w.clk.Now()))
	third := w.mustInvite(w.other, w.payer) // the second has expired meanwhile
	if _, err := w.orgs.AcceptHandshake(w.ctx, w.payer, third.ID); err != nil {
		t.Fatalf("accept after the first ended: %v", err)
	}
	if err := w.orgs.DeleteOrganization(w.ctx, w.biller); err != nil {
		t.Errorf("delete the organization once its transfer ended: %v", err)
	}
}

// The invitation must be accepted 24 hours before the start: it expires
// then, if that comes before the 15 days of handshakes.
func TestTransferInvitationExpiresBeforeStart(t *testing.T) {
	w := newTransferWorld(t, organizations.Options{})
	// The clock starts on 2025-03-04 (epoch); a start on 2025-04-01 leaves
	// more than 15 days; move to 2025-03-20 so that the 24 hours come
	// first.
	w.clk.Advance(16 * day)
	start := time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
	h, err := w.orgs.InviteToTransfer(w.ctx, w.biller, organizations.TransferInvitation{
		Type: organizations.TransferBilling, TargetType: organizations.PartyAccount, Target: string(w.payer.Account), Start: start, Name: "n",
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := start.Add(-24 * time.Hour); !h.ExpiresAt.Equal(want) {
		t.Fatalf("ExpiresAt %s, want %s", h.ExpiresAt, want)
	}
	w.clk.Advance(h.ExpiresAt.Sub(w.clk.Now()))
	_, err = w.orgs.AcceptHandshake(w.ctx, w.payer, h.ID)
	wantErr(t, "accept at the deadline", err, "InvalidHandshakeTransitionException", "")
	if got := w.status(w.biller, h.Transfer.ID); got != organizations.TransferExpired {
		t.Errorf("status %s, want EXPIRED", got)
	}
}

func TestTerminateTransferEnd(t *testing.T) {
	w := newTransferWorld(t, organizations.Options{})
	h := w.mustInvite(w.biller, w.payer)
	if _, err := w.orgs.AcceptHandshake(w.ctx, w.payer, h.ID); err != nil {
		t.Fatal(err)
	}
	id := h.Transfer.ID
	endOfMarch := time.Date(2025, 3, 31, 23, 59, 59, 999e6, time.UTC)
	tests := []struct {
		name   string
		end    time.Time
		reason string
	}{
		{"mid-month", time.Date(2025, 3, 15, 0, 0, 0, 0, time.UTC), "END_DATE_NOT_END_OF_MONTH"},
		{"start of a month", time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), "END_DATE_NOT_END_OF_MONTH"},
		{"last month", time.Date(2025, 2, 28, 23, 59, 59, 999e6, time.UTC), "END_DATE_TOO_EARLY"},
	}
	for _, tt := range tests {
		_, err := w.orgs.TerminateTransfer(w.ctx, w.payer, id, tt.end)
		wantErr(t, tt.name, err, organizations.CodeInvalidInput, tt.reason)
	}
	// Any moment of the month's last second is its end.
	v, err := w.orgs.TerminateTransfer(w.ctx, w.payer, id, endOfMarch.Truncate(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != organizations.TransferWithdrawn || !v.EndAt.Equal(endOfMarch) {
		t.Errorf("withdrawn %s ending %s, want WITHDRAWN ending %s", v.Status, v.EndAt, endOfMarch)
	}
}

// A policy type stays PENDING for PolicyTypeDelay; meanwhile changing it
// again is refused with PolicyChangesInProgressException.
func TestPolicyTypeChangesInProgress(t *testing.T) {
	w := newTransferWorld(t, organizations.Options{PolicyTypeDelay: 5 * time.Second})
	root := w.roots[w.biller.Account]
	status := func(typ organizations.PolicyType) string {
		o, err := w.orgs.ListRoots(w.ctx, w.biller)
		if err != nil {
			t.Fatal(err)
		}
		return o.PolicyTypeStatus(typ)
	}
	o, err := w.orgs.EnablePolicyType(w.ctx, w.biller, root, organizations.SCP)
	if err != nil {
		t.Fatal(err)
	}
	if got := o.PolicyTypeStatus(organizations.SCP); got != organizations.PolicyTypePendingEnable {
		t.Fatalf("answer of EnablePolicyType: %q, want PENDING_ENABLE", got)
	}
	if got := status(organizations.SCP); got != organizations.PolicyTypePendingEnable {
		t.Fatalf("ListRoots: %q, want PENDING_ENABLE", got)
	}
	_, err = w.orgs.EnablePolicyType(w.ctx, w.biller, root, organizations.SCP)
	wantErr(t, "enable while pending", err, organizations.CodePolicyChangesInProgress, "")
	_, err = w.orgs.DisablePolicyType(w.ctx, w.biller, root, organizations.SCP)
	wantErr(t, "disable while pending", err, organizations.CodePolicyChangesInProgress, "")
	// Another type is not held up.
	if _, err := w.orgs.EnablePolicyType(w.ctx, w.biller, root, "TAG_POLICY"); err != nil {
		t.Fatalf("enable another type: %v", err)
	}

	w.clk.Advance(5 * time.Second)
	if got := status(organizations.SCP); got != organizations.PolicyTypeEnabled {
		t.Fatalf("after the delay: %q, want ENABLED", got)
	}
	_, err = w.orgs.EnablePolicyType(w.ctx, w.biller, root, organizations.SCP)
	wantErr(t, "enable an enabled type", err, organizations.CodePolicyTypeAlreadyEnabled, "")
	if _, err := w.orgs.DisablePolicyType(w.ctx, w.biller, root, organizations.SCP); err != nil {
		t.Fatal(err)
	}
	if got := status(organizations.SCP); got != organizations.PolicyTypePendingDisable {
		t.Fatalf("after disabling: %q, want PENDING_DISABLE", got)
	}
	_, err = w.orgs.EnablePolicyType(w.ctx, w.biller, root, organizations.SCP)
	wantErr(t, "enable while disabling", err, organizations.CodePolicyChangesInProgress, "")
	w.clk.Advance(5 * time.Second)
	if got := status(organizations.SCP); got != "" {
		t.Fatalf("after the delay: %q, want no status", got)
	}
	if _, err := w.orgs.EnablePolicyType(w.ctx, w.biller, root, organizations.SCP); err != nil {
		t.Fatalf("enable again: %v", err)
	}
}

// CreateGovCloudAccount needs a management account paired with a GovCloud
// account; it makes a commercial member paired with a new GovCloud account.
func TestCreateGovCloudAccount(t *testing.T) {
	w := newTransferWorld(t, organizations.Options{CreateAccountDelay: time.Minute})
	in := organizations.NewAccount{Name: "Gov workload", Email: "gov@example.com"}
	_, err := w.orgs.CreateGovCloudAccount(w.ctx, w.biller, in)
	wantErr(t, "unpaired", err, organizations.CodeConstraintViolation, "MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED")

	const mgmtGov = "666666666666"
	if _, _, err := w.accts.PairNewGovCloud(w.ctx, w.biller.Account, mgmtGov); err != nil {
		t.Fatal(err)
	}
	st, err := w.orgs.CreateGovCloudAccount(w.ctx, w.biller, in)
	if err != nil {
		t.Fatal(err)
	}
	if st.StateAt(w.clk.Now()) != organizations.CreateInProgress || st.Account == "" || st.GovCloudAccount == "" {
		t.Fatalf("status %+v", st)
	}
	got, err := w.orgs.DescribeCreateAccountStatus(w.ctx, w.biller, st.ID)
	if err != nil || got.GovCloudAccount != st.GovCloudAccount {
		t.Fatalf("DescribeCreateAccountStatus: %+v, %v", got, err)
	}
	w.clk.Advance(time.Minute)
	if _, err := w.orgs.DescribeAccount(w.ctx, w.biller, st.Account); err != nil {
		t.Fatalf("the commercial account is a member: %v", err)
	}
	_, err = w.orgs.DescribeAccount(w.ctx, w.biller, st.GovCloudAccount)
	wantErr(t, "the GovCloud account", err, organizations.CodeAccountNotFound, "")

	var com, gov *kernel.Account
	err = w.db.View(w.ctx, func(tx account.Tx) (err error) {
		if com, err = tx.Account(w.ctx, st.Account); err != nil {
			return err
		}
		gov, err = tx.Account(w.ctx, st.GovCloudAccount)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if com.GovCloudAccount != st.GovCloudAccount || !com.InPartition("aws") {
		t.Errorf("commercial account %+v", com)
	}
	if gov.Partition != kernel.PartitionGovCloud || gov.Email != "gov+govcloud@example.com" || gov.Name != in.Name {
		t.Errorf("GovCloud account %+v", gov)
	}
	info, err := w.accts.GovCloudAccount(w.ctx, account.Target{Caller: identity.RootPrincipal(st.Account, "")})
	if err != nil || info.Account != st.GovCloudAccount || info.State != account.StateActive {
		t.Errorf("GovCloudAccount: %+v, %v", info, err)
	}

	// The GovCloud account's address is taken: the request fails.
	if _, err := w.accts.EnsureSignUp(w.ctx, account.SignUp{ID: "777777777777", Name: "x", Email: "taken+govcloud@example.com"}); err != nil {
		t.Fatal(err)
	}
	st, err = w.orgs.CreateGovCloudAccount(w.ctx, w.biller, organizations.NewAccount{Name: "x", Email: "taken@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	w.clk.Advance(time.Minute)
	if st.StateAt(w.clk.Now()) != organizations.CreateFailed || st.FailureReason != "GOVCLOUD_ACCOUNT_ALREADY_EXISTS" {
		t.Errorf("status %+v, want FAILED GOVCLOUD_ACCOUNT_ALREADY_EXISTS", st)
	}
}

// Partitions are separate: an organization can't invite an account of
// another partition, nor accept an invitation sent by email from one.
func TestPartitionsAreSeparate(t *testing.T) {
	w := newTransferWorld(t, organizations.Options{})
	const govID = "888888888888"
	if _, err := w.accts.EnsureSignUp(w.ctx, account.SignUp{ID: govID, Name: "Gov", Email: "gov@example.com", Partition: kernel.PartitionGovCloud}); err != nil {
		t.Fatal(err)
	}
	gov := identity.RootPrincipal(govID, "")
	_, err := w.orgs.InviteAccount(w.ctx, w.biller, organizations.Invitation{TargetType: organizations.PartyAccount, Target: govID})
	wantErr(t, "invite by id", err, organizations.CodeAccountNotFound, "")
	h, err := w.orgs.InviteAccount(w.ctx, w.biller, organizations.Invitation{TargetType: organizations.PartyEmail, Target: "gov@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.orgs.AcceptHandshake(w.ctx, gov, h.ID)
	wantErr(t, "accept across partitions", err, organizations.CodeHandshakeNotFound, "")

	// A GovCloud organization can't create GovCloud accounts.
	if _, err := w.orgs.CreateOrganization(w.ctx, gov, ""); err != nil {
		t.Fatal(err)
	}
	_, err = w.orgs.CreateGovCloudAccount(w.ctx, gov, organizations.NewAccount{Name: "x", Email: "x@example.com"})
	wantErr(t, "CreateGovCloudAccount in GovCloud", err, organizations.CodeUnsupportedAPIEndpoint, "")
}
