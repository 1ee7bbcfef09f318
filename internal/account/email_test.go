package account_test

import (
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/identity"
)

// emailWorld: an organization with trusted access; the primary-email
// operations are organizations-mode operations (the wire requires
// AccountId), so the management account acts on a member.
type emailWorld struct {
	*world
	mgmt, member identity.Principal
	t            account.Target
}

func newEmailWorld(t *testing.T, opts account.Options) *emailWorld {
	t.Helper()
	w := newWorld(t, opts)
	ew := &emailWorld{world: w, mgmt: w.signUp(t, "Mgmt"), member: w.signUp(t, "Member")}
	w.org(t, ew.mgmt, ew.member)
	ew.t = on(ew.mgmt, ew.member.Account)
	return ew
}

func (ew *emailWorld) start(t *testing.T, email string) account.Message {
	t.Helper()
	st, err := ew.svc.StartEmailUpdate(ew.ctx, ew.t, email)
	must(t, err, "StartEmailUpdate "+email)
	if st != account.EmailUpdatePending {
		t.Fatalf("StartEmailUpdate = %s, want PENDING", st)
	}
	m := ew.lastMessage(t)
	if m.To != email || m.Account != string(ew.member.Account) || len(m.Code) != 6 || !strings.Contains(m.Body, m.Code) {
		t.Fatalf("message %+v: want a code mailed to %s", m, email)
	}
	return m
}

func (ew *emailWorld) primary(t *testing.T) string {
	t.Helper()
	e, err := ew.svc.PrimaryEmail(ew.ctx, ew.t)
	must(t, err, "PrimaryEmail")
	return e
}

func (ew *emailWorld) updateStatus(t *testing.T) (account.EmailUpdateStatus, time.Time) {
	t.Helper()
	st, at, err := ew.svc.EmailUpdateStatus(ew.ctx, ew.t)
	must(t, err, "EmailUpdateStatus")
	return st, at
}

func TestPrimaryEmailUpdate(t *testing.T) {
	t.Parallel()
	ew := newEmailWorld(t, account.Options{})
	w := ew.world
	_, _, err := w.svc.EmailUpdateStatus(w.ctx, ew.t)
	wantCode(t, err, account.CodeResourceNotFound)
	_, err = w.svc.AcceptEmailUpdate(w.ctx, ew.t, "new@example.com", "000000")
	wantCode(t, err, account.CodeResourceNotFound)

	m := ew.start(t, "new@example.com")
	if st, at := ew.updateStatus(t); st != account.EmailUpdatePending || !at.Equal(epoch) {
		t.Errorf("status %s at %v, want PENDING at %v", st, at, epoch)
	}
	if got := ew.primary(t); got != emailOf("Member") {
		t.Errorf("primary email %q before accepting, want the old one", got)
	}
	wrong := "000000"
	if m.Code == wrong {
		wrong = "111111"
	}
	_, err = w.svc.AcceptEmailUpdate(w.ctx, ew.t, "new@example.com", wrong)
	wantField(t, err, "Otp")
	_, err = w.svc.AcceptEmailUpdate(w.ctx, ew.t, "other@example.com", m.Code)
	wantField(t, err, "PrimaryEmail")

	w.clk.Advance(time.Hour)
	st, err := w.svc.AcceptEmailUpdate(w.ctx, ew.t, "NEW@example.com", m.Code) // case-insensitive
	must(t, err, "AcceptEmailUpdate")
	if st != account.EmailUpdateAccepted {
		t.Errorf("AcceptEmailUpdate = %s, want ACCEPTED", st)
	}
	if got := ew.primary(t); got != "new@example.com" {
		t.Errorf("primary email %q, want new@example.com", got)
	}
	if st, at := ew.updateStatus(t); st != account.EmailUpdateAccepted || !at.Equal(epoch.Add(time.Hour)) {
		t.Errorf("status %s at %v, want ACCEPTED an hour after epoch", st, at)
	}
	// The code is used up.
	_, err = w.svc.AcceptEmailUpdate(w.ctx, ew.t, "new@example.com", m.Code)
	wantCode(t, err, account.CodeResourceNotFound)
	// The old address is free again; the new one is taken.
	if _, err := w.svc.EnsureSignUp(w.ctx, account.SignUp{ID: "299999999999", Name: "Reuse", Email: emailOf("Member")}); err != nil {
		t.Errorf("sign up with the released address: %v", err)
	}
	// The member sees its new address too, in standalone mode.
	a, err := w.svc.Information(w.ctx, self(ew.member))
	must(t, err, "Information")
	if a.Email != "new@example.com" {
		t.Errorf("member's own view: %q", a.Email)
	}
}

