package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/generation"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/organizations"
)

var (
	_ account.Store    = (*DB)(nil)
	_ kernel.Outbox    = (*DB)(nil)
	_ account.Tx       = (*tx)(nil)
	_ organizations.Tx = (*tx)(nil)
	_ iam.Tx           = iamTx{}
)

// errReadOnly is returned by the writers of a View transaction.
var errReadOnly = errors.New("write in a read-only transaction")

// View runs fn in a read-only transaction on a consistent snapshot. With a
// file database it does not wait for a running Update and sees none of its
// writes. The writers of the Tx fail. fn's error is returned as is.
//
// fn must not call Update or View: with ":memory:" that deadlocks.
func (db *DB) View(ctx context.Context, fn func(account.Tx) error) error {
	return db.view(ctx, func(t *tx) error { return fn(t) })
}

// ViewRepeatable implements kernel.RepeatableViewer.
func (s typedStore[T]) ViewRepeatable(ctx context.Context, fn func(T) error) error {
	return s.db.viewRepeatable(ctx, func(t *tx) error { return fn(s.as(t)) })
}

// ViewStamped implements generation.StampedViewer (see stamps.go).
func (db *DB) ViewStamped(ctx context.Context, fn func(account.Tx) error) (generation.Stamp, error) {
	return db.viewStamped(ctx, func(t *tx) error { return fn(t) })
}

// Update runs fn in a write transaction, one at a time. It commits, durably,
// if fn returns nil; if fn returns an error or panics it rolls back and
// returns fn's error as is or re-panics. The unit of work
// ([DB.SetBeforeCommit]) runs in the same transaction, after fn.
//
// fn must not call Update or View: with ":memory:" that deadlocks, and a
// nested Update always does.
func (db *DB) Update(ctx context.Context, fn func(account.Tx) error) error {
	return db.update(ctx, func(t *tx) error { return fn(t) })
}

// Organizations returns the database as the Organizations domain's store.
// Its View and Update are the DB's (same transactions, same guarantees,
// serialized with every other view's Updates).
func (db *DB) Organizations() organizations.Store {
	return storeOf(db, func(t *tx) organizations.Tx { return t })
}

// IAMTx returns t, a transaction of the Organizations store, as a
// transaction of the IAM store, so that a change of Organizations can make
// the IAM records that must commit with it (a new member's roles). It
// reports false if t is not a transaction of this package.
func IAMTx(t organizations.Tx) (iam.Tx, bool) {
	x, ok := t.(*tx)
	if !ok {
		return nil, false
	}
	return iamTx{x}, true
}

// typedStore is the DB seen as the store of one domain: the one generic
// store contract, with the transaction type that domain declares. as
// converts the DB's transaction (checked at compile time).
type typedStore[T any] struct {
	db *DB
	as func(*tx) T
}

func storeOf[T any](db *DB, as func(*tx) T) kernel.Store[T] { return typedStore[T]{db, as} }

// View implements kernel.Store; see [DB.View].
func (s typedStore[T]) View(ctx context.Context, fn func(T) error) error {
	return s.db.view(ctx, func(t *tx) error { return fn(s.as(t)) })
}

// ViewStamped implements generation.StampedViewer (see stamps.go).
func (s typedStore[T]) ViewStamped(ctx context.Context, fn func(T) error) (generation.Stamp, error) {
	return s.db.viewStamped(ctx, func(t *tx) error { return fn(s.as(t)) })
}

// quietStore is a typedStore whose commits are not counted (see
// [DB.Generation]).
type quietStore[T any] struct{ typedStore[T] }

// Update implements kernel.Store: a write, not counted.
func (s quietStore[T]) Update(ctx context.Context, fn func(T) error) error {
	return s.db.write(ctx, func(t *tx) error { return fn(s.as(t)) })
}

// Update implements kernel.Store; see [DB.Update].
func (s typedStore[T]) Update(ctx context.Context, fn func(T) error) error {
	return s.db.update(ctx, func(t *tx) error { return fn(s.as(t)) })
}

