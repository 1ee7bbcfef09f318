package organizations_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
)

func TestCreateAccountLifecycle(t *testing.T) {
	t.Parallel()
	w := newWorld(t, organizations.Options{CreateAccountDelay: time.Hour})
	mgmt := w.signUp(t, "Mgmt")
	w.createOrg(t, mgmt, organizations.AllFeatures)
	st, err := w.orgs.CreateAccount(w.ctx, mgmt, organizations.NewAccount{Name: "dev", Email: "dev@example.com"})
	must(t, err, "CreateAccount")
	if !organizations.IsCreateAccountReqID(string(st.ID)) || !identity.IsAccountID(string(st.Account)) {
		t.Fatalf("request %q account %q: malformed ids", st.ID, st.Account)
	}
	if !st.RequestedAt.Equal(epoch) || !st.DueAt.Equal(epoch.Add(time.Hour)) {
		t.Errorf("RequestedAt %v DueAt %v, want %v and an hour later", st.RequestedAt, st.DueAt, epoch)
	}
	id := st.Account
	status := func() organizations.CreateAccountState {
		t.Helper()
		got, err := w.orgs.DescribeCreateAccountStatus(w.ctx, mgmt, st.ID)
		must(t, err, "DescribeCreateAccountStatus")
		return got.StateAt(w.clk.Now())
	}
	listed := func(states ...organizations.CreateAccountState) int {
		t.Helper()
		got, err := w.orgs.ListCreateAccountStatus(w.ctx, mgmt, states)
		must(t, err, "ListCreateAccountStatus")
		return len(got)
	}

	w.clk.Advance(time.Hour - time.Second)
	if got := status(); got != organizations.CreateInProgress {
		t.Errorf("before the delay: %s, want IN_PROGRESS", got)
	}
	if listed(organizations.CreateInProgress) != 1 || listed(organizations.CreateSucceeded) != 0 {
		t.Error("ListCreateAccountStatus does not filter IN_PROGRESS")
	}
	// The account is not a member yet.
	_, err = w.orgs.DescribeAccount(w.ctx, mgmt, id)
	wantCode(t, err, organizations.CodeAccountNotFound)
	if contains(w.accountIDs(t, mgmt), id) {
		t.Error("ListAccounts shows an account still being created")
	}
	if _, _, ok, _ := w.orgs.MembershipOf(w.ctx, id); ok {
		t.Error("the account is in the organization before its creation completed")
	}
	// Its email is taken at once.
	dup, err := w.orgs.CreateAccount(w.ctx, mgmt, organizations.NewAccount{Name: "dup", Email: "DEV@example.com"})
	must(t, err, "CreateAccount with a taken email")
	if dup.Account != "" || dup.FailureReason != "EMAIL_ALREADY_EXISTS" {
		t.Errorf("duplicate email: account %q reason %q, want EMAIL_ALREADY_EXISTS", dup.Account, dup.FailureReason)
	}
	if got := dup.StateAt(w.clk.Now()); got != organizations.CreateInProgress {
		t.Errorf("a failing request reports %s before its delay, want IN_PROGRESS", got)
	}

	w.clk.Advance(time.Second)
	if got := status(); got != organizations.CreateSucceeded {
		t.Errorf("after the delay: %s, want SUCCEEDED", got)
	}
	if listed(organizations.CreateSucceeded) != 1 || listed() != 2 {
		t.Errorf("ListCreateAccountStatus: %d SUCCEEDED of %d, want 1 of 2", listed(organizations.CreateSucceeded), listed())
	}
	v, err := w.orgs.DescribeAccount(w.ctx, mgmt, id)
	must(t, err, "DescribeAccount")
	if v.State != organizations.StateActive || v.Member.Method != organizations.Created || v.Account.Name != "dev" || v.Account.Email != "dev@example.com" {
		t.Errorf("DescribeAccount = state %s method %s name %q email %q", v.State, v.Member.Method, v.Account.Name, v.Account.Email)
	}
	if !v.Member.JoinedAt.Equal(epoch.Add(time.Hour)) {
		t.Errorf("JoinedAt %v, want when the creation completed", v.Member.JoinedAt)
	}
	if v.Account.Origin != account.OriginCreated || v.Account.PaymentMethod {
		t.Errorf("created account origin %q payment method %v, want created without payment method", v.Account.Origin, v.Account.PaymentMethod)
	}
	w.clk.Advance(time.Hour)
	if got := dup.StateAt(w.clk.Now()); got != organizations.CreateFailed {
		t.Errorf("the failing request ends %s, want FAILED", got)
	}
}

