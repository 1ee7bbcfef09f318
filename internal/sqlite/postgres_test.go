package sqlite_test

import (
	"fmt"
	"testing"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"

	"github.com/accountplane/accountplane/internal/pgtest"
	"github.com/accountplane/accountplane/internal/storetest"
)

// The conformance suite on PostgreSQL: the same store code over pgx, each
// test on a fresh schema.
func TestStorePostgres(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Stores { return stores(mustOpen(t, pgtest.DSN(t))) })
}

// On a fresh PostgreSQL store the first counted commit already moves the
// shared generation (a sequence's last_value reads 1 both before and after
// its first nextval), and so does every later one.
func TestSharedGenerationMovesWithEveryCommit(t *testing.T) {
	db := mustOpen(t, pgtest.DSN(t))
	ctx := t.Context()
	seq := func() uint64 {
		t.Helper()
		g, ok := db.SharedGeneration()
		if !ok {
			t.Fatal("SharedGeneration: not ok")
		}
		return g >> 32 // the sequence part, without the clock's
	}
	for i := range 3 {
		before := seq()
		err := db.Update(ctx, func(tx account.Tx) error {
			id := identity.AccountID(fmt.Sprintf("11112222333%d", i))
			return tx.PutAccount(ctx, &kernel.Account{ID: id, Name: "n", Email: fmt.Sprintf("s%d@example.com", i), State: kernel.StateActive})
		})
		if err != nil {
			t.Fatal(err)
		}
		if after := seq(); after == before {
			t.Errorf("commit %d: the shared generation stayed at %d", i+1, after)
		}
	}
}
