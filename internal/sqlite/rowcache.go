package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/accountplane/accountplane/internal/kernel"
)

// Transactions on SQLite take rows they look up by key (an account, a
// membership, an OU, a page of members, the event targets) from memory
// when the row's table has had no commit since the row was read:
// Organizations reads look up the same few rows for every call (the
// caller's membership, account and organization), every write's event
// the targets, and each lookup cost a query.
//
// A cached row is exactly what the transaction would have read. A row
// read into memory keeps the commit counter its table had (stamps.go).
// A read transaction copies the counters when it begins, and uses a row
// only while its table's counters are unchanged since both the row was
// read and the transaction began, with no commit under way: its snapshot
// is then taken at or after its beginning and before any commit of the
// table, so the snapshot holds the same row. A read transaction that has
// read nothing yet takes its snapshot before it uses a cached row (pin),
// so that no later commit can get between. A write transaction is the
// store's only writer while it runs (no commit can happen meanwhile): it
// uses a row while the table's counters are those the row was read at
// and it has not written the table itself.

// rowCache holds rows by table and key.
type rowCache struct {
	m    sync.Map // rowKey → *rowEntry
	size atomic.Int64
}

// rowKey names a row by its table (whose counters validate it), the
// query that reads it (statementTables.id: two queries of a table never
// share an entry) and its key.
type rowKey struct {
	table int
	query uint32
	key   string
}

type rowEntry struct {
	done uint64 // the table's commit count the row was read at
	v    any    // the row's value (a copy is returned), or nil
	err  error  // nil, or not found
	// after is, on PostgreSQL, the number of the last sequence query
	// started when the row had been read: only values of a later query
	// vouch for it (pgrowcache.go). 0 on SQLite.
	after uint64
}

// keep stores e under k, unless the entry there holds the same table
// state (done) and serves more readers (an earlier after: on PostgreSQL,
// replacing it under a steady stream of misses would keep every entry too
// young for the readers' values).
func (c *rowCache) keep(k rowKey, e *rowEntry) {
	if old, ok := c.m.Load(k); ok {
		if o := old.(*rowEntry); o.done == e.done && o.after <= e.after {
			return
		}
	}
	if _, had := c.m.Swap(k, e); !had {
		c.size.Add(1)
	}
}

// maxCachedRows bounds the rows kept; when full, all are dropped.
const maxCachedRows = 200_000

// viewCounters are the commit counters of the tables when a read
// transaction began.
type viewCounters struct {
	begun, done []uint64
}

func (g *tableGens) snapshotCounters() *viewCounters {
	if len(g.done) == 0 {
		return nil
	}
	both := make([]uint64, 2*len(g.done)) // one allocation: every read transaction pays it
	c := &viewCounters{begun: both[:len(g.done)], done: both[len(g.done):]}
	for i := range g.done {
		c.done[i] = g.done[i].Load()
		c.begun[i] = g.begun[i].Load()
	}
	return c
}

// cachedRow returns the row query (a look-up in one table by key) gives,
// from memory when it can: load runs the query in t. Values are shared
// between transactions only as copies (T must have no slices or maps).
func cachedRow[T any](ctx context.Context, t *tx, query, key string, load func() (*T, error)) (*T, error) {
	st, i, at, unchanged, ok := t.cacheable(query)
	if !ok {
		return load()
	}
	k := rowKey{i, st.id, key}
	if e, ok := t.db.rows.m.Load(k); ok && t.usable(e.(*rowEntry), at) && unchanged() {
		use, err := t.fromMemory(ctx, i, unchanged)
		if err != nil {
			return nil, err
		}
		if use { // still: the snapshot, if taken, holds the row
			e := e.(*rowEntry)
			t.noteStatement(st)
			if e.err != nil {
				return nil, e.err
			}
			v := *e.v.(*T)
			return &v, nil
		}
	}
	v, err := load()
	if (err == nil || errors.Is(err, kernel.ErrNotFound)) && unchanged() {
		e := &rowEntry{done: at, err: err, after: t.readAfter()}
		if err == nil {
			cp := *v
			e.v = &cp
		}
		if t.db.rows.size.Load() >= maxCachedRows {
			t.db.rows.m.Clear()
			t.db.rows.size.Store(0)
		}
		t.db.rows.keep(k, e)
	}
	return v, err
}

// cachedList is cachedRow for a query of one table that returns a list
// (a page of an index): each caller gets its own copy of the list.
func cachedList[E any](ctx context.Context, t *tx, query, key string, load func() ([]E, error)) ([]E, error) {
	p, err := cachedRow(ctx, t, query, key, func() (*[]E, error) {
		list, err := load()
		return &list, err
	})
	if err != nil {
		return nil, err
	}
	return slices.Clone(*p), nil
}

