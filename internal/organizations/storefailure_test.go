package organizations_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/organizations"
)

var errStore = errors.New("store: unreachable")

// flakyAccounts is the store whose reads of account fail, as a store that
// goes away mid-transaction does.
type flakyAccounts struct {
	organizations.Store
	fail *atomic.Value // identity.AccountID
}

func (s flakyAccounts) View(ctx context.Context, fn func(organizations.Tx) error) error {
	return s.Store.View(ctx, func(tx organizations.Tx) error { return fn(flakyTx{tx, s.fail}) })
}

func (s flakyAccounts) Update(ctx context.Context, fn func(organizations.Tx) error) error {
	return s.Store.Update(ctx, func(tx organizations.Tx) error { return fn(flakyTx{tx, s.fail}) })
}

type flakyTx struct {
	organizations.Tx
	fail *atomic.Value
}

func (t flakyTx) Account(ctx context.Context, id identity.AccountID) (*kernel.Account, error) {
	if t.fail.Load() == id {
		return nil, errStore
	}
	return t.Tx.Account(ctx, id)
}

func (t flakyTx) AccountsIn(ctx context.Context, ids []identity.AccountID) (map[identity.AccountID]*kernel.Account, error) {
	for _, id := range ids {
		if t.fail.Load() == id {
			return nil, errStore
		}
	}
	return t.Tx.AccountsIn(ctx, ids)
}

// TestStoreFailureIsNoAnswer: a store that fails while the service decides
// whether a membership counts is an error, not "no member": callers must
// not be told AWSOrganizationsNotInUseException or get a shortened list of
// accounts (the outage test saw the first).
func TestStoreFailureIsNoAnswer(t *testing.T) {
	t.Parallel()
	w := newWorld(t, organizations.Options{})
	var fail atomic.Value
	fail.Store(identity.AccountID(""))
	orgs := organizations.NewService(flakyAccounts{w.db.Organizations(), &fail}, organizations.Options{Now: w.clk.Now})
	mgmt := w.signUp(t, "Mgmt")
	member := w.signUp(t, "Member")
	w.createOrg(t, mgmt, organizations.AllFeatures)
	w.join(t, mgmt, member)

	fail.Store(member.Account)
	list, err := orgs.ListAccounts(w.ctx, mgmt, "")
	if err == nil {
		t.Errorf("ListAccounts while the store fails: %d accounts and no error, want the store's error", len(list))
	} else {
		wantStoreError(t, "ListAccounts", err)
	}
	_, err = orgs.DescribeOrganization(w.ctx, member)
	wantStoreError(t, "DescribeOrganization", err)
	_, err = orgs.DescribeAccount(w.ctx, mgmt, member.Account)
	wantStoreError(t, "DescribeAccount", err)
	_, _, err = orgs.ListAccountsPage(w.ctx, mgmt, "", "", 20)
	wantStoreError(t, "ListAccountsPage", err)
}

func wantStoreError(t *testing.T, what string, err error) {
	t.Helper()
	if e, ok := apierr.As(err); ok {
		t.Errorf("%s while the store fails: %s, want the store's error", what, e.Code)
	} else if !errors.Is(err, errStore) {
		t.Errorf("%s while the store fails: %v, want %v", what, err, errStore)
	}
}
