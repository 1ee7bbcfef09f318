package organizations_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/organizations"
	"github.com/accountplane/accountplane/internal/sqlite"
)

// world is the domain over the real SQLite store in memory, on a clock
// the test moves.
type world struct {
	t     *testing.T
	db    *sqlite.DB
	acct  *account.Service
	svc   *organizations.Service
	mu    sync.Mutex
	now   time.Time
	ctx   context.Context
	roots map[identity.AccountID]organizations.RootID
}

const (
	billerID      = "111111111111" // the target: manages other organizations' bills
	payerID       = "222222222222" // the source: a management account with its own organization
	otherID       = "333333333333" // another management account
	loneID        = "444444444444" // in no organization
	payerMemberID = "555555555555" // a member of the payer's organization
)

var (
	biller      = identity.RootPrincipal(billerID, "")
	payer       = identity.RootPrincipal(payerID, "")
	other       = identity.RootPrincipal(otherID, "")
	lone        = identity.RootPrincipal(loneID, "")
	payerMember = identity.RootPrincipal(payerMemberID, "")
)

func newWorld(t *testing.T, opts organizations.Options) *world {
	t.Helper()
	w := &world{t: t, now: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), ctx: context.Background(),
		roots: map[identity.AccountID]organizations.RootID{}}
	db, err := sqlite.Open(w.ctx, ":memory:", sqlite.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	w.db = db
	w.acct = account.NewService(db, account.Options{Now: w.clock})
	for _, u := range []account.SignUp{
		{ID: billerID, Name: "Biller", Email: "biller@example.com"},
		{ID: payerID, Name: "Payer", Email: "payer@example.com"},
		{ID: otherID, Name: "Other", Email: "other@example.com"},
		{ID: loneID, Name: "Lone", Email: "lone@example.com"},
		{ID: payerMemberID, Name: "Member", Email: "member@example.com"},
	} {
		if _, err := w.acct.EnsureSignUp(w.ctx, u); err != nil {
			t.Fatalf("sign up %s: %v", u.ID, err)
		}
	}
	opts.Now = w.clock
	w.svc = organizations.NewService(db.Organizations(), opts)
	for _, p := range []identity.Principal{biller, payer, other} {
		o, err := w.svc.CreateOrganization(w.ctx, p, "")
		if err != nil {
			t.Fatalf("create organization of %s: %v", p.Account, err)
		}
		w.roots[p.Account] = o.RootID
	}
	h, err := w.svc.InviteAccount(w.ctx, payer, organizations.Invitation{TargetType: organizations.PartyAccount, Target: payerMemberID})
	if err != nil {
		t.Fatalf("invite member: %v", err)
	}
	if _, err := w.svc.AcceptHandshake(w.ctx, payerMember, h.ID); err != nil {
		t.Fatalf("accept member: %v", err)
	}
	return w
}

func (w *world) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

func (w *world) advance(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.now = w.now.Add(d)
}

// nextStart is the first day of the month after next: always far enough
// ahead to be accepted.
func (w *world) nextStart() time.Time {
	y, m, _ := w.clock().Date()
	return time.Date(y, m+2, 1, 0, 0, 0, 0, time.UTC)
}

func (w *world) invite(by identity.Principal, target string, typ organizations.PartyType) (*organizations.Handshake, error) {
	return w.svc.InviteToTransfer(w.ctx, by, organizations.TransferInvitation{
		Type: organizations.TransferBilling, TargetType: typ, Target: target,
		Start: w.nextStart(), Name: "Partner billing",
	})
}

func (w *world) mustInvite(by identity.Principal, target string) *organizations.Handshake {
	w.t.Helper()
	h, err := w.invite(by, target, organizations.PartyAccount)
	if err != nil {
		w.t.Fatalf("invite %s: %v", target, err)
	}
	if h.Transfer == nil {
		w.t.Fatalf("the handshake carries no transfer")
	}
	return h
}

func (w *world) status(p identity.Principal, id organizations.TransferID) organizations.TransferStatus {
	w.t.Helper()
	v, err := w.svc.DescribeTransfer(w.ctx, p, id)
	if err != nil {
		w.t.Fatalf("describe %s: %v", id, err)
	}
	return v.Status
}