func TestCreateAccountImmediateByDefault(t *testing.T) {
	t.Parallel()
	w := newWorld(t, organizations.Options{})
	mgmt := w.signUp(t, "Mgmt")
	w.createOrg(t, mgmt, organizations.AllFeatures)
	m := w.createMember(t, mgmt, "dev")
	if got := w.state(t, mgmt, m.Account); got != organizations.StateActive {
		t.Errorf("state %s, want ACTIVE at once", got)
	}
	// The email of any existing account is taken, members or not.
	outsider := w.signUp(t, "Outsider")
	st, err := w.orgs.CreateAccount(w.ctx, mgmt, organizations.NewAccount{Name: "x", Email: emailOf("Outsider")})
	must(t, err, "CreateAccount")
	if st.FailureReason != "EMAIL_ALREADY_EXISTS" {
		t.Errorf("email of %s: reason %q, want EMAIL_ALREADY_EXISTS", outsider.Account, st.FailureReason)
	}
}

func TestCreateAccountCallers(t *testing.T) {
	t.Parallel()
	w := newWorld(t, organizations.Options{})
	mgmt, member, lone := w.signUp(t, "Mgmt"), w.signUp(t, "Member"), w.signUp(t, "Lone")
	w.createOrg(t, mgmt, organizations.AllFeatures)
	w.join(t, mgmt, member)
	st, err := w.orgs.CreateAccount(w.ctx, mgmt, organizations.NewAccount{Name: "dev", Email: "dev@example.com"})
	must(t, err, "CreateAccount")
	in := organizations.NewAccount{Name: "x", Email: "x@example.com"}
	_, err = w.orgs.CreateAccount(w.ctx, member, in)
	wantCode(t, err, organizations.CodeAccessDenied)
	_, err = w.orgs.CreateAccount(w.ctx, lone, in)
	wantCode(t, err, organizations.CodeAWSOrganizationsNotInUse)
	_, err = w.orgs.DescribeCreateAccountStatus(w.ctx, member, st.ID)
	wantCode(t, err, organizations.CodeAccessDenied)
	// Another organization's request is not found.
	other := w.signUp(t, "OtherMgmt")
	w.createOrg(t, other, organizations.AllFeatures)
	_, err = w.orgs.DescribeCreateAccountStatus(w.ctx, other, st.ID)
	wantCode(t, err, organizations.CodeCreateAccountStatusNotFound)
	_, err = w.orgs.DescribeCreateAccountStatus(w.ctx, mgmt, "car-000000000000")
	wantCode(t, err, organizations.CodeCreateAccountStatusNotFound)
}

// TestCloseAccountLifecycle: PENDING_CLOSURE for CloseDelay, then SUSPENDED
// (still a member), then gone from the organization when the 90-day
// post-closure period ends.
func TestCloseAccountLifecycle(t *testing.T) {
	t.Parallel()
	const closeDelay = time.Hour
	w := newWorld(t, organizations.Options{CloseDelay: closeDelay})
	mgmt := w.signUp(t, "Mgmt")
	w.createOrg(t, mgmt, organizations.AllFeatures)
	m := w.createMember(t, mgmt, "member")
	id := m.Account
	must(t, w.orgs.CloseAccount(w.ctx, mgmt, id), "CloseAccount")
	msgs, err := w.db.Messages(w.ctx, 1)
	must(t, err, "Messages")
	if len(msgs) != 1 || msgs[0].To != emailOf("member") || msgs[0].Account != string(id) {
		t.Errorf("newest message %+v, want the closure notice to %s", msgs, emailOf("member"))
	}

	if got := w.state(t, mgmt, id); got != organizations.StatePendingClosure {
		t.Errorf("right after closing: %s, want PENDING_CLOSURE", got)
	}
	wantCode(t, w.orgs.CloseAccount(w.ctx, mgmt, id), organizations.CodeConflict)

	w.clk.Advance(closeDelay)
	if got := w.state(t, mgmt, id); got != organizations.StateSuspended {
		t.Errorf("after the close delay: %s, want SUSPENDED", got)
	}
	wantCode(t, w.orgs.CloseAccount(w.ctx, mgmt, id), organizations.CodeAccountAlreadyClosed)
	if !contains(w.accountIDs(t, mgmt), id) {
		t.Error("a SUSPENDED member is no longer listed")
	}
	a, err := w.accts.Information(w.ctx, account.Target{Caller: m})
	must(t, err, "GetAccountInformation")
	if a.State != account.StateSuspended {
		t.Errorf("account API state %s, want SUSPENDED", a.State)
	}

	w.clk.Advance(90*day - time.Second)
	if got := w.state(t, mgmt, id); got != organizations.StateSuspended {
		t.Errorf("a second before the post-closure period ends: %s, want SUSPENDED", got)
	}
	w.clk.Advance(time.Second)
	_, err = w.orgs.DescribeAccount(w.ctx, mgmt, id)
	wantCode(t, err, organizations.CodeAccountNotFound)
	if contains(w.accountIDs(t, mgmt), id) {
		t.Error("a permanently closed account is still listed")
	}
	peers, err := w.orgs.Peers(w.ctx, mgmt.Account)
	must(t, err, "Peers")
	if contains(peers, id) {
		t.Error("a permanently closed account is still a peer")
	}
	_, err = w.orgs.DescribeOrganization(w.ctx, m)
	wantCode(t, err, organizations.CodeAWSOrganizationsNotInUse)
	wantCode(t, w.orgs.CloseAccount(w.ctx, mgmt, id), organizations.CodeAccountNotFound)
	a, err = w.accts.Information(w.ctx, account.Target{Caller: m})
	must(t, err, "GetAccountInformation")
	if a.State != account.StateClosed {
		t.Errorf("account API state %s, want CLOSED", a.State)
	}
}

