package organizations_test

import (
	"github.com/accountplane/accountplane/internal/account"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
)

const (
	acctSP = organizations.AccountServicePrincipal
	// otherSP is a service principal that admits several delegated administrators.
	otherSP = "securityhub.amazonaws.com"
)

func TestServiceAccess(t *testing.T) {
	t.Parallel()
	w := newWorld(t, organizations.Options{})
	mgmt, member := w.signUp(t, "Mgmt"), w.signUp(t, "Member")
	w.createOrg(t, mgmt, organizations.AllFeatures)
	w.join(t, mgmt, member)
	cb := w.signUp(t, "CB")
	w.createOrg(t, cb, organizations.ConsolidatedBilling)

	wantConstraint(t, w.orgs.EnableServiceAccess(w.ctx, cb, acctSP), organizations.ReasonOrganizationNotInAllFeaturesMode)
	wantCode(t, w.orgs.EnableServiceAccess(w.ctx, member, acctSP), organizations.CodeAccessDenied)
	for _, bad := range []string{"account", "amazonaws.com", ".amazonaws.com", "account.example.com"} {
		wantReason(t, w.orgs.EnableServiceAccess(w.ctx, mgmt, bad), organizations.CodeInvalidInput, organizations.InputReasonUnrecognizedPrincipal)
	}
	must(t, w.orgs.EnableServiceAccess(w.ctx, mgmt, acctSP), "enable")
	w.clk.Advance(time.Hour)
	must(t, w.orgs.EnableServiceAccess(w.ctx, mgmt, acctSP), "enable again (idempotent)")
	list, err := w.orgs.ListServiceAccess(w.ctx, mgmt)
	must(t, err, "ListServiceAccess")
	if len(list) != 1 || list[0].Principal != acctSP || !list[0].EnabledAt.Equal(epoch) {
		t.Errorf("ListServiceAccess = %+v, want %s enabled once at %v", list, acctSP, epoch)
	}
	_, err = w.orgs.ListServiceAccess(w.ctx, member)
	wantCode(t, err, organizations.CodeAccessDenied)
	must(t, w.orgs.DisableServiceAccess(w.ctx, mgmt, acctSP), "disable")
	must(t, w.orgs.DisableServiceAccess(w.ctx, mgmt, acctSP), "disable again (idempotent)")
	if list, _ := w.orgs.ListServiceAccess(w.ctx, mgmt); len(list) != 0 {
		t.Errorf("after disabling: %+v", list)
	}
}

// adminWorld: an ALL-features organization with trusted access for
// Account Management and otherSP, and three invited members.
type adminWorld struct {
	*world
	mgmt, a, b, c identity.Principal
}

func newAdminWorld(t *testing.T) *adminWorld {
	t.Helper()
	w := newWorld(t, organizations.Options{})
	aw := &adminWorld{world: w, mgmt: w.signUp(t, "Mgmt"), a: w.signUp(t, "Alpha"), b: w.signUp(t, "Bravo"), c: w.signUp(t, "Charlie")}
	w.createOrg(t, aw.mgmt, organizations.AllFeatures)
	for _, p := range []identity.Principal{aw.a, aw.b, aw.c} {
		w.join(t, aw.mgmt, p)
	}
	must(t, w.orgs.EnableServiceAccess(w.ctx, aw.mgmt, acctSP), "enable account access")
	must(t, w.orgs.EnableServiceAccess(w.ctx, aw.mgmt, otherSP), "enable other access")
	return aw
}