// wantCode asserts err is an *apierr.Error with code (and reason, if not
// empty).
func wantCode(t *testing.T, what string, err error, code, reason string) {
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
		to   func(w *world, h *organizations.Handshake) error
		want organizations.TransferStatus
		// refused are transitions the status refuses, with their codes.
		refused map[string]string
	}{
		{"requested", func(*world, *organizations.Handshake) error { return nil }, organizations.TransferRequested,
			map[string]string{"terminate": badTransferTrans}},
		{"accepted", func(w *world, h *organizations.Handshake) error {
			_, err := w.svc.AcceptHandshake(w.ctx, payer, h.ID)
			return err
		}, organizations.TransferAccepted,
			map[string]string{"accept": alreadyInState, "decline": badHandshake, "cancel": badHandshake}},
		{"declined", func(w *world, h *organizations.Handshake) error {
			_, err := w.svc.DeclineHandshake(w.ctx, payer, h.ID)
			return err
		}, organizations.TransferDeclined,
			map[string]string{"accept": badHandshake, "decline": alreadyInState, "cancel": badHandshake, "terminate": badTransferTrans}},
		{"canceled", func(w *world, h *organizations.Handshake) error {
			_, err := w.svc.CancelHandshake(w.ctx, biller, h.ID)
			return err
		}, organizations.TransferCanceled,
			map[string]string{"accept": badHandshake, "decline": badHandshake, "cancel": alreadyInState, "terminate": badTransferTrans}},
		{"expired", func(w *world, h *organizations.Handshake) error {
			w.advance(15 * 24 * time.Hour)
			return nil
		}, organizations.TransferExpired,
			map[string]string{"accept": badHandshake, "decline": badHandshake, "cancel": badHandshake, "terminate": badTransferTrans}},
		{"withdrawn", func(w *world, h *organizations.Handshake) error {
			if _, err := w.svc.AcceptHandshake(w.ctx, payer, h.ID); err != nil {
				return err
			}
			_, err := w.svc.TerminateTransfer(w.ctx, payer, h.Transfer.ID, time.Time{})
			return err
		}, organizations.TransferWithdrawn,
			map[string]string{"terminate": alreadyInStatus, "accept": alreadyInState}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, organizations.Options{})
			h := w.mustInvite(biller, payerID)
			id := h.Transfer.ID
			if got := w.status(biller, id); got != organizations.TransferRequested {
				t.Fatalf("new transfer %s, want REQUESTED", got)
			}
			if err := tt.to(w, h); err != nil {
				t.Fatalf("bring to %s: %v", tt.want, err)
			}
			for _, p := range []identity.Principal{biller, payer} {
				if got := w.status(p, id); got != tt.want {
					t.Fatalf("status as %s = %s, want %s", p.Account, got, tt.want)
				}
			}
			ops := map[string]func() error{
				"accept":  func() error { _, err := w.svc.AcceptHandshake(w.ctx, payer, h.ID); return err },
				"decline": func() error { _, err := w.svc.DeclineHandshake(w.ctx, payer, h.ID); return err },
				"cancel":  func() error { _, err := w.svc.CancelHandshake(w.ctx, biller, h.ID); return err },
				"terminate": func() error {
					_, err := w.svc.TerminateTransfer(w.ctx, biller, id, time.Time{})
					return err
				},
			}
			for op, code := range tt.refused {
				wantCode(t, op, ops[op](), code, "")
				if got := w.status(biller, id); got != tt.want {
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
	w := newWorld(t, organizations.Options{})
	h := w.mustInvite(biller, payerID)
	in, err := w.svc.ListTransfers(w.ctx, biller, organizations.Inbound, organizations.TransferBilling, "")
	if err != nil || len(in) != 1 {
		t.Fatalf("inbound of the biller: %v, %v", in, err)
	}
	out, err := w.svc.ListTransfers(w.ctx, payer, organizations.Outbound, organizations.TransferBilling, "")
	if err != nil || len(out) != 1 {
		t.Fatalf("outbound of the payer: %v, %v", out, err)
	}
	if in[0].Direction != organizations.Inbound || in[0].Management != billerID || in[0].ID != h.Transfer.ID {
		t.Errorf("inbound view %+v", in[0])
	}
	if out[0].Direction != organizations.Outbound || out[0].Management != payerID || out[0].Org == in[0].Org {
		t.Errorf("outbound view %+v", out[0])
	}
	for _, l := range []struct {
		p   identity.Principal
		dir organizations.TransferDirection
	}{{biller, organizations.Outbound}, {payer, organizations.Inbound}, {other, organizations.Inbound}, {other, organizations.Outbound}} {
		if got, err := w.svc.ListTransfers(w.ctx, l.p, l.dir, organizations.TransferBilling, ""); err != nil || len(got) != 0 {
			t.Errorf("%s %s: %v, %v; want none", l.p.Account, l.dir, got, err)
		}
	}
	_, err = w.svc.DescribeTransfer(w.ctx, other, h.Transfer.ID)
	wantCode(t, "describe by a third party", err, organizations.CodeTransferNotFound, "")
	_, err = w.svc.DescribeTransfer(w.ctx, payerMember, h.Transfer.ID)
	wantCode(t, "describe by a member", err, organizations.CodeAccessDenied, "")
	_, err = w.svc.ListTransfers(w.ctx, biller, organizations.Inbound, organizations.TransferBilling, "rt-doesnotexist")
	wantCode(t, "inbound by unknown id", err, organizations.CodeTransferNotFound, "")

	// An invitation by email reaches the account with that address.
	if _, err := w.invite(biller, "OTHER@example.com", organizations.PartyEmail); err != nil {
		t.Fatalf("invite by email: %v", err)
	}
	got, err := w.svc.ListTransfers(w.ctx, other, organizations.Outbound, organizations.TransferBilling, "")
	if err != nil || len(got) != 1 || got[0].SourceAccount != otherID {
		t.Fatalf("outbound of the invited address: %+v, %v", got, err)
	}

	// Renaming is open to both sides, in any status.
	v, err := w.svc.RenameTransfer(w.ctx, payer, h.Transfer.ID, "Renamed")
	if err != nil || v.Name != "Renamed" {
		t.Fatalf("rename: %+v, %v", v, err)
	}
	if v, _ := w.svc.DescribeTransfer(w.ctx, biller, h.Transfer.ID); v.Name != "Renamed" {
		t.Errorf("name seen by the other side %q", v.Name)
	}

	// Invitations never accepted are listed for the handshake retention
	// (30 days) after they closed: the declined one until day 30, the
	// other, expired on day 15, until day 45.
	if _, err := w.svc.DeclineHandshake(w.ctx, payer, h.ID); err != nil {
		t.Fatal(err)
	}
	w.advance(30 * 24 * time.Hour)
	if got, _ := w.svc.ListTransfers(w.ctx, biller, organizations.Inbound, organizations.TransferBilling, ""); len(got) != 1 || got[0].Status != organizations.TransferExpired {
		t.Errorf("after 30 days: %+v, want the expired invitation", got)
	}
	_, err = w.svc.DescribeTransfer(w.ctx, biller, h.Transfer.ID)
	wantCode(t, "describe a retired invitation", err, organizations.CodeTransferNotFound, "")
	w.advance(15 * 24 * time.Hour)
	if got, _ := w.svc.ListTransfers(w.ctx, biller, organizations.Inbound, organizations.TransferBilling, ""); len(got) != 0 {
		t.Errorf("after 45 days: %+v", got)
	}
}

func TestInviteToTransferRules(t *testing.T) {
	w := newWorld(t, organizations.Options{})
	start := w.nextStart()
	invite := func(p identity.Principal, target string, start time.Time) error {
		_, err := w.svc.InviteToTransfer(w.ctx, p, organizations.TransferInvitation{
			Type: organizations.TransferBilling, TargetType: organizations.PartyAccount, Target: target, Start: start, Name: "n",
		})
		return err
	}
	now := w.clock()
	tests := []struct {
		name         string
		by           identity.Principal
		target       string
		start        time.Time
		code, reason string
	}{
		{"not midnight", biller, payerID, start.Add(time.Hour), organizations.CodeInvalidInput, "START_DATE_NOT_BEGINNING_OF_DAY"},
		{"not the first", biller, payerID, start.AddDate(0, 0, 1), organizations.CodeInvalidInput, "START_DATE_NOT_BEGINNING_OF_MONTH"},
		{"this month", biller, payerID, time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC), organizations.CodeInvalidInput, "START_DATE_TOO_EARLY"},
		{"two years ahead", biller, payerID, start.AddDate(2, 0, 0), organizations.CodeInvalidInput, "START_DATE_TOO_LATE"},
		{"itself", biller, billerID, start, organizations.CodeHandshakeConstraintViolation, "SOURCE_AND_TARGET_CANNOT_MATCH"},
		{"own member", payer, payerMemberID, start, organizations.CodeHandshakeConstraintViolation, "SOURCE_AND_TARGET_CANNOT_MATCH"},
		{"by a member", payerMember, otherID, start, organizations.CodeAccessDenied, ""},
		{"outside organizations", lone, payerID, start, organizations.CodeAWSOrganizationsNotInUse, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, tt.name, invite(tt.by, tt.target, tt.start), tt.code, tt.reason)
		})
	}
	if err := invite(biller, payerID, start); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "a second open invitation", invite(biller, payerID, start), organizations.CodeDuplicateHandshake, "")
	// An id that names no account gets an invitation nobody accepts.
	if err := invite(biller, "999999999999", start); err != nil {
		t.Errorf("invite an unknown id: %v", err)
	}
}