// SetBeforeCommit installs the unit of work that runs in every write
// transaction after its change and before its commit (the composition
// root appends the change's CloudTrail record and events there). Set it
// before the first Update.
func (db *DB) SetBeforeCommit(fn kernel.BeforeCommit) { db.beforeCommit = fn }

func (db *DB) view(ctx context.Context, fn func(*tx) error) error {
	return db.viewReading(ctx, fn, nil, false)
}

// viewRepeatable is view for an fn that may run more than once (see
// kernel.RepeatableViewer): its transaction begins with its first
// statement, so that a View answered from memory opens none.
func (db *DB) viewRepeatable(ctx context.Context, fn func(*tx) error) error {
	return db.viewReading(ctx, fn, nil, true)
}

// viewReading is view, noting in reads (if not nil) the tables read. A
// repeatable View's transaction begins with its first statement, so that
// one answered from memory opens none; if rows it took from memory were
// overtaken by a commit before that statement took the snapshot, fn runs
// again with no rows from memory (rowcache.go, pgrowcache.go).
func (db *DB) viewReading(ctx context.Context, fn func(*tx) error, reads *readSet, repeatable bool) error {
	opts := &sql.TxOptions{ReadOnly: true}
	// What rows from memory are checked against: SQLite's counters before
	// the transaction, or PostgreSQL's latest sequences (repeatable Views
	// only). Neither: the View reads the database only.
	var counters *viewCounters
	var gens *sharedGens
	if db.dialect == dialectPostgres {
		opts.Isolation = sql.LevelRepeatableRead // one snapshot
		if repeatable {
			if g, ok := db.currentGens(); ok {
				gens = g
			}
		}
	} else {
		counters = db.tables.snapshotCounters()
	}
	newTx := func() *tx {
		return &tx{readOnly: true, stmts: db.stmtCache(&db.readStmts), pool: db.reader, db: db, reads: reads,
			startCounters: counters, pgGens: gens}
	}
	if !repeatable {
		sqlTx, err := db.reader.BeginTx(ctx, opts)
		if err != nil {
			return fmt.Errorf("sqlite: begin read: %w", unavailable(err))
		}
		defer sqlTx.Rollback() // a reader has nothing to commit
		t := newTx()
		t.tx = sqlTx
		return unavailable(fn(t))
	}
	if db.closed.Load() {
		return fmt.Errorf("sqlite: begin read: %w", unavailable(errClosed))
	}
	for {
		t := newTx()
		t.begin = func() (*sql.Tx, error) { return db.reader.BeginTx(ctx, opts) }
		err := t.run(fn)
		if len(t.unwatched) > 0 {
			db.watch(ctx, t.unwatched)
		}
		if t.retry && (counters != nil || gens != nil) {
			counters, gens = nil, nil
			continue
		}
		return unavailable(err)
	}
}

// run runs fn in the read transaction t, and ends the transaction if fn
// began it (also when fn panics).
func (t *tx) run(fn func(*tx) error) error {
	defer func() {
		if t.tx != nil {
			t.tx.Rollback() // a reader has nothing to commit
		}
	}()
	return fn(t)
}

// stmtCache is the prepared-statement cache of a pool (none for
// PostgreSQL, where pgx caches statements per connection itself).
func (db *DB) stmtCache(c *sync.Map) *sync.Map {
	if db.dialect == dialectPostgres {
		return nil
	}
	return c
}

// update runs a change of a domain's store: its commit is counted (see
// [DB.Generation]).
func (db *DB) update(ctx context.Context, fn func(*tx) error) error {
	return db.transact(ctx, fn, true)
}

// write runs fn in a write transaction whose commit changes nothing a
// domain reads (trail records, settings, quota buckets, fault rules).
func (db *DB) write(ctx context.Context, fn func(*tx) error) error {
	return db.transact(ctx, fn, false)
}