func TestDelegatedAdminRegistration(t *testing.T) {
	t.Parallel()
	aw := newAdminWorld(t)
	w := aw.world
	lone := w.signUp(t, "Lone")
	register := func(caller identity.Principal, id identity.AccountID, sp string) error {
		return w.orgs.RegisterDelegatedAdmin(w.ctx, caller, id, sp)
	}
	must(t, register(aw.mgmt, aw.a.Account, acctSP), "register A for account")

	tests := []struct {
		name         string
		caller       identity.Principal
		id           identity.AccountID
		sp           string
		code, reason string
	}{
		{"the management account", aw.mgmt, aw.mgmt.Account, acctSP, organizations.CodeConstraintViolation, organizations.ReasonCannotRegisterMasterAsDelegatedAdmin},
		{"a second account for account.amazonaws.com", aw.mgmt, aw.b.Account, acctSP, organizations.CodeConstraintViolation, organizations.ReasonMaxDelegatedAdminsForServiceExceeded},
		{"the same account twice", aw.mgmt, aw.a.Account, acctSP, organizations.CodeAccountAlreadyRegistered, ""},
		{"an outsider", aw.mgmt, lone.Account, acctSP, organizations.CodeAccountNotFound, ""},
		{"a service without trusted access", aw.mgmt, aw.b.Account, "guardduty.amazonaws.com", organizations.CodeConstraintViolation, organizations.ReasonServiceAccessNotEnabled},
		{"an unrecognized principal", aw.mgmt, aw.b.Account, "guardduty", organizations.CodeInvalidInput, organizations.InputReasonUnrecognizedPrincipal},
		{"by a member", aw.b, aw.c.Account, otherSP, organizations.CodeAccessDenied, ""},
		{"by the delegated administrator", aw.a, aw.c.Account, otherSP, organizations.CodeAccessDenied, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantReason(t, register(tt.caller, tt.id, tt.sp), tt.code, tt.reason)
		})
	}

	// Other principals admit several administrators, and one account may
	// administer several services.
	must(t, register(aw.mgmt, aw.b.Account, otherSP), "register B for other")
	must(t, register(aw.mgmt, aw.a.Account, otherSP), "register A for other")
	admins, err := w.orgs.ListDelegatedAdmins(w.ctx, aw.mgmt, "")
	must(t, err, "ListDelegatedAdmins")
	if len(admins) != 2 {
		t.Errorf("ListDelegatedAdmins lists %d accounts, want A and B once each", len(admins))
	}
	admins, err = w.orgs.ListDelegatedAdmins(w.ctx, aw.mgmt, acctSP)
	must(t, err, "ListDelegatedAdmins")
	if len(admins) != 1 || admins[0].Account.ID != aw.a.Account {
		t.Errorf("ListDelegatedAdmins(%s) = %+v, want A", acctSP, admins)
	}
	svcs, err := w.orgs.ListDelegatedServices(w.ctx, aw.mgmt, aw.a.Account)
	must(t, err, "ListDelegatedServices")
	if len(svcs) != 2 {
		t.Errorf("A administers %d services, want 2", len(svcs))
	}
	_, err = w.orgs.ListDelegatedServices(w.ctx, aw.mgmt, aw.c.Account)
	wantCode(t, err, organizations.CodeAccountNotRegistered)

	// A delegated administrator reads the organization but changes nothing.
	if ids := w.accountIDs(t, aw.a); len(ids) != 4 {
		t.Errorf("the delegated administrator lists %v, want 4 accounts", ids)
	}
	_, err = w.orgs.ListAccounts(w.ctx, aw.c, "")
	wantCode(t, err, organizations.CodeAccessDenied)
	_, err = w.orgs.CreateAccount(w.ctx, aw.a, organizations.NewAccount{Name: "x", Email: "x@example.com"})
	wantCode(t, err, organizations.CodeAccessDenied)
	wantCode(t, w.orgs.RemoveAccount(w.ctx, aw.a, aw.c.Account), organizations.CodeAccessDenied)

	// Deregistering frees the single account.amazonaws.com seat.
	wantCode(t, w.orgs.DeregisterDelegatedAdmin(w.ctx, aw.mgmt, aw.c.Account, acctSP), organizations.CodeAccountNotRegistered)
	wantCode(t, w.orgs.DeregisterDelegatedAdmin(w.ctx, aw.mgmt, lone.Account, acctSP), organizations.CodeAccountNotFound)
	wantCode(t, w.orgs.DeregisterDelegatedAdmin(w.ctx, aw.b, aw.a.Account, acctSP), organizations.CodeAccessDenied)
	must(t, w.orgs.DeregisterDelegatedAdmin(w.ctx, aw.mgmt, aw.a.Account, acctSP), "deregister A")
	wantCode(t, w.orgs.DeregisterDelegatedAdmin(w.ctx, aw.mgmt, aw.a.Account, acctSP), organizations.CodeAccountNotRegistered)
	must(t, register(aw.mgmt, aw.b.Account, acctSP), "register B for account")
}

