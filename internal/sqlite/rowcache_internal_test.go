package sqlite

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/organizations"
)

// Read transactions take looked-up rows from memory exactly when the
// store would give the same: a committed change is seen by the next
// transaction, one transaction never sees a row from before a change and
// another from after it, and a row a transaction reads from memory is the
// one its snapshot holds.
func TestCachedRowsAreWhatTheSnapshotHolds(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	const id = identity.AccountID("111122223333")
	rename := func(name string) {
		t.Helper()
		err := db.update(ctx, func(tx *tx) error {
			return tx.PutAccount(ctx, &kernel.Account{ID: id, Name: name, Email: "a@example.com", State: kernel.StateActive,
				CreatedAt: time.Unix(1, 0).UTC()})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	name := func(tx *tx) string {
		t.Helper()
		a, err := tx.Account(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return a.Name
	}
	read := func() (n string) {
		if err := db.view(ctx, func(tx *tx) error { n = name(tx); return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	rename("one")
	if got := read(); got != "one" {
		t.Fatalf("read %q, want one", got)
	}
	// From memory: a change that bypasses the store's commits (as no code
	// does) goes unseen, which shows the row was not read again.
	if _, err := db.writer.ExecContext(ctx, `UPDATE accounts SET name = 'bypass' WHERE id = ?`, string(id)); err != nil {
		t.Fatal(err)
	}
	if got := read(); got != "one" {
		t.Fatalf("read %q without a commit of accounts, want one from memory", got)
	}
	rename("two")
	if got := read(); got != "two" {
		t.Fatalf("read %q after a commit, want two", got)
	}
	// A commit between a transaction's start and its first read: the
	// transaction's snapshot is taken at that read and holds the change.
	err := db.view(ctx, func(tx *tx) error {
		rename("three")
		if got := name(tx); got != "three" {
			t.Errorf("first read after a commit: %q, want three", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = read() // three, in memory
	// A row from memory pins the snapshot: a commit after it is not seen
	// by the transaction's later reads, from memory or not.
	err = db.view(ctx, func(tx *tx) error {
		first := name(tx)
		rename("four")
		second := name(tx)
		var direct string
		if err := tx.queryRow(ctx, `SELECT name FROM accounts WHERE id = ?`, string(id)).Scan(&direct); err != nil {
			return err
		}
		if first != "three" || second != "three" || direct != "three" {
			t.Errorf("one transaction read %q, then %q and %q directly; want three throughout", first, second, direct)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = read() // four, in memory
	// In a repeatable View a row from memory opens no transaction; a
	// commit to its table before the transaction's first statement makes
	// the View run again, with no rows from memory: what a View returns is
	// one snapshot.
	runs := 0
	var reads []string
	err = db.viewRepeatable(ctx, func(tx *tx) error {
		runs++
		a, err := tx.Account(ctx, id)
		if err != nil {
			return err
		}
		if runs == 1 {
			if tx.tx != nil {
				t.Error("a row from memory began a database transaction")
			}
			rename("four-b")
		}
		b, err := tx.Account(ctx, id)
		if err != nil {
			return err
		}
		var direct string
		if err := tx.queryRow(ctx, `SELECT name FROM accounts WHERE id = ?`, string(id)).Scan(&direct); err != nil {
			return err
		}
		reads = []string{a.Name, b.Name, direct}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if runs != 2 || !slices.Equal(reads, []string{"four-b", "four-b", "four-b"}) {
		t.Errorf("%d runs, the last read %q; want 2, four-b throughout", runs, reads)
	}
	rename("four")
	// Once a statement took the snapshot, a later commit is not seen by
	// the transaction's reads, from memory or not.
	_ = read() // four, in memory
	err = db.viewRepeatable(ctx, func(tx *tx) error {
		var direct string
		if err := tx.queryRow(ctx, `SELECT name FROM accounts WHERE id = ?`, string(id)).Scan(&direct); err != nil {
			return err
		}
		rename("unseen")
		if got := name(tx); direct != "four" || got != "four" {
			t.Errorf("read %q directly, then %q after a commit; want four", direct, got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rename("four")
	if got := read(); got != "four" {
		t.Fatalf("read %q after the last commit, want four", got)
	}
	// A write transaction takes the row from memory too (no commit can
	// happen while it runs), and reads its own change of the table.
	if _, err := db.writer.ExecContext(ctx, `UPDATE accounts SET name = 'bypass' WHERE id = ?`, string(id)); err != nil {
		t.Fatal(err)
	}
	err = db.update(ctx, func(tx *tx) error {
		if got := name(tx); got != "four" {
			t.Errorf("write transaction read %q, want four from memory", got)
		}
		if err := tx.PutAccount(ctx, &kernel.Account{ID: id, Name: "five", Email: "a@example.com", State: kernel.StateActive,
			CreatedAt: time.Unix(1, 0).UTC()}); err != nil {
			return err
		}
		if got := name(tx); got != "five" {
			t.Errorf("write transaction read %q after its own change, want five", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := read(); got != "five" {
		t.Fatalf("read %q after the write, want five", got)
	}
	// Many at once: AccountsIn takes the rows memory has and reads the
	// rest; the same ids again come from memory as one entry, each caller
	// with its own copies, until a commit of accounts.
	pageName := func() (n string) {
		t.Helper()
		err := db.view(ctx, func(tx *tx) error {
			got, err := tx.AccountsIn(ctx, []identity.AccountID{id, "999999999999"})
			if err != nil || len(got) != 1 || got[id] == nil {
				t.Fatalf("AccountsIn: %v, %v; want the one account", got, err)
			}
			n = got[id].Name
			got[id].Name = "changed by a caller"
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := pageName(); got != "five" {
		t.Fatalf("AccountsIn read %q, want five", got)
	}
	if _, err := db.writer.ExecContext(ctx, `UPDATE accounts SET name = 'bypass' WHERE id = ?`, string(id)); err != nil {
		t.Fatal(err)
	}
	if got := pageName(); got != "five" {
		t.Fatalf("AccountsIn read %q without a commit of accounts, want five from memory", got)
	}
	rename("six")
	if got := pageName(); got != "six" {
		t.Fatalf("AccountsIn read %q after a commit, want six", got)
	}
}

// A page of members comes from memory while members has no new commit,
// each caller with its own copy; a committed change is seen at once.
func TestCachedPagesFollowCommits(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	for _, p := range []struct{ id, parent string }{{"111111111111", "r-1"}, {"222222222222", "r-1"}} {
		err := db.update(ctx, func(tx *tx) error {
			return tx.PutMember(ctx, &organizations.Member{Account: identity.AccountID(p.id), Org: "o-1", Parent: p.parent, Method: "CREATED"})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	page := func() (got []organizations.Member) {
		err := db.view(ctx, func(tx *tx) (err error) { got, err = tx.MembersAfter(ctx, "o-1", "", "", 10); return err })
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	first := page()
	if len(first) != 2 || first[1].Parent != "r-1" {
		t.Fatalf("page: %+v", first)
	}
	first[1].Parent = "changed by a caller" // its own copy
	if _, err := db.writer.ExecContext(ctx, `UPDATE members SET parent = 'bypass'`); err != nil {
		t.Fatal(err)
	}
	if got := page(); len(got) != 2 || got[1].Parent != "r-1" {
		t.Fatalf("page without a commit of members: %+v, want it from memory as first read", got)
	}
	err := db.update(ctx, func(tx *tx) error {
		return tx.PutMember(ctx, &organizations.Member{Account: "333333333333", Org: "o-1", Parent: "ou-1", Method: "INVITED"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := page(); len(got) != 3 || got[2].Parent != "ou-1" {
		t.Fatalf("page after a commit: %+v", got)
	}
}

// A repeatable View that panics after its first statement gives its
// connection back (the server recovers panics and goes on serving).
func TestRepeatableViewPanicEndsItsTransaction(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the View's panic did not reach its caller")
			}
		}()
		_ = db.viewRepeatable(ctx, func(tx *tx) error {
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM accounts`).Scan(&n); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	db.preparing.Wait() // a statement seen for the first time is prepared on a connection of the pool
	if inUse := db.reader.Stats().InUse; inUse != 0 {
		t.Errorf("%d reader connections in use after the panic, want 0", inUse)
	}
}
