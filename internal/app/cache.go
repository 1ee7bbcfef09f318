package app

import (
	"sync"
	"time"
)

// factCache memoizes facts derived from a domain's store, per key, for as
// long as the domain's write generation is unchanged and its clock has not
// moved by more than maxAge (time-derived states such as a closure
// completing change without a write). Only successful lookups are cached.
// The request path reads organization facts and credentials on every call;
// this keeps a signed read to one store transaction.
type factCache[V any] struct {
	gen    func() uint64
	now    func() time.Time
	maxAge time.Duration
	m      sync.Map // key -> cacheEntry[V]
}

type cacheEntry[V any] struct {
	gen uint64
	at  time.Time
	v   V
}

func (c *factCache[V]) get(key string, load func() (V, error)) (V, error) {
	gen, now := c.gen(), c.now()
	if e, ok := c.m.Load(key); ok {
		ce := e.(cacheEntry[V])
		if ce.gen == gen && !now.Before(ce.at) && now.Sub(ce.at) < c.maxAge {
			return ce.v, nil
		}
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.m.Store(key, cacheEntry[V]{gen: gen, at: now, v: v})
	return v, nil
}