func TestAcceptTransferRules(t *testing.T) {
	w := newWorld(t, organizations.Options{})
	// Only a management account accepts: a member is refused, and so is
	// an account in no organization.
	h := w.mustInvite(biller, payerMemberID)
	_, err := w.svc.AcceptHandshake(w.ctx, payerMember, h.ID)
	wantCode(t, "accept by a member", err, organizations.CodeAccessDenied, "")
	h = w.mustInvite(biller, loneID)
	_, err = w.svc.AcceptHandshake(w.ctx, lone, h.ID)
	wantCode(t, "accept outside organizations", err, organizations.CodeAWSOrganizationsNotInUse, "")

	// An organization whose bill is transferred can't accept another
	// transfer of it while the first is in force.
	first := w.mustInvite(biller, payerID)
	second := w.mustInvite(other, payerID)
	if _, err := w.svc.AcceptHandshake(w.ctx, payer, first.ID); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.AcceptHandshake(w.ctx, payer, second.ID)
	wantCode(t, "a second transfer", err, organizations.CodeHandshakeConstraintViolation, "RESPONSIBILITY_TRANSFER_ALREADY_EXISTS")
	wantCode(t, "invite an organization already transferring to the inviter",
		func() error { _, err := w.invite(biller, payerID, organizations.PartyAccount); return err }(),
		organizations.CodeHandshakeConstraintViolation, "RESPONSIBILITY_TRANSFER_ALREADY_EXISTS")
	// Nor can the organization be deleted meanwhile.
	wantCode(t, "delete organization", w.svc.DeleteOrganization(w.ctx, biller), organizations.CodeConstraintViolation, "ACTIVE_RESPONSIBILITY_TRANSFER_PROCESS")

	// Once the withdrawn transfer has ended (at the end of this month),
	// another can be accepted.
	if _, err := w.svc.TerminateTransfer(w.ctx, biller, first.Transfer.ID, time.Time{}); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.AcceptHandshake(w.ctx, payer, second.ID)
	wantCode(t, "accept before the end", err, organizations.CodeHandshakeConstraintViolation, "RESPONSIBILITY_TRANSFER_ALREADY_EXISTS")
	y, m, _ := w.clock().Date()
	w.advance(time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC).Sub(w.clock()))
	third := w.mustInvite(other, payerID) // the second has expired meanwhile
	if _, err := w.svc.AcceptHandshake(w.ctx, payer, third.ID); err != nil {
		t.Fatalf("accept after the first ended: %v", err)
	}
	if err := w.svc.DeleteOrganization(w.ctx, biller); err != nil {
		t.Errorf("delete the organization once its transfer ended: %v", err)
	}
}

