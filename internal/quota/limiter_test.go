package quota_test

import (
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/quota"
)

// fakeClock is a race-safe injectable clock that moves only when told.
type fakeClock struct{ ns atomic.Int64 }

var start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func (c *fakeClock) Now() time.Time          { return start.Add(time.Duration(c.ns.Load())) }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }
func newLimiter(t quota.Table) (*quota.Limiter, *fakeClock) {
	c := new(fakeClock)
	return quota.New(t, c.Now), c
}

const acct = "111111111111"

// drain calls Allow n times and returns how many were allowed.
func drain(l *quota.Limiter, account, service, op string, n int) int {
	allowed := 0
	for range n {
		if l.Allow(account, service, op) {
			allowed++
		}
	}
	return allowed
}

func TestBurstThenRefill(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		limit quota.Limit
	}{
		{"EnableRegion 1/1", quota.Limit{Rate: 1, Burst: 1}},
		{"DeleteAlternateContact 1/6", quota.Limit{Rate: 1, Burst: 6}},
		{"GetContactInformation 10/15", quota.Limit{Rate: 10, Burst: 15}},
		{"PutContactInformation 5/8", quota.Limit{Rate: 5, Burst: 8}},
		{"half a token per second", quota.Limit{Rate: 0.5, Burst: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l, clk := newLimiter(quota.Table{"account:Op": tt.limit})
			interval := time.Duration(float64(time.Second) / tt.limit.Rate)
			b := tt.limit.Burst

			if got := drain(l, acct, "account", "Op", b+5); got != b {
				t.Fatalf("full bucket: %d of %d allowed, want the burst %d", got, b+5, b)
			}
			clk.Advance(interval - time.Nanosecond)
			if l.Allow(acct, "account", "Op") {
				t.Fatalf("allowed %v after exhaustion, before one token refilled", interval-time.Nanosecond)
			}
			clk.Advance(time.Nanosecond)
			if got := drain(l, acct, "account", "Op", 3); got != 1 {
				t.Fatalf("after one interval: %d allowed, want 1", got)
			}
			// Refill is capped at the burst however long the bucket idles.
			clk.Advance(time.Hour)
			if got := drain(l, acct, "account", "Op", b+5); got != b {
				t.Fatalf("after an hour idle: %d allowed, want the burst %d", got, b)
			}
			if got, want := l.Throttled(), uint64(5+1+2+5); got != want {
				t.Errorf("Throttled() = %d, want %d", got, want)
			}
		})
	}
}

func TestContinuousRefill(t *testing.T) {
	t.Parallel()
	l, clk := newLimiter(quota.Table{"account:GetContactInformation": {Rate: 10, Burst: 15}})
	drain(l, acct, "account", "GetContactInformation", 15)
	// 250ms at 10/s refills 2.5 tokens: two requests pass, the third waits
	// for the half token to become whole at 300ms.
	clk.Advance(250 * time.Millisecond)
	if got := drain(l, acct, "account", "GetContactInformation", 3); got != 2 {
		t.Errorf("after 250ms: %d allowed, want 2", got)
	}
	clk.Advance(50 * time.Millisecond)
	if got := drain(l, acct, "account", "GetContactInformation", 3); got != 1 {
		t.Errorf("after 300ms: %d allowed, want 1", got)
	}
	// Sustained: one request every 100ms is never throttled.
	for i := range 100 {
		clk.Advance(100 * time.Millisecond)
		if !l.Allow(acct, "account", "GetContactInformation") {
			t.Fatalf("request %d at the sustained rate was throttled", i)
		}
	}
}