func TestDisableServiceAccessDeregistersAdmins(t *testing.T) {
	t.Parallel()
	aw := newAdminWorld(t)
	w := aw.world
	must(t, w.orgs.RegisterDelegatedAdmin(w.ctx, aw.mgmt, aw.a.Account, acctSP), "register A for account")
	must(t, w.orgs.RegisterDelegatedAdmin(w.ctx, aw.mgmt, aw.b.Account, otherSP), "register B for other")
	must(t, w.orgs.DisableServiceAccess(w.ctx, aw.mgmt, acctSP), "disable account access")
	admins, err := w.orgs.ListDelegatedAdmins(w.ctx, aw.mgmt, "")
	must(t, err, "ListDelegatedAdmins")
	if len(admins) != 1 || admins[0].Account.ID != aw.b.Account {
		t.Errorf("after disabling %s: admins %+v, want only B (for %s)", acctSP, admins, otherSP)
	}
	_, err = w.orgs.ListAccounts(w.ctx, aw.a, "")
	wantCode(t, err, organizations.CodeAccessDenied)
	wantConstraint(t, w.orgs.RegisterDelegatedAdmin(w.ctx, aw.mgmt, aw.a.Account, acctSP), organizations.ReasonServiceAccessNotEnabled)
}

func TestSuspendedAccountCannotBeDelegatedAdmin(t *testing.T) {
	t.Parallel()
	w := newWorld(t, organizations.Options{CloseDelay: time.Hour})
	mgmt := w.signUp(t, "Mgmt")
	w.createOrg(t, mgmt, organizations.AllFeatures)
	must(t, w.orgs.EnableServiceAccess(w.ctx, mgmt, acctSP), "enable")
	m := w.createMember(t, mgmt, "member")
	must(t, w.orgs.CloseAccount(w.ctx, mgmt, m.Account), "CloseAccount")
	// PENDING_CLOSURE and SUSPENDED are both refused.
	wantConstraint(t, w.orgs.RegisterDelegatedAdmin(w.ctx, mgmt, m.Account, acctSP), organizations.ReasonCannotRegisterSuspendedAsDelegatedAdm)
	w.clk.Advance(time.Hour)
	wantConstraint(t, w.orgs.RegisterDelegatedAdmin(w.ctx, mgmt, m.Account, acctSP), organizations.ReasonCannotRegisterSuspendedAsDelegatedAdm)
}