// writeRowLocked is write for a change that reads and rewrites rows it
// names by key, and needs no rule across rows: on PostgreSQL it runs in
// REPEATABLE READ, where a concurrent update of the same row fails it
// (and it is retried, as any serialization failure) but the predicate
// locks of SERIALIZABLE do not (index pages that concurrent inserts touch,
// such as the trail's postings, made about one in ten such writes retry under load).
func (db *DB) writeRowLocked(ctx context.Context, fn func(*tx) error) error {
	if db.dialect == dialectPostgres {
		return db.updatePostgres(ctx, fn, false, sql.LevelRepeatableRead)
	}
	return db.updateGrouped(ctx, fn, false)
}

// transact runs fn in a write transaction: grouped with concurrent ones on
// SQLite, SERIALIZABLE with retries on PostgreSQL. counted says whether
// its commit is one of a domain's changes (see [DB.Generation]).
func (db *DB) transact(ctx context.Context, fn func(*tx) error, counted bool) error {
	if db.dialect == dialectPostgres {
		return db.updatePostgres(ctx, fn, counted, sql.LevelSerializable)
	}
	return db.updateGrouped(ctx, fn, counted)
}

func (db *DB) updateOnce(ctx context.Context, fn func(*tx) error, opts *sql.TxOptions, counted bool) error {
	var start *sharedGens
	if db.dialect == dialectPostgres {
		start = db.latestHeld() // before the BEGIN (pgTableCache)
	}
	sqlTx, err := db.writer.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", unavailable(err))
	}
	done := false
	defer func() {
		if !done { // fn failed or panicked; a panic continues after this
			sqlTx.Rollback()
		}
	}()
	t := &tx{tx: sqlTx, stmts: db.stmtCache(&db.writeStmts), pool: db.writer, db: db, written: &writeSet{}, pgStart: start}
	if err := fn(t); err != nil {
		return err
	}
	// The unit of work records the change in the same transaction.
	var after func(committed bool)
	if db.beforeCommit != nil {
		if after, err = db.beforeCommit(ctx, t); err != nil {
			return err
		}
	}
	done = true
	if counted {
		err = db.countCommit(t.written, func(q string, args ...any) error {
			// Not cancelled with the request: between a done change and
			// its commit, a failed mark would only cost a retry.
			_, err := sqlTx.ExecContext(context.WithoutCancel(ctx), q, args...)
			return err
		}, sqlTx.Commit)
	} else {
		err = sqlTx.Commit()
	}
	if err != nil {
		// A commit that never ran (PostgreSQL's begun mark failed: see
		// commitMarked) still holds its connection; after one that ran,
		// this is sql.ErrTxDone.
		sqlTx.Rollback()
	}
	if after != nil {
		after(err == nil)
	}
	if err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	db.commits.Add(1)
	return nil
}

// tx implements account.Tx and organizations.Tx over one database
// transaction.
type tx struct {
	tx *sql.Tx
	// busNext is the bus seq this SQLite transaction reserves next (0:
	// not read yet; see BusReserve).
	busNext int64
	// pgStart are PostgreSQL's latest sequences when a write began, before
	// its snapshot (nil if none held; pgTableCache).
	pgStart  *sharedGens
	readOnly bool
	// reads notes the tables a stamped View reads, written those a write
	// transaction writes (stamps.go); either may be nil.
	reads   *readSet
	written *writeSet
	// stmts caches the pool's prepared statements by query text: parsing
	// SQL on every call was the largest cost of a signed read.
	stmts *sync.Map
	pool  *sql.DB
	db    *DB // prepares statements in the background
	// startCounters are the tables' commit counters when a read
	// transaction began (nil: no rows from memory), snapshotTaken whether
	// a statement has run (rowcache.go).
	startCounters *viewCounters
	snapshotTaken bool
	// begin starts tx, nil until the first statement of a repeatable
	// View's transaction (a View answered from memory opens none);
	// cachedFrom are the tables whose rows came from memory before that,
	// and retry says they changed before its snapshot (see sqlTx).
	begin      func() (*sql.Tx, error)
	cachedFrom []int
	retry      bool
	// pgGens are, on PostgreSQL, the sequences' values a repeatable View
	// takes rows from memory at (pgrowcache.go; nil: none), unwatched the
	// tables it would have but whose sequences those values lack.
	pgGens    *sharedGens
	unwatched []int
	// noPending says the schema has no pending blocks yet (a migration's
	// transaction before 0021: trailindex.go).
	noPending bool
}

