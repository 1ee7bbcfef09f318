package sqlite

import (
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
// then sees the database as of at most that long ago) and until this
// process commits a counted change: a read after this replica's own write
// goes back to asking, so a request reads its own writes. A query that
// started before such a commit is not kept as the latest after it. A
// Refresh that fails leaves a mark in place of values, so that no older
// ones serve the request: its reads then ask, each one.

const latestMaxAge = time.Second

type latestGens struct {
	g  *sharedGens // nil: the Refresh numbered n failed, and nothing older may be used
	n  uint64      // the query's number: a later one replaces an earlier one only
	at time.Time   // when its Refresh began (before the query)
}

type latestState struct {
	mu      sync.Mutex
	current atomic.Pointer[latestGens]
	queries atomic.Uint64 // numbers the Refresh queries in the order they start
	epoch   uint64        // this process's counted commits (under mu)
	reads   atomic.Uint64 // sequence queries run (for tests)
	maxAge  time.Duration // how long the latest values serve (latestMaxAge; tests change it)
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
	epoch := l.epoch
	l.mu.Unlock()
	n := l.queries.Add(1)
	began := time.Now()
	g, ok := db.sharedGens()
	if !ok {
		g = nil // values older than this request must not serve it: ask each time
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.epoch != epoch && g != nil { // this process committed since: g may predate it
		return
	}
	if cur := l.current.Load(); cur != nil && cur.n > n {
		return
	}
	l.current.Store(&latestGens{g: g, n: n, at: began})
}

// forgetLatest drops the latest sequences after this process's counted
// commit (called once its sequences advanced, or failed to).
func (db *DB) forgetLatest() {
	l := &db.latest
	l.mu.Lock()
	l.epoch++
	l.current.Store(nil)
	l.mu.Unlock()
}

// currentGens returns the latest sequences while they hold, and otherwise
// reads them (sharedGens).
func (db *DB) currentGens() (*sharedGens, bool) {
	maxAge := db.latest.maxAge
	if maxAge == 0 {
		maxAge = latestMaxAge
	}
	if cur := db.latest.current.Load(); cur != nil && cur.g != nil && !db.pendingAdvance.Load() && time.Since(cur.at) < maxAge {
		return cur.g, true
	}
	return db.sharedGens()
}