// cachedRows is cachedRow for many keys of one table: the rows of keys
// found in memory, and those load (one query for the others) returns;
// a key load does not return has no row.
func cachedRows[T any](ctx context.Context, t *tx, query string, keys []string, load func(missing []string) (map[string]*T, error)) (map[string]*T, error) {
	st, i, at, unchanged, ok := t.cacheable(query)
	if !ok {
		return load(keys)
	}
	out := make(map[string]*T, len(keys))
	var missing []string
	fresh := false // the snapshot, if taken, holds what memory has of the table
	if unchanged() {
		var err error
		if fresh, err = t.fromMemory(ctx, i, unchanged); err != nil {
			return nil, err
		}
	}
	for _, k := range keys {
		e, ok := t.db.rows.m.Load(rowKey{i, st.id, k})
		if !fresh || !ok || !t.usable(e.(*rowEntry), at) {
			missing = append(missing, k)
			continue
		}
		if e := e.(*rowEntry); e.err == nil {
			v := *e.v.(*T)
			out[k] = &v
		}
	}
	if fresh && len(missing) < len(keys) {
		t.noteStatement(st)
	}
	if len(missing) == 0 {
		return out, nil
	}
	got, err := load(missing)
	if err != nil {
		return nil, err
	}
	after := t.readAfter()
	store := unchanged()
	if store && t.db.rows.size.Load()+int64(len(missing)) > maxCachedRows {
		t.db.rows.m.Clear()
		t.db.rows.size.Store(0)
	}
	for _, k := range missing {
		v := got[k]
		if v != nil {
			out[k] = v
		}
		if !store {
			continue
		}
		e := &rowEntry{done: at, err: kernel.ErrNotFound, after: after}
		if v != nil {
			cp := *v
			e.v, e.err = &cp, nil
		}
		t.db.rows.keep(rowKey{i, st.id, k}, e)
	}
	return out, nil
}

// cacheable says whether t may take the rows of query (a query of one
// table) from memory: the table, the commit count its rows must have been
// read at, and what tells that the table is still as it was then.
func (t *tx) cacheable(query string) (st *statementTables, table int, at uint64, unchanged func() bool, ok bool) {
	if t.db == nil {
		return nil, 0, 0, nil, false
	}
	g := &t.db.tables
	st = g.tablesOf(query)
	if len(st.reads) != 1 || st.unknown {
		return nil, 0, 0, nil, false
	}
	i := st.reads[0]
	if t.db.dialect == dialectPostgres {
		at, ok := t.pgCacheable(i)
		return st, i, at, func() bool { return true }, ok
	}
	switch c := t.startCounters; {
	case t.readOnly && c != nil:
		return st, i, c.done[i], func() bool { return c.unchangedNow(g, i) }, true
	case !t.readOnly && t.written != nil:
		at := g.done[i].Load()
		return st, i, at, func() bool {
			return !t.written.all && !t.written.tables[i] && g.begun[i].Load() == at && g.done[i].Load() == at
		}, true
	}
	return nil, 0, 0, nil, false
}

// usable reports whether e, kept at the table's commit count at, may serve
// t (on PostgreSQL, also whether t's values were read after e was).
func (t *tx) usable(e *rowEntry, at uint64) bool {
	if e.done != at {
		return false
	}
	return t.pgGens == nil || e.after < t.pgGens.n
}

// readAfter is rowEntry.after for a row t has just read.
func (t *tx) readAfter() uint64 {
	if t.pgGens == nil {
		return 0
	}
	return t.db.genQueries.Load()
}

// unchangedNow reports whether table i has had no commit, finished or
// under way, since the counters were read.
func (c *viewCounters) unchangedNow(g *tableGens, i int) bool {
	at := c.done[i]
	return c.begun[i] == at && g.begun[i].Load() == at && g.done[i].Load() == at
}

// fromMemory reports whether a row of table i read from memory may be
// used now: at once if no statement has begun the read transaction (its
// snapshot, when one does, is checked then: sqlTx), otherwise once the
// snapshot is taken and the table is still unchanged.
func (t *tx) fromMemory(ctx context.Context, i int, unchanged func() bool) (bool, error) {
	if t.tx == nil && t.begin != nil {
		t.cachedFrom = append(t.cachedFrom, i)
		return true, nil
	}
	if t.db.dialect == dialectPostgres {
		return false, nil // the snapshot is taken: only the database vouches for it
	}
	if err := t.pin(ctx); err != nil {
		return false, err
	}
	return unchanged(), nil
}

// pin takes the transaction's snapshot, if no statement took it yet (a
// write transaction needs none: nothing commits while it runs).
func (t *tx) pin(ctx context.Context) error {
	if t.snapshotTaken || !t.readOnly {
		return nil
	}
	const q = `SELECT 1 FROM sqlite_master LIMIT 1`
	var row *sql.Row
	if s := t.stmt(ctx, t.tx, q); s != nil {
		row = s.QueryRowContext(ctx)
	} else {
		row = t.tx.QueryRowContext(ctx, q)
	}
	var one int
	if err := row.Scan(&one); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	t.snapshotTaken = true
	return nil
}
