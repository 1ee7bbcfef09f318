package sqlite

import (
	"context"
	"slices"
	"sync/atomic"
)

// pgTableCache keeps the whole of a small table a write reads every time
// (the active event targets, which every write's event is matched against)
// on PostgreSQL, where the row cache serves repeatable Views only. The
// list is stamped like any stamped read (pgstamps.go): with the table's
// sequence in the latest values when the write began (pgStart: taken
// before its BEGIN, which goes out with its first statement, so the list
// its snapshot holds has every commit counted up to it), and used while
// those values still show it. A write that began with no latest values
// holding (work no request began, after a second) reads the list. Another replica's
// change acknowledged before a request arrived moves the sequence its
// Refresh reads; this replica's own moves it at once (raiseLatest).
//
// Reading the list from memory leaves it out of the write's SERIALIZABLE
// read set: a change of targets committing concurrently is ordered after
// the write, which queued its event for the targets before it (it reads
// nothing the write wrote).
type pgTableCache[E any] struct {
	cur atomic.Pointer[pgTableList[E]]
}

type pgTableList[E any] struct {
	list  []E
	at    uint64 // the table's sequence
	epoch uint32 // the clock step of the values (uint32 of sharedGens.global)
}

// get returns the list load reads in t (of table), from memory while
// the request's values show the table unchanged since it was kept.
func (c *pgTableCache[E]) get(ctx context.Context, t *tx, table string, load func() ([]E, error)) ([]E, error) {
	i := t.db.tables.index[table]
	if w := t.written; w == nil || w.all || w.tables[i] {
		return load() // the transaction changed the table (or may have)
	}
	g := t.pgStart
	var at uint64
	watched := false
	if g != nil {
		at, watched = g.tables[i]
	}
	if !watched {
		t.db.watch(ctx, []int{i}) // kept once the values read it
		return load()
	}
	if cur := c.cur.Load(); cur != nil && cur.at == at && cur.epoch == uint32(g.global) {
		return slices.Clone(cur.list), nil
	}
	list, err := load()
	if err == nil {
		c.cur.Store(&pgTableList[E]{list: slices.Clone(list), at: at, epoch: uint32(g.global)})
	}
	return list, err
}
