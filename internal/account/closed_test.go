package account_test

import (
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/identity"
)

// TestClosedAccountReadOnly: a closed account (SUSPENDED during the
// post-closure period, then CLOSED) can be read but not changed, by itself
// or by its management account (spec/behaviour.md §13.4 guidance).
func TestClosedAccountReadOnly(t *testing.T) {
	t.Parallel()
	const closeDelay = time.Hour
	w := newWorld(t, account.Options{CloseDelay: closeDelay})
	mgmt := w.signUp(t, "Mgmt")
	w.org(t, mgmt)
	st, err := w.orgs.CreateAccount(w.ctx, mgmt, newAccount("member"))
	must(t, err, "CreateAccount")
	member := identity.RootPrincipal(st.Account, "")
	// Some data to read later.
	must(t, w.svc.PutAlternateContact(w.ctx, on(mgmt, member.Account), alt(account.Security, "Sec")), "PutAlternateContact")
	must(t, w.svc.PutContactInformation(w.ctx, on(mgmt, member.Account), fullContact("+12065550155")), "PutContactInformation")
	must(t, w.orgs.CloseAccount(w.ctx, mgmt, member.Account), "CloseAccount")

	checkState := func(t *testing.T, want account.State) {
		t.Helper()
		a, err := w.svc.Information(w.ctx, self(member))
		must(t, err, "Information")
		if a.State != want {
			t.Fatalf("state %s, want %s", a.State, want)
		}
	}

	// PENDING_CLOSURE in Organizations is still ACTIVE here, and writable.
	checkState(t, account.StateActive)
	must(t, w.svc.Rename(w.ctx, self(member), "still open"), "Rename while the closure is pending")

	w.clk.Advance(closeDelay)
	checkState(t, account.StateSuspended)
	targets := []struct {
		name string
		t    account.Target
	}{
		{"itself", self(member)},
		{"its management account", on(mgmt, member.Account)},
	}
	for _, tt := range targets {
		t.Run("SUSPENDED by "+tt.name, func(t *testing.T) {
			for _, o := range ops {
				err := o.call(w, tt.t)
				if o.write {
					wantDenied(t, err, tt.t.Caller, o.action)
				} else if codeOf(err) == account.CodeAccessDenied {
					t.Errorf("%s on a SUSPENDED account: %v, want allowed", o.action, err)
				}
			}
			c, err := w.svc.AlternateContact(w.ctx, tt.t, account.Security)
			must(t, err, "AlternateContact")
			if c.Name != "Sec" {
				t.Errorf("SECURITY contact %+v", c)
			}
			if _, _, err := w.svc.ContactInformation(w.ctx, tt.t); err != nil {
				t.Errorf("ContactInformation: %v", err)
			}
		})
	}
	a, err := w.svc.Information(w.ctx, self(member))
	must(t, err, "Information")
	if a.Name != "still open" {
		t.Errorf("name %q changed while SUSPENDED", a.Name)
	}

	w.clk.Advance(90 * day)
	checkState(t, account.StateClosed)
	t.Run("CLOSED by itself", func(t *testing.T) {
		for _, o := range ops {
			if err := o.call(w, self(member)); o.write {
				wantDenied(t, err, member, o.action)
			} else if codeOf(err) == account.CodeAccessDenied {
				t.Errorf("%s on a CLOSED account: %v, want allowed", o.action, err)
			}
		}
	})
	// It left the organization: the management account no longer reaches it.
	_, err = w.svc.Information(w.ctx, on(mgmt, member.Account))
	wantDenied(t, err, mgmt, "GetAccountInformation")
}

// TestStateOf derives the state from the closure time and the clock.
func TestStateOf(t *testing.T) {
	t.Parallel()
	closed := epoch.Add(time.Hour)
	tests := []struct {
		name string
		a    account.Account
		at   time.Time
		want account.State
	}{
		{"never closed", account.Account{State: account.StateActive}, epoch.Add(1000 * day), account.StateActive},
		{"pending activation", account.Account{State: account.StatePendingActivation}, epoch, account.StatePendingActivation},
		{"closure pending", account.Account{State: account.StateActive, ClosedAt: closed}, closed.Add(time.Minute - time.Nanosecond), account.StateActive},
		{"suspended", account.Account{State: account.StateActive, ClosedAt: closed}, closed.Add(time.Minute), account.StateSuspended},
		{"last moment of the post-closure period", account.Account{State: account.StateActive, ClosedAt: closed}, closed.Add(time.Minute + 90*day - time.Nanosecond), account.StateSuspended},
		{"closed", account.Account{State: account.StateActive, ClosedAt: closed}, closed.Add(time.Minute + 90*day), account.StateClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.StateAt(tt.at, time.Minute, 90*day); got != tt.want {
				t.Errorf("StateAt = %s, want %s", got, tt.want)
			}
		})
	}
	// The service applies its own delays and clock.
	w := newWorld(t, account.Options{CloseDelay: time.Minute})
	a := &account.Account{State: account.StateActive, ClosedAt: epoch}
	if got := w.svc.StateOf(a); got != account.StateActive {
		t.Errorf("StateOf right after closing = %s, want ACTIVE", got)
	}
	w.clk.Advance(time.Minute)
	if got := w.svc.StateOf(a); got != account.StateSuspended {
		t.Errorf("StateOf after the close delay = %s, want SUSPENDED", got)
	}
	w.clk.Advance(90 * day)
	if got := w.svc.StateOf(a); got != account.StateClosed {
		t.Errorf("StateOf after the default post-closure period = %s, want CLOSED", got)
	}
}