func TestPostClosureOption(t *testing.T) {
	t.Parallel()
	w := newWorld(t, organizations.Options{PostClosure: day})
	mgmt := w.signUp(t, "Mgmt")
	w.createOrg(t, mgmt, organizations.AllFeatures)
	m := w.createMember(t, mgmt, "member")
	must(t, w.orgs.CloseAccount(w.ctx, mgmt, m.Account), "CloseAccount")
	if got := w.state(t, mgmt, m.Account); got != organizations.StateSuspended {
		t.Errorf("with no close delay: %s, want SUSPENDED at once", got)
	}
	w.clk.Advance(day)
	if contains(w.accountIDs(t, mgmt), m.Account) {
		t.Error("still listed after the one-day post-closure period")
	}
}

func TestCloseAccountRefusals(t *testing.T) {
	t.Parallel()
	w := newWorld(t, organizations.Options{})
	mgmt := w.signUp(t, "Mgmt")
	w.createOrg(t, mgmt, organizations.AllFeatures)
	m1 := w.createMember(t, mgmt, "one")
	m2 := w.createMember(t, mgmt, "two")
	cbMgmt := w.signUp(t, "CBMgmt")
	w.createOrg(t, cbMgmt, organizations.ConsolidatedBilling)
	cbMember := w.signUp(t, "CBMember")
	w.join(t, cbMgmt, cbMember)
	lone := w.signUp(t, "Lone")

	tests := []struct {
		name         string
		caller       identity.Principal
		target       identity.AccountID
		code, reason string
	}{
		{"the management account", mgmt, mgmt.Account, organizations.CodeConstraintViolation, organizations.ReasonCannotCloseManagementAccount},
		{"by a member", m1, m2.Account, organizations.CodeAccessDenied, ""},
		{"a member closing itself", m1, m1.Account, organizations.CodeAccessDenied, ""},
		{"an account outside the organization", mgmt, lone.Account, organizations.CodeAccountNotFound, ""},
		{"another organization's member", mgmt, cbMember.Account, organizations.CodeAccountNotFound, ""},
		{"consolidated billing", cbMgmt, cbMember.Account, organizations.CodeConstraintViolation, organizations.ReasonOrganizationNotInAllFeaturesMode},
		{"by a standalone account", lone, m1.Account, organizations.CodeAWSOrganizationsNotInUse, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantReason(t, w.orgs.CloseAccount(w.ctx, tt.caller, tt.target), tt.code, tt.reason)
		})
	}
	for _, id := range []identity.AccountID{m1.Account, m2.Account} {
		if got := w.state(t, mgmt, id); got != organizations.StateActive {
			t.Errorf("%s is %s after refused closures, want ACTIVE", id, got)
		}
	}
}

