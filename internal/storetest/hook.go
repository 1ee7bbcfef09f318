package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/organizations"
)

// The unit of work's hook (kernel.BeforeCommit): what it writes commits
// with the change, in the change's transaction, or not at all.

var hookTests = []test{
	{"BeforeCommit/CommitsWithTheChange", testHookCommits},
	{"BeforeCommit/RunsInEveryViewsUpdate", testHookEveryView},
	{"BeforeCommit/NothingKeptWhenTheChangeFails", testHookChangeFails},
	{"BeforeCommit/NothingKeptWhenItFails", testHookFails},
	{"BeforeCommit/AfterLearnsTheCommitFailed", testHookCommitFails},
	{"BeforeCommit/NotRunByViews", testHookViews},
}

// changeKey is the context key of the change an Update makes: the hook
// gets the context of the Update it runs in.
type changeKey struct{}

func withChange(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, changeKey{}, id)
}

// unitOfWork is a BeforeCommit like the composition root's: in the write
// transactions whose context carries a change, it appends the change's
// CloudTrail record and a bus event (both with the change's id). It notes
// what it sees and what its after func learns.
type unitOfWork struct {
	mu    sync.Mutex
	notes []string
	// fail is the error the hook returns after writing (nil: none).
	fail error
	// cancel, if set, is called before the hook returns: the commit must
	// then fail.
	cancel context.CancelFunc
}

func (u *unitOfWork) note(format string, args ...any) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.notes = append(u.notes, fmt.Sprintf(format, args...))
}

// took returns the notes taken since the last call.
func (u *unitOfWork) took() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := u.notes
	u.notes = nil
	return out
}

func (u *unitOfWork) beforeCommit(ctx context.Context, tx kernel.RecordTx) (func(committed bool), error) {
	id, ok := ctx.Value(changeKey{}).(string)
	if !ok {
		return nil, nil
	}
	// The change's writes are visible: the hook runs in its transaction.
	if _, err := tx.BusEventSeq(ctx, "fn-"+id); err == nil {
		u.note("hook %s, after the change", id)
	} else {
		u.note("hook %s", id)
	}
	if err := tx.AppendTrailEvent(ctx, trailEvent(id, trailAcct, trailT0)); err != nil {
		return nil, err
	}
	r := busRecord(1)
	r.ID = id
	if err := tx.BusAppend(ctx, &r); err != nil {
		return nil, err
	}
	if u.cancel != nil {
		u.cancel()
	}
	return func(committed bool) { u.note("after %s: committed %v", id, committed) }, u.fail
}

// install installs a unitOfWork in s, which must have what the hook tests
// need.
func install(t *testing.T, s Stores) *unitOfWork {
	t.Helper()
	skipUnless(t, s.SetBeforeCommit != nil && s.Trail != nil && s.Events != nil, "BeforeCommit hook, trail or event bus store")
	u := &unitOfWork{}
	s.SetBeforeCommit(u.beforeCommit)
	return u
}

// wantRecorded fails t unless the change id's CloudTrail record and bus
// event are stored (or, with present false, neither is).
func wantRecorded(t *testing.T, s Stores, id string, present bool) {
	t.Helper()
	evs := lookup(t, s, kernel.TrailQuery{Key: kernel.AttrEventID, Value: id})
	_, err := read(t, s.Events, func(ctx context.Context, tx kernel.BusTx) (int64, error) { return tx.BusEventSeq(ctx, id) })
	if present && (len(evs) != 1 || err != nil) {
		t.Errorf("change %s: got %d CloudTrail records and bus event error %v, want the record and the event", id, len(evs), err)
	}
	if !present && (len(evs) != 0 || !errors.Is(err, kernel.ErrNotFound)) {
		t.Errorf("change %s: got %d CloudTrail records and bus event error %v, want neither", id, len(evs), err)
	}
}

// change returns an account.Tx change: account n, and the bus event
// "fn-"+id the hook looks for.
func change(ctx context.Context, tx account.Tx, id string, n int) error {
	r := busRecord(2)
	r.ID = "fn-" + id
	return errors.Join(tx.PutAccount(ctx, newAccount(n)), tx.BusAppend(ctx, &r))
}

func wantAccount(t *testing.T, s Stores, n int, present bool) {
	t.Helper()
	_, err := getAccount(t, s.Account, accountID(n))
	switch {
	case !present:
		wantNotFound(t, fmt.Sprintf("account %d", n), err)
	case err != nil:
		t.Errorf("account %d: %v", n, err)
	}
}