func TestPrimaryEmailUpdateRefusals(t *testing.T) {
	t.Parallel()
	ew := newEmailWorld(t, account.Options{})
	w := ew.world
	_, err := w.svc.StartEmailUpdate(w.ctx, ew.t, emailOf("Mgmt"))
	wantCode(t, err, account.CodeConflict) // another account's
	_, err = w.svc.StartEmailUpdate(w.ctx, ew.t, strings.ToUpper(emailOf("Member")))
	wantCode(t, err, account.CodeConflict) // its own
	_, _, err = w.svc.EmailUpdateStatus(w.ctx, ew.t)
	wantCode(t, err, account.CodeResourceNotFound)

	// The address taken between start and accept.
	m := ew.start(t, "taken@example.com")
	w.signUp(t, "Taken")
	_, err = w.svc.AcceptEmailUpdate(w.ctx, ew.t, "taken@example.com", m.Code)
	wantCode(t, err, account.CodeConflict)
	if got := ew.primary(t); got != emailOf("Member") {
		t.Errorf("primary email %q after a refused update", got)
	}
	if st, _ := ew.updateStatus(t); st != account.EmailUpdatePending {
		t.Errorf("status %s after a refused accept, want still PENDING", st)
	}
}

func TestPrimaryEmailCodeLifetime(t *testing.T) {
	t.Parallel()
	ew := newEmailWorld(t, account.Options{})
	w := ew.world
	first := ew.start(t, "one@example.com")
	// A new start replaces the code and the address.
	w.clk.Advance(time.Hour)
	second := ew.start(t, "two@example.com")
	_, err := w.svc.AcceptEmailUpdate(w.ctx, ew.t, "one@example.com", first.Code)
	wantField(t, err, "PrimaryEmail")
	if first.Code != second.Code {
		_, err = w.svc.AcceptEmailUpdate(w.ctx, ew.t, "two@example.com", first.Code)
		wantField(t, err, "Otp")
	}
	// The code lives 24 hours from the latest start.
	w.clk.Advance(24 * time.Hour)
	_, err = w.svc.AcceptEmailUpdate(w.ctx, ew.t, "two@example.com", second.Code)
	wantField(t, err, "Otp")
	third := ew.start(t, "three@example.com")
	w.clk.Advance(24*time.Hour - time.Second)
	_, err = w.svc.AcceptEmailUpdate(w.ctx, ew.t, "three@example.com", third.Code)
	must(t, err, "accept a second before expiry")
}

func TestPrimaryEmailCodeTTLOption(t *testing.T) {
	t.Parallel()
	ew := newEmailWorld(t, account.Options{CodeTTL: time.Minute})
	m := ew.start(t, "new@example.com")
	ew.clk.Advance(time.Minute)
	_, err := ew.svc.AcceptEmailUpdate(ew.ctx, ew.t, "new@example.com", m.Code)
	wantField(t, err, "Otp")
}

// TestPrimaryEmailNeedsOrganizationsMode: the primary-email operations
// follow the AccountId decision table.
func TestPrimaryEmailNeedsOrganizationsMode(t *testing.T) {
	t.Parallel()
	ew := newEmailWorld(t, account.Options{})
	w := ew.world
	lone := w.signUp(t, "Lone")
	tests := []struct {
		name   string
		target account.Target
	}{
		{"management on itself", on(ew.mgmt, ew.mgmt.Account)},
		{"member on itself", on(ew.member, ew.member.Account)},
		{"member on the management account", on(ew.member, ew.mgmt.Account)},
		{"standalone on itself", on(lone, lone.Account)},
		{"management on a standalone account", on(ew.mgmt, lone.Account)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := w.svc.StartEmailUpdate(w.ctx, tt.target, "x@example.com")
			wantDenied(t, err, tt.target.Caller, "StartPrimaryEmailUpdate")
			_, err = w.svc.AcceptEmailUpdate(w.ctx, tt.target, "x@example.com", "000000")
			wantDenied(t, err, tt.target.Caller, "AcceptPrimaryEmailUpdate")
			_, _, err = w.svc.EmailUpdateStatus(w.ctx, tt.target)
			wantDenied(t, err, tt.target.Caller, "GetPrimaryEmailUpdateStatus")
			_, err = w.svc.PrimaryEmail(w.ctx, tt.target)
			wantDenied(t, err, tt.target.Caller, "GetPrimaryEmail")
		})
	}
}