// TestCloseQuota: at most 10% of the members (at least 10) may be closed in
// a rolling 30 days.
func TestCloseQuota(t *testing.T) {
	t.Parallel()
	tests := []struct {
		members int // besides the management account
		limit   int
	}{
		{members: 12, limit: 10},  // 13 members: the floor of 10
		{members: 119, limit: 12}, // 120 members: 10% is 12
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d members", tt.members+1), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, organizations.Options{MaxAccounts: 1000})
			mgmt := w.signUp(t, "Mgmt")
			w.createOrg(t, mgmt, organizations.AllFeatures)
			var ids []identity.AccountID
			for i := 0; i < tt.members; i++ {
				// Seeded members (AdmitMember) are cheaper than CreateAccount,
				// which counts the whole organization each time.
				p := w.signUp(t, fmt.Sprintf("m%03d", i))
				admitted, err := w.orgs.AdmitMember(w.ctx, mgmt.Account, p.Account, "", organizations.Created)
				if err != nil || !admitted {
					t.Fatalf("AdmitMember %s: admitted %v, err %v", p.Account, admitted, err)
				}
				ids = append(ids, p.Account)
			}
			for i := 0; i < tt.limit; i++ {
				must(t, w.orgs.CloseAccount(w.ctx, mgmt, ids[i]), fmt.Sprintf("closure %d", i+1))
				w.clk.Advance(time.Hour)
			}
			wantConstraint(t, w.orgs.CloseAccount(w.ctx, mgmt, ids[tt.limit]), organizations.ReasonCloseAccountQuotaExceeded)
			// The window is rolling: the first closure leaves it 30 days after it.
			w.clk.Advance(epoch.Add(30*day).Sub(w.clk.Now()) - time.Second)
			wantConstraint(t, w.orgs.CloseAccount(w.ctx, mgmt, ids[tt.limit]), organizations.ReasonCloseAccountQuotaExceeded)
			w.clk.Advance(time.Second)
			must(t, w.orgs.CloseAccount(w.ctx, mgmt, ids[tt.limit]), "closure 30 days after the first")
			wantConstraint(t, w.orgs.CloseAccount(w.ctx, mgmt, ids[tt.limit+1]), organizations.ReasonCloseAccountQuotaExceeded)
		})
	}
}

// leaveWorld has an organization with trusted access for Account
// Management (so the management account can complete a member's details).
type leaveWorld struct {
	*world
	mgmt identity.Principal
}

func newLeaveWorld(t *testing.T, opts organizations.Options) *leaveWorld {
	t.Helper()
	w := newWorld(t, opts)
	lw := &leaveWorld{world: w, mgmt: w.signUp(t, "Mgmt")}
	w.createOrg(t, lw.mgmt, organizations.AllFeatures)
	must(t, w.orgs.EnableServiceAccess(w.ctx, lw.mgmt, organizations.AccountServicePrincipal), "EnableServiceAccess")
	return lw
}

