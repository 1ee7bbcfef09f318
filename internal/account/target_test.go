package account_test

import (
	"testing"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
)

// op is one Account Management operation of the service.
type op struct {
	action string
	write  bool
	call   func(w *world, t account.Target) error
}

// ops lists every operation, with arguments valid for an account that has
// signed up (so that an allowed call on a fresh account succeeds or fails
// only for a reason of its own).
var ops = []op{
	{"GetAccountInformation", false, func(w *world, t account.Target) error {
		_, err := w.svc.Information(w.ctx, t)
		return err
	}},
	{"GetAlternateContact", false, func(w *world, t account.Target) error {
		_, err := w.svc.AlternateContact(w.ctx, t, account.Security)
		return err
	}},
	{"GetContactInformation", false, func(w *world, t account.Target) error {
		_, _, err := w.svc.ContactInformation(w.ctx, t)
		return err
	}},
	{"ListRegions", false, func(w *world, t account.Target) error {
		_, err := w.svc.Regions(w.ctx, t, nil)
		return err
	}},
	{"GetRegionOptStatus", false, func(w *world, t account.Target) error {
		_, err := w.svc.RegionStatus(w.ctx, t, "af-south-1")
		return err
	}},
	{"GetPrimaryEmail", false, func(w *world, t account.Target) error {
		_, err := w.svc.PrimaryEmail(w.ctx, t)
		return err
	}},
	{"GetPrimaryEmailUpdateStatus", false, func(w *world, t account.Target) error {
		_, _, err := w.svc.EmailUpdateStatus(w.ctx, t)
		return err
	}},
	{"GetGovCloudAccountInformation", false, func(w *world, t account.Target) error {
		_, err := w.svc.GovCloudAccount(w.ctx, t)
		return err
	}},
	{"PutAccountName", true, func(w *world, t account.Target) error {
		return w.svc.Rename(w.ctx, t, "renamed")
	}},
	{"PutAlternateContact", true, func(w *world, t account.Target) error {
		return w.svc.PutAlternateContact(w.ctx, t, alt(account.Operations, "Ops"))
	}},
	{"DeleteAlternateContact", true, func(w *world, t account.Target) error {
		return w.svc.DeleteAlternateContact(w.ctx, t, account.Billing)
	}},
	{"PutContactInformation", true, func(w *world, t account.Target) error {
		return w.svc.PutContactInformation(w.ctx, t, fullContact("+12065550177"))
	}},
	{"EnableRegion", true, func(w *world, t account.Target) error {
		return w.svc.EnableRegion(w.ctx, t, "ap-east-1")
	}},
	{"DisableRegion", true, func(w *world, t account.Target) error {
		return w.svc.DisableRegion(w.ctx, t, "ap-east-1")
	}},
	{"SendPhoneNumberVerification", true, func(w *world, t account.Target) error {
		_, err := w.svc.SendPhoneVerification(w.ctx, t)
		return err
	}},
	{"VerifyPhoneNumber", true, func(w *world, t account.Target) error {
		_, err := w.svc.VerifyPhone(w.ctx, t, "123456")
		return err
	}},
	{"StartPrimaryEmailUpdate", true, func(w *world, t account.Target) error {
		_, err := w.svc.StartEmailUpdate(w.ctx, t, "fresh@example.com")
		return err
	}},
	{"AcceptPrimaryEmailUpdate", true, func(w *world, t account.Target) error {
		_, err := w.svc.AcceptEmailUpdate(w.ctx, t, "fresh@example.com", "123456")
		return err
	}},
}

// TestAccountIDDecision applies the decision table of spec/behaviour.md
// §2.3 to every operation: an allowed call may fail for a reason of its
// own, never with AccessDeniedException; a refused one is AccessDenied
// naming the caller and the action.
func TestAccountIDDecision(t *testing.T) {
	t.Parallel()
	w := newWorld(t, account.Options{})
	mgmt, admin, member, lone := w.signUp(t, "Mgmt"), w.signUp(t, "Admin"), w.signUp(t, "Member"), w.signUp(t, "Lone")
	w.org(t, mgmt, admin, member)
	must(t, w.orgs.RegisterDelegatedAdmin(w.ctx, mgmt, admin.Account, "account.amazonaws.com"), "register")
	mgmt2, member2 := w.signUp(t, "Mgmt2"), w.signUp(t, "Member2")
	w.org(t, mgmt2, member2)

	tests := []struct {
		name  string
		t     account.Target
		allow bool
	}{
		{"standalone: own account", self(lone), true},
		{"management without AccountId", self(mgmt), true},
		{"member without AccountId", self(member), true},
		{"management on a member", on(mgmt, member.Account), true},
		{"management on the delegated admin", on(mgmt, admin.Account), true},
		{"management on itself", on(mgmt, mgmt.Account), false},
		{"delegated admin on a member", on(admin, member.Account), true},
		{"delegated admin on itself", on(admin, admin.Account), true},
		{"delegated admin on the management account", on(admin, mgmt.Account), false},
		{"member on itself", on(member, member.Account), false},
		{"member on another member", on(member, admin.Account), false},
		{"management on another organization's member", on(mgmt, member2.Account), false},
		{"delegated admin on another organization's member", on(admin, member2.Account), false},
		{"management on a standalone account", on(mgmt, lone.Account), false},
		{"standalone on itself", on(lone, lone.Account), false},
		{"standalone on a member", on(lone, member.Account), false},
		{"anonymous", account.Target{}, false},
		{"anonymous with AccountId", account.Target{AccountID: member.Account}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, o := range ops {
				err := o.call(w, tt.t)
				switch {
				case tt.allow && account.CodeAccessDenied == codeOf(err):
					t.Errorf("%s: %v, want allowed", o.action, err)
				case !tt.allow:
					wantDenied(t, err, tt.t.Caller, o.action)
				}
			}
		})
	}
}