// TestCanManage is the AccountId decision table of spec/behaviour.md §2.3.
func TestCanManage(t *testing.T) {
	t.Parallel()
	w := newWorld(t, organizations.Options{CreateAccountDelay: time.Hour})
	mgmt, admin, member, other := w.signUp(t, "Mgmt"), w.signUp(t, "Admin"), w.signUp(t, "Member"), w.signUp(t, "Other")
	w.createOrg(t, mgmt, organizations.AllFeatures)
	for _, p := range []identity.Principal{admin, member, other} {
		w.join(t, mgmt, p)
	}
	must(t, w.orgs.EnableServiceAccess(w.ctx, mgmt, acctSP), "enable")
	must(t, w.orgs.EnableServiceAccess(w.ctx, mgmt, otherSP), "enable other")
	must(t, w.orgs.RegisterDelegatedAdmin(w.ctx, mgmt, admin.Account, acctSP), "register admin")
	must(t, w.orgs.RegisterDelegatedAdmin(w.ctx, mgmt, other.Account, otherSP), "register other's admin")
	creating := w.createMember(t, mgmt, "creating") // IN_PROGRESS for an hour
	// A second organization, with trusted access too.
	mgmt2, member2 := w.signUp(t, "Mgmt2"), w.signUp(t, "Member2")
	w.createOrg(t, mgmt2, organizations.AllFeatures)
	w.join(t, mgmt2, member2)
	must(t, w.orgs.EnableServiceAccess(w.ctx, mgmt2, acctSP), "enable 2")
	lone := w.signUp(t, "Lone")

	tests := []struct {
		name           string
		caller, target identity.AccountID
		want           bool
	}{
		{"management on a member", mgmt.Account, member.Account, true},
		{"management on the delegated admin", mgmt.Account, admin.Account, true},
		{"management on itself", mgmt.Account, mgmt.Account, false},
		{"delegated admin on a member", admin.Account, member.Account, true},
		{"delegated admin on itself", admin.Account, admin.Account, true},
		{"delegated admin on the management account", admin.Account, mgmt.Account, false},
		{"member on itself", member.Account, member.Account, false},
		{"member on another member", member.Account, admin.Account, false},
		{"member on the management account", member.Account, mgmt.Account, false},
		{"admin of another service on a member", other.Account, member.Account, false},
		{"admin of another service on itself", other.Account, other.Account, false},
		{"management on another organization's member", mgmt.Account, member2.Account, false},
		{"management on another management account", mgmt.Account, mgmt2.Account, false},
		{"delegated admin on another organization's member", admin.Account, member2.Account, false},
		{"another management account on a member", mgmt2.Account, member.Account, false},
		{"management on a standalone account", mgmt.Account, lone.Account, false},
		{"management on an unknown account", mgmt.Account, "999999999999", false},
		{"management on an account still being created", mgmt.Account, creating.Account, false},
		{"standalone on a member", lone.Account, member.Account, false},
		{"standalone on itself", lone.Account, lone.Account, false},
	}
	check := func(t *testing.T, caller, target identity.AccountID, want bool) {
		t.Helper()
		got, err := w.orgs.CanManage(w.ctx, caller, target)
		must(t, err, "CanManage")
		if got != want {
			t.Errorf("CanManage(%s, %s) = %v, want %v", caller, target, got, want)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { check(t, tt.caller, tt.target, tt.want) })
	}

	t.Run("created member once complete", func(t *testing.T) {
		w.clk.Advance(time.Hour)
		check(t, mgmt.Account, creating.Account, true)
		check(t, admin.Account, creating.Account, true)
	})
	t.Run("suspended member, then gone", func(t *testing.T) {
		must(t, w.orgs.CloseAccount(w.ctx, mgmt, creating.Account), "CloseAccount")
		check(t, mgmt.Account, creating.Account, true)
		w.clk.Advance(90 * day)
		check(t, mgmt.Account, creating.Account, false)
	})
	t.Run("after deregistering the admin", func(t *testing.T) {
		must(t, w.orgs.DeregisterDelegatedAdmin(w.ctx, mgmt, admin.Account, acctSP), "deregister")
		check(t, admin.Account, member.Account, false)
		check(t, admin.Account, admin.Account, false)
		check(t, mgmt.Account, member.Account, true)
		must(t, w.orgs.RegisterDelegatedAdmin(w.ctx, mgmt, admin.Account, acctSP), "register again")
	})
	t.Run("without trusted access", func(t *testing.T) {
		must(t, w.orgs.DisableServiceAccess(w.ctx, mgmt, acctSP), "disable")
		check(t, mgmt.Account, member.Account, false)
		check(t, admin.Account, member.Account, false)
		check(t, admin.Account, admin.Account, false)
		must(t, w.orgs.EnableServiceAccess(w.ctx, mgmt, acctSP), "enable again")
		check(t, mgmt.Account, member.Account, true)
		check(t, admin.Account, member.Account, false) // disabling deregistered it
	})
	t.Run("after the member left", func(t *testing.T) {
		must(t, w.orgs.LeaveOrganization(w.ctx, member), "leave")
		check(t, mgmt.Account, member.Account, false)
	})
}

// TestCanManageNeedsAllFeatures: a consolidated-billing organization never
// qualifies. It cannot enable trusted access, so the test stores the
// trusted access directly (as an imported state could hold it).
func TestCanManageNeedsAllFeatures(t *testing.T) {
	t.Parallel()
	w := newWorld(t, organizations.Options{})
	mgmt, member := w.signUp(t, "Mgmt"), w.signUp(t, "Member")
	o := w.createOrg(t, mgmt, organizations.ConsolidatedBilling)
	w.join(t, mgmt, member)
	wantConstraint(t, w.orgs.EnableServiceAccess(w.ctx, mgmt, acctSP), organizations.ReasonOrganizationNotInAllFeaturesMode)
	err := w.db.Organizations().Update(w.ctx, func(tx organizations.Tx) error {
		return tx.PutEnabledService(w.ctx, &organizations.EnabledService{Org: o.ID, Principal: acctSP, EnabledAt: epoch})
	})
	must(t, err, "store trusted access")
	got, err := w.orgs.CanManage(w.ctx, mgmt.Account, member.Account)
	must(t, err, "CanManage")
	if got {
		t.Error("CanManage in a consolidated-billing organization = true")
	}
}