func TestIsolation(t *testing.T) {
	t.Parallel()
	table := quota.Table{
		"account:EnableRegion":          {Rate: 1, Burst: 1},
		"account:DisableRegion":         {Rate: 1, Burst: 1},
		"organizations:EnableRegion":    {Rate: 1, Burst: 1},
		"account:GetContactInformation": {Rate: 10, Burst: 15},
	}
	l, _ := newLimiter(table)
	if !l.Allow(acct, "account", "EnableRegion") || l.Allow(acct, "account", "EnableRegion") {
		t.Fatal("EnableRegion: want one allowed, then throttled")
	}
	tests := []struct {
		name, account, service, op string
	}{
		{"other account, same operation", "222222222222", "account", "EnableRegion"},
		{"same account, other operation", acct, "account", "DisableRegion"},
		{"same operation name, other service", acct, "organizations", "EnableRegion"},
		{"same account, other limited operation", acct, "account", "GetContactInformation"},
	}
	for _, tt := range tests {
		if !l.Allow(tt.account, tt.service, tt.op) {
			t.Errorf("%s: throttled by another bucket", tt.name)
		}
	}
	if got := l.Throttled(); got != 1 {
		t.Errorf("Throttled() = %d, want 1", got)
	}
}

func TestUnlimited(t *testing.T) {
	t.Parallel()
	l, _ := newLimiter(quota.AWS())
	if got := drain(l, acct, "organizations", "ListAccounts", 1000); got != 1000 {
		t.Errorf("operation absent from the table: %d of 1000 allowed", got)
	}
	if got := drain(l, acct, "iam", "EnableRegion", 1000); got != 1000 {
		t.Errorf("operation name of another service: %d of 1000 allowed", got)
	}
	if l.Throttled() != 0 || l.Buckets() != 0 {
		t.Errorf("unlimited operations: Throttled() = %d, Buckets() = %d; want 0, 0", l.Throttled(), l.Buckets())
	}
}

func TestOff(t *testing.T) {
	t.Parallel()
	table, err := quota.Parse("off")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		l    *quota.Limiter
	}{
		{"Parse(off)", quota.New(table, nil)},
		{"empty table", quota.New(quota.Table{}, nil)},
		{"nil limiter", nil},
	}
	for _, tt := range tests {
		if got := drain(tt.l, acct, "account", "EnableRegion", 1000); got != 1000 {
			t.Errorf("%s: %d of 1000 EnableRegion allowed, want all", tt.name, got)
		}
		if tt.l.Throttled() != 0 || tt.l.Buckets() != 0 {
			t.Errorf("%s: Throttled() = %d, Buckets() = %d; want 0, 0", tt.name, tt.l.Throttled(), tt.l.Buckets())
		}
	}
}

func TestNewIgnoresInvalidEntries(t *testing.T) {
	t.Parallel()
	l, _ := newLimiter(quota.Table{
		"account:A": {Rate: 0, Burst: 1},
		"account:B": {Rate: 1, Burst: 0},
		"C":         {Rate: 1, Burst: 1},
	})
	for _, op := range []string{"A", "B", "C"} {
		if got := drain(l, acct, "account", op, 10); got != 10 {
			t.Errorf("invalid entry %s: %d of 10 allowed, want all", op, got)
		}
	}
}

func TestRealClock(t *testing.T) {
	t.Parallel()
	l := quota.New(quota.AWS(), nil) // time.Now
	// EnableRegion refills one token a second; these calls take microseconds.
	if got := drain(l, acct, "account", "EnableRegion", 5); got != 1 {
		t.Errorf("EnableRegion with the real clock: %d of 5 allowed, want 1", got)
	}
}

func TestClockBeforeNew(t *testing.T) {
	t.Parallel()
	l, clk := newLimiter(quota.Table{"account:Op": {Rate: 1, Burst: 2}})
	clk.Advance(-time.Hour)
	if got := drain(l, acct, "account", "Op", 5); got != 2 {
		t.Errorf("clock behind its reading at New: %d allowed, want the burst 2", got)
	}
}

