package quota

import (
	"hash/maphash"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Limiter enforces a Table with one token bucket per (account,
// "service:Operation"). Its methods are safe for concurrent use; a nil
// *Limiter allows everything.
//
// Buckets use the generic cell rate algorithm, which is a token bucket
// stored as one number: the theoretical arrival time (tat) at which the
// bucket would be full again. With interval = 1s/Rate, a request at time
// now is allowed iff max(tat, now) - now <= (Burst-1)*interval, and then
// tat = max(tat, now) + interval. A fresh bucket (tat in the past) is full, so Burst
// requests pass at once, then one more each interval. Because the state is
// a single int64, a request takes its token with a compare-and-swap under a
// shard's read lock; requests for different buckets never wait for one
// another, and ones for the same bucket only retry a CAS.
//
// A bucket whose tat has passed is full, which is also what a missing
// bucket means, so such buckets are dropped without changing any decision:
// memory holds only the buckets used within their last Burst*interval.
type Limiter struct {
	rules     map[opKey]rule // immutable after New
	now       func() time.Time
	epoch     time.Time // now() at New; times are nanoseconds since it
	seed      maphash.Seed
	shards    [numShards]shard
	throttled atomic.Uint64
	// shared, if set, holds the buckets replicas share (see WithShared);
	// credits are this replica's prepaid tokens per bucket.
	shared  Shared
	credits sync.Map
}

const (
	numShards = 64 // power of two
	// sweepEvery is how often, at most, a shard drops its full buckets.
	// Sweeps happen when a bucket is created, so a shard that sees no new
	// keys keeps its (bounded) set of buckets until it does.
	sweepEvery = int64(30 * time.Second)
	maxSpan    = int64(50 * 365 * 24 * time.Hour)
)

type opKey struct{ service, operation string }

type bucketKey struct{ account, service, operation string }

type rule struct {
	interval  int64 // nanoseconds per token
	tolerance int64 // (Burst-1) * interval
}

type bucket struct{ tat atomic.Int64 }

// newBucket returns a full bucket. Its tat is the distant past rather than
// 0 so that it is full even for an injected clock that reads earlier than
// it did at New.
func newBucket() *bucket {
	b := new(bucket)
	b.tat.Store(math.MinInt64)
	return b
}

type shard struct {
	mu        sync.RWMutex
	buckets   map[bucketKey]*bucket
	lastSweep int64    // guarded by mu (write)
	_         [64]byte // keeps hot shards off each other's cache lines
}

// New returns a Limiter enforcing t, which it copies; entries that fail
// [Limit.Validate] or whose key is not "service:Operation" are ignored
// ([Load] rejects them). A nil or empty t never throttles.
//
// now is the time source, time.Now if nil. Pass real time, not the domain
// clock: buckets must refill with the wall (monotonic) clock the client's
// retryer waits on, and a domain-clock advance must not refill them. Times
// are measured as now().Sub(the time at New), so the monotonic reading of
// time.Now makes the Limiter immune to wall-clock steps.
func New(t Table, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	l := &Limiter{
		rules: make(map[opKey]rule, len(t)),
		now:   now,
		epoch: now(),
		seed:  maphash.MakeSeed(),
	}
	for key, lim := range t {
		service, op, ok := strings.Cut(key, ":")
		if !ok || lim.Validate() != nil {
			continue
		}
		// Clamped so that tat arithmetic cannot overflow int64 for any
		// valid Limit; 50 years is forever for a request quota.
		interval := int64(min(max(float64(time.Second)/lim.Rate, 1), float64(maxSpan)))
		tolerance := maxSpan
		if n := int64(lim.Burst - 1); n < maxSpan/interval {
			tolerance = n * interval
		}
		l.rules[opKey{service, op}] = rule{interval: interval, tolerance: tolerance}
	}
	for i := range l.shards {
		l.shards[i].buckets = make(map[bucketKey]*bucket)
	}
	return l
}

// Allow reports whether account may call service's operation now, taking a
// token from its bucket if so. It returns true for operations the Table
// does not limit. Service and operation are spelled as in the Table key:
// Allow("123456789012", "account", "EnableRegion").
func (l *Limiter) Allow(account, service, operation string) bool {
	if l == nil || len(l.rules) == 0 {
		return true
	}
	r, ok := l.rules[opKey{service, operation}]
	if !ok {
		return true
	}
	if l.shared != nil {
		return l.allowShared(account, service, operation, r)
	}
	now := int64(l.now().Sub(l.epoch))
	k := bucketKey{account, service, operation}
	s := &l.shards[l.shardOf(account, operation)]

	s.mu.RLock()
	b := s.buckets[k]
	if b != nil {
		ok = b.take(now, r)
		s.mu.RUnlock()
		return l.count(ok)
	}
	s.mu.RUnlock()

	s.mu.Lock()
	if b = s.buckets[k]; b == nil {
		if now-s.lastSweep >= sweepEvery {
			s.sweep(now)
		}
		b = newBucket()
		s.buckets[k] = b
	}
	ok = b.take(now, r)
	s.mu.Unlock()
	return l.count(ok)
}

// Throttled returns how many requests Allow has refused since New.
func (l *Limiter) Throttled() uint64 {
	if l == nil {
		return 0
	}
	return l.throttled.Load()
}

// Buckets returns how many buckets the Limiter holds; full buckets are
// dropped lazily, so this is an upper bound on the ones in use.
func (l *Limiter) Buckets() int {
	if l == nil {
		return 0
	}
	n := 0
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.RLock()
		n += len(s.buckets)
		s.mu.RUnlock()
	}
	return n
}

func (l *Limiter) count(ok bool) bool {
	if !ok {
		l.throttled.Add(1)
	}
	return ok
}

func (l *Limiter) shardOf(account, operation string) uint64 {
	// The service is left out: the same operation name in two services
	// landing in one shard is harmless.
	return (maphash.String(l.seed, account) ^ maphash.String(l.seed, operation)*0x9e3779b97f4a7c15) & (numShards - 1)
}

// take applies the GCRA step at time now (see [Limiter]).
func (b *bucket) take(now int64, r rule) bool {
	for {
		tat := b.tat.Load()
		start := max(tat, now)
		if start-now > r.tolerance {
			return false
		}
		if b.tat.CompareAndSwap(tat, start+r.interval) {
			return true
		}
	}
}

// sweep drops the buckets that are full at now. s.mu must be write-locked.
func (s *shard) sweep(now int64) {
	s.lastSweep = now
	for k, b := range s.buckets {
		if b.tat.Load() <= now {
			delete(s.buckets, k)
		}
	}
}