func TestPeersAndMembership(t *testing.T) {
	t.Parallel()
	w := newWorld(t, organizations.Options{CreateAccountDelay: time.Hour})
	mgmt, b, lone := w.signUp(t, "Mgmt"), w.signUp(t, "Bravo"), w.signUp(t, "Lone")
	o := w.createOrg(t, mgmt, organizations.AllFeatures)
	w.join(t, mgmt, b)
	c := w.createMember(t, mgmt, "creating")
	peers, err := w.orgs.Peers(w.ctx, b.Account)
	must(t, err, "Peers")
	if len(peers) != 2 || !contains(peers, mgmt.Account) || !contains(peers, b.Account) {
		t.Errorf("Peers = %v, want the management account and Bravo (not the account being created)", peers)
	}
	w.clk.Advance(time.Hour)
	if peers, _ := w.orgs.Peers(w.ctx, mgmt.Account); !contains(peers, c.Account) {
		t.Errorf("Peers = %v, want the created account once complete", peers)
	}
	if peers, err := w.orgs.Peers(w.ctx, lone.Account); err != nil || peers != nil {
		t.Errorf("Peers of a standalone account = %v, %v; want nil", peers, err)
	}
	org, isMgmt, ok, err := w.orgs.MembershipOf(w.ctx, mgmt.Account)
	if err != nil || !ok || !isMgmt || org != o.ID {
		t.Errorf("MembershipOf(management) = %s %v %v %v", org, isMgmt, ok, err)
	}
	org, isMgmt, ok, err = w.orgs.MembershipOf(w.ctx, b.Account)
	if err != nil || !ok || isMgmt || org != o.ID {
		t.Errorf("MembershipOf(member) = %s %v %v %v", org, isMgmt, ok, err)
	}
	if _, _, ok, err := w.orgs.MembershipOf(w.ctx, lone.Account); err != nil || ok {
		t.Errorf("MembershipOf(standalone) ok=%v err=%v", ok, err)
	}
}

// TestGoneDelegatedAdminFreesItsSeat: a delegated administrator that was
// closed and left the organization at the end of its post-closure period
// no longer holds the single account.amazonaws.com seat.
func TestGoneDelegatedAdminFreesItsSeat(t *testing.T) {
	t.Parallel()
	aw := newAdminWorld(t)
	w := aw.world
	must(t, w.orgs.RegisterDelegatedAdmin(w.ctx, aw.mgmt, aw.a.Account, acctSP), "register A")
	must(t, w.orgs.CloseAccount(w.ctx, aw.mgmt, aw.a.Account), "close A")
	wantConstraint(t, w.orgs.RegisterDelegatedAdmin(w.ctx, aw.mgmt, aw.b.Account, acctSP), organizations.ReasonMaxDelegatedAdminsForServiceExceeded)
	w.clk.Advance(90 * day)
	admins, err := w.orgs.ListDelegatedAdmins(w.ctx, aw.mgmt, acctSP)
	must(t, err, "ListDelegatedAdmins")
	if len(admins) != 0 {
		t.Errorf("ListDelegatedAdmins lists %d accounts after A left, want 0", len(admins))
	}
	must(t, w.orgs.RegisterDelegatedAdmin(w.ctx, aw.mgmt, aw.b.Account, acctSP), "register B once A is gone")
	ok, err := w.orgs.CanManage(w.ctx, aw.b.Account, aw.c.Account)
	must(t, err, "CanManage")
	if !ok {
		t.Error("the new delegated administrator cannot manage a member")
	}
}

// CanManage's facts are kept until the store changes — through this
// service or any other store of the database — while its decision moves
// with the clock.
func TestCanManageFactsKeptUntilACommit(t *testing.T) {
	t.Parallel()
	w := newWorld(t, organizations.Options{CloseDelay: time.Hour})
	mgmt, member := w.signUp(t, "Mgmt"), w.signUp(t, "Member")
	w.createOrg(t, mgmt, organizations.AllFeatures)
	w.join(t, mgmt, member)
	must(t, w.orgs.EnableServiceAccess(w.ctx, mgmt, acctSP), "enable")
	check := func(want bool, when string) {
		t.Helper()
		got, err := w.orgs.CanManage(w.ctx, mgmt.Account, member.Account)
		must(t, err, "CanManage")
		if got != want {
			t.Errorf("%s: CanManage = %v, want %v", when, got, want)
		}
	}
	check(true, "first")
	hits, _ := w.orgs.ReadStats()
	check(true, "again")
	if h, _ := w.orgs.ReadStats(); h != hits+1 {
		t.Errorf("a repeated CanManage: %d hits, want %d (answered from memory)", h, hits+1)
	}
	// A write by another domain's store is seen at once: the member's
	// account record, closed 91 days ago, makes it no member any more.
	w.editAccount(t, member.Account, func(a *account.Account) { a.ClosedAt = w.clk.Now().Add(-91 * day) })
	check(false, "after the account store closed the member 91 days ago")
}