// errClosed is the error of a View after Close.
var errClosed = errors.New("the database is closed")

// errViewChanged stops a View whose rows from memory were overtaken by a
// commit before it needed the database; viewReading runs it again.
var errViewChanged = errors.New("the tables changed during the read; read again")

// sqlTx returns the database transaction, beginning it if need be. A read
// transaction that used rows from memory takes its snapshot at once and
// checks that their tables have had no commit since it began: otherwise
// it fails with errViewChanged and is run again.
func (t *tx) sqlTx(ctx context.Context) (*sql.Tx, error) {
	if t.retry { // this run's rows from memory are not vouched for: no more statements
		return nil, errViewChanged
	}
	if t.tx != nil {
		return t.tx, nil
	}
	if t.begin == nil {
		return nil, errors.New("no transaction")
	}
	sqlTx, err := t.begin()
	if err != nil {
		return nil, fmt.Errorf("begin read: %w", unavailable(err))
	}
	t.tx = sqlTx
	if len(t.cachedFrom) == 0 {
		return sqlTx, nil
	}
	if t.pgGens != nil {
		same, err := t.pgCheckSnapshot(ctx)
		if err != nil || !same {
			t.retry = true // run again, reading everything from the database
			return nil, errors.Join(errViewChanged, err)
		}
		return sqlTx, nil
	}
	if err := t.pin(ctx); err != nil {
		t.retry = true // run again, reading everything from the database
		return nil, err
	}
	for _, i := range t.cachedFrom {
		if !t.startCounters.unchangedNow(&t.db.tables, i) {
			t.retry = true
			return nil, errViewChanged
		}
	}
	return sqlTx, nil
}

// execOnce and queryOnce run statements made for one use (a table's name
// or columns in their text), which the prepared-statement cache does not
// keep.
func (t *tx) execOnce(ctx context.Context, what, query string, args ...any) error {
	t.note(query)
	sqlTx, err := t.sqlTx(ctx)
	if err == nil {
		_, err = sqlTx.ExecContext(ctx, query, args...)
	}
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return nil
}

func (t *tx) queryOnce(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.queryPrepared(ctx, false, query, args...)
}

// row is a single-row result, or the error that kept the query from
// running.
type row struct {
	r   *sql.Row
	err error
}

func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.r.Scan(dest...)
}

// stmt returns query prepared on the pool, bound to this transaction, or
// nil the first time a query is seen: it is then prepared in the
// background, because preparing on the pool needs a free connection and
// this transaction may hold the pool's last one.
func (t *tx) stmt(ctx context.Context, sqlTx *sql.Tx, query string) *sql.Stmt {
	if t.stmts == nil {
		return nil
	}
	v, loaded := t.stmts.LoadOrStore(query, (*sql.Stmt)(nil))
	if s, _ := v.(*sql.Stmt); s != nil {
		return sqlTx.StmtContext(ctx, s)
	}
	if !loaded && t.db != nil {
		t.db.prepareLater(t.pool, t.stmts, query)
	}
	return nil
}

// prepareLater prepares query on pool in the background and caches it.
// Close waits for the preparations under way and starts no new ones.
func (db *DB) prepareLater(pool *sql.DB, cache *sync.Map, query string) {
	db.prepMu.Lock()
	if db.closing {
		db.prepMu.Unlock()
		cache.Delete(query)
		return
	}
	db.preparing.Add(1)
	db.prepMu.Unlock()
	go func() {
		defer db.preparing.Done()
		s, err := pool.Prepare(query)
		if err != nil {
			cache.Delete(query) // retried on next use
			return
		}
		cache.Store(query, s)
	}()
}

// dialect is the database's dialect (SQLite when the tx has no DB).
func (t *tx) dialect() dialect {
	if t.db == nil {
		return dialectSQLite
	}
	return t.db.dialect
}

