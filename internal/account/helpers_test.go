package account_test

// Domain tests of the account package: the rules, over the real SQLite
// store, on an injected clock that only the tests move. Organization facts
// come from the real organizations service, as app wires it.

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

var epoch = time.Date(2025, 6, 7, 8, 9, 10, 0, time.UTC)

// clock is the injected domain clock; safe for concurrent use.
type clock = testclock.Clock

type world struct {
	ctx  context.Context
	db   *sqlite.DB
	clk  *clock
	svc  *account.Service
	orgs *organizations.Service
	next int
}

// newWorld opens a fresh in-memory store with the account service (opts,
// its clock and directory replaced) over the organizations service.
func newWorld(tb testing.TB, opts account.Options) *world {
	tb.Helper()
	return openWorld(tb, ":memory:", opts)
}

// newFileWorld is newWorld over a file database in a temporary directory.
func newFileWorld(tb testing.TB, opts account.Options) *world {
	tb.Helper()
	return openWorld(tb, filepath.Join(tb.TempDir(), "accountplane.db"), opts)
}

func openWorld(tb testing.TB, path string, opts account.Options) *world {
	tb.Helper()
	ctx := context.Background()
	clk := testclock.New(epoch)
	db, err := sqlite.Open(ctx, path, sqlite.Options{Now: clk.Now})
	if err != nil {
		tb.Fatalf("open store %s: %v", path, err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	orgs := organizations.NewService(db.Organizations(), organizations.Options{
		Now: clk.Now, CloseDelay: opts.CloseDelay, PostClosure: opts.PostClosure, MaxAccounts: 100,
	})
	opts.Now, opts.Directory = clk.Now, orgs
	return &world{ctx: ctx, db: db, clk: clk, svc: account.NewService(db, opts), orgs: orgs}
}

// signUp makes a complete standalone account and returns its root user.
func (w *world) signUp(tb testing.TB, name string) identity.Principal {
	tb.Helper()
	w.next++
	id := identity.AccountID(fmt.Sprintf("20000000%04d", w.next))
	created, err := w.svc.EnsureSignUp(w.ctx, account.SignUp{ID: id, Name: name, Email: emailOf(name)})
	if err != nil || !created {
		tb.Fatalf("sign up %s: created %v, err %v", name, created, err)
	}
	return identity.RootPrincipal(id, "")
}

func emailOf(name string) string { return strings.ToLower(name) + "@example.com" }

// self is the standalone target: the caller's own account.
func self(p identity.Principal) account.Target { return account.Target{Caller: p} }

// on is the organizations-mode target: caller acting on id through AccountId.
func on(p identity.Principal, id identity.AccountID) account.Target {
	return account.Target{Caller: p, AccountID: id}
}

// org makes mgmt the management account of an ALL-features organization
// with trusted access for Account Management, and joins members to it.
func (w *world) org(tb testing.TB, mgmt identity.Principal, members ...identity.Principal) {
	tb.Helper()
	if _, err := w.orgs.CreateOrganization(w.ctx, mgmt, organizations.AllFeatures); err != nil {
		tb.Fatalf("CreateOrganization: %v", err)
	}
	if err := w.orgs.EnableServiceAccess(w.ctx, mgmt, organizations.AccountServicePrincipal); err != nil {
		tb.Fatalf("EnableServiceAccess: %v", err)
	}
	for _, m := range members {
		w.join(tb, mgmt, m)
	}
}

func (w *world) join(tb testing.TB, mgmt, p identity.Principal) {
	tb.Helper()
	h, err := w.orgs.InviteAccount(w.ctx, mgmt, organizations.Invitation{TargetType: organizations.PartyAccount, Target: string(p.Account)})
	if err != nil {
		tb.Fatalf("invite %s: %v", p.Account, err)
	}
	if _, err := w.orgs.AcceptHandshake(w.ctx, p, h.ID); err != nil {
		tb.Fatalf("accept: %v", err)
	}
}

func newAccount(name string) organizations.NewAccount {
	return organizations.NewAccount{Name: name, Email: emailOf(name)}
}

// lastMessage returns the newest outbox message.
func (w *world) lastMessage(tb testing.TB) account.Message {
	tb.Helper()
	msgs, err := w.db.Messages(w.ctx, 1)
	if err != nil || len(msgs) != 1 {
		tb.Fatalf("outbox: %v messages, err %v", len(msgs), err)
	}
	return msgs[0]
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
func wantReason(tb testing.TB, err error, code, reason string) *apierr.Error {
	tb.Helper()
	e := wantCode(tb, err, code)
	if e.Reason != reason {
		tb.Fatalf("got %s reason %q (%s), want reason %q", code, e.Reason, e.Message, reason)
	}
	return e
}

// wantField asserts a ValidationException (fieldValidationFailed) about field.
func wantField(tb testing.TB, err error, field string) {
	tb.Helper()
	e := wantReason(tb, err, account.CodeValidation, account.ReasonFieldValidationFailed)
	if len(e.Fields) != 1 || e.Fields[0].Name != field {
		tb.Fatalf("ValidationException fields %+v, want %s", e.Fields, field)
	}
}

// wantDenied asserts an AccessDeniedException naming the caller and action.
func wantDenied(tb testing.TB, err error, caller identity.Principal, action string) {
	tb.Helper()
	e := wantCode(tb, err, account.CodeAccessDenied)
	if !strings.Contains(e.Message, caller.ARN) || !strings.Contains(e.Message, "account:"+action) {
		tb.Fatalf("AccessDenied message %q does not name %s and account:%s", e.Message, caller.ARN, action)
	}
}
