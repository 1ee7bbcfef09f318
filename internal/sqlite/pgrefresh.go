package sqlite

import (
	"maps"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// One freshness read per request (PostgreSQL). Without it every cached
// read of a request asks the database whether the tables it read moved
// (sharedGens: a query that starts after the asker asked), and a request
// makes several such reads one after another (the account it acts on, its
// organization's facts, the contact...), each waiting for a query of its
// own. With it the server calls Refresh once as each request arrives: the
// sequences that query reads (which see every commit acknowledged before
// the request arrived, on any replica) are kept as the latest, and the
// request's stamps are checked against them without asking again.
//
// The latest values are used while they are younger than latestMaxAge
// (counted from when their Refresh began; for work no request began, which
// then sees the database as of at most that long ago). This process's own
// counted commit raises them (raiseLatest) to the values its advance of the
// sequences returned, so that a request reads its own writes without
// asking again: a stamp of a table the commit wrote no longer matches. The
// commit's row-cached tables get their marks set apart in the raised
// values (no rows from memory for them until a query reads the marks),
// since a raise knows the commit's own marks only, not whether another
// replica's commit to the table is under way.
//
// A Refresh whose query may have started before such an advance finished
// (numbered no later than the queries counter read then) may store values
// without the commit: each raise is kept while such a Refresh runs and
// applied to what it stores. (Discarding that Refresh instead would leave
// its request checking against older values, which may miss another
// replica's write acknowledged before the request arrived.) A commit whose
// advance failed makes such values, and the latest, serve nothing: its
// requests ask the database (which retries the advance first). A Refresh
// that fails leaves a mark in place of values, so that no older ones serve
// the request: its reads then ask, each one.

const latestMaxAge = time.Second

type latestGens struct {
	g  *sharedGens // nil: the Refresh numbered n failed, and nothing older may be used
	n  uint64      // the query's number: a later one replaces an earlier one only
	at time.Time   // when its Refresh began (before the query)
}

type latestState struct {
	mu      sync.Mutex
	current atomic.Pointer[latestGens]
	queries atomic.Uint64 // numbers the Refresh queries in the order they start (under mu)
	// running are the numbers of the Refreshes under way, and raises the
	// own advances that finished while one of them ran (under mu).
	running map[uint64]bool
	raises  []latestRaise
	reads   atomic.Uint64 // sequence queries run (for tests)
	maxAge  time.Duration // how long the latest values serve (latestMaxAge; tests change it)
	// beforeStore, if set, runs in Refresh between its query and storing
	// its values (tests: an own commit in between).
	beforeStore func()
}

// ownAdvance is what one of this process's counted commits advanced: the
// values its nextval calls returned.
type ownAdvance struct {
	global, facts uint64         // the store's and the facts' sequences (facts 0: not advanced)
	tables        map[int]uint64 // table index → its sequence
	marked        []int          // the row-cached tables it wrote
	lost          bool           // the advance failed: what may predate it serves nothing
}

// latestRaise is an own advance that finished when the Refresh queries
// counter read q: a Refresh numbered q or lower may not have seen it.
type latestRaise struct {
	q   uint64
	adv ownAdvance
}

// Refresh reads the sequences once for the requests arriving now (shared
// with those that ask while none runs) and keeps them as the latest. A
// no-op on SQLite, whose commits all go through this process.
func (db *DB) Refresh() {
	if db.dialect != dialectPostgres {
		return
	}
	l := &db.latest
	l.mu.Lock()
	n := l.queries.Add(1)
	if l.running == nil {
		l.running = map[uint64]bool{}
	}
	l.running[n] = true
	l.mu.Unlock()
	began := time.Now()
	g, ok := db.sharedGens()
	if !ok {
		g = nil // values older than this request must not serve it: ask each time
	}
	if l.beforeStore != nil {
		l.beforeStore()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.running, n)
	for _, r := range l.raises {
		if r.q >= n { // the advance may have finished after the query began
			g = r.adv.raise(g)
		}
	}
	l.dropRaises()
	if cur := l.current.Load(); cur != nil && cur.n > n {
		return
	}
	l.current.Store(&latestGens{g: g, n: n, at: began})
}

// raiseLatest applies an own commit's advance to the latest values, and
// keeps it for the Refreshes under way (called once its sequences
// advanced, or failed to).
func (db *DB) raiseLatest(adv ownAdvance) {
	l := &db.latest
	l.mu.Lock()
	defer l.mu.Unlock()
	if cur := l.current.Load(); cur != nil {
		l.current.Store(&latestGens{g: adv.raise(cur.g), n: cur.n, at: cur.at})
	}
	if len(l.running) > 0 {
		l.raises = append(l.raises, latestRaise{q: l.queries.Load(), adv: adv})
	}
	l.dropRaises()
}

// dropRaises forgets the raises no Refresh under way can predate (under mu).
func (l *latestState) dropRaises() {
	if len(l.running) == 0 {
		l.raises = nil
		return
	}
	oldest := uint64(math.MaxUint64)
	for n := range l.running {
		oldest = min(oldest, n)
	}
	l.raises = slices.DeleteFunc(l.raises, func(r latestRaise) bool { return r.q < oldest })
}

// raise returns g with a's values where they are higher (a copy; nil if
// g is nil or a's advance failed). The row-cached tables a wrote get their
// marks apart: rows from memory wait for a query of their marks.
func (a *ownAdvance) raise(g *sharedGens) *sharedGens {
	if g == nil || a.lost {
		return nil
	}
	r := *g
	r.global = raiseHigh(g.global, a.global)
	if a.facts != 0 {
		r.facts = raiseHigh(g.facts, a.facts)
	}
	r.tables = maps.Clone(g.tables)
	for i, v := range a.tables {
		if cur, watched := r.tables[i]; watched {
			r.tables[i] = max(cur, v)
		}
	}
	if len(a.marked) > 0 {
		r.begun, r.rowDone = maps.Clone(g.begun), maps.Clone(g.rowDone)
		for _, i := range a.marked {
			if done, ok := r.rowDone[i]; ok {
				r.begun[i] = done + 1
			}
		}
	}
	return &r
}

// raiseHigh raises the sequence value in the high 32 bits of gen (the
// clock step in the low ones stays) to v if v is higher.
func raiseHigh(gen, v uint64) uint64 {
	return max(gen>>32, v)<<32 | gen&0xffffffff
}

// currentGens returns the latest sequences while they hold, and otherwise
// reads them (sharedGens).
func (db *DB) currentGens() (*sharedGens, bool) {
	if g := db.latestHeld(); g != nil {
		return g, true
	}
	return db.sharedGens()
}

// latestHeld returns the latest sequences while they hold, or nil (it
// reads nothing).
func (db *DB) latestHeld() *sharedGens {
	maxAge := db.latest.maxAge
	if maxAge == 0 {
		maxAge = latestMaxAge
	}
	if cur := db.latest.current.Load(); cur != nil && cur.g != nil && !db.pendingAdvance.Load() && time.Since(cur.at) < maxAge {
		return cur.g
	}
	return nil
}
