package sqlite

import (
	"context"
	"errors"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
	"github.com/jackc/pgx/v5/pgconn"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/kernel"
)

// rowsFromMemoryPG opens two replicas of one PostgreSQL store and gives a
// test one's repeatable read of an account's name (and whether it needed
// the database) and the other's writes of it.
func rowsFromMemoryPG(t *testing.T) (one, other *DB, rename func(db *DB, name string), read func() (name string, database bool)) {
	ctx := context.Background()
	one, other = replicasPG(t)
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

// This replica's own commit to a row-cached table raises its latest
// values with that table's marks apart: its next read, with no Refresh
// between, reads its own write from the database, not the row memory
// holds; a Refresh (a query of the marks) lets rows serve again.
func TestPostgresRowsFromMemoryAfterOwnCommit(t *testing.T) {
	one, _, rename, read := rowsFromMemoryPG(t)
	one.Refresh()
	if name, database := read(); database || name != "a" {
		t.Fatalf("read after a Refresh: %q (database %v), want a from memory", name, database)
	}
	rename(one, "own")
	if name, database := read(); !database || name != "own" {
		t.Errorf("read after this replica's own commit: %q (database %v), want own from the database", name, database)
	}
	one.Refresh()
	read() // kept again, at the new marks
	one.Refresh()
	if name, database := read(); database || name != "own" {
		t.Errorf("read after two Refreshes: %q (database %v), want own from memory", name, database)
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
	if _, ok := other.advanceTables(accounts, accounts); !ok { // the commit's advance, after it
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

// Begun left ahead by a replica that died between a commit's two marks is
// met once the marks stay unmoved long enough, and rows come from memory
// again; row done ahead of begun (never so in a sound store) is met at
// once.
func TestPostgresStuckMarksMeet(t *testing.T) {
	one, other, _, read := rowsFromMemoryPG(t)
	ctx := context.Background()
	accounts := []int{other.tables.index["accounts"]}
	fromMemoryAgain := func(what string) {
		t.Helper()
		one.meeting.Wait()
		one.Refresh()
		read()
		one.Refresh()
		if _, database := read(); database {
			t.Errorf("%s: the marks were not met: rows still read from the database", what)
		}
	}
	// begun ahead: a writer that died half-way
	if _, err := other.seqPool.Exec(ctx, begunQuery(other.tables.byIndex, accounts)); err != nil {
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
		t.Fatal("begun ahead: rows from memory while the marks are apart")
	}
	one.stuckAfter = time.Nanosecond
	one.Refresh() // unmoved since they were first seen apart: met
	fromMemoryAgain("begun ahead")

	// row done ahead
	one.stuckAfter = time.Hour
	if _, ok := other.advanceTables(accounts, accounts); !ok {
		t.Fatal("advance")
	}
	one.Refresh() // seen: met at once
	fromMemoryAgain("row done ahead")
	if b, d := marksOf(t, one); b != d {
		t.Errorf("marks %d, %d; want them met", b, d)
	}
}

// A write whose begun mark fails does not commit, and gives its
// connection back: it is rolled back, not left open.
func TestPostgresFailedMarkRollsBack(t *testing.T) {
	one, _, rename, _ := rowsFromMemoryPG(t)
	ctx := context.Background()
	begun, done := marksOf(t, one)
	seq := `"` + begunSequence("accounts") + `"`
	if _, err := one.pgPool.Exec(ctx, `ALTER SEQUENCE `+seq+` MINVALUE 0 MAXVALUE `+strconv.FormatInt(begun, 10)); err != nil {
		t.Fatal(err) // the next mark fails
	}
	for range 20 { // more than the pool's connections
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second) // a held connection fails the next ones
		defer cancel()
		err := one.updateOnce(ctx, func(tx *tx) error {
			return tx.PutAccount(ctx, &kernel.Account{ID: "111122223333", Name: "unmarked", Email: "a@example.com", State: kernel.StateActive})
		}, nil, true)
		if err == nil {
			t.Fatal("a write whose begun mark failed committed")
		}
	}
	if n := one.pgPool.Stat().AcquiredConns(); n != 0 {
		t.Errorf("%d connections still held by writes whose mark failed", n)
	}
	if b, d := marksOf(t, one); b != begun || d != done {
		t.Errorf("marks %d, %d after failed marks; want %d, %d as before", b, d, begun, done)
	}
	if _, err := one.pgPool.Exec(ctx, `ALTER SEQUENCE `+seq+` NO MAXVALUE`); err != nil {
		t.Fatal(err)
	}
	rename(one, "marked")
	var name string
	if err := one.pgPool.QueryRow(ctx, `SELECT name FROM accounts WHERE id = '111122223333'`).Scan(&name); err != nil || name != "marked" {
		t.Errorf("name %q (%v), want marked", name, err)
	}
}

// marksOf reads the begun and row done marks of accounts.
func marksOf(t *testing.T, db *DB) (begun, done int64) {
	t.Helper()
	q := `SELECT ` + sequenceValue(begunSequence("accounts")) + `, ` + sequenceValue(rowDoneSequence("accounts"))
	if err := db.seqPool.QueryRow(context.Background(), q).Scan(&begun, &done); err != nil {
		t.Fatal(err)
	}
	return begun, done
}

// A commit PostgreSQL refused meets its begun marks and moves nothing
// else (no cached read is dropped for it); a commit whose outcome is
// unknown is counted as committed. Either way the marks meet.
func TestPostgresFailedCommitMarks(t *testing.T) {
	one, _, _, _ := rowsFromMemoryPG(t)
	ctx := context.Background()
	w := &writeSet{tables: map[int]bool{one.tables.index["accounts"]: true}}
	mark := func(q string, _ ...any) error { _, err := one.seqPool.Exec(ctx, q); return err }
	facts := func() uint64 {
		one.Refresh()
		g, ok := one.SharedGeneration()
		if !ok {
			t.Fatal("no shared generation")
		}
		return g
	}
	before := facts()
	refused := &pgconn.PgError{Code: "40001", Message: "could not serialize access"}
	if err := one.commitMarked(w, mark, func() error { return refused }); !errors.Is(err, refused) {
		t.Fatalf("err %v, want the commit's", err)
	}
	if b, d := marksOf(t, one); b != d {
		t.Errorf("after a refused commit: begun %d, row done %d; want them met", b, d)
	}
	if after := facts(); after != before {
		t.Error("a refused commit moved the shared generation")
	}
	lost := errors.New("connection lost")
	if err := one.commitMarked(w, mark, func() error { return lost }); !errors.Is(err, lost) {
		t.Fatalf("err %v, want the commit's", err)
	}
	if b, d := marksOf(t, one); b != d {
		t.Errorf("after a commit of unknown outcome: begun %d, row done %d; want them met", b, d)
	}
	if after := facts(); after == before {
		t.Error("a commit of unknown outcome left the shared generation as it was")
	}
}

// Two replicas meeting the same marks at once bring them together once:
// the second finds them met and leaves them.
func TestPostgresMeetingTwiceDoesNotOvershoot(t *testing.T) {
	one, other, _, _ := rowsFromMemoryPG(t)
	ctx := context.Background()
	accounts := []int{one.tables.index["accounts"]}
	for range 3 { // three commits that died after their begun marks
		if _, err := one.seqPool.Exec(ctx, begunQuery(one.tables.byIndex, accounts)); err != nil {
			t.Fatal(err)
		}
	}
	b, d := marksOf(t, one)
	done := make(chan struct{})
	go func() { other.meetMarks(accounts[0], uint64(b), uint64(d)); close(done) }()
	one.meetMarks(accounts[0], uint64(b), uint64(d))
	<-done
	if b2, d2 := marksOf(t, one); b2 != b || d2 != b {
		t.Errorf("after two meetings of begun %d, row done %d: begun %d, row done %d; want both %d", b, d, b2, d2, b)
	}
}

// A done advance that failed after its commit is retried for the stamps'
// sequences only: row done is never advanced twice (it stays behind, with
// begun ahead).
func TestPostgresRetriedAdvanceLeavesRowDone(t *testing.T) {
	one, _, rename, _ := rowsFromMemoryPG(t)
	ctx := context.Background()
	begun, done := marksOf(t, one)
	stamps := `"` + tableSequence("accounts") + `"`
	var at int64
	if err := one.seqPool.QueryRow(ctx, `SELECT last_value FROM `+stamps).Scan(&at); err != nil {
		t.Fatal(err)
	}
	if _, err := one.pgPool.Exec(ctx, `ALTER SEQUENCE `+stamps+` MINVALUE 0 MAXVALUE `+strconv.FormatInt(at, 10)); err != nil {
		t.Fatal(err) // the advance after the next commit fails
	}
	rename(one, "x")
	if !one.pendingAdvance.Load() {
		t.Fatal("the failed advance is not pending")
	}
	if _, err := one.pgPool.Exec(ctx, `ALTER SEQUENCE `+stamps+` NO MAXVALUE`); err != nil {
		t.Fatal(err)
	}
	if !one.advance() {
		t.Fatal("the retry failed")
	}
	if b, d := marksOf(t, one); b != begun+1 || d != done {
		t.Errorf("marks %d, %d after a retried advance; want begun %d (moved once) and row done %d (behind)", b, d, begun+1, done)
	}
}

// A meeting waits for the table's advisory lock, reads the marks again
// under it, and leaves them if they moved meanwhile (another replica met
// them).
func TestPostgresMeetingRereadsUnderTheLock(t *testing.T) {
	one, other, _, _ := rowsFromMemoryPG(t)
	ctx := context.Background()
	i := one.tables.index["accounts"]
	if _, err := one.seqPool.Exec(ctx, begunQuery(one.tables.byIndex, []int{i})); err != nil {
		t.Fatal(err)
	}
	b, d := marksOf(t, one)
	lock, err := one.seqPool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	if _, err := lock.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(meetLock+i)); err != nil {
		t.Fatal(err)
	}
	met := make(chan struct{})
	go func() { other.meetMarks(i, uint64(b), uint64(d)); close(met) }()
	for waiting := 0; waiting == 0; { // until the meeting waits for the lock
		key := uint64(meetLock + i)
		if err := lock.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
			AND classid::bigint = $1 AND objid::bigint = $2`, int64(key>>32), int64(key&0xffffffff)).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		select {
		case <-met:
			t.Fatal("the meeting did not wait for the table's lock")
		default:
		}
	}
	if _, err := one.seqPool.Exec(ctx, `SELECT nextval('"`+rowDoneSequence("accounts")+`"')`); err != nil {
		t.Fatal(err) // the other meeting's work
	}
	if _, err := lock.Exec(ctx, `SELECT pg_advisory_unlock($1)`, int64(meetLock+i)); err != nil {
		t.Fatal(err)
	}
	<-met
	if b2, d2 := marksOf(t, one); b2 != b || d2 != b {
		t.Errorf("marks %d, %d; want both %d (met once)", b2, d2, b)
	}
}

// A write whose request is cancelled after its change leaves the marks
// met, whether it committed or not.
func TestPostgresCancelledWriteLeavesMarksMet(t *testing.T) {
	one, _, _, _ := rowsFromMemoryPG(t)
	ctx, cancel := context.WithCancel(context.Background())
	_ = one.updateOnce(ctx, func(tx *tx) error {
		err := tx.PutAccount(ctx, &kernel.Account{ID: "111122223333", Name: "cancelled", Email: "a@example.com", State: kernel.StateActive})
		cancel()
		return err
	}, nil, true)
	if b, d := marksOf(t, one); b != d {
		t.Errorf("marks %d, %d after a cancelled write; want them met", b, d)
	}
}

// A commit so slow that another replica may have met its marks leaves row
// done behind and moves begun again.
func TestPostgresLateCommitMovesBegun(t *testing.T) {
	one, _, _, _ := rowsFromMemoryPG(t)
	ctx := context.Background()
	begun, done := marksOf(t, one)
	one.stuckAfter = 2 * time.Millisecond
	w := &writeSet{tables: map[int]bool{one.tables.index["accounts"]: true}}
	mark := func(q string, _ ...any) error { _, err := one.seqPool.Exec(ctx, q); return err }
	slow := func() error { time.Sleep(20 * time.Millisecond); return nil } // a COMMIT that hung
	if err := one.commitMarked(w, mark, slow); err != nil {
		t.Fatal(err)
	}
	one.meeting.Wait()
	if b, d := marksOf(t, one); b != begun+2 || d != done {
		t.Errorf("marks %d, %d after a late commit; want begun %d, row done %d", b, d, begun+2, done)
	}
}

// A PostgreSQL server that started anew (a restore may take sequences
// back) drops the rows kept in memory.
func TestPostgresServerRestartDropsRows(t *testing.T) {
	one, _, _, read := rowsFromMemoryPG(t)
	one.Refresh()
	if _, database := read(); database {
		t.Fatal("the row is not in memory")
	}
	one.noteServer(one.serverStart.Load() + 1)
	one.Refresh() // the server's real start again: another change
	one.Refresh()
	if _, database := read(); !database {
		t.Error("rows kept before the server started anew were used")
	}
}

// Under a writer on another replica that changes an account and its
// membership together, a repeatable View that reads both (from memory or
// from the database, Refreshes interleaved) always sees the two from the
// same commit.
func TestPostgresRowsFromMemoryNeverMixCommits(t *testing.T) {
	if testing.Short() {
		t.Skip("a writer and a reader for a while")
	}
	one, other, _, _ := rowsFromMemoryPG(t)
	ctx := context.Background()
	const id = identity.AccountID("111122223333")
	write := func(k int) error {
		return other.update(ctx, func(tx *tx) error {
			v := strconv.Itoa(k)
			if err := tx.PutAccount(ctx, &kernel.Account{ID: id, Name: "n" + v, Email: "a@example.com", State: kernel.StateActive}); err != nil {
				return err
			}
			return tx.PutMember(ctx, &organizations.Member{Account: id, Org: "o-test", Parent: "p" + v, Method: "CREATED"})
		})
	}
	if err := write(0); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	var cycles atomic.Int64 // the reader's rounds of a refresh and three reads
	go func() {
		for k := 1; k <= 150; k++ {
			if err := write(k); err != nil {
				done <- err
				return
			}
			if k%5 != 0 {
				time.Sleep(time.Millisecond) // pauses in which reads may come from memory
				continue
			}
			// Every fifth commit the writer waits out two of the reader's
			// rounds, however slow the machine: the first reads the commit
			// from the database, the second's refresh vouches for it, so its
			// reads come from memory, and the next commits land among them.
			from := cycles.Load()
			for cycles.Load() < from+2 {
				time.Sleep(100 * time.Microsecond)
			}
		}
		done <- nil
	}()
	reads, fromMemory := 0, 0
	for writing := true; writing; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			writing = false
		default:
		}
		one.Refresh()
		for range 3 {
			var name, parent string
			var last *tx
			err := one.viewRepeatable(ctx, func(tx *tx) error {
				last = tx
				a, err := tx.Account(ctx, id)
				if err != nil {
					return err
				}
				m, err := tx.Member(ctx, id)
				if err != nil {
					return err
				}
				name, parent = a.Name, m.Parent
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			reads++
			if last.tx == nil {
				fromMemory++
			}
			if name[1:] != parent[1:] {
				t.Fatalf("read %d: account %s with membership %s: two commits mixed", reads, name, parent)
			}
		}
		cycles.Add(1)
	}
	t.Logf("%d reads, %d of them from memory alone", reads, fromMemory)
	if fromMemory == 0 {
		t.Error("no read came from memory: the test checked nothing of the row cache")
	}
}