func codeOf(err error) string {
	if e, ok := apierr.As(err); ok {
		return e.Code
	}
	return ""
}

// TestAccountIDActsOnTarget: an allowed AccountId call changes the target
// account, not the caller's.
func TestAccountIDActsOnTarget(t *testing.T) {
	t.Parallel()
	w := newWorld(t, account.Options{})
	mgmt, member := w.signUp(t, "Mgmt"), w.signUp(t, "Member")
	w.org(t, mgmt, member)
	must(t, w.svc.Rename(w.ctx, on(mgmt, member.Account), "renamed by mgmt"), "Rename")
	must(t, w.svc.PutAlternateContact(w.ctx, on(mgmt, member.Account), alt(account.Billing, "Bill")), "PutAlternateContact")
	must(t, w.svc.EnableRegion(w.ctx, on(mgmt, member.Account), "me-south-1"), "EnableRegion")

	a, err := w.svc.Information(w.ctx, self(member))
	must(t, err, "member's Information")
	if a.Name != "renamed by mgmt" {
		t.Errorf("member's name %q", a.Name)
	}
	if _, err := w.svc.AlternateContact(w.ctx, self(member), account.Billing); err != nil {
		t.Errorf("member's BILLING contact: %v", err)
	}
	if got := w.status(t, self(member), "me-south-1"); got != account.RegionEnabled {
		t.Errorf("member's me-south-1 is %s", got)
	}
	// The management account's own account is unchanged.
	a, err = w.svc.Information(w.ctx, self(mgmt))
	must(t, err, "management's Information")
	if a.Name != "Mgmt" {
		t.Errorf("management's name %q", a.Name)
	}
	_, err = w.svc.AlternateContact(w.ctx, self(mgmt), account.Billing)
	wantCode(t, err, account.CodeResourceNotFound)
	if got := w.status(t, self(mgmt), "me-south-1"); got != account.RegionDisabled {
		t.Errorf("management's me-south-1 is %s", got)
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	w := newWorld(t, account.Options{})
	mgmt, member := w.signUp(t, "Mgmt"), w.signUp(t, "Member")
	w.org(t, mgmt, member)
	got, err := w.svc.Resolve(w.ctx, on(mgmt, member.Account), "PutAlternateContact")
	must(t, err, "Resolve")
	if got.Account() != member.Account {
		t.Errorf("resolved account %s, want %s", got.Account(), member.Account)
	}
	got, err = w.svc.Resolve(w.ctx, self(mgmt), "PutAlternateContact")
	must(t, err, "Resolve standalone")
	if got.Account() != mgmt.Account {
		t.Errorf("resolved account %s, want the caller's %s", got.Account(), mgmt.Account)
	}
	_, err = w.svc.Resolve(w.ctx, on(member, mgmt.Account), "PutAlternateContact")
	wantDenied(t, err, member, "PutAlternateContact")
	// A resolved target is not decided again: it still reaches the member
	// after trusted access was disabled (the request was authorized before).
	resolved, err := w.svc.Resolve(w.ctx, on(mgmt, member.Account), "GetAccountInformation")
	must(t, err, "Resolve")
	must(t, w.orgs.DisableServiceAccess(w.ctx, mgmt, "account.amazonaws.com"), "DisableServiceAccess")
	if _, err := w.svc.Information(w.ctx, resolved); err != nil {
		t.Errorf("Information with a resolved target: %v", err)
	}
	_, err = w.svc.Information(w.ctx, on(mgmt, member.Account))
	wantDenied(t, err, mgmt, "GetAccountInformation")
}

// TestStandaloneDirectory: without organizations, AccountId reaches nothing.
func TestStandaloneDirectory(t *testing.T) {
	t.Parallel()
	var d account.Standalone
	p := identity.AccountID("200000000001")
	if ok, err := d.CanManage(t.Context(), p, p); ok || err != nil {
		t.Errorf("Standalone.CanManage = %v, %v", ok, err)
	}
	if peers, err := d.Peers(t.Context(), p); peers != nil || err != nil {
		t.Errorf("Standalone.Peers = %v, %v", peers, err)
	}
	// A service with no Directory is standalone, even for an organization's
	// management account.
	w := newWorld(t, account.Options{})
	mgmt, member := w.signUp(t, "Mgmt"), w.signUp(t, "Member")
	w.org(t, mgmt, member)
	svc := account.NewService(w.db, account.Options{Now: w.clk.Now})
	_, err := svc.Information(w.ctx, on(mgmt, member.Account))
	wantDenied(t, err, mgmt, "GetAccountInformation")
	a, err := svc.Information(w.ctx, self(member))
	must(t, err, "standalone Information")
	if a.ID != member.Account {
		t.Errorf("Information = %s, want %s", a.ID, member.Account)
	}
}
