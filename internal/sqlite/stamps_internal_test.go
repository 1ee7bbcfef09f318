package sqlite

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

// A stamp stays fresh while no commit writes a table the read read, and
// turns stale once one has (before the committing call returns).
func TestStampsFollowTheTablesRead(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, ":memory:", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const id = identity.AccountID("111122223333")
	put := func(fn func(account.Tx) error) {
		t.Helper()
		if err := db.Update(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	put(func(tx account.Tx) error {
		return tx.PutAccount(ctx, &kernel.Account{ID: id, Name: "a", Email: "a@example.com", State: kernel.StateActive})
	})
	stamp, err := db.ViewStamped(ctx, func(tx account.Tx) error {
		_, err := tx.Account(ctx, id)
		return err
	})
	if err != nil || stamp == nil || !stamp.Fresh() {
		t.Fatalf("a read of the accounts table: stamp %v, %v; want a fresh one", stamp, err)
	}
	put(func(tx account.Tx) error {
		return tx.PutAlternateContact(ctx, id, &account.AlternateContact{Type: account.Billing, Name: "b"})
	})
	if !stamp.Fresh() {
		t.Error("a commit to alternate contacts made a read of accounts stale")
	}
	// A failed change commits nothing; it may still end the stamp (a spurious
	// miss), so only the next real commit is checked.
	put(func(tx account.Tx) error {
		return tx.PutAccount(ctx, &kernel.Account{ID: id, Name: "renamed", Email: "a@example.com", State: kernel.StateActive})
	})
	if stamp.Fresh() {
		t.Error("a commit to accounts left a read of accounts fresh")
	}

	again, _ := db.ViewStamped(ctx, func(tx account.Tx) error { _, err := tx.Account(ctx, id); return err })
	if again == nil || !again.Fresh() {
		t.Fatal("no fresh stamp after the change")
	}
	if err := db.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if again.Fresh() {
		t.Error("a reset left a read fresh")
	}

	// A statement naming no table of the store gets no stamp.
	none, err := db.viewStamped(ctx, func(t *tx) error {
		var n int
		return t.queryRow(ctx, `SELECT COUNT(*) FROM json_each('[1,2]')`).Scan(&n)
	})
	if err != nil || none != nil {
		t.Errorf("a read of json_each: stamp %v, %v; want none", none, err)
	}
}

func TestTablesOfStatements(t *testing.T) {
	db, err := Open(context.Background(), ":memory:", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	g := &db.tables
	name := func(is []int) []string {
		var out []string
		for _, i := range is {
			for n, j := range g.index {
				if i == j {
					out = append(out, n)
				}
			}
		}
		return out
	}
	tests := []struct {
		sql           string
		reads, writes string
	}{
		{`SELECT a.id FROM accounts a JOIN members m ON m.account_id = a.id`, "[accounts members]", "[]"},
		{`INSERT INTO alternate_contacts (account_id) VALUES (?) ON CONFLICT (account_id) DO UPDATE SET name = excluded.name`, "[]", "[alternate_contacts]"},
		{`UPDATE accounts SET name = ? WHERE id = ?`, "[]", "[accounts]"},
		// A DELETE's target counts as read too: only Views' reads matter.
		{`DELETE FROM "cloudtrail_postings" WHERE block IN (SELECT id FROM cloudtrail_blocks)`, "[cloudtrail_postings cloudtrail_blocks]", "[cloudtrail_postings]"},
	}
	for _, tt := range tests {
		st := g.tablesOf(tt.sql)
		if got := fmtList(name(st.reads)); got != tt.reads || st.unknown {
			t.Errorf("%s: reads %s (unknown %v), want %s", tt.sql, got, st.unknown, tt.reads)
		}
		if got := fmtList(name(st.writes)); got != tt.writes || st.writesAll {
			t.Errorf("%s: writes %s (all %v), want %s", tt.sql, got, st.writesAll, tt.writes)
		}
	}
	// A data-modifying WITH (PostgreSQL's block and postings in one
	// statement) writes the tables of each of its statements.
	st := g.tablesOf(`WITH block AS (INSERT INTO cloudtrail_blocks (payload) VALUES (?) RETURNING id)
		INSERT INTO cloudtrail_postings (block) SELECT block.id FROM block`)
	if got := fmtList(name(st.writes)); got != "[cloudtrail_blocks cloudtrail_postings]" || st.writesAll {
		t.Errorf("WITH ... INSERT: writes %s (all %v), want both tables", got, st.writesAll)
	}
	st = g.tablesOf(`WITH n AS (SELECT 1) INSERT INTO accounts (id) SELECT 1 FROM n ON CONFLICT (id) DO UPDATE SET name = excluded.name`)
	if got := fmtList(name(st.writes)); got != "[accounts]" || st.writesAll {
		t.Errorf("WITH ... ON CONFLICT DO UPDATE: writes %s (all %v), want [accounts]", got, st.writesAll)
	}
}

func fmtList(s []string) string {
	out := "["
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}

// Concurrent readers of the shared generation share queries, and none gets
// the result of a query that started before it asked.
func TestSharedReadsStartAfterTheAsk(t *testing.T) {
	var g sharedReads[uint64]
	var queries atomic.Int64
	var started atomic.Int64 // the number of the query under way
	query := func() (uint64, bool) {
		n := queries.Add(1)
		started.Store(n)
		time.Sleep(time.Millisecond)
		return uint64(n), true
	}
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			before := started.Load() // a query under way when we ask
			got, ok := g.read(query)
			if !ok || int64(got) <= before {
				t.Errorf("result of query %d, asked while query %d ran: want a later one", got, before)
			}
		}()
	}
	wg.Wait()
	if n := queries.Load(); n >= 50 {
		t.Errorf("%d queries for 50 concurrent readers: none shared", n)
	}
}

// A retry of pending advances clears only what it advanced: a table whose
// advance failed again while the retry ran (its nextval may have run
// before that commit) stays pending, and this replica uses no cached read
// until it has advanced.
func TestRetriedAdvanceKeepsTablesMarkedMeanwhile(t *testing.T) {
	db := &DB{}
	db.markPending([]int{1, 2})
	var retried []int
	ok := db.retryPending(func(tables []int) bool {
		retried = append(retried, tables...)
		db.markPending([]int{2}) // a commit to table 2 whose own advance failed
		return true
	})
	if ok || !db.pendingAdvance.Load() || len(retried) != 2 {
		t.Fatalf("after a retry of tables %v that another failure re-marked: ok %v, pending %v; want table 2 still pending", retried, ok, db.pendingAdvance.Load())
	}
	if _, still := db.pendingTables[2]; !still || len(db.pendingTables) != 1 {
		t.Fatalf("pending after the retry: %v, want table 2 alone", db.pendingTables)
	}
	if !db.retryPending(func([]int) bool { return true }) || db.pendingAdvance.Load() {
		t.Fatal("a retry with nothing re-marked left tables pending")
	}
}
