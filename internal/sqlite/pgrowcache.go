package sqlite

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Rows from memory on PostgreSQL (rowcache.go is SQLite's). Replicas'
// commits do not reach this process's counters, so each table the row
// cache reads (pgRowCached) has two marks, sequences in the database:
// begun, advanced by a counted commit that writes the table before it
// commits (on its own connection, inside its transaction: sequences ignore
// transactions), and row done, advanced once after it has committed, or
// surely not (a PostgreSQL error). A table whose two marks are equal has no
// commit under way on any replica.
//
// Row done may fall behind begun (a replica that died between them, or
// whose advance failed or timed out: it is never retried), which only
// keeps the table's rows out of memory; it must never get ahead, for then
// a commit under way would look like none. So a failed begun mark
// advances nothing (the transaction is rolled back), and the table
// sequences that stamps use (pgstamps.go: advanced again after a failure,
// since one advance too many only costs cached reads) are not these.
//
// A repeatable View (kernel.RepeatableViewer) takes the marks a sequence
// query read before it began (the request's Refresh, pgrefresh.go), and
// its transaction begins with its first statement. A row it reads from the
// database is kept with its table's row done mark from those values, if
// begun equalled it there: no commit to the table was under way, so the
// row holds every commit counted up to that mark, and a commit it may hold
// beyond it began after that query. The row is used by a later View whose
// values show the table's two marks both still at that mark, from a query
// that started after the row was read (rowEntry.after): no commit to the
// table began between a query before the row's snapshot and one after it,
// so the row is the table as those values have it. Rows used that way
// before the View's first statement are checked when it takes its
// snapshot: that statement reads the marks of their tables again, and the
// View runs again without rows from memory if any moved. Once a statement
// has taken the snapshot, the View reads the database only.
//
// Marks left apart are met again by a replica that sees them apart and
// unmoved for a minute (below).

// pgRowCached are the tables whose rows repeatable Views may take from
// memory on PostgreSQL (the look-ups of rowcache.go those Views make):
// only their commits mark begun, so that a change of, say, alternate
// contacts costs no extra round trip. A look-up of any other table reads
// the database.
var pgRowCached = map[string]bool{
	"accounts": true, "members": true, "organizations": true, "ous": true,
	"policy_type_changes": true,
}

// commitMarked is countCommit on PostgreSQL: the begun marks of w's
// row-cached tables (mark runs the statement on the commit's connection),
// commit, then the sequences (with no marks, in the commit's pipeline). A failed mark commits nothing and advances
// nothing. After a commit, the change stands whatever the advance does: if
// it cannot advance, this replica uses no cached read until a retry
// succeeds (sharedGens retries); other replicas' copies age out.
func (db *DB) commitMarked(w *writeSet, mark func(query string, args ...any) error, commit func() error) error {
	tables := db.writtenTables(w)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := db.ensureSequences(ctx, tables); err != nil {
		return err
	}
	var marked []int
	for _, i := range tables {
		if pgRowCached[db.tables.byIndex[i]] {
			marked = append(marked, i)
		}
	}
	markedAt := time.Now()
	if len(marked) > 0 {
		if mark == nil {
			return fmt.Errorf("postgres: a counted commit with no connection to mark it on")
		}
		if err := mark(begunQuery(db.tables.byIndex, marked)); err != nil {
			// Begun may or may not have moved: left ahead, if it did.
			// A sequence dropped under this process (a schema made
			// anew) is made again by the next try.
			db.sequences.Clear()
			return err
		}
	}
	// A commit that marks nothing advances its sequences in its own
	// pipeline, right after COMMIT (pgbegin.go), a round trip less.
	var after *afterCommit
	var afterVals []int64
	if len(marked) == 0 && mark != nil {
		var q string
		var args []any
		q, args, afterVals = db.advanceStatement(tables, nil, true)
		after = &afterCommit{args: args, dest: int64Dests(afterVals)}
		if mark(q, after) != nil {
			after = nil // advanced after, as any other
		}
	}
	err := commit()
	if err == nil && after != nil && after.ran {
		db.raiseLatest(db.advanceOf(tables, afterVals))
		return nil
	}
	rowDone := marked
	late := time.Since(markedAt) > db.stuckAfterOr()/2
	if late {
		// So late that another replica may have met the marks already,
		// taking this commit for dead: row done stays behind, and begun
		// moves again, so that rows kept meanwhile serve no more.
		rowDone = nil
	}
	switch {
	case err == nil:
		db.advanceAfterCommit(w, rowDone)
	case refused(err):
		db.advanceRowDone(rowDone) // not committed: only the begun marks to meet
	default:
		db.advanceAfterCommit(w, rowDone) // committed or not: counted as if it was
	}
	if late && len(marked) > 0 {
		db.sequenceStatement(begunQuery(db.tables.byIndex, marked))
	}
	return err
}

// refused reports whether err is PostgreSQL's refusal of a commit, which
// then surely did not happen: a serialization failure or deadlock (class
// 40), a constraint (23), a transaction state (25) or a statement (42)
// error. Any other error (a connection lost, an administrator's shutdown,
// a cancel that came late) leaves it unknown.
func refused(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || len(pe.Code) < 2 {
		return false
	}
	switch pe.Code[:2] {
	case "40", "23", "25", "42":
		return true
	}
	return false
}

// advanceRowDone advances the row done marks of tables, once: after a
// failure they stay behind.
func (db *DB) advanceRowDone(tables []int) {
	if len(tables) == 0 {
		return
	}
	db.sequenceStatement(nextvalQuery(db.tables.byIndex, tables, rowDoneSequence))
}

// sequenceStatement runs q on the sequences' pool, once, whatever comes
// of it (marks that fail to move stay apart, the safe way round).
func (db *DB) sequenceStatement(q string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, _ = db.seqPool.Exec(ctx, q)
}

// begunQuery advances the begun marks of tables.
func begunQuery(names []string, tables []int) string {
	return nextvalQuery(names, tables, begunSequence)
}

// nextvalQuery advances sequence(name) of each of tables.
func nextvalQuery(names []string, tables []int, sequence func(table string) string) string {
	var q strings.Builder
	q.WriteString("SELECT 1")
	for _, i := range tables {
		q.WriteString(`, nextval('"` + sequence(names[i]) + `"')`)
	}
	return q.String()
}

// int64Dests are pointers to each of vals, to Scan into.
func int64Dests(vals []int64) []any {
	dest := make([]any, len(vals))
	for k := range vals {
		dest[k] = &vals[k]
	}
	return dest
}

// pgCacheable is cacheable on PostgreSQL: rows of table i are kept and
// used by a repeatable View that has read no statement yet, with marks
// that show no commit to i under way.
func (t *tx) pgCacheable(i int) (at uint64, ok bool) {
	g := t.pgGens
	if g == nil || !t.readOnly {
		return 0, false
	}
	if !pgRowCached[t.db.tables.byIndex[i]] {
		return 0, false
	}
	if _, watched := g.tables[i]; !watched {
		// Read from the next query on. Not now: making its sequences may
		// need a connection the pool gives only once this View ends.
		t.unwatched = append(t.unwatched, i)
		return 0, false
	}
	done, ok := g.rowDone[i]
	if !ok || g.begun[i] != done {
		return 0, false
	}
	return done, true
}

// pgCheckSnapshot is the first statement of a repeatable View that used
// rows from memory: it takes the snapshot and reads the marks of those
// rows' tables, and reports whether they are still those the rows were
// used at.
func (t *tx) pgCheckSnapshot(ctx context.Context) (bool, error) {
	names := t.db.tables.byIndex
	slices.Sort(t.cachedFrom)
	t.cachedFrom = slices.Compact(t.cachedFrom)
	cols := make([]string, 0, 2*len(t.cachedFrom))
	for _, i := range t.cachedFrom {
		cols = append(cols, sequenceValue(rowDoneSequence(names[i])), sequenceValue(begunSequence(names[i])))
	}
	vals := make([]int64, len(cols))
	if err := t.tx.QueryRowContext(ctx, "SELECT "+strings.Join(cols, ", ")).Scan(int64Dests(vals)...); err != nil {
		return false, err
	}
	t.snapshotTaken = true
	for k, i := range t.cachedFrom {
		done := t.pgGens.rowDone[i]
		if uint64(vals[2*k]) != done || uint64(vals[2*k+1]) != done {
			return false, nil
		}
	}
	return true, nil
}

// Marks that stay apart. A replica that died between a commit's begun
// and row done marks, or whose advance failed, leaves row done behind, and
// the table's rows out of memory on every replica. A replica that sees a
// table's marks apart, and unmoved, for stuckAfter brings the one behind
// up to the other, under an advisory lock and only if they are still as
// seen (so that two replicas do not both do it): what the missing advances
// would have done. A writer marks begun just before COMMIT and row done
// just after, so marks unmoved that long are no writer's under way (one
// whose COMMIT itself took longer would be taken for dead: between its
// commit and its late move of begun, rows from memory could miss it). Row
// done ahead of begun (PostgreSQL, after a crash, may restart each
// sequence up to 32 ahead of its last value; or a writer that took longer
// than that minute after all) is met at once, by raising begun. A writer
// whose commit took more than half that minute leaves row done behind and
// moves begun again. A
// busy table whose marks stay behind is never unmoved: it stays out of
// memory.

// stuckAfter is how long marks must stay apart and unmoved to be met.
const stuckAfter = sharedMaxAge * time.Second

// stuckAfterOr is stuckAfter, or the tests' own.
func (db *DB) stuckAfterOr() time.Duration {
	if db.stuckAfter != 0 {
		return db.stuckAfter
	}
	return stuckAfter
}

// noteServer clears the rows from memory when the PostgreSQL server
// started anew since the last sequence query (started is its start time):
// a restore may have taken the sequences back to values rows were kept
// at. (A crash only moves them forward: PostgreSQL may restart each up to
// 32 ahead, which meetStuckMarks sets right.)
func (db *DB) noteServer(started int64) {
	if prev := db.serverStart.Swap(started); prev != 0 && prev != started {
		db.rows.m.Clear()
		db.rows.size.Store(0)
	}
}

// apartMarks is a table's marks as first seen apart, and when.
type apartMarks struct {
	begun, done uint64
	since       time.Time
}

// meetStuckMarks notes the row-cached tables whose marks g shows apart,
// and meets those unmoved for stuckAfter (in the background).
func (db *DB) meetStuckMarks(g *sharedGens) {
	after := db.stuckAfterOr()
	now := time.Now()
	db.apartMu.Lock()
	defer db.apartMu.Unlock()
	for i, begun := range g.begun {
		done := g.rowDone[i]
		if begun == done {
			delete(db.apart, i)
			continue
		}
		if done > begun && !db.closed.Load() {
			// Never so in a sound store (the query reads row done first):
			// begun is raised at once, which only keeps rows out of
			// memory until the marks meet.
			delete(db.apart, i)
			db.meeting.Add(1)
			go func() {
				defer db.meeting.Done()
				db.meetMarks(i, begun, done)
			}()
			continue
		}
		seen, ok := db.apart[i]
		if !ok || seen.begun != begun || seen.done != done {
			if db.apart == nil {
				db.apart = map[int]apartMarks{}
			}
			db.apart[i] = apartMarks{begun, done, now}
			continue
		}
		if now.Sub(seen.since) < after || db.closed.Load() {
			continue
		}
		delete(db.apart, i)
		db.meeting.Add(1)
		go func() {
			defer db.meeting.Done()
			db.meetMarks(i, begun, done)
		}()
	}
}

// meetMarks brings table i's mark that is behind up to the other, if the
// two are still begun and done.
func (db *DB) meetMarks(i int, begun, done uint64) {
	name := db.tables.byIndex[i]
	seq, n := rowDoneSequence(name), begun-done
	if done > begun {
		seq, n = begunSequence(name), done-begun
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	// A failure leaves them apart: the next sighting tries again.
	tx, err := db.seqPool.Begin(ctx)
	if err != nil {
		return
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(meetLock+i)); err != nil {
		return
	}
	var b, d int64
	if err := tx.QueryRow(ctx, `SELECT `+sequenceValue(rowDoneSequence(name))+`, `+sequenceValue(begunSequence(name))).Scan(&d, &b); err != nil ||
		uint64(b) != begun || uint64(d) != done {
		return
	}
	if _, err := tx.Exec(ctx, `SELECT nextval('"`+seq+`"') FROM generate_series(1, $1::bigint)`, int64(n)); err != nil {
		return
	}
	_ = tx.Commit(ctx)
}

// meetLock is the base of the advisory locks that meetings take, one per
// table (migrationLock's neighbourhood, out of the way of applications').
const meetLock = migrationLock + 1