// note records the tables query reads or writes.
func (t *tx) note(query string) {
	if t.db == nil {
		return
	}
	var st *statementTables // parsed once, for both uses
	if t.busNext != 0 && query != reservedBusInsert {
		// Another write of the bus log (an import's rows, an append with
		// no reserved seq) may take the seqs counted on: read again.
		if st = t.db.tables.tablesOf(query); st.writesAll || slices.Contains(st.writes, t.db.tables.index["bus_events"]) {
			t.busNext = 0
		}
	}
	if t.reads == nil && t.written == nil {
		return
	}
	if st == nil {
		st = t.db.tables.tablesOf(query)
	}
	t.noteStatement(st)
}

// noteStatement is note of a statement parsed already.
func (t *tx) noteStatement(st *statementTables) {
	if t.reads != nil {
		t.reads.note(st)
	}
	if t.written != nil {
		t.written.note(st)
	}
}

func (t *tx) queryRow(ctx context.Context, query string, args ...any) row {
	t.note(query)
	sqlTx, err := t.sqlTx(ctx)
	if err != nil {
		return row{err: err}
	}
	t.snapshotTaken = true
	if s := t.stmt(ctx, sqlTx, query); s != nil {
		return row{r: s.QueryRowContext(ctx, args...)}
	}
	return row{r: sqlTx.QueryRowContext(ctx, query, args...)}
}

func (t *tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.queryPrepared(ctx, true, query, args...)
}

// queryPrepared runs a query, prepared once for the pool if cache says so.
func (t *tx) queryPrepared(ctx context.Context, cache bool, query string, args ...any) (*sql.Rows, error) {
	t.note(query)
	sqlTx, err := t.sqlTx(ctx)
	if err != nil {
		return nil, err
	}
	t.snapshotTaken = true
	if cache {
		if s := t.stmt(ctx, sqlTx, query); s != nil {
			return s.QueryContext(ctx, args...)
		}
	}
	return sqlTx.QueryContext(ctx, query, args...)
}

// execDeferred is exec for a write whose answer the caller does not need
// and whose failure fails the transaction: on PostgreSQL it is sent ahead
// of the transaction's next statement, or its commit, in one pipeline
// (pgbegin.go), and its failure is reported there.
func (t *tx) execDeferred(ctx context.Context, what, query string, args ...any) error {
	if t.dialect() == dialectPostgres {
		args = append([]any{deferredExec{}}, args...)
	}
	_, err := t.exec(ctx, what, query, args...)
	return err
}

// exec runs a write; what names it for the error.
func (t *tx) exec(ctx context.Context, what, query string, args ...any) (sql.Result, error) {
	if t.readOnly {
		return nil, fmt.Errorf("sqlite: %s: %w", what, errReadOnly)
	}
	t.note(query)
	sqlTx, err := t.sqlTx(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	var res sql.Result
	if s := t.stmt(ctx, sqlTx, query); s != nil {
		res, err = s.ExecContext(ctx, args...)
	} else {
		res, err = sqlTx.ExecContext(ctx, query, args...)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return res, nil
}

// rowErr wraps the error of a single-row read; sql.ErrNoRows becomes
// kernel.ErrNotFound.
func rowErr(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		err = kernel.ErrNotFound
	}
	return fmt.Errorf("sqlite: %s: %w", what, err)
}

func errNil(what string) error { return fmt.Errorf("sqlite: %s: nil value", what) }

// deleteOne runs a DELETE that should remove a row; it returns an error
// wrapping kernel.ErrNotFound if there was none.
func (t *tx) deleteOne(ctx context.Context, what, query string, args ...any) error {
	res, err := t.exec(ctx, what, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("sqlite: %s: %w", what, kernel.ErrNotFound)
	}
	return nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// queryList runs a query and scans each row with scan; what names it for
// the error. No rows is a nil slice.
func queryList[T any](ctx context.Context, t *tx, what string, scan func(scanner, *T) error, query string, args ...any) ([]T, error) {
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	defer rows.Close()
	var list []T
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, fmt.Errorf("sqlite: %s: %w", what, err)
		}
		list = append(list, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return list, nil
}