// TestLeaveRules walks a created member through every reason it cannot
// leave, in the order the rules apply, for both LeaveOrganization and
// RemoveAccountFromOrganization.
func TestLeaveRules(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"LeaveOrganization", "RemoveAccount"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			lw := newLeaveWorld(t, organizations.Options{})
			w, mgmt := lw.world, lw.mgmt
			m := w.createMember(t, mgmt, "member")
			leave := func() error {
				if how == "LeaveOrganization" {
					return w.orgs.LeaveOrganization(w.ctx, m)
				}
				return w.orgs.RemoveAccount(w.ctx, mgmt, m.Account)
			}
			as := account.Target{Caller: mgmt, AccountID: m.Account}

			must(t, w.orgs.RegisterDelegatedAdmin(w.ctx, mgmt, m.Account, organizations.AccountServicePrincipal), "register")
			wantConstraint(t, leave(), organizations.ReasonCannotRemoveDelegatedAdminFromOrg)
			must(t, w.orgs.DeregisterDelegatedAdmin(w.ctx, mgmt, m.Account, organizations.AccountServicePrincipal), "deregister")

			wantConstraint(t, leave(), organizations.ReasonWaitPeriodActive)
			w.clk.Advance(4*day - time.Second)
			wantConstraint(t, leave(), organizations.ReasonWaitPeriodActive)
			w.clk.Advance(time.Second)

			wantConstraint(t, leave(), "ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA")
			must(t, w.accts.PutContactInformation(w.ctx, as, account.ContactInformation{
				FullName: "Member", AddressLine1: "1 Main St", City: "Seattle", StateOrRegion: "WA",
				PostalCode: "98101", CountryCode: "US", PhoneNumber: "+12065550111",
			}), "PutContactInformation")

			wantConstraint(t, leave(), organizations.ReasonAccountCannotLeaveWithoutPhone)
			_, err := w.accts.SendPhoneVerification(w.ctx, as)
			must(t, err, "SendPhoneVerification")
			wantConstraint(t, leave(), organizations.ReasonAccountCannotLeaveWithoutPhone) // PENDING is not VERIFIED
			msgs, err := w.db.Messages(w.ctx, 1)
			must(t, err, "Messages")
			_, err = w.accts.VerifyPhone(w.ctx, as, msgs[0].Code)
			must(t, err, "VerifyPhone")

			wantConstraint(t, leave(), organizations.ReasonMemberPaymentInstrumentRequired)
			w.editAccount(t, m.Account, func(a *account.Account) { a.PaymentMethod = true })

			must(t, leave(), how)
			if contains(w.accountIDs(t, mgmt), m.Account) {
				t.Error("still listed after leaving")
			}
			_, err = w.orgs.DescribeOrganization(w.ctx, m)
			wantCode(t, err, organizations.CodeAWSOrganizationsNotInUse)
			// Its data stays; the former management account no longer reaches it.
			if _, _, err := w.accts.ContactInformation(w.ctx, account.Target{Caller: m}); err != nil {
				t.Errorf("the former member lost its contact information: %v", err)
			}
			_, _, err = w.accts.ContactInformation(w.ctx, as)
			wantCode(t, err, account.CodeAccessDenied)
			// It is standalone: it may start an organization of its own.
			w.createOrg(t, m, organizations.AllFeatures)
		})
	}
}

func TestWaitPeriodOption(t *testing.T) {
	t.Parallel()
	w := newWorld(t, organizations.Options{WaitPeriod: time.Hour, CreateAccountDelay: time.Hour})
	mgmt := w.signUp(t, "Mgmt")
	w.createOrg(t, mgmt, organizations.AllFeatures)
	m := w.createMember(t, mgmt, "member")
	// The wait runs from when the creation completes, not from the request.
	w.clk.Advance(2*time.Hour - time.Second)
	wantConstraint(t, w.orgs.RemoveAccount(w.ctx, mgmt, m.Account), organizations.ReasonWaitPeriodActive)
	w.clk.Advance(time.Second)
	wantConstraint(t, w.orgs.RemoveAccount(w.ctx, mgmt, m.Account), "ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA")
}

func TestInvitedMemberLeavesAtOnce(t *testing.T) {
	t.Parallel()
	lw := newLeaveWorld(t, organizations.Options{})
	w, mgmt := lw.world, lw.mgmt
	b, c := w.signUp(t, "Bravo"), w.signUp(t, "Charlie")
	w.join(t, mgmt, b)
	w.join(t, mgmt, c)
	must(t, w.orgs.TagResource(w.ctx, mgmt, string(b.Account), []organizations.Tag{{Key: "team", Value: "a"}}), "TagResource")
	must(t, w.orgs.LeaveOrganization(w.ctx, b), "LeaveOrganization")
	must(t, w.orgs.RemoveAccount(w.ctx, mgmt, c.Account), "RemoveAccount")
	if ids := w.accountIDs(t, mgmt); len(ids) != 1 {
		t.Errorf("organization lists %v, want only the management account", ids)
	}
	wantCode(t, w.orgs.LeaveOrganization(w.ctx, b), organizations.CodeAWSOrganizationsNotInUse)
	wantCode(t, w.orgs.RemoveAccount(w.ctx, mgmt, c.Account), organizations.CodeAccountNotFound)
	// Rejoining starts afresh: the old tags are gone.
	w.join(t, mgmt, b)
	f, ok, err := w.orgs.FactsOf(w.ctx, b.Account)
	must(t, err, "FactsOf")
	if !ok || len(f.Tags) != 0 {
		t.Errorf("rejoined member facts ok=%v tags %v, want no tags", ok, f.Tags)
	}
}

