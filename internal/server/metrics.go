package server

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// metrics are the Prometheus metrics at GET /_accountplane/metrics, in the
// text exposition format (no client library: a few counters and one
// histogram).
type metrics struct {
	mu        sync.Mutex
	requests  map[requestKey]uint64
	latencies map[opKey]*histogram
	faults    atomic.Uint64
	// extra gauges and counters from the rest of the emulator
	sources []MetricSource
}

// MetricSource adds metrics of another part of the emulator (throttling,
// pending transitions, …): it returns samples as name → value, names
// already prefixed accountplane_.
type MetricSource func() map[string]float64

type opKey struct{ service, operation string }

type requestKey struct {
	opKey
	status int
}

// latencyBuckets are the histogram's upper bounds in seconds.
var latencyBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

type histogram struct {
	counts []uint64 // per bucket, not cumulative; the last is +Inf
	sum    float64
	n      uint64
}

func newMetrics() *metrics {
	return &metrics{requests: map[requestKey]uint64{}, latencies: map[opKey]*histogram{}}
}

func (m *metrics) observe(service, operation string, status int, d time.Duration) {
	if service == "" || service == "admin" {
		return
	}
	k := opKey{service, operation}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[requestKey{k, status}]++
	h := m.latencies[k]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(latencyBuckets)+1)}
		m.latencies[k] = h
	}
	sec := d.Seconds()
	i := sort.SearchFloat64s(latencyBuckets, sec)
	h.counts[i]++
	h.sum += sec
	h.n++
}

func (m *metrics) faultInjected() { m.faults.Add(1) }

func label(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

func (m *metrics) write(w http.ResponseWriter) {
	var b strings.Builder
	m.mu.Lock()
	b.WriteString("# HELP accountplane_requests_total AWS API requests by service, operation and HTTP status.\n# TYPE accountplane_requests_total counter\n")
	keys := make([]requestKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, c := keys[i], keys[j]
		if a.service != c.service {
			return a.service < c.service
		}
		if a.operation != c.operation {
			return a.operation < c.operation
		}
		return a.status < c.status
	})
	for _, k := range keys {
		fmt.Fprintf(&b, "accountplane_requests_total{service=%q,operation=%q,status=\"%d\"} %d\n", label(k.service), label(k.operation), k.status, m.requests[k])
	}
	b.WriteString("# HELP accountplane_request_duration_seconds Latency of AWS API requests.\n# TYPE accountplane_request_duration_seconds histogram\n")
	ops := make([]opKey, 0, len(m.latencies))
	for k := range m.latencies {
		ops = append(ops, k)
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].service != ops[j].service {
			return ops[i].service < ops[j].service
		}
		return ops[i].operation < ops[j].operation
	})
	for _, k := range ops {
		h := m.latencies[k]
		lbl := fmt.Sprintf("service=%q,operation=%q", label(k.service), label(k.operation))
		var cum uint64
		for i, le := range latencyBuckets {
			cum += h.counts[i]
			fmt.Fprintf(&b, "accountplane_request_duration_seconds_bucket{%s,le=\"%s\"} %d\n", lbl, strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		cum += h.counts[len(latencyBuckets)]
		fmt.Fprintf(&b, "accountplane_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", lbl, cum)
		fmt.Fprintf(&b, "accountplane_request_duration_seconds_sum{%s} %s\n", lbl, strconv.FormatFloat(h.sum, 'g', -1, 64))
		fmt.Fprintf(&b, "accountplane_request_duration_seconds_count{%s} %d\n", lbl, h.n)
	}
	sources := m.sources
	m.mu.Unlock()
	b.WriteString("# HELP accountplane_faults_injected_total Calls answered by a fault rule.\n# TYPE accountplane_faults_injected_total counter\n")
	fmt.Fprintf(&b, "accountplane_faults_injected_total %d\n", m.faults.Load())
	for _, src := range sources {
		samples := src()
		names := make([]string, 0, len(samples))
		for n := range samples {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(&b, "%s %s\n", n, strconv.FormatFloat(samples[n], 'g', -1, 64))
		}
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	s.metrics.write(w)
}
