package events_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/events"
)

// target makes url the bus's only webhook target and starts delivering.
func (e *env) target(url string) {
	e.t.Helper()
	tg, err := events.NewTarget(url, "")
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.bus.SetTargets(context.Background(), []events.Target{tg}); err != nil {
		e.t.Fatal(err)
	}
	e.bus.Start()
}

func (e *env) dead() []events.Delivery {
	e.t.Helper()
	ds, err := e.bus.DeadDeliveries(context.Background(), 100)
	if err != nil {
		e.t.Fatal(err)
	}
	return ds
}

// TestWebhookRedirectIsAFailure: a 3xx answer is not followed; it is a
// failed delivery, retried, and dead once it has failed for a day.
func TestWebhookRedirectIsAFailure(t *testing.T) {
	var followed atomic.Int64
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		followed.Add(1)
	}))
	t.Cleanup(elsewhere.Close)
	var attempts atomic.Int64
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		http.Redirect(w, r, elsewhere.URL, http.StatusFound)
	}))
	t.Cleanup(redirector.Close)

	clk := newClock()
	e := newEnv(t, "", clk, time.Hour)
	e.target(redirector.URL)
	e.signUp("111111111111")
	e.enable("111111111111", "111111111111", "ap-east-1")

	// The second attempt starts after the first one's answer was taken as
	// a failure: had the client followed the redirect, it would have
	// reached elsewhere before that.
	waitFor(t, func() bool { return attempts.Load() >= 2 })
	if n := followed.Load(); n != 0 {
		t.Fatalf("the redirect was followed %d times", n)
	}
	if got := e.bus.Metrics()["accountplane_event_delivery_failures_total"]; got < 1 {
		t.Errorf("failures %v, want at least 1", got)
	}
	if d := e.dead(); len(d) != 0 {
		t.Fatalf("dead before a day has passed: %+v", d)
	}

	start := clk.Now()
	clk.Advance(24 * time.Hour)
	waitFor(t, func() bool { return len(e.dead()) == 1 })
	d := e.dead()[0]
	if !strings.Contains(d.LastError, "302") || d.TargetURL != redirector.URL || d.Attempts < 2 ||
		d.Event.DetailType != events.DetailTypeRegion || d.FirstAttempt.After(start) || d.Dead.Before(start.Add(24*time.Hour)) {
		t.Errorf("dead delivery %+v", d)
	}
	if n := followed.Load(); n != 0 {
		t.Errorf("the redirect was followed %d times", n)
	}
	m := e.bus.Metrics()
	if m["accountplane_event_deliveries_dead"] != 1 || m["accountplane_event_deliveries_pending"] != 0 {
		t.Errorf("metrics: %v dead, %v pending; want 1, 0", m["accountplane_event_deliveries_dead"], m["accountplane_event_deliveries_pending"])
	}
}

// flaky is a webhook target that fails while down and records the ids of
// the events it takes.
type flaky struct {
	*httptest.Server
	down     atomic.Bool
	attempts atomic.Int64
	mu       sync.Mutex
	got      []string
	took     chan struct{} // receives after each event taken
}

func newFlaky(t *testing.T) *flaky {
	f := &flaky{took: make(chan struct{}, 100)}
	f.down.Store(true)
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.attempts.Add(1)
		if f.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		b, _ := io.ReadAll(r.Body)
		ev := decode(t, b)
		f.mu.Lock()
		f.got = append(f.got, ev.ID)
		f.mu.Unlock()
		f.took <- struct{}{}
	}))
	t.Cleanup(f.Close)
	return f
}

// next waits for the next event the target takes and returns every id it
// has taken.
func (f *flaky) next(t *testing.T) []string {
	t.Helper()
	select {
	case <-f.took:
	case <-time.After(10 * time.Second):
		t.Fatal("no event delivered in 10s")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.got...)
}

// TestWebhookDeadAndRetry: a delivery that still fails a day (domain time)
// after its first attempt is dead: kept, no longer attempted while later
// events go through, and sent again once retried.
func TestWebhookDeadAndRetry(t *testing.T) {
	hook := newFlaky(t)
	clk := newClock()
	e := newEnv(t, "", clk, time.Hour)
	e.target(hook.URL)
	e.signUp("111111111111")
	start := clk.Now()
	e.enable("111111111111", "111111111111", "ap-east-1")
	first := e.log()[0]

	waitFor(t, func() bool { return hook.attempts.Load() >= 1 })
	clk.Advance(23 * time.Hour)
	before := hook.attempts.Load()
	waitFor(t, func() bool { return hook.attempts.Load() >= before+2 })
	if d := e.dead(); len(d) != 0 {
		t.Fatalf("dead after 23h: %+v", d)
	}
	clk.Advance(time.Hour)
	waitFor(t, func() bool { return len(e.dead()) == 1 })
	d := e.dead()[0]
	if d.Event.ID != first.ID || !d.FirstAttempt.Equal(start) || d.Attempts < 3 || !strings.Contains(d.LastError, "503") {
		t.Errorf("dead delivery %+v; want event %s first tried at %v, failed 3+ times with 503", d, first.ID, start)
	}

	// The target recovers. Later events go through (the request first
	// completes ap-east-1, then starts me-south-1); the dead one is not
	// sent (were it pending, it would go first, being older).
	hook.down.Store(false)
	e.enable("111111111111", "111111111111", "me-south-1")
	log := e.log()
	if len(log) != 3 {
		t.Fatalf("log: %v", summary(log))
	}
	later := []string{log[1].ID, log[2].ID}
	hook.next(t)
	if got := hook.next(t); strings.Join(got, " ") != strings.Join(later, " ") {
		t.Fatalf("delivered %v, want only the later events %v", got, later)
	}

	if err := e.bus.RetryDelivery(context.Background(), events.DeliveryID{Target: d.TargetID, Seq: d.Seq + 100}); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("retry of an unknown delivery: %v, want ErrNotFound", err)
	}
	id, err := events.ParseDeliveryID(d.ID().String())
	if err != nil || id != d.ID() {
		t.Fatalf("ParseDeliveryID(%q) = %v, %v", d.ID().String(), id, err)
	}
	if err := e.bus.RetryDelivery(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if got := hook.next(t); len(got) != 3 || got[2] != first.ID {
		t.Fatalf("delivered %v, want the retried event %s after %v", got, first.ID, later)
	}
	waitFor(t, func() bool {
		m := e.bus.Metrics()
		return m["accountplane_event_deliveries_pending"] == 0 && m["accountplane_event_deliveries_dead"] == 0
	})
	if err := e.bus.RetryDelivery(context.Background(), id); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("second retry of a delivered event: %v, want ErrNotFound", err)
	}
}

func TestParseDeliveryID(t *testing.T) {
	tests := []struct {
		in   string
		want events.DeliveryID
		ok   bool
	}{
		{"0123456789abcdef-42", events.DeliveryID{Target: "0123456789abcdef", Seq: 42}, true},
		{"0123456789abcdef", events.DeliveryID{}, false},
		{"-42", events.DeliveryID{}, false},
		{"abc-0", events.DeliveryID{}, false},
		{"abc-x", events.DeliveryID{}, false},
	}
	for _, tt := range tests {
		got, err := events.ParseDeliveryID(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseDeliveryID(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
