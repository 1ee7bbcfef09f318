package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/account/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

var busEventID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// busEvent is a Region Opt-In Status Change event as delivered.
type busEvent struct {
	Version    string   `json:"version"`
	ID         string   `json:"id"`
	DetailType string   `json:"detail-type"`
	Source     string   `json:"source"`
	Account    string   `json:"account"`
	Time       string   `json:"time"`
	Region     string   `json:"region"`
	Resources  []string `json:"resources"`
	Detail     struct {
		AccountID  string `json:"accountId"`
		RegionName string `json:"regionName"`
		Status     string `json:"status"`
	} `json:"detail"`
}

// decodeBusEvent decodes an event, refusing members the spec does not show.
func decodeBusEvent(t *testing.T, b []byte) busEvent {
	t.Helper()
	var ev busEvent
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		t.Fatalf("event %s: %v", b, err)
	}
	return ev
}

func statuses(evs []busEvent) string {
	s := make([]string, len(evs))
	for i, ev := range evs {
		s[i] = ev.Detail.RegionName + "/" + ev.Detail.Status
	}
	return strings.Join(s, " ")
}

// eventStream is a GET /_accountplane/events connection.
type eventStream struct {
	events chan []byte
}

// openEventStream subscribes with pattern ("" for all) and returns once the
// server has answered (the subscription then exists).
func openEventStream(t *testing.T, srv *accountplanetest.Server, pattern string) *eventStream {
	t.Helper()
	u := srv.URL + "/_accountplane/events"
	if pattern != "" {
		u += "?pattern=" + url.QueryEscape(pattern)
	}
	sctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(sctx, http.MethodGet, u, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("GET %s: %s %s %s", u, resp.Status, resp.Header.Get("Content-Type"), b)
	}
	s := &eventStream{events: make(chan []byte, 100)}
	ready := make(chan struct{})
	go func() {
		defer resp.Body.Close()
		defer close(s.events)
		sc := bufio.NewScanner(resp.Body)
		first := true
		var data []byte
		for sc.Scan() {
			line := sc.Text()
			if first {
				first = false
				close(ready)
			}
			switch {
			case strings.HasPrefix(line, "data: "):
				data = append(data, strings.TrimPrefix(line, "data: ")...)
			case line == "" && data != nil:
				s.events <- data
				data = nil
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(eventWait):
		t.Fatal("the event stream sent nothing")
	}
	return s
}

// eventWait is how long a test waits for an event that must come: long,
// since a passing run never waits it out and a loaded CI machine with the
// race detector may take seconds.
const eventWait = 30 * time.Second

// next returns the stream's next event, failing after eventWait.
func (s *eventStream) next(t *testing.T) busEvent {
	t.Helper()
	select {
	case b, ok := <-s.events:
		if !ok {
			t.Fatal("the event stream ended")
		}
		return decodeBusEvent(t, b)
	case <-time.After(eventWait):
		t.Fatalf("no event in %v", eventWait)
	}
	return busEvent{}
}

// eventHook is a webhook target served by the test; it answers 500 while
// down.
type eventHook struct {
	*httptest.Server
	down     atomic.Bool
	attempts atomic.Int64
	mu       sync.Mutex
	got      map[string][]busEvent // by path
}

func newEventHook(t *testing.T) *eventHook {
	h := &eventHook{got: map[string][]busEvent{}}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.attempts.Add(1)
		if h.down.Load() {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("webhook request %s with Content-Type %q", r.Method, r.Header.Get("Content-Type"))
		}
		b, _ := io.ReadAll(r.Body)
		ev := decodeBusEvent(t, b)
		h.mu.Lock()
		h.got[r.URL.Path] = append(h.got[r.URL.Path], ev)
		h.mu.Unlock()
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *eventHook) received(path string) []busEvent {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]busEvent(nil), h.got[path]...)
}

// poll waits up to 10s for cond.
func poll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// writeEventSeed writes a seed declaring the hook's targets: "/all" gets
// every Region event, "/enabled" only ENABLED ones (a JSON-string pattern).
func writeEventSeed(t *testing.T, h *eventHook) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "seed.yaml")
	seed := fmt.Sprintf(`eventTargets:
  - url: %s/all
    pattern:
      source: ["aws.account"]
      detail-type: ["Region Opt-In Status Change"]
  - url: %s/enabled
    pattern: '{"detail":{"status":["ENABLED"]}}'
`, h.URL, h.URL)
	if err := os.WriteFile(p, []byte(seed), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// adminDo sends an admin request and returns the body of a 200 answer.
func adminDo(t *testing.T, srv *accountplanetest.Server, method, path, body string) []byte {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %s %s", method, path, resp.Status, b)
	}
	return b
}

func metric(t *testing.T, srv *accountplanetest.Server, name string) string {
	t.Helper()
	for _, line := range strings.Split(string(adminDo(t, srv, http.MethodGet, "/_accountplane/metrics", "")), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return v
		}
	}
	t.Fatalf("metric %s not exposed", name)
	return ""
}