func TestEviction(t *testing.T) {
	t.Parallel()
	l, clk := newLimiter(quota.Table{
		"account:EnableRegion": {Rate: 1, Burst: 1},
		"account:Slow":         {Rate: 0.01, Burst: 1}, // refills in 100s
	})
	const n = 10000 // enough new keys to touch every shard, and so sweep it
	wave := func(prefix string) {
		for i := range n {
			l.Allow(prefix+strconv.Itoa(i), "account", "EnableRegion")
		}
	}
	if !l.Allow("slow", "account", "Slow") {
		t.Fatal("Slow: first request throttled")
	}
	wave("a")
	if got := l.Buckets(); got != n+1 {
		t.Fatalf("after %d accounts: Buckets() = %d, want %d", n, got, n+1)
	}
	// After a minute the EnableRegion buckets are full again and can go;
	// the Slow one is not, and must stay or its account would get a free
	// burst.
	clk.Advance(time.Minute)
	wave("b")
	if got := l.Buckets(); got != n+1 {
		t.Errorf("after idle buckets were swept: Buckets() = %d, want %d", got, n+1)
	}
	if l.Allow("slow", "account", "Slow") {
		t.Error("Slow: an unrefilled bucket was evicted (request allowed 60s into a 100s refill)")
	}
	// Evicted buckets come back full: the same decision as if kept.
	if got := drain(l, "a0", "account", "EnableRegion", 2); got != 1 {
		t.Errorf("account whose bucket was evicted: %d of 2 allowed, want 1", got)
	}
}

func TestConcurrentAllow(t *testing.T) {
	t.Parallel()
	const (
		goroutines = 16
		calls      = 2000
		burst      = 100
	)
	l, clk := newLimiter(quota.Table{
		// About 11.6 days per token: no refill within the test, however far
		// the clock moves.
		"account:Shared": {Rate: 1e-6, Burst: burst},
		"account:Own":    {Rate: 1e-6, Burst: 3},
		// Full again a nanosecond after use, so sweeps evict these.
		"account:Churn": {Rate: 1e9, Burst: 1},
	})
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := fmt.Sprintf("%012d", g)
			own := 0
			for i := range calls {
				if l.Allow(acct, "account", "Shared") {
					allowed.Add(1)
				}
				if l.Allow(mine, "account", "Own") {
					own++
				}
				// New keys and a clock past the sweep period, so that shards
				// sweep while other goroutines take tokens.
				if !l.Allow(fmt.Sprintf("%s-%d", mine, i), "account", "Churn") {
					t.Errorf("goroutine %d: fresh Churn bucket throttled", g)
				}
				if i%100 == 0 {
					clk.Advance(31 * time.Second)
				}
			}
			if own != 3 {
				t.Errorf("goroutine %d: own bucket allowed %d, want 3", g, own)
			}
		}()
	}
	wg.Wait()
	if got := allowed.Load(); got != burst {
		t.Errorf("shared bucket: %d allowed across %d goroutines, want exactly the burst %d", got, goroutines, burst)
	}
	if got, want := l.Throttled(), uint64(goroutines*calls-burst+goroutines*(calls-3)); got != want {
		t.Errorf("Throttled() = %d, want %d", got, want)
	}
	if got, max := l.Buckets(), 1+goroutines+goroutines*calls/2; got > max {
		t.Errorf("Buckets() = %d after churn, want sweeps to have kept it under %d", got, max)
	}
}

// BenchmarkAllow measures the request path: one hot bucket shared by all
// goroutines (the worst case), one bucket per goroutine, many accounts, and
// an operation the table does not limit. Real time, as in the server.
func BenchmarkAllow(b *testing.B) {
	table := quota.AWS()
	table["account:Hot"] = quota.Limit{Rate: 1e9, Burst: 1e6}
	b.Run("shared bucket", func(b *testing.B) {
		l := quota.New(table, nil)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				l.Allow(acct, "account", "Hot")
			}
		})
	})
	b.Run("bucket per goroutine", func(b *testing.B) {
		l := quota.New(table, nil)
		var id atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			mine := fmt.Sprintf("%012d", id.Add(1))
			for pb.Next() {
				l.Allow(mine, "account", "Hot")
			}
		})
	})
	b.Run("1000 accounts throttled", func(b *testing.B) {
		l := quota.New(table, nil)
		accounts := make([]string, 1000)
		for i := range accounts {
			accounts[i] = fmt.Sprintf("%012d", i)
		}
		var id atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			i := int(id.Add(1)) * 7919
			for pb.Next() {
				l.Allow(accounts[i%len(accounts)], "account", "GetContactInformation")
				i++
			}
		})
	})
	b.Run("unlimited operation", func(b *testing.B) {
		l := quota.New(table, nil)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				l.Allow(acct, "organizations", "ListAccounts")
			}
		})
	})
}
