package sqlite

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/pgtest"
)

// rowsFromMemoryPG opens two replicas of one PostgreSQL store and gives a
// test one's repeatable read of an account's name (and whether it needed
// the database) and the other's writes of it.
func rowsFromMemoryPG(t *testing.T) (one, other *DB, rename func(db *DB, name string), read func() (name string, database bool)) {
	dsn := pgtest.DSN(t)
	ctx := context.Background()
	open := func() *DB {
		db, err := Open(ctx, dsn, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	one, other = open(), open()
	one.latest.maxAge = time.Hour // the checks below are not timed
	rename, _ = accountStamps(t, one)
	read = func() (string, bool) {
		t.Helper()
		var name string
		var last *tx
		err := one.viewRepeatable(ctx, func(t *tx) error {
			last = t
			a, err := t.Account(ctx, "111122223333")
			if err != nil {
				return err
			}
			name = a.Name
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return name, last.tx != nil
	}
	rename(other, "a")
	read()        // watches accounts
	one.Refresh() // a request arriving
	if name, database := read(); name != "a" || !database {
		t.Fatalf("first read: %q (database %v), want a from the database", name, database)
	}
	return one, other, rename, read
}

// A repeatable View on PostgreSQL takes a row from memory once a query
// started after it was read vouches that its table has had no commit, and
// reads another replica's acknowledged commit from the database.
func TestPostgresRowsFromMemory(t *testing.T) {
	one, other, rename, read := rowsFromMemoryPG(t)
	if name, database := read(); !database || name != "a" {
		t.Errorf("read with the values of a query from before the row was read: %q (database %v), want a from the database", name, database)
	}
	one.Refresh()
	if name, database := read(); database || name != "a" {
		t.Errorf("read after a Refresh: %q (database %v), want a from memory", name, database)
	}
	rename(other, "b")
	one.Refresh()
	if name, database := read(); !database || name != "b" {
		t.Errorf("read after another replica's commit: %q (database %v), want b from the database", name, database)
	}
	one.Refresh()
	if name, database := read(); database || name != "b" {
		t.Errorf("read after a Refresh: %q (database %v), want b from memory", name, database)
	}
}

// A commit under way on another replica (begun mark advanced, committed,
// done mark not yet) keeps the table's rows from memory: the database's
// row is read, not the one memory holds at the unchanged done mark.
func TestPostgresRowsFromMemoryWaitForCommitsUnderWay(t *testing.T) {
	one, other, _, read := rowsFromMemoryPG(t)
	one.Refresh()
	if _, database := read(); database {
		t.Fatal("the row is not in memory")
	}
	ctx := context.Background()
	accounts := []int{other.tables.index["accounts"]}
	if _, err := other.seqPool.Exec(ctx, begunQuery(other.tables.byIndex, accounts)); err != nil {
		t.Fatal(err)
	}
	if _, err := other.pgPool.Exec(ctx, `UPDATE accounts SET name = 'under way' WHERE id = '111122223333'`); err != nil {
		t.Fatal(err)
	}
	one.Refresh()
	if name, _ := read(); name != "under way" {
		t.Errorf("read during another replica's commit under way: %q, want the committed row", name)
	}
	if !other.advanceTables(accounts) { // the done mark, as its commit would
		t.Fatal("advance")
	}
}

// A View that used a row from memory and then needs the database checks,
// as its snapshot is taken, that the row's table has had no commit since
// the values it used it at; if it has, the View runs again from the
// database.
func TestPostgresRowsFromMemoryCheckedAtTheSnapshot(t *testing.T) {
	one, other, rename, _ := rowsFromMemoryPG(t)
	one.Refresh()
	rename(other, "c") // after the Refresh this View's values come from
	ctx := context.Background()
	var names []string
	runs := 0
	err := one.viewRepeatable(ctx, func(t *tx) error {
		runs++
		a, err := t.Account(ctx, "111122223333")
		if err != nil {
			return err
		}
		names = append(names, a.Name)
		var n int
		return t.queryRow(ctx, `SELECT COUNT(*) FROM settings`).Scan(&n) // takes the snapshot
	})
	if err != nil {
		t.Fatal(err)
	}
	if runs != 2 || names[len(names)-1] != "c" {
		t.Errorf("runs %d reading %q; want a first run from memory, refused at its snapshot, and a second reading c", runs, names)
	}
}

// keep does not replace a row by the same row read later: the earlier
// entry serves more readers.
func TestRowCacheKeepsTheEarlierEntry(t *testing.T) {
	var c rowCache
	k := rowKey{table: 1, key: "x"}
	c.keep(k, &rowEntry{done: 7, after: 3, err: kernel.ErrNotFound})
	c.keep(k, &rowEntry{done: 7, after: 9, err: kernel.ErrNotFound})
	if e, _ := c.m.Load(k); e.(*rowEntry).after != 3 {
		t.Errorf("after %d, want the earlier entry's 3", e.(*rowEntry).after)
	}
	c.keep(k, &rowEntry{done: 8, after: 9, err: errors.New("newer")})
	if e, _ := c.m.Load(k); e.(*rowEntry).done != 8 {
		t.Error("an entry of a newer table state did not replace the older")
	}
	if c.size.Load() != 1 {
		t.Errorf("size %d, want 1", c.size.Load())
	}
}

// Marks left apart by a replica that died between a commit's begun and
// done marks (either way round) are met once they stay unmoved long
// enough, and rows come from memory again.
func TestPostgresStuckMarksMeet(t *testing.T) {
	one, other, _, read := rowsFromMemoryPG(t)
	ctx := context.Background()
	accounts := []int{other.tables.index["accounts"]}
	for _, apart := range []struct {
		name    string
		advance func() error
	}{
		{"begun ahead", func() error {
			_, err := other.seqPool.Exec(ctx, begunQuery(other.tables.byIndex, accounts))
			return err
		}},
		{"done ahead", func() error {
			if !other.advanceTables(accounts) {
				return errors.New("advance")
			}
			return nil
		}},
	} {
		if err := apart.advance(); err != nil { // a writer that died half-way
			t.Fatal(err)
		}
		one.stuckAfter = time.Hour
		one.Refresh()
		one.Refresh()
		one.meeting.Wait()
		one.Refresh()
		read()
		one.Refresh()
		if _, database := read(); !database {
			t.Fatalf("%s: rows from memory while the marks are apart", apart.name)
		}
		one.stuckAfter = time.Nanosecond
		one.Refresh() // seen apart: noted
		one.Refresh() // unmoved since: met
		one.meeting.Wait()
		one.Refresh()
		read()
		one.Refresh()
		if _, database := read(); database {
			t.Errorf("%s: the marks were not met: rows still read from the database", apart.name)
		}
	}
}
