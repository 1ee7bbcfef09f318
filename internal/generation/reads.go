package generation

import (
	"context"
	"sync"
	"sync/atomic"
)

// Stamp tells whether the state a read saw is still the store's.
type Stamp interface{ Fresh() bool }

// StampedViewer is a store that can stamp its reads: ViewStamped runs fn as
// View does and returns a stamp of what fn read, or nil if it cannot vouch
// for the read (a commit to what it read was under way, say). A stamp must
// turn stale when a commit that changes what fn read is done, before the
// call that committed returns.
type StampedViewer[Tx any] interface {
	ViewStamped(ctx context.Context, fn func(Tx) error) (Stamp, error)
}

// Reads memoizes the results of read transactions, each with the stamp of
// what it read, and serves a result from memory while its stamp is fresh:
// so a read served from memory returns exactly what the store would have.
// Results that depend on time must be cached as the stored facts they
// derive from, and derived after the lookup.
//
// At most DefaultMaxReads results are kept; when full, all are dropped.
// Lookups take no lock (a sync.Map: every request of every client reads
// it, and a shared read lock's counter made the cores wait on each other).
type Reads struct {
	m    sync.Map // key → *entry
	size atomic.Int64

	hits, misses atomic.Uint64
}

type entry struct {
	v     any
	stamp Stamp
}

// DefaultMaxReads bounds the results kept.
const DefaultMaxReads = 100_000

// NewReads returns a cache of reads of store, or nil (no caching, every
// read goes to the store) if store cannot stamp its reads.
func NewReads[Tx any](store Viewer[Tx]) *Reads {
	if _, ok := store.(StampedViewer[Tx]); !ok {
		return nil
	}
	return &Reads{}
}

// Stats returns how many reads were served from memory and how many went
// to the store.
func (r *Reads) Stats() (hits, misses uint64) {
	if r == nil {
		return 0, 0
	}
	return r.hits.Load(), r.misses.Load()
}

func (r *Reads) get(key any) (*entry, bool) {
	e, ok := r.m.Load(key)
	if !ok {
		return nil, false
	}
	return e.(*entry), true
}

func (r *Reads) put(key any, e *entry) {
	if r.size.Load() >= DefaultMaxReads {
		r.m.Clear()
		r.size.Store(0)
	}
	if _, had := r.m.Swap(key, e); !had {
		r.size.Add(1)
	}
}

// Viewer is the View half of the store contract.
type Viewer[Tx any] interface {
	View(ctx context.Context, fn func(Tx) error) error
}

// View returns the result of fn run in a View of s, from memory if the
// store vouches that what fn read last time is unchanged. key must name
// everything fn reads (it is compared with ==). Only results without error
// are kept. V is shared by every caller that gets it from memory: callers
// must not change what it points to. A nil r reads s every time.
func View[Tx, V any](ctx context.Context, r *Reads, s Viewer[Tx], key any, fn func(Tx) (V, error)) (V, error) {
	sv, stamps := s.(StampedViewer[Tx])
	if r != nil && stamps {
		if e, ok := r.get(key); ok && e.stamp.Fresh() {
			r.hits.Add(1)
			return e.v.(V), nil
		}
	}
	return viewStore(ctx, r, s, sv, key, fn)
}

// viewStore is View's read of the store (apart, so that a read served
// from memory allocates nothing for it).
func viewStore[Tx, V any](ctx context.Context, r *Reads, s Viewer[Tx], sv StampedViewer[Tx], key any, fn func(Tx) (V, error)) (V, error) {
	var v V
	run := func(tx Tx) (err error) {
		v, err = fn(tx)
		return err
	}
	if r == nil || sv == nil {
		return v, s.View(ctx, run)
	}
	r.misses.Add(1)
	stamp, err := sv.ViewStamped(ctx, run)
	if err == nil && stamp != nil {
		r.put(key, &entry{v: v, stamp: stamp})
	}
	return v, err
}