func TestLeaveRefusals(t *testing.T) {
	t.Parallel()
	lw := newLeaveWorld(t, organizations.Options{})
	w, mgmt := lw.world, lw.mgmt
	b, c, lone := w.signUp(t, "Bravo"), w.signUp(t, "Charlie"), w.signUp(t, "Lone")
	w.join(t, mgmt, b)
	w.join(t, mgmt, c)
	tests := []struct {
		name         string
		err          func() error
		code, reason string
	}{
		{"the management account leaves", func() error { return w.orgs.LeaveOrganization(w.ctx, mgmt) },
			organizations.CodeMasterCannotLeaveOrganization, ""},
		{"the management account is removed", func() error { return w.orgs.RemoveAccount(w.ctx, mgmt, mgmt.Account) },
			organizations.CodeConstraintViolation, organizations.ReasonAccountCannotLeaveOrganization},
		{"a member removes another", func() error { return w.orgs.RemoveAccount(w.ctx, b, c.Account) },
			organizations.CodeAccessDenied, ""},
		{"a member removes itself", func() error { return w.orgs.RemoveAccount(w.ctx, b, b.Account) },
			organizations.CodeAccessDenied, ""},
		{"remove an outsider", func() error { return w.orgs.RemoveAccount(w.ctx, mgmt, lone.Account) },
			organizations.CodeAccountNotFound, ""},
		{"a standalone account leaves", func() error { return w.orgs.LeaveOrganization(w.ctx, lone) },
			organizations.CodeAWSOrganizationsNotInUse, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantReason(t, tt.err(), tt.code, tt.reason)
		})
	}
	if ids := w.accountIDs(t, mgmt); len(ids) != 3 {
		t.Errorf("organization lists %v after refusals, want 3 accounts", ids)
	}
}

func TestOrganizationLifecycle(t *testing.T) {
	t.Parallel()
	w := newWorld(t, organizations.Options{})
	mgmt, b := w.signUp(t, "Mgmt"), w.signUp(t, "Bravo")
	o := w.createOrg(t, mgmt, "")
	if o.FeatureSet != organizations.AllFeatures || o.ManagementAccount != mgmt.Account {
		t.Errorf("CreateOrganization = %+v, want ALL features run by %s", o, mgmt.Account)
	}
	if !organizations.IsOrgID(string(o.ID)) || !organizations.IsRootID(string(o.RootID)) {
		t.Errorf("malformed ids %q %q", o.ID, o.RootID)
	}
	_, err := w.orgs.CreateOrganization(w.ctx, mgmt, organizations.AllFeatures)
	wantCode(t, err, organizations.CodeAlreadyInOrganization)
	w.join(t, mgmt, b)
	_, err = w.orgs.CreateOrganization(w.ctx, b, organizations.AllFeatures)
	wantCode(t, err, organizations.CodeAlreadyInOrganization)
	v, err := w.orgs.DescribeOrganization(w.ctx, b)
	must(t, err, "DescribeOrganization by a member")
	if v.ID != o.ID || v.ManagementEmail != emailOf("Mgmt") {
		t.Errorf("member sees %+v", v)
	}
	wantCode(t, w.orgs.DeleteOrganization(w.ctx, b), organizations.CodeAccessDenied)
	wantCode(t, w.orgs.DeleteOrganization(w.ctx, mgmt), organizations.CodeOrganizationNotEmpty)
	must(t, w.orgs.LeaveOrganization(w.ctx, b), "leave")
	must(t, w.orgs.DeleteOrganization(w.ctx, mgmt), "DeleteOrganization")
	_, err = w.orgs.DescribeOrganization(w.ctx, mgmt)
	wantCode(t, err, organizations.CodeAWSOrganizationsNotInUse)
	// The former management account may be invited elsewhere.
	w.createOrg(t, b, organizations.ConsolidatedBilling)
	w.join(t, b, mgmt)
}

// TestDeleteOrganizationIgnoresGoneMembers: a member whose post-closure
// period ended no longer blocks deleting the organization.
func TestDeleteOrganizationIgnoresGoneMembers(t *testing.T) {
	t.Parallel()
	w := newWorld(t, organizations.Options{})
	mgmt := w.signUp(t, "Mgmt")
	w.createOrg(t, mgmt, organizations.AllFeatures)
	m := w.createMember(t, mgmt, "member")
	must(t, w.orgs.CloseAccount(w.ctx, mgmt, m.Account), "CloseAccount")
	wantCode(t, w.orgs.DeleteOrganization(w.ctx, mgmt), organizations.CodeOrganizationNotEmpty)
	w.clk.Advance(90 * day)
	must(t, w.orgs.DeleteOrganization(w.ctx, mgmt), "DeleteOrganization")
}