func TestRegionEventsStreamAndWebhook(t *testing.T) {
	t.Parallel()
	h := newEventHook(t)
	srv, client := start(t, accountplanetest.Options{RegionTransitionDelay: time.Hour, Seed: writeEventSeed(t, h)})
	// Region events only: the calls also emit API call events.
	all := openEventStream(t, srv, `{"detail-type":["Region Opt-In Status Change"]}`)
	done := openEventStream(t, srv, `{"source":["aws.account"],"detail-type":["Region Opt-In Status Change"],"detail":{"status":["ENABLED","DISABLED"]}}`)
	const region = "ap-east-1"

	if err := enable(t, client, region); err != nil {
		t.Fatal(err)
	}
	var clk struct {
		Now time.Time `json:"now"`
	}
	_ = json.Unmarshal(adminDo(t, srv, http.MethodGet, "/_accountplane/clock", ""), &clk)
	enabling := all.next(t)
	t.Run("EventFormat", func(t *testing.T) {
		ev := enabling
		if ev.Version != "0" || ev.DetailType != "Region Opt-In Status Change" || ev.Source != "aws.account" ||
			ev.Account != defaultAccountID || ev.Region != "us-east-1" ||
			len(ev.Resources) != 1 || ev.Resources[0] != "arn:aws:account::"+defaultAccountID+":account" ||
			ev.Detail.AccountID != defaultAccountID || ev.Detail.RegionName != region || ev.Detail.Status != "ENABLING" {
			t.Errorf("ENABLING event %+v", ev)
		}
		if !busEventID.MatchString(ev.ID) {
			t.Errorf("id %q is not a UUID", ev.ID)
		}
		at, err := time.Parse(time.RFC3339, ev.Time)
		if err != nil || !strings.HasSuffix(ev.Time, "Z") || at.Sub(clk.Now).Abs() > 5*time.Second {
			t.Errorf("time %q, want the domain time %v in RFC 3339 UTC (%v)", ev.Time, clk.Now, err)
		}
	})
	wantStatus(t, client, region, types.RegionOptStatusEnabling)

	adminDo(t, srv, http.MethodPost, "/_accountplane/clock", `{"advance":"1h"}`)
	enabled := all.next(t)
	if enabled.Detail.Status != "ENABLED" || enabled.Detail.RegionName != region || enabled.ID == enabling.ID {
		t.Errorf("second event %+v, want ENABLED", enabled)
	}
	if t0, t1 := mustTime(t, enabling.Time), mustTime(t, enabled.Time); t1.Sub(t0) != time.Hour {
		t.Errorf("ENABLED at %s, ENABLING at %s: want the delay (1h) between them", enabled.Time, enabling.Time)
	}
	if ev := done.next(t); ev.ID != enabled.ID {
		t.Errorf("filtered stream: first event %+v, want the ENABLED one (ENABLING filtered out)", ev)
	}
	wantStatus(t, client, region, types.RegionOptStatusEnabled)

	t.Run("Webhooks", func(t *testing.T) {
		poll(t, "the webhook deliveries", func() bool { return len(h.received("/all")) >= 2 && len(h.received("/enabled")) >= 1 })
		if got := statuses(h.received("/all")); got != region+"/ENABLING "+region+"/ENABLED" {
			t.Errorf("/all received %s", got)
		}
		if got := h.received("/all"); got[0].ID != enabling.ID || got[1].ID != enabled.ID {
			t.Errorf("/all received other events than the stream: %+v", got)
		}
		if got := statuses(h.received("/enabled")); got != region+"/ENABLED" {
			t.Errorf("/enabled received %s", got)
		}
		poll(t, "no pending delivery", func() bool { return metric(t, srv, "accountplane_event_deliveries_pending") == "0" })
	})
	t.Run("BadPattern", func(t *testing.T) {
		resp, err := http.Get(srv.URL + "/_accountplane/events?pattern=" + url.QueryEscape(`{"source":"aws.account"}`))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "pattern") {
			t.Errorf("bad pattern: %s %s", resp.Status, b)
		}
	})
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("time %q: %v", s, err)
	}
	return at
}

// TestWebhookDownSurvivesRestart: a webhook that is down gets the events
// once it is back, after a restart (the deliveries are in the store) and
// without one; a transition that fell due while the server was down
// completes when it starts again.
func TestWebhookDownSurvivesRestart(t *testing.T) {
	t.Parallel()
	h := newEventHook(t)
	h.down.Store(true)
	clk := newClock()
	opts := accountplanetest.Options{
		DataDir: filepath.Join(t.TempDir(), "data"), Seed: writeEventSeed(t, h),
		RegionTransitionDelay: time.Hour, Now: clk.Now,
	}
	const region = "il-central-1"

	srv, client := start(t, opts)
	if err := enable(t, client, region); err != nil {
		t.Fatal(err)
	}
	poll(t, "failed attempts", func() bool { return h.attempts.Load() >= 2 })
	if got := metric(t, srv, "accountplane_event_deliveries_pending"); got != "1" {
		t.Errorf("pending deliveries while down: %s, want 1", got)
	}
	srv.Stop(t)

	h.down.Store(false)
	clk.Advance(2 * time.Hour) // due while the server is down
	srv, client = start(t, opts)
	poll(t, "the deliveries after the restart", func() bool { return len(h.received("/all")) >= 2 })
	if got := statuses(h.received("/all")); got != region+"/ENABLING "+region+"/ENABLED" {
		t.Errorf("after the restart /all received %s", got)
	}
	wantStatus(t, client, region, types.RegionOptStatusEnabled)

	t.Run("ComesBackWithoutRestart", func(t *testing.T) {
		h.down.Store(true)
		before := h.attempts.Load()
		if err := disable(t, client, region); err != nil {
			t.Fatal(err)
		}
		poll(t, "failed attempts", func() bool { return h.attempts.Load() >= before+2 })
		clk.Advance(time.Hour) // DISABLED is emitted by the scheduler, queued behind DISABLING
		h.down.Store(false)
		poll(t, "the deliveries", func() bool { return len(h.received("/all")) >= 4 })
		if got := statuses(h.received("/all")[2:]); got != region+"/DISABLING "+region+"/DISABLED" {
			t.Errorf("/all received %s", got)
		}
		seen := map[string]bool{}
		for _, ev := range h.received("/all") {
			if seen[ev.ID] {
				t.Errorf("event %s delivered twice", ev.ID)
			}
			seen[ev.ID] = true
		}
	})
}
