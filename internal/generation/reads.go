package generation

import (
	"context"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Stamp tells whether the state a read saw is still the store's.
type Stamp interface{ Fresh() bool }

// StampedViewer is a store that can stamp its reads: ViewStamped runs fn as
// View does and returns a stamp of what fn read, or nil if it cannot vouch
// for the read (a commit to what it read was under way, say). A stamp must
// turn stale when a commit that changes what fn read is done, before the
// call that committed returns — for a store shared by processes, as seen
// by a request that arrives after that call returned (the store is told
// when one arrives: sqlite.DB.Refresh).
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
// The results are spread over readShards maps by the hash of their key,
// each with its own read lock: a single lock's shared counter made the
// cores wait on each other, and a sync.Map's trie cost a cache miss per
// level on every lookup (BenchmarkViewHit).
type Reads struct {
	seed   maphash.Seed
	_      [120]byte // the seed, read by every lookup, on a line of its own
	shards [readShards]readShard
	size   atomic.Int64
	misses atomic.Uint64
}

const readShards = 64

type readShard struct {
	mu   sync.RWMutex
	m    map[any]*entry
	hits atomic.Uint64
	_    [128 - unsafe.Sizeof(sync.RWMutex{}) - 16]byte // a shard per pair of cache lines: no false sharing
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
	r := &Reads{seed: maphash.MakeSeed()}
	for i := range r.shards {
		r.shards[i].m = map[any]*entry{}
	}
	return r
}

// Stats returns how many reads were served from memory and how many went
// to the store.
func (r *Reads) Stats() (hits, misses uint64) {
	if r == nil {
		return 0, 0
	}
	for i := range r.shards {
		hits += r.shards[i].hits.Load()
	}
	return hits, r.misses.Load()
}

func shardOf[K comparable](r *Reads, key K) *readShard {
	return &r.shards[maphash.Comparable(r.seed, key)%readShards]
}

// get returns the entry of key (nil if none) and its shard.
func get[K comparable](r *Reads, key K) (*entry, *readShard) {
	sh := shardOf(r, key)
	sh.mu.RLock()
	e := sh.m[key]
	sh.mu.RUnlock()
	return e, sh
}

func put[K comparable](r *Reads, key K, e *entry) {
	if r.size.Load() >= DefaultMaxReads {
		for i := range r.shards {
			sh := &r.shards[i]
			sh.mu.Lock()
			clear(sh.m)
			sh.mu.Unlock()
		}
		r.size.Store(0)
	}
	sh := shardOf(r, key)
	sh.mu.Lock()
	_, had := sh.m[key]
	sh.m[key] = e
	sh.mu.Unlock()
	if !had {
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
func View[Tx any, K comparable, V any](ctx context.Context, r *Reads, s Viewer[Tx], key K, fn func(Tx) (V, error)) (V, error) {
	sv, stamps := s.(StampedViewer[Tx])
	if r != nil && stamps {
		if e, sh := get(r, key); e != nil && e.stamp.Fresh() {
			sh.hits.Add(1)
			return e.v.(V), nil
		}
	}
	return viewStore(ctx, r, s, sv, key, fn)
}

// viewStore is View's read of the store (apart, so that a read served
// from memory allocates nothing for it).
func viewStore[Tx any, K comparable, V any](ctx context.Context, r *Reads, s Viewer[Tx], sv StampedViewer[Tx], key K, fn func(Tx) (V, error)) (V, error) {
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
		put(r, key, &entry{v: v, stamp: stamp})
	}
	return v, err
}
