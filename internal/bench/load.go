package bench

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"
)

// workload is the stream of requests of one measured operation.
type workload struct {
	name string
	// next returns the call a client makes next; rng is that client's own,
	// n its count of calls so far.
	next func(rng *rand.Rand, n uint64) call
}

// phase is one measurement: a workload driven against one endpoint for a
// fixed time, and what the endpoint's process spent meanwhile.
type phase struct {
	// lat holds the latency of every request that ended (answered, failed
	// or cancelled) in the recorded window, sorted; ok counts those
	// answered 200 and errors the others, of which cancelled were
	// cancelled unanswered.
	lat                   []time.Duration
	ok, errors, cancelled int64
	elapsed               time.Duration
	firstErr              string
	cpu                   time.Duration // the process's CPU time during the phase
	disk                  int64         // bytes it sent to storage during the phase; -1 unknown
	growth                int64         // growth of its data directory during the phase; -1 unknown
}

// drive runs w from clients closed-loop clients against e: each sends a
// request, reads the whole answer, and sends the next, for warmup and then
// d. Requests that end in the warm-up (when connections open) are not
// recorded; every other is, whenever it was sent. Clients send nothing
// after the end of d; a request still unanswered overrun later is
// cancelled and recorded as an error with the time it had waited, so that
// the percentiles are then lower bounds. proc is the process serving e,
// whose counters are read around the recorded window.
func drive(ctx context.Context, e *endpoint, proc *child, w workload, clients int, warmup, d time.Duration) phase {
	start := time.Now()
	warmEnd, end := start.Add(warmup), start.Add(warmup+d)
	overrun := max(10*time.Second, 5*d)
	pctx, cancel := context.WithDeadline(ctx, end.Add(overrun))
	defer cancel()
	type result struct {
		lat                   []time.Duration
		ok, errors, cancelled int64
		firstErr              string
		last                  time.Time
	}
	results := make([]result, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func(r *result, seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
			r.lat = make([]time.Duration, 0, 1024)
			var buf bytes.Buffer
			fail := func(err error) {
				r.errors++
				if r.firstErr == "" {
					r.firstErr = err.Error()
				}
			}
			for n := uint64(0); ; n++ {
				if !time.Now().Before(end) || pctx.Err() != nil {
					return
				}
				req, err := e.request(pctx, w.next(rng, n))
				if err != nil {
					fail(err)
					continue
				}
				status, lat, err := e.send(req, &buf)
				done := time.Now()
				if done.Before(warmEnd) {
					continue
				}
				r.last = done
				r.lat = append(r.lat, lat)
				switch {
				case err == nil && status == http.StatusOK:
					r.ok++
				case err != nil && ctx.Err() == nil && pctx.Err() != nil:
					r.cancelled++
					fail(fmt.Errorf("not answered within %s of the end of the phase", overrun))
				case err != nil:
					fail(err)
				case status != http.StatusOK:
					fail(fmt.Errorf("%d %s", status, snippet(buf.Bytes())))
				}
			}
		}(&results[i], uint64(i)+1)
	}
	time.Sleep(time.Until(warmEnd))
	var u0 usage
	if proc != nil {
		u0 = proc.usage()
	}
	wg.Wait()
	var p phase
	p.disk, p.growth = -1, -1
	last := warmEnd
	for _, r := range results {
		p.lat = append(p.lat, r.lat...)
		p.ok += r.ok
		p.errors += r.errors
		p.cancelled += r.cancelled
		if p.firstErr == "" {
			p.firstErr = r.firstErr
		}
		if r.last.After(last) {
			last = r.last
		}
	}
	p.elapsed = last.Sub(warmEnd)
	if proc != nil {
		u1 := proc.usage()
		p.cpu = u1.CPU - u0.CPU
		if u0.WriteBytes >= 0 && u1.WriteBytes >= 0 {
			p.disk = u1.WriteBytes - u0.WriteBytes
		}
		switch {
		case u0.StoreBytes >= 0 && u1.StoreBytes >= 0:
			p.growth = max(0, u1.StoreBytes-u0.StoreBytes)
		case u0.DirBytes >= 0 && u1.DirBytes >= 0:
			p.growth = max(0, u1.DirBytes-u0.DirBytes) // a checkpoint may truncate the WAL
		}
	}
	slices.Sort(p.lat)
	return p
}

