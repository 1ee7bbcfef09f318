package organizations_test

// Domain tests of the organizations package: the rules, over the real
// SQLite store, on an injected clock that only the tests move.

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/testclock"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
	"github.com/accountplane/accountplane/internal/sqlite"
)

const day = 24 * time.Hour

// epoch is where every world's clock starts.
var epoch = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

// clock is the injected domain clock; safe for concurrent use.
type clock = testclock.Clock

// world is one store with the account and organizations services on one clock.
type world struct {
	ctx   context.Context
	db    *sqlite.DB
	clk   *clock
	accts *account.Service
	orgs  *organizations.Service
	// next numbers the accounts signUp makes.
	next int
}

// newWorld opens a fresh in-memory store. opts.Now is replaced by the
// world's clock.
func newWorld(tb testing.TB, opts organizations.Options) *world {
	tb.Helper()
	return openWorld(tb, ":memory:", opts)
}

// newFileWorld is newWorld over a file database in a temporary directory.
func newFileWorld(tb testing.TB, opts organizations.Options) *world {
	tb.Helper()
	return openWorld(tb, filepath.Join(tb.TempDir(), "accountplane.db"), opts)
}

func openWorld(tb testing.TB, path string, opts organizations.Options) *world {
	tb.Helper()
	ctx := context.Background()
	clk := testclock.New(epoch)
	db, err := sqlite.Open(ctx, path, sqlite.Options{Now: clk.Now})
	if err != nil {
		tb.Fatalf("open store %s: %v", path, err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	opts.Now = clk.Now
	orgs := organizations.NewService(db.Organizations(), opts)
	// The account service as app wires it: Organizations is its directory,
	// and both derive a closed account's state with the same delays.
	accts := account.NewService(db, account.Options{
		Now: clk.Now, Directory: orgs, CloseDelay: opts.CloseDelay, PostClosure: opts.PostClosure,
	})
	return &world{ctx: ctx, db: db, clk: clk, accts: accts, orgs: orgs}
}

// signUp makes a complete standalone account (contact information,
// verified phone, payment method) and returns its root user.
func (w *world) signUp(tb testing.TB, name string) identity.Principal {
	tb.Helper()
	w.next++
	id := identity.AccountID(fmt.Sprintf("10000000%04d", w.next))
	created, err := w.accts.EnsureSignUp(w.ctx, account.SignUp{ID: id, Name: name, Email: emailOf(name)})
	if err != nil || !created {
		tb.Fatalf("sign up %s: created %v, err %v", name, created, err)
	}
	return identity.RootPrincipal(id, "")
}

func emailOf(name string) string { return strings.ToLower(name) + "@example.com" }

// createOrg makes p the management account of a new organization.
func (w *world) createOrg(tb testing.TB, p identity.Principal, fs organizations.FeatureSet) *organizations.Organization {
	tb.Helper()
	o, err := w.orgs.CreateOrganization(w.ctx, p, fs)
	if err != nil {
		tb.Fatalf("CreateOrganization by %s: %v", p.Account, err)
	}
	return o
}

// invite invites account p into mgmt's organization by id.
func (w *world) invite(tb testing.TB, mgmt, p identity.Principal) *organizations.Handshake {
	tb.Helper()
	h, err := w.orgs.InviteAccount(w.ctx, mgmt, organizations.Invitation{TargetType: organizations.PartyAccount, Target: string(p.Account)})
	if err != nil {
		tb.Fatalf("invite %s: %v", p.Account, err)
	}
	return h
}

// join invites p into mgmt's organization and accepts.
func (w *world) join(tb testing.TB, mgmt, p identity.Principal) {
	tb.Helper()
	h := w.invite(tb, mgmt, p)
	if _, err := w.orgs.AcceptHandshake(w.ctx, p, h.ID); err != nil {
		tb.Fatalf("%s accepts %s: %v", p.Account, h.ID, err)
	}
}

// createMember runs CreateAccount and returns the new account's root user
// (the creation completes after the service's CreateAccountDelay).
func (w *world) createMember(tb testing.TB, mgmt identity.Principal, name string) identity.Principal {
	tb.Helper()
	st, err := w.orgs.CreateAccount(w.ctx, mgmt, organizations.NewAccount{Name: name, Email: emailOf(name)})
	if err != nil {
		tb.Fatalf("CreateAccount %s: %v", name, err)
	}
	if st.Account == "" {
		tb.Fatalf("CreateAccount %s failed: %s", name, st.FailureReason)
	}
	return identity.RootPrincipal(st.Account, "")
}

// editAccount changes an account record directly in the store, for facts
// no operation sets (payment method, seller of record).
func (w *world) editAccount(tb testing.TB, id identity.AccountID, edit func(*account.Account)) {
	tb.Helper()
	err := w.db.Update(w.ctx, func(tx account.Tx) error {
		a, err := tx.Account(w.ctx, id)
		if err != nil {
			return err
		}
		edit(a)
		return tx.PutAccount(w.ctx, a)
	})
	if err != nil {
		tb.Fatalf("edit account %s: %v", id, err)
	}
}

// accountIDs lists the ids of the organization's visible members.
func (w *world) accountIDs(tb testing.TB, mgmt identity.Principal) []identity.AccountID {
	tb.Helper()
	vs, err := w.orgs.ListAccounts(w.ctx, mgmt, "")
	if err != nil {
		tb.Fatalf("ListAccounts: %v", err)
	}
	var out []identity.AccountID
	for _, v := range vs {
		out = append(out, v.Account.ID)
	}
	return out
}

// state is the Organizations state of member id as DescribeAccount shows it.
func (w *world) state(tb testing.TB, mgmt identity.Principal, id identity.AccountID) organizations.AccountState {
	tb.Helper()
	v, err := w.orgs.DescribeAccount(w.ctx, mgmt, id)
	if err != nil {
		tb.Fatalf("DescribeAccount %s: %v", id, err)
	}
	return v.State
}

func contains[T comparable](list []T, x T) bool {
	for _, y := range list {
		if y == x {
			return true
		}
	}
	return false
}

func must(tb testing.TB, err error, what string) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

// wantCode asserts that err is an *apierr.Error with code.
func wantCode(tb testing.TB, err error, code string) *apierr.Error {
	tb.Helper()
	if err == nil {
		tb.Fatalf("got success, want %s", code)
	}
	e, ok := apierr.As(err)
	if !ok {
		tb.Fatalf("got %v (%T), want *apierr.Error %s", err, err, code)
	}
	if e.Code != code {
		tb.Fatalf("got %s (reason %q: %s), want %s", e.Code, e.Reason, e.Message, code)
	}
	return e
}

// wantReason asserts that err is an *apierr.Error with code and reason.
func wantReason(tb testing.TB, err error, code, reason string) {
	tb.Helper()
	if e := wantCode(tb, err, code); e.Reason != reason {
		tb.Fatalf("got %s reason %q (%s), want reason %q", code, e.Reason, e.Message, reason)
	}
}

// wantConstraint asserts a ConstraintViolationException with reason.
func wantConstraint(tb testing.TB, err error, reason string) {
	tb.Helper()
	wantReason(tb, err, organizations.CodeConstraintViolation, reason)
}

// wantHSConstraint asserts a HandshakeConstraintViolationException with reason.
func wantHSConstraint(tb testing.TB, err error, reason string) {
	tb.Helper()
	wantReason(tb, err, organizations.CodeHandshakeConstraintViolation, reason)
}