// The invitation must be accepted 24 hours before the start: it expires
// then, if that comes before the 15 days of handshakes.
func TestTransferInvitationExpiresBeforeStart(t *testing.T) {
	w := newWorld(t, organizations.Options{})
	// The clock is 2025-01-02; a start on 2025-02-01 leaves more than 15
	// days; move to 2025-01-20 so that the 24 hours come first.
	w.advance(18 * 24 * time.Hour)
	start := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	h, err := w.svc.InviteToTransfer(w.ctx, biller, organizations.TransferInvitation{
		Type: organizations.TransferBilling, TargetType: organizations.PartyAccount, Target: payerID, Start: start, Name: "n",
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := start.Add(-24 * time.Hour); !h.ExpiresAt.Equal(want) {
		t.Fatalf("ExpiresAt %s, want %s", h.ExpiresAt, want)
	}
	w.advance(h.ExpiresAt.Sub(w.clock()))
	_, err = w.svc.AcceptHandshake(w.ctx, payer, h.ID)
	wantCode(t, "accept at the deadline", err, "InvalidHandshakeTransitionException", "")
	if got := w.status(biller, h.Transfer.ID); got != organizations.TransferExpired {
		t.Errorf("status %s, want EXPIRED", got)
	}
}

func TestTerminateTransferEnd(t *testing.T) {
	w := newWorld(t, organizations.Options{})
	h := w.mustInvite(biller, payerID)
	if _, err := w.svc.AcceptHandshake(w.ctx, payer, h.ID); err != nil {
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
		{"last month", time.Date(2024, 12, 31, 23, 59, 59, 999e6, time.UTC), "END_DATE_TOO_EARLY"},
	}
	for _, tt := range tests {
		_, err := w.svc.TerminateTransfer(w.ctx, payer, id, tt.end)
		wantCode(t, tt.name, err, organizations.CodeInvalidInput, tt.reason)
	}
	// Any moment of the month's last second is its end.
	v, err := w.svc.TerminateTransfer(w.ctx, payer, id, endOfMarch.Truncate(time.Second))
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
	w := newWorld(t, organizations.Options{PolicyTypeDelay: 5 * time.Second})
	root := w.roots[billerID]
	status := func(typ organizations.PolicyType) string {
		o, err := w.svc.ListRoots(w.ctx, biller)
		if err != nil {
			t.Fatal(err)
		}
		return o.PolicyTypeStatus(typ)
	}
	o, err := w.svc.EnablePolicyType(w.ctx, biller, root, organizations.SCP)
	if err != nil {
		t.Fatal(err)
	}
	if got := o.PolicyTypeStatus(organizations.SCP); got != organizations.PolicyTypePendingEnable {
		t.Fatalf("answer of EnablePolicyType: %q, want PENDING_ENABLE", got)
	}
	if got := status(organizations.SCP); got != organizations.PolicyTypePendingEnable {
		t.Fatalf("ListRoots: %q, want PENDING_ENABLE", got)
	}
	_, err = w.svc.EnablePolicyType(w.ctx, biller, root, organizations.SCP)
	wantCode(t, "enable while pending", err, organizations.CodePolicyChangesInProgress, "")
	_, err = w.svc.DisablePolicyType(w.ctx, biller, root, organizations.SCP)
	wantCode(t, "disable while pending", err, organizations.CodePolicyChangesInProgress, "")
	// Another type is not held up.
	if _, err := w.svc.EnablePolicyType(w.ctx, biller, root, "TAG_POLICY"); err != nil {
		t.Fatalf("enable another type: %v", err)
	}

	w.advance(5 * time.Second)
	if got := status(organizations.SCP); got != organizations.PolicyTypeEnabled {
		t.Fatalf("after the delay: %q, want ENABLED", got)
	}
	_, err = w.svc.EnablePolicyType(w.ctx, biller, root, organizations.SCP)
	wantCode(t, "enable an enabled type", err, organizations.CodePolicyTypeAlreadyEnabled, "")
	if _, err := w.svc.DisablePolicyType(w.ctx, biller, root, organizations.SCP); err != nil {
		t.Fatal(err)
	}
	if got := status(organizations.SCP); got != organizations.PolicyTypePendingDisable {
		t.Fatalf("after disabling: %q, want PENDING_DISABLE", got)
	}
	_, err = w.svc.EnablePolicyType(w.ctx, biller, root, organizations.SCP)
	wantCode(t, "enable while disabling", err, organizations.CodePolicyChangesInProgress, "")
	w.advance(5 * time.Second)
	if got := status(organizations.SCP); got != "" {
		t.Fatalf("after the delay: %q, want no status", got)
	}
	if _, err := w.svc.EnablePolicyType(w.ctx, biller, root, organizations.SCP); err != nil {
		t.Fatalf("enable again: %v", err)
	}
}

// CreateGovCloudAccount needs a management account paired with a GovCloud
// account; it makes a commercial member paired with a new GovCloud account.
func TestCreateGovCloudAccount(t *testing.T) {
	w := newWorld(t, organizations.Options{CreateAccountDelay: time.Minute})
	in := organizations.NewAccount{Name: "Gov workload", Email: "gov@example.com"}
	_, err := w.svc.CreateGovCloudAccount(w.ctx, biller, in)
	wantCode(t, "unpaired", err, organizations.CodeConstraintViolation, "MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED")

	const mgmtGov = "666666666666"
	if _, _, err := w.acct.PairNewGovCloud(w.ctx, billerID, mgmtGov); err != nil {
		t.Fatal(err)
	}
	st, err := w.svc.CreateGovCloudAccount(w.ctx, biller, in)
	if err != nil {
		t.Fatal(err)
	}
	if st.StateAt(w.clock()) != organizations.CreateInProgress || st.Account == "" || st.GovCloudAccount == "" {
		t.Fatalf("status %+v", st)
	}
	got, err := w.svc.DescribeCreateAccountStatus(w.ctx, biller, st.ID)
	if err != nil || got.GovCloudAccount != st.GovCloudAccount {
		t.Fatalf("DescribeCreateAccountStatus: %+v, %v", got, err)
	}
	w.advance(time.Minute)
	if _, err := w.svc.DescribeAccount(w.ctx, biller, st.Account); err != nil {
		t.Fatalf("the commercial account is a member: %v", err)
	}
	_, err = w.svc.DescribeAccount(w.ctx, biller, st.GovCloudAccount)
	wantCode(t, "the GovCloud account", err, organizations.CodeAccountNotFound, "")

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
	info, err := w.acct.GovCloudAccount(w.ctx, account.Target{Caller: identity.RootPrincipal(st.Account, "")})
	if err != nil || info.Account != st.GovCloudAccount || info.State != account.StateActive {
		t.Errorf("GovCloudAccount: %+v, %v", info, err)
	}

	// The GovCloud account's address is taken: the request fails.
	if _, err := w.acct.EnsureSignUp(w.ctx, account.SignUp{ID: "777777777777", Name: "x", Email: "taken+govcloud@example.com"}); err != nil {
		t.Fatal(err)
	}
	st, err = w.svc.CreateGovCloudAccount(w.ctx, biller, organizations.NewAccount{Name: "x", Email: "taken@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	w.advance(time.Minute)
	if st.StateAt(w.clock()) != organizations.CreateFailed || st.FailureReason != "GOVCLOUD_ACCOUNT_ALREADY_EXISTS" {
		t.Errorf("status %+v, want FAILED GOVCLOUD_ACCOUNT_ALREADY_EXISTS", st)
	}
}

// Partitions are separate: an organization can't invite an account of
// another partition, nor accept an invitation sent by email from one.
func TestPartitionsAreSeparate(t *testing.T) {
	w := newWorld(t, organizations.Options{})
	const govID = "888888888888"
	if _, err := w.acct.EnsureSignUp(w.ctx, account.SignUp{ID: govID, Name: "Gov", Email: "gov@example.com", Partition: kernel.PartitionGovCloud}); err != nil {
		t.Fatal(err)
	}
	gov := identity.RootPrincipal(govID, "")
	_, err := w.svc.InviteAccount(w.ctx, biller, organizations.Invitation{TargetType: organizations.PartyAccount, Target: govID})
	wantCode(t, "invite by id", err, organizations.CodeAccountNotFound, "")
	h, err := w.svc.InviteAccount(w.ctx, biller, organizations.Invitation{TargetType: organizations.PartyEmail, Target: "gov@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.AcceptHandshake(w.ctx, gov, h.ID)
	wantCode(t, "accept across partitions", err, organizations.CodeHandshakeNotFound, "")

	// A GovCloud organization can't create GovCloud accounts.
	if _, err := w.svc.CreateOrganization(w.ctx, gov, ""); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.CreateGovCloudAccount(w.ctx, gov, organizations.NewAccount{Name: "x", Email: "x@example.com"})
	wantCode(t, "CreateGovCloudAccount in GovCloud", err, organizations.CodeUnsupportedAPIEndpoint, "")
}
