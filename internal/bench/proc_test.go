package bench

import (
	"testing"
	"time"
)

func TestStatCPU(t *testing.T) {
	tests := []struct {
		name, stat string
		want       time.Duration
	}{
		{"plain", "4242 (accountplane) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 30 0 0 20 0 8 0 100 1000 200", 2800 * time.Millisecond},
		{"name with spaces and parentheses", "7 (a) b (c) R 1 7 7 0 -1 0 0 0 0 0 1 2 0 0 20 0", 30 * time.Millisecond},
		{"truncated", "7 (a) R 1 7", 0},
		{"no name", "garbage", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := statCPU([]byte(tt.stat)); got != tt.want {
				t.Errorf("statCPU: got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestStatusBytes(t *testing.T) {
	status := []byte("Name:\taccountplane\nVmHWM:\t   27816 kB\nVmRSS:\t   19956 kB\n")
	if got, want := statusBytes(status, "VmHWM:"), int64(27816<<10); got != want {
		t.Errorf("VmHWM: got %d, want %d", got, want)
	}
	if got := statusBytes(status, "VmSwap:"); got != 0 {
		t.Errorf("VmSwap (absent): got %d, want 0", got)
	}
}

func TestPercentile(t *testing.T) {
	var lat []time.Duration
	for i := 1; i <= 100; i++ {
		lat = append(lat, time.Duration(i)*time.Microsecond)
	}
	tests := []struct {
		q    float64
		want float64
	}{{0.5, 50}, {0.9, 90}, {0.99, 99}, {1, 100}, {0, 1}}
	for _, tt := range tests {
		if got := percentile(lat, tt.q); got != tt.want {
			t.Errorf("percentile(%v): got %v µs, want %v", tt.q, got, tt.want)
		}
	}
	if got := percentile(nil, 0.5); got != 0 {
		t.Errorf("percentile of nothing: got %v, want 0", got)
	}
}

func TestNiceScale(t *testing.T) {
	tests := []struct{ max, step, top float64 }{
		{max: 12345, step: 5000, top: 15000},
		{max: 0.8, step: 0.2, top: 0.8},
		{max: 3.1, step: 1, top: 4},
		{max: 0, step: 1, top: 5},
	}
	for _, tt := range tests {
		step, top := niceScale(tt.max)
		if step != tt.step || top != tt.top {
			t.Errorf("niceScale(%v): got step %v top %v, want %v %v", tt.max, step, top, tt.step, tt.top)
		}
	}
}