// testHookCommits: the hook runs after the change, sees it, and commits
// with it; its after func learns of the commit before Update returns. An
// Update whose context carries no change records nothing.
func testHookCommits(t *testing.T, s Stores) {
	u := install(t, s)
	ctx := withChange(t.Context(), "c1")
	err := s.Account.Update(ctx, func(tx account.Tx) error {
		u.note("change")
		return change(ctx, tx, "c1", 1)
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	wantEqual(t, "what ran", u.took(), []string{"change", "hook c1, after the change", "after c1: committed true"})
	wantAccount(t, s, 1, true)
	wantRecorded(t, s, "c1", true)

	update(t, s.Account, func(ctx context.Context, tx account.Tx) error { return tx.PutAccount(ctx, newAccount(2)) })
	wantEqual(t, "what ran for an Update without a change", u.took(), []string(nil))
}

// testHookEveryView: the hook runs in the Update of every view of the
// store.
func testHookEveryView(t *testing.T, s Stores) {
	u := install(t, s)
	updates := []struct {
		name   string
		has    bool
		update func(ctx context.Context) error
	}{
		{"Account", true, func(ctx context.Context) error {
			return s.Account.Update(ctx, func(tx account.Tx) error { return tx.PutAccount(ctx, newAccount(1)) })
		}},
		{"Organizations", s.Organizations != nil, func(ctx context.Context) error {
			return s.Organizations.Update(ctx, func(tx organizations.Tx) error { return tx.PutOrganization(ctx, newOrg(1)) })
		}},
		{"IAM", s.IAM != nil, func(ctx context.Context) error {
			return s.IAM.Update(ctx, func(tx iam.Tx) error { return tx.PutUser(ctx, &iam.User{Account: accountID(1), Name: "Alice"}) })
		}},
		{"Events", true, func(ctx context.Context) error {
			return s.Events.Update(ctx, func(tx kernel.BusTx) error {
				r := busRecord(3)
				return tx.BusAppend(ctx, &r)
			})
		}},
	}
	for _, up := range updates {
		if !up.has {
			continue
		}
		id := "view-" + up.name
		if err := up.update(withChange(t.Context(), id)); err != nil {
			t.Errorf("Update of %s: %v", up.name, err)
			continue
		}
		wantEqual(t, "what ran in an Update of "+up.name, u.took(), []string{"hook " + id, "after " + id + ": committed true"})
		wantRecorded(t, s, id, true)
	}
}

// committedTrue reports whether an after func learned of a commit.
func committedTrue(notes []string) bool {
	return slices.ContainsFunc(notes, func(n string) bool { return n == "after c1: committed true" })
}

// testHookChangeFails: when the change fails or panics, nothing of it or
// of the hook is kept, and no after func learns of a commit.
func testHookChangeFails(t *testing.T, s Stores) {
	u := install(t, s)
	ctx := withChange(t.Context(), "c1")
	err := s.Account.Update(ctx, func(tx account.Tx) error { return errors.Join(change(ctx, tx, "c1", 1), errBoom) })
	if !errors.Is(err, errBoom) {
		t.Errorf("Update: got %v, want the change's error", err)
	}
	if notes := u.took(); committedTrue(notes) {
		t.Errorf("what ran: %v, want no commit", notes)
	}
	wantAccount(t, s, 1, false)
	wantRecorded(t, s, "c1", false)
	wantRecorded(t, s, "fn-c1", false)

	func() {
		defer func() {
			if r := recover(); r != (boom{1}) {
				t.Errorf("Update re-panicked with %v, want the change's panic value", r)
			}
		}()
		_ = s.Account.Update(ctx, func(tx account.Tx) error {
			if err := change(ctx, tx, "c1", 1); err != nil {
				t.Errorf("change: %v", err)
			}
			panic(boom{1})
		})
	}()
	if notes := u.took(); committedTrue(notes) {
		t.Errorf("what ran: %v, want no commit", notes)
	}
	wantAccount(t, s, 1, false)
	wantRecorded(t, s, "c1", false)
}

// testHookFails: when the hook fails after writing, Update returns its
// error, nothing of the change or of the hook is kept, and no after func
// learns of a commit.
func testHookFails(t *testing.T, s Stores) {
	u := install(t, s)
	errHook := errors.New("storetest: the hook failed")
	u.fail = errHook
	ctx := withChange(t.Context(), "c1")
	err := s.Account.Update(ctx, func(tx account.Tx) error { return change(ctx, tx, "c1", 1) })
	if !errors.Is(err, errHook) {
		t.Errorf("Update: got %v, want the hook's error", err)
	}
	if notes := u.took(); committedTrue(notes) {
		t.Errorf("what ran: %v, want no commit", notes)
	}
	wantAccount(t, s, 1, false)
	wantRecorded(t, s, "c1", false)
	wantRecorded(t, s, "fn-c1", false)

	u.fail = nil
	ctx = withChange(t.Context(), "c2")
	if err := s.Account.Update(ctx, func(tx account.Tx) error { return change(ctx, tx, "c2", 2) }); err != nil {
		t.Fatalf("Update after a failed hook: %v", err)
	}
	wantRecorded(t, s, "c2", true)
}

// testHookCommitFails: when the commit fails (the context ended before
// it), Update fails, nothing is kept, and the after func learns it, once.
func testHookCommitFails(t *testing.T, s Stores) {
	u := install(t, s)
	ctx, cancel := context.WithCancel(withChange(t.Context(), "c1"))
	defer cancel()
	u.cancel = cancel
	err := s.Account.Update(ctx, func(tx account.Tx) error { return change(ctx, tx, "c1", 1) })
	if err == nil {
		t.Error("Update whose context ended before the commit: got nil error, want one")
	}
	wantEqual(t, "what ran", u.took(), []string{"hook c1, after the change", "after c1: committed false"})
	wantAccount(t, s, 1, false)
	wantRecorded(t, s, "c1", false)

	u.cancel = nil
	ctx = withChange(t.Context(), "c2")
	if err := s.Account.Update(ctx, func(tx account.Tx) error { return change(ctx, tx, "c2", 2) }); err != nil {
		t.Fatalf("Update after a failed commit: %v", err)
	}
	wantRecorded(t, s, "c2", true)
}

// testHookViews: Views do not run the hook.
func testHookViews(t *testing.T, s Stores) {
	u := install(t, s)
	ctx := withChange(t.Context(), "c1")
	errs := []error{
		s.Account.View(ctx, func(account.Tx) error { return nil }),
		s.Events.View(ctx, func(kernel.BusTx) error { return nil }),
	}
	if s.Organizations != nil {
		errs = append(errs, s.Organizations.View(ctx, func(organizations.Tx) error { return nil }))
	}
	if s.IAM != nil {
		errs = append(errs, s.IAM.View(ctx, func(iam.Tx) error { return nil }))
	}
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("View: %v", err)
	}
	wantEqual(t, "what ran in Views", u.took(), []string(nil))
	wantRecorded(t, s, "c1", false)
}
