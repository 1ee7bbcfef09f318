package sqlite

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/accountplane/accountplane/internal/generation"
)

// Stamps of reads (generation.StampedViewer): the domains keep the results
// of hot reads in memory while the store vouches that what they read is
// unchanged.
//
// On SQLite every table has two commit counters: begun, raised before a
// commit that writes the table, and done, raised after it (both before
// the call that committed returns). A stamped View notes the counters of
// every table before its snapshot starts, and the tables its statements
// read; its stamp stays fresh while those tables' counters are unchanged
// and no commit to them is under way. A View that read a table with a
// commit under way gets no stamp (it may or may not see that commit).
// Which tables a statement reads (FROM, JOIN) or writes (INSERT INTO,
// UPDATE, DELETE FROM) is read off its SQL text, once per text; a name
// that is not one of the store's tables leaves the View without a stamp.
// Writes that bypass the statement helpers (Reset, import) count as
// writing every table. So a change to an account's alternate contacts
// leaves cached organization facts fresh.
//
// On PostgreSQL, replicas share the store and their commits do not reach
// this process: see pgstamps.go.

// tableGens are the commit counters of the store's tables.
type tableGens struct {
	index       map[string]int
	byIndex     []string // the names of index, by index
	begun, done []atomic.Uint64
	parsed      sync.Map // SQL text -> *statementTables
	statements  atomic.Uint32
}

// statementTables is what one SQL text reads and writes.
type statementTables struct {
	// id numbers the SQL text among those parsed (the row cache's keys
	// name a query by it: hashing the text for every row cost more than
	// the rest of a cached read).
	id            uint32
	reads, writes []int
	unknown       bool // reads a name that is no table of the store
	writesAll     bool // writes a name that is no table of the store
}

var (
	readsTable   = regexp.MustCompile(`(?i)\b(?:FROM|JOIN)\s+"?([A-Za-z_][A-Za-z0-9_]*)`)
	writesTable  = regexp.MustCompile(`(?i)^\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?([A-Za-z_][A-Za-z0-9_]*)`)
	withQuery    = regexp.MustCompile(`(?i)^\s*WITH\b`)
	writesInWith = regexp.MustCompile(`(?i)\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z_][A-Za-z0-9_]*)`)
)

// initTableGens makes the counters of the store's tables (after the
// migrations).
func (db *DB) initTableGens(ctx context.Context) error {
	var names []string
	err := db.view(ctx, func(t *tx) (err error) {
		names, err = t.tableNames(ctx)
		return err
	})
	if err != nil {
		return err
	}
	g := &db.tables
	g.index = make(map[string]int, len(names))
	for i, n := range names {
		g.index[n] = i
	}
	g.byIndex = names
	g.begun = make([]atomic.Uint64, len(names))
	g.done = make([]atomic.Uint64, len(names))
	return nil
}

// tablesOf returns what query reads and writes.
func (g *tableGens) tablesOf(query string) *statementTables {
	if v, ok := g.parsed.Load(query); ok {
		return v.(*statementTables)
	}
	st := &statementTables{}
	writes := writesTable.FindAllStringSubmatch(query, 1)
	if withQuery.MatchString(query) { // a data-modifying WITH writes each of its statements' tables
		writes = nil
		for _, m := range writesInWith.FindAllStringSubmatchIndex(query, -1) {
			if !strings.HasSuffix(strings.ToUpper(strings.TrimRight(query[:m[0]], " \t\n")), "DO") { // not ON CONFLICT ... DO UPDATE
				writes = append(writes, []string{query[m[0]:m[1]], query[m[2]:m[3]]})
			}
		}
	}
	for _, m := range writes {
		if i, ok := g.index[m[1]]; ok {
			st.writes = append(st.writes, i)
		} else {
			st.writesAll = true
		}
	}
	for _, m := range readsTable.FindAllStringSubmatch(query, -1) {
		if i, ok := g.index[m[1]]; ok {
			st.reads = append(st.reads, i)
		} else {
			st.unknown = true
		}
	}
	st.id = g.statements.Add(1)
	v, _ := g.parsed.LoadOrStore(query, st)
	return v.(*statementTables)
}

// writeSet is the tables a write transaction wrote.
type writeSet struct {
	tables map[int]bool
	all    bool
}

func (w *writeSet) note(st *statementTables) {
	if st.writesAll {
		w.all = true
	}
	for _, i := range st.writes {
		if w.tables == nil {
			w.tables = map[int]bool{}
		}
		w.tables[i] = true
	}
}

// countCommit runs commit, counted as a commit of a domain's change that
// wrote w's tables. On PostgreSQL, mark runs a statement before the commit,
// on the commit's own connection (pgrowcache.go).
func (db *DB) countCommit(w *writeSet, mark func(query string, args ...any) error, commit func() error) error {
	g := &db.tables
	each := func(counters []atomic.Uint64) {
		if w.all {
			for i := range counters {
				counters[i].Add(1)
			}
			return
		}
		for i := range w.tables {
			counters[i].Add(1)
		}
	}
	each(g.begun)
	defer each(g.done)
	if db.dialect == dialectPostgres {
		return db.commitMarked(w, mark, commit)
	}
	return commit()
}

// readSet is what a stamped View read, with the counters before it.
type readSet struct {
	begun, done []uint64
	read        map[int]bool
	unknown     bool
}

func (r *readSet) note(st *statementTables) {
	r.unknown = r.unknown || st.unknown
	for _, i := range st.reads {
		r.read[i] = true
	}
}

// tableStamp is a SQLite stamp: the done counters of the tables read.
type tableStamp struct {
	g    *tableGens
	deps []tableAt
}

type tableAt struct {
	table int
	done  uint64
}

// Fresh implements generation.Stamp.
func (s *tableStamp) Fresh() bool {
	for _, d := range s.deps {
		done := s.g.done[d.table].Load()
		if done != d.done || s.g.begun[d.table].Load() != done {
			return false
		}
	}
	return true
}

// viewStamped runs fn in a View and stamps what it read.
func (db *DB) viewStamped(ctx context.Context, fn func(*tx) error) (generation.Stamp, error) {
	if db.dialect == dialectPostgres {
		return db.viewStampedShared(ctx, fn)
	}
	g := &db.tables
	rs := &readSet{begun: make([]uint64, len(g.begun)), done: make([]uint64, len(g.done)), read: map[int]bool{}}
	for i := range g.done {
		rs.done[i] = g.done[i].Load()
		rs.begun[i] = g.begun[i].Load()
	}
	if err := db.viewReading(ctx, fn, rs, false); err != nil || rs.unknown {
		return nil, err
	}
	st := &tableStamp{g: g}
	for i := range rs.read {
		if rs.begun[i] != rs.done[i] {
			return nil, nil // a commit to it was under way
		}
		st.deps = append(st.deps, tableAt{i, rs.done[i]})
	}
	return st, nil
}
