package organizations_test

import (
	"context"
	"sync"
	"testing"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/organizations"
)

// readCounter counts the account reads of the transactions of a store.
type readCounter struct {
	organizations.Store
	mu       sync.Mutex
	single   map[identity.AccountID]int // Account, by id
	together int                        // AccountsIn calls
}

func (s *readCounter) View(ctx context.Context, fn func(organizations.Tx) error) error {
	return s.Store.View(ctx, func(tx organizations.Tx) error { return fn(countingTx{tx, s}) })
}

type countingTx struct {
	organizations.Tx
	c *readCounter
}

func (t countingTx) Account(ctx context.Context, id identity.AccountID) (*kernel.Account, error) {
	t.c.mu.Lock()
	t.c.single[id]++
	t.c.mu.Unlock()
	return t.Tx.Account(ctx, id)
}

func (t countingTx) AccountsIn(ctx context.Context, ids []identity.AccountID) (map[identity.AccountID]*kernel.Account, error) {
	t.c.mu.Lock()
	t.c.together++
	t.c.mu.Unlock()
	return t.Tx.AccountsIn(ctx, ids)
}

// A page of ListAccounts reads its members' accounts together, in one
// query, and DescribeAccount reads the account once: the cost of a page
// does not grow with a query per member.
func TestAccountListingsReadEachAccountOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t, organizations.Options{})
	mgmt := w.signUp(t, "Mgmt")
	w.createOrg(t, mgmt, organizations.AllFeatures)
	var members []identity.AccountID
	for _, name := range []string{"A", "B", "C", "D", "E"} {
		m := w.signUp(t, name)
		w.join(t, mgmt, m)
		members = append(members, m.Account)
	}
	counter := &readCounter{Store: w.db.Organizations(), single: map[identity.AccountID]int{}}
	orgs := organizations.NewService(counter, organizations.Options{Now: w.clk.Now})

	page, more, err := orgs.ListAccountsPage(w.ctx, mgmt, "", "", 4)
	if err != nil || len(page) != 4 || !more {
		t.Fatalf("ListAccountsPage: %d accounts, more %v, %v; want 4 and more", len(page), more, err)
	}
	for _, v := range page {
		if v.Account.ID == "" || v.Account.Email == "" {
			t.Errorf("page account %+v lacks its account's facts", v.Account)
		}
	}
	for _, id := range members {
		if n := counter.single[id]; n != 0 {
			t.Errorf("ListAccountsPage read member %s's account alone %d times, want it read with the page", id, n)
		}
	}
	if counter.together != 1 {
		t.Errorf("ListAccountsPage read accounts together %d times, want once", counter.together)
	}

	counter.single = map[identity.AccountID]int{}
	v, err := orgs.DescribeAccount(w.ctx, mgmt, members[2])
	if err != nil || v.Account.ID != members[2] {
		t.Fatalf("DescribeAccount: %+v, %v", v, err)
	}
	if n := counter.single[members[2]]; n != 1 {
		t.Errorf("DescribeAccount read the account %d times, want once", n)
	}
}