// settle waits, up to limit, until proc has stopped using CPU (less than
// one clock tick, 10% of a core, over 100 ms), so that work left over from one phase (such
// as cancelled requests still running) does not slow the next.
func settle(proc *child, limit time.Duration) {
	deadline := time.Now().Add(limit)
	prev := proc.usage().CPU
	for time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		cur := proc.usage().CPU
		if cur-prev <= clockTick {
			return
		}
		prev = cur
	}
}

// merge pools phases (the rounds of one operation): their requests,
// latencies, time and costs add up.
func merge(ps []phase) phase {
	var m phase
	if len(ps) == 0 {
		m.disk, m.growth = -1, -1
	}
	for _, p := range ps {
		m.ok += p.ok
		m.cancelled += p.cancelled
		m.errors += p.errors
		m.elapsed += p.elapsed
		m.lat = append(m.lat, p.lat...)
		m.cpu += p.cpu
		if m.firstErr == "" {
			m.firstErr = p.firstErr
		}
		m.disk = addKnown(m.disk, p.disk)
		m.growth = addKnown(m.growth, p.growth)
	}
	slices.Sort(m.lat)
	return m
}

// addKnown adds two byte counts of which -1 means unknown.
func addKnown(a, b int64) int64 {
	if a < 0 || b < 0 {
		return -1
	}
	return a + b
}

// Stats summarise a phase (or the pooled rounds of one). Latencies are in
// microseconds; a cost that could not be read is -1.
type Stats struct {
	// Requests counts the requests that ended in the recorded window, the
	// latencies are theirs; Errors counts those not answered 200, and RPS
	// is the rate of those that were.
	Requests int64 `json:"requests"`
	Errors   int64 `json:"errors"`
	// Cancelled counts the errors that are requests cancelled unanswered
	// long after the phase: with any, the percentiles are lower bounds.
	Cancelled int64   `json:"cancelled,omitempty"`
	Seconds   float64 `json:"seconds"`
	RPS       float64 `json:"rps"`
	P50       float64 `json:"p50_us"`
	P90       float64 `json:"p90_us"`
	P99       float64 `json:"p99_us"`
	Max       float64 `json:"max_us"`
	// CPUPerRequest is the serving process's user+system CPU time per
	// request, µs (10 ms resolution over the whole phase).
	CPUPerRequest float64 `json:"cpu_us_per_request"`
	// DiskPerRequest is the bytes the serving process sent to storage per
	// request (/proc/PID/io write_bytes, counted as pages are dirtied: WAL
	// frames and checkpoints included).
	DiskPerRequest float64 `json:"disk_bytes_per_request"`
	// GrowthPerRequest is the growth of its data directory per request:
	// once the WAL has reached its steady size, what the database keeps.
	GrowthPerRequest float64 `json:"growth_bytes_per_request"`
	FirstError       string  `json:"first_error,omitempty"`
}

func (p phase) stats() Stats {
	n := int64(len(p.lat))
	s := Stats{Requests: n, Errors: p.errors, Cancelled: p.cancelled, Seconds: p.elapsed.Seconds(), FirstError: p.firstErr,
		CPUPerRequest: -1, DiskPerRequest: -1, GrowthPerRequest: -1}
	if p.elapsed > 0 {
		s.RPS = float64(p.ok) / p.elapsed.Seconds()
	}
	s.P50, s.P90, s.P99, s.Max = percentile(p.lat, 0.50), percentile(p.lat, 0.90), percentile(p.lat, 0.99), percentile(p.lat, 1)
	if n > 0 {
		s.CPUPerRequest = float64(p.cpu.Microseconds()) / float64(n)
		if p.disk >= 0 {
			s.DiskPerRequest = float64(p.disk) / float64(n)
		}
		if p.growth >= 0 {
			s.GrowthPerRequest = float64(p.growth) / float64(n)
		}
	}
	return s
}

// percentile is the q-quantile of sorted (nearest rank), in µs.
func percentile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	i = min(max(i, 0), len(sorted)-1)
	return float64(sorted[i].Nanoseconds()) / 1e3
}
