package quota

import (
	"sync"
	"sync/atomic"
	"time"
)

// Shared keeps buckets that several replicas draw from: one budget per
// (account, operation) however many replicas serve it.
type Shared interface {
	// Update changes the bucket key's theoretical arrival time atomically
	// across replicas: step gets the stored tat (known false: none yet)
	// and returns the tat to store; the store keeps nothing else and knows
	// nothing of the algorithm.
	Update(key string, step func(tat int64, known bool) int64) error
}

// WithShared makes l draw its tokens from s in small batches: a replica
// takes a tenth of a bucket's burst (at least one token) at a time and
// spends it locally within batchLife, so the replicas together stay within
// about that batch of the budget, never a multiple of it. A store error
// allows the call (the store answers the call's own failure).
func (l *Limiter) WithShared(s Shared) *Limiter {
	if l != nil {
		l.shared = s
	}
	return l
}

// batchLife is how long prepaid tokens stay spendable: a replica that
// stops seeing calls gives its unspent tokens back to time.
const batchLife = time.Second

type credit struct {
	mu     sync.Mutex
	tokens atomic.Int64
	until  atomic.Int64 // unix nanoseconds after which tokens are void
}

// allowShared is Allow for a Limiter with a Shared store.
func (l *Limiter) allowShared(account, service, operation string, r rule) bool {
	key := account + "|" + service + ":" + operation
	v, _ := l.credits.LoadOrStore(key, &credit{})
	c := v.(*credit)
	now := time.Now().UnixNano()
	if take(c, now) {
		return l.count(true)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if take(c, now) {
		return l.count(true)
	}
	batch := 1
	if r.interval > 0 {
		batch = max(1, int((r.tolerance/r.interval+1)/10))
	}
	var n int
	err := l.shared.Update(key, func(tat int64, known bool) int64 {
		tat, n = TakeGCRA(tat, known, now, r.interval, r.tolerance, batch)
		return tat
	})
	if err != nil {
		return true
	}
	if n == 0 {
		return l.count(false)
	}
	c.tokens.Store(int64(n - 1))
	c.until.Store(now + int64(batchLife))
	return l.count(true)
}

// take spends one prepaid token, if any is left and fresh.
func take(c *credit, now int64) bool {
	if now > c.until.Load() {
		return false
	}
	for {
		n := c.tokens.Load()
		if n <= 0 {
			return false
		}
		if c.tokens.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

// TakeGCRA is the GCRA step applied to a stored tat (tatKnown false: a
// full bucket): it returns the new tat and how many of want tokens fit.
func TakeGCRA(tat int64, tatKnown bool, now, interval, tolerance int64, want int) (int64, int) {
	if !tatKnown || tat < now {
		tat = now
	}
	n := 0
	for n < want && tat-now <= tolerance {
		tat += interval
		n++
	}
	return tat, n
}
