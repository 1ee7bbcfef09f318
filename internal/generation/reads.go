package generation

import (
	"context"
	"sync"
	"sync/atomic"
)

// Source is a store that counts its commits. Generation returns a number
// that changes after every commit that may change what a read returns,
// before the call that committed returns to its caller. ok is false when
// the store cannot tell cheaply (then nothing is cached).
type Source interface {
	Generation(ctx context.Context) (gen uint64, ok bool)
}

// Reads memoizes the results of read transactions. A result is kept with
// the generation it was read at and served only while the store's
// generation is unchanged, so a read served from memory returns exactly
// what the store would have: every commit of the store (by this or any
// other domain) changes the generation before the committing call returns,
// and the generation is read before the transaction that loads a result
// starts. Results that depend on time must be cached as the stored facts
// they derive from, and derived after the lookup.
//
// Only one generation is held at a time: the first result of a new
// generation drops all the others, so memory is bounded by what one
// generation's readers ask for (and by max entries).
type Reads struct {
	src Source
	max int

	mu sync.RWMutex
	at uint64
	m  map[any]any

	hits, misses atomic.Uint64
}

// DefaultMaxReads bounds the entries of one generation.
const DefaultMaxReads = 100_000

// NewReads returns a cache over store's generation, or nil (no caching,
// every read goes to the store) if store is not a Source.
func NewReads(store any) *Reads {
	src, ok := store.(Source)
	if !ok {
		return nil
	}
	return &Reads{src: src, max: DefaultMaxReads, m: map[any]any{}}
}

// Stats returns how many reads were served from memory and how many went
// to the store.
func (r *Reads) Stats() (hits, misses uint64) {
	if r == nil {
		return 0, 0
	}
	return r.hits.Load(), r.misses.Load()
}

func (r *Reads) get(gen uint64, key any) (any, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.at != gen {
		return nil, false
	}
	v, ok := r.m[key]
	return v, ok
}

func (r *Reads) put(gen uint64, key, v any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case gen > r.at || len(r.m) >= r.max:
		clear(r.m)
		r.at = gen
	case gen < r.at: // read before a newer generation was cached
		return
	}
	r.m[key] = v
}

// Viewer is the View half of the store contract.
type Viewer[Tx any] interface {
	View(ctx context.Context, fn func(Tx) error) error
}

// View returns the result of fn run in a View of s, from memory if key was
// read at the store's current generation. key must name everything fn
// reads (it is compared with ==). Only results without error are kept. V
// is shared by every caller that gets it from memory: callers must not
// change what it points to. A nil r reads s every time.
func View[Tx, V any](ctx context.Context, r *Reads, s Viewer[Tx], key any, fn func(Tx) (V, error)) (V, error) {
	var gen uint64
	var cacheable bool
	if r != nil {
		gen, cacheable = r.src.Generation(ctx)
	}
	if cacheable {
		if v, ok := r.get(gen, key); ok {
			r.hits.Add(1)
			return v.(V), nil
		}
		r.misses.Add(1)
	}
	var v V
	err := s.View(ctx, func(tx Tx) (err error) {
		v, err = fn(tx)
		return err
	})
	if err == nil && cacheable {
		r.put(gen, key, v)
	}
	return v, err
}
