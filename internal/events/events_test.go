package events_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/events"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/sqlite"
)

// domainClock is a movable clock, safe for concurrent use.
type domainClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *domainClock {
	return &domainClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *domainClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *domainClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// manager lets every caller act on every account (organizations mode).
type manager struct{}

func (manager) CanManage(context.Context, identity.AccountID, identity.AccountID) (bool, error) {
	return true, nil
}
func (manager) OrgOf(context.Context, identity.AccountID) (string, bool, error) {
	return "", false, nil
}
func (manager) Peers(context.Context, identity.AccountID) ([]identity.AccountID, error) {
	return nil, nil
}

type env struct {
	t     *testing.T
	path  string
	db    *sqlite.DB
	bus   *events.Service
	svc   *account.Service
	clock *domainClock
	delay time.Duration
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// newEnv opens a file database in dir (a fresh one if "") with an account
// service whose Region transitions last delay.
func newEnv(t *testing.T, dir string, clk *domainClock, delay time.Duration, opts ...events.Options) *env {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	e := &env{t: t, path: filepath.Join(dir, "db.sqlite"), clock: clk, delay: delay}
	var err error
	e.db, err = sqlite.Open(context.Background(), e.path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var o events.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	o.Now, o.Log = clk.Now, quiet
	if o.PollInterval == 0 {
		o.PollInterval = 20 * time.Millisecond
	}
	if o.MinBackoff == 0 {
		o.MinBackoff = 20 * time.Millisecond
	}
	if o.ScanInterval == 0 {
		o.ScanInterval = time.Hour // tests scan by hand unless they start the scheduler
	}
	e.bus = events.New(e.db.Events(), o)
	e.svc = account.NewService(e.db, account.Options{
		Now: clk.Now, RegionTransitionDelay: delay, Events: e.bus, Directory: manager{},
		MaxRegionRequests: 100, MaxOrgRegionRequests: 1000,
	})
	t.Cleanup(e.close)
	return e
}

func (e *env) close() {
	if e.db == nil {
		return
	}
	e.bus.Close()
	if err := e.db.Close(); err != nil {
		e.t.Error(err)
	}
	e.db = nil
}

func root(id string) identity.Principal {
	return identity.Principal{Type: identity.Root, Account: identity.AccountID(id), ARN: "arn:aws:iam::" + id + ":root", UserID: id}
}

func (e *env) signUp(id string) {
	e.t.Helper()
	if _, err := e.svc.EnsureSignUp(context.Background(), account.SignUp{ID: identity.AccountID(id), Name: "a" + id, Email: id + "@example.com"}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) enable(caller, target, region string) {
	e.t.Helper()
	tg := account.Target{Caller: root(caller)}
	if target != caller {
		tg.AccountID = identity.AccountID(target)
	}
	if err := e.svc.EnableRegion(context.Background(), tg, region); err != nil {
		e.t.Fatalf("EnableRegion %s %s: %v", target, region, err)
	}
}

func (e *env) disable(id, region string) {
	e.t.Helper()
	if err := e.svc.DisableRegion(context.Background(), account.Target{Caller: root(id)}, region); err != nil {
		e.t.Fatalf("DisableRegion %s %s: %v", id, region, err)
	}
}

func (e *env) scan() int {
	e.t.Helper()
	n, err := e.bus.Scan(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// regionEvent is a decoded Region Opt-In Status Change event.
type regionEvent struct {
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

func decode(t *testing.T, body []byte) regionEvent {
	t.Helper()
	var ev regionEvent
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		t.Fatalf("event %s: %v", body, err)
	}
	return ev
}

// log returns the whole event log, decoded.
func (e *env) log() []regionEvent {
	e.t.Helper()
	var out []regionEvent
	err := e.db.Events().View(context.Background(), func(tx events.Tx) error {
		recs, err := tx.BusEvents(context.Background(), 0, time.Time{}, 100000)
		for _, r := range recs {
			out = append(out, decode(e.t, r.Body))
		}
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

func summary(evs []regionEvent) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Detail.AccountID + "/" + ev.Detail.RegionName + "/" + ev.Detail.Status
	}
	return out
}

func wantLog(t *testing.T, got []regionEvent, want ...string) {
	t.Helper()
	if s := summary(got); fmt.Sprint(s) != fmt.Sprint(want) {
		t.Errorf("log:\n got %v\nwant %v", s, want)
	}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestRegionEventFormat(t *testing.T) {
	clk := newClock()
	e := newEnv(t, "", clk, time.Hour)
	e.signUp("123456789012")
	e.enable("123456789012", "123456789012", "ap-east-1")
	clk.Advance(time.Hour)
	if n := e.scan(); n != 1 {
		t.Errorf("scan emitted %d, want 1", n)
	}
	var bodies [][]byte
	err := e.db.Events().View(context.Background(), func(tx events.Tx) error {
		recs, err := tx.BusEvents(context.Background(), 0, time.Time{}, 10)
		for _, r := range recs {
			bodies = append(bodies, r.Body)
		}
		return err
	})
	if err != nil || len(bodies) != 2 {
		t.Fatalf("log: %d events, err %v", len(bodies), err)
	}
	// The spec's example, field for field (id and time aside), in its order.
	want := `{"version":"0","id":"ID","detail-type":"Region Opt-In Status Change","source":"aws.account",` +
		`"account":"123456789012","time":"TIME","region":"us-east-1","resources":["arn:aws:account::123456789012:account"],` +
		`"detail":{"accountId":"123456789012","regionName":"ap-east-1","status":"STATUS"}}`
	for i, c := range []struct{ status, time string }{{"ENABLING", "2026-03-01T12:00:00Z"}, {"ENABLED", "2026-03-01T13:00:00Z"}} {
		ev := decode(t, bodies[i])
		if !uuidRE.MatchString(ev.ID) {
			t.Errorf("id %q is not a UUID", ev.ID)
		}
		w := regexp.MustCompile(`ID|TIME|STATUS`).ReplaceAllStringFunc(want, func(s string) string {
			return map[string]string{"ID": ev.ID, "TIME": c.time, "STATUS": c.status}[s]
		})
		if string(bodies[i]) != w {
			t.Errorf("event %d:\n got %s\nwant %s", i, bodies[i], w)
		}
	}
}

func TestRegionLifecycle(t *testing.T) {
	clk := newClock()
	e := newEnv(t, "", clk, time.Hour)
	e.signUp("111111111111")
	const a = "111111111111"
	e.enable(a, a, "ap-east-1")
	if n := e.scan(); n != 0 {
		t.Errorf("scan before the due time emitted %d", n)
	}
	clk.Advance(59 * time.Minute)
	e.scan()
	wantLog(t, e.log(), a+"/ap-east-1/ENABLING")
	clk.Advance(time.Minute)
	e.scan()
	e.scan()
	wantLog(t, e.log(), a+"/ap-east-1/ENABLING", a+"/ap-east-1/ENABLED")

	t.Run("RequestCompletesDueFirst", func(t *testing.T) {
		// Due but not scanned yet: the next request emits the completion
		// before its own start.
		e.enable(a, a, "me-south-1")
		clk.Advance(2 * time.Hour)
		e.disable(a, "me-south-1")
		got := e.log()[2:]
		wantLog(t, got, a+"/me-south-1/ENABLING", a+"/me-south-1/ENABLED", a+"/me-south-1/DISABLING")
		if got[1].Time != "2026-03-01T14:00:00Z" {
			t.Errorf("ENABLED time %s, want the due time 2026-03-01T14:00:00Z", got[1].Time)
		}
		clk.Advance(time.Hour)
		if n := e.scan(); n != 1 {
			t.Errorf("scan emitted %d, want 1", n)
		}
		wantLog(t, e.log()[5:], a+"/me-south-1/DISABLED")
	})
	t.Run("OrganizationsMode", func(t *testing.T) {
		e.signUp("222222222222")
		e.enable(a, "222222222222", "il-central-1")
		clk.Advance(time.Hour)
		e.scan()
		for _, ev := range e.log()[6:] {
			if ev.Account != a || ev.Detail.AccountID != "222222222222" ||
				ev.Resources[0] != "arn:aws:account::222222222222:account" {
				t.Errorf("event %+v: want account = caller %s, detail.accountId and resource = target", ev, a)
			}
		}
	})
}

func TestZeroDelayCompletesInTheRequest(t *testing.T) {
	clk := newClock()
	e := newEnv(t, "", clk, 0)
	e.signUp("111111111111")
	e.enable("111111111111", "111111111111", "ap-east-1")
	e.disable("111111111111", "ap-east-1")
	wantLog(t, e.log(), "111111111111/ap-east-1/ENABLING", "111111111111/ap-east-1/ENABLED",
		"111111111111/ap-east-1/DISABLING", "111111111111/ap-east-1/DISABLED")
	if n := e.scan(); n != 0 {
		t.Errorf("scan emitted %d more", n)
	}
}

func TestFailedRequestRecordsNothing(t *testing.T) {
	clk := newClock()
	e := newEnv(t, "", clk, time.Hour)
	e.signUp("111111111111")
	e.enable("111111111111", "111111111111", "ap-east-1")
	err := e.svc.DisableRegion(context.Background(), account.Target{Caller: root("111111111111")}, "ap-east-1")
	if err == nil {
		t.Fatal("DisableRegion while ENABLING succeeded")
	}
	wantLog(t, e.log(), "111111111111/ap-east-1/ENABLING")
}

// TestScanExactlyOnce races scans against each other and against clock
// advances: every transition yields its start and its completion once,
// completions in due order, each after its start.
func TestScanExactlyOnce(t *testing.T) {
	clk := newClock()
	e := newEnv(t, "", clk, 0)
	regions := []string{"ap-east-1", "me-south-1", "il-central-1", "af-south-1"}
	accounts := []string{"100000000001", "100000000002", "100000000003", "100000000004", "100000000005"}
	for _, a := range accounts {
		e.signUp(a)
	}
	// Requests with various delays, through the service.
	for i, a := range accounts {
		for j, r := range regions {
			svc := account.NewService(e.db, account.Options{
				Now: clk.Now, RegionTransitionDelay: time.Duration(1+(i*len(regions)+j)%7) * time.Minute, Events: e.bus,
			})
			if err := svc.EnableRegion(context.Background(), account.Target{Caller: root(a)}, r); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Scanners race each other and the clock until a scan that started
	// with the clock at its final time, when every transition is due,
	// finds nothing left to emit.
	var emitted atomic.Int64
	final := make(chan struct{}) // closed once the clock stops moving
	var scanners sync.WaitGroup
	for range 8 {
		scanners.Go(func() {
			for {
				last := isClosed(final)
				n, err := e.bus.Scan(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				emitted.Add(int64(n))
				if last && n == 0 {
					return
				}
			}
		})
	}
	var advancers sync.WaitGroup
	for range 4 {
		advancers.Go(func() {
			for range 5 {
				clk.Advance(30 * time.Second)
				runtime.Gosched()
			}
		})
	}
	advancers.Wait()
	clk.Advance(10 * time.Minute) // past the longest delay
	close(final)
	scanners.Wait()
	if got, want := emitted.Load(), int64(len(accounts)*len(regions)); got != want {
		t.Errorf("scans emitted %d completions, want %d", got, want)
	}

	log := e.log()
	seen := map[string]int{}
	var lastCompletion string
	for i, ev := range log {
		key := ev.Detail.AccountID + "/" + ev.Detail.RegionName
		switch ev.Detail.Status {
		case "ENABLING":
			if seen[key] != 0 {
				t.Errorf("event %d: second ENABLING for %s", i, key)
			}
			seen[key] = 1
		case "ENABLED":
			if seen[key] != 1 {
				t.Errorf("event %d: ENABLED for %s in state %d", i, key, seen[key])
			}
			seen[key] = 2
			if ev.Time < lastCompletion {
				t.Errorf("event %d: completion at %s after one at %s", i, ev.Time, lastCompletion)
			}
			lastCompletion = ev.Time
		default:
			t.Errorf("event %d: unexpected status %s", i, ev.Detail.Status)
		}
	}
	for _, a := range accounts {
		for _, r := range regions {
			if seen[a+"/"+r] != 2 {
				t.Errorf("%s/%s: state %d, want both events", a, r, seen[a+"/"+r])
			}
		}
	}
	if len(log) != 2*len(accounts)*len(regions) {
		t.Errorf("%d events, want %d", len(log), 2*len(accounts)*len(regions))
	}
}

func TestRestartAfterDueTime(t *testing.T) {
	clk := newClock()
	dir := t.TempDir()
	e := newEnv(t, dir, clk, time.Hour)
	e.signUp("111111111111")
	e.enable("111111111111", "111111111111", "ap-east-1")
	e.close()

	clk.Advance(2 * time.Hour)
	e = newEnv(t, dir, clk, time.Hour, events.Options{ScanInterval: 10 * time.Millisecond})
	e.bus.Start() // scans at once
	waitFor(t, func() bool { return len(e.log()) == 2 })
	wantLog(t, e.log(), "111111111111/ap-east-1/ENABLING", "111111111111/ap-east-1/ENABLED")
}

// isClosed reports whether ch is closed.
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// waitFor polls cond for up to 10s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSubscribe(t *testing.T) {
	clk := newClock()
	e := newEnv(t, "", clk, time.Hour)
	e.signUp("111111111111")
	ctx := context.Background()
	e.enable("111111111111", "111111111111", "ap-east-1") // before the subscription: not replayed

	all, err := e.bus.Subscribe(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	done, err := e.bus.Subscribe(ctx, `{"detail":{"status":["ENABLED","DISABLED"]}}`, "")
	if err != nil {
		t.Fatal(err)
	}
	e.enable("111111111111", "111111111111", "me-south-1")
	next := func(sub *events.Subscription) []string { return nextEvents(t, sub) }
	if got := next(all); fmt.Sprint(got) != "[111111111111/me-south-1/ENABLING]" {
		t.Errorf("all: %v", got)
	}
	clk.Advance(time.Hour)
	e.scan()
	if got := next(all); fmt.Sprint(got) != "[111111111111/ap-east-1/ENABLED 111111111111/me-south-1/ENABLED]" {
		t.Errorf("all: %v", got)
	}
	if got := next(done); fmt.Sprint(got) != "[111111111111/ap-east-1/ENABLED 111111111111/me-south-1/ENABLED]" {
		t.Errorf("filtered: %v", got)
	}

	t.Run("Since", func(t *testing.T) {
		log := e.log()
		sub, err := e.bus.Subscribe(ctx, "", log[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := next(sub); len(got) != 2 || got[0] != "111111111111/ap-east-1/ENABLED" {
			t.Errorf("since id: %v", got)
		}
		sub, err = e.bus.Subscribe(ctx, `{"detail":{"regionName":["ap-east-1"]}}`, "2026-03-01T12:00:00Z")
		if err != nil {
			t.Fatal(err)
		}
		if got := next(sub); len(got) != 2 || got[0] != "111111111111/ap-east-1/ENABLING" {
			t.Errorf("since time: %v", got)
		}
	})
	t.Run("BadRequests", func(t *testing.T) {
		for _, c := range []struct{ pattern, since string }{{`{"source":"x"}`, ""}, {"", "no-such-event"}} {
			_, err := e.bus.Subscribe(ctx, c.pattern, c.since)
			var bad *events.BadRequestError
			if !errors.As(err, &bad) {
				t.Errorf("Subscribe(%q, %q): %v, want a BadRequestError", c.pattern, c.since, err)
			}
		}
	})
	t.Run("Close", func(t *testing.T) {
		sub, _ := e.bus.Subscribe(ctx, "", "")
		go func() { time.Sleep(20 * time.Millisecond); e.bus.Close() }()
		if _, err := sub.Next(ctx); !errors.Is(err, events.ErrClosed) {
			t.Errorf("Next after Close: %v, want ErrClosed", err)
		}
	})
}

// hook is a webhook target that fails while down.
type hook struct {
	*httptest.Server
	down     atomic.Bool
	mu       sync.Mutex
	got      []regionEvent
	attempts atomic.Int64
}

func newHook(t *testing.T) *hook {
	h := &hook{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.attempts.Add(1)
		if h.down.Load() {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
		b, _ := io.ReadAll(r.Body)
		ev := decode(t, b)
		h.mu.Lock()
		h.got = append(h.got, ev)
		h.mu.Unlock()
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hook) received() []regionEvent {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]regionEvent(nil), h.got...)
}

func TestWebhookDelivery(t *testing.T) {
	clk := newClock()
	dir := t.TempDir()
	h := newHook(t)
	h.down.Store(true)
	enabledOnly := newHook(t)
	setTargets := func(e *env) {
		t.Helper()
		t1, err := events.NewTarget(h.URL, "")
		if err != nil {
			t.Fatal(err)
		}
		t2, err := events.NewTarget(enabledOnly.URL, `{"detail":{"status":["ENABLED"]}}`)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.bus.SetTargets(context.Background(), []events.Target{t1, t2}); err != nil {
			t.Fatal(err)
		}
	}
	e := newEnv(t, dir, clk, time.Hour)
	setTargets(e)
	e.bus.Start()
	e.signUp("111111111111")
	e.enable("111111111111", "111111111111", "ap-east-1")
	clk.Advance(time.Hour)
	e.scan()
	// While h is down: its two events pending, the other target served.
	waitFor(t, func() bool {
		m := e.bus.Metrics()
		return m["accountplane_event_delivery_failures_total"] >= 3 && m["accountplane_event_deliveries_pending"] == 2 &&
			len(enabledOnly.received()) == 1
	})
	e.close() // a restart, the target still down

	h.down.Store(false)
	e = newEnv(t, dir, clk, time.Hour)
	setTargets(e)
	e.bus.Start()
	waitFor(t, func() bool { return len(h.received()) == 2 })
	wantLog(t, h.received(), "111111111111/ap-east-1/ENABLING", "111111111111/ap-east-1/ENABLED")
	wantLog(t, enabledOnly.received(), "111111111111/ap-east-1/ENABLED")
	waitFor(t, func() bool { return e.bus.Metrics()["accountplane_event_deliveries_pending"] == 0 })

	t.Run("ComesBackWithoutRestart", func(t *testing.T) {
		h.down.Store(true)
		before := h.attempts.Load()
		e.disable("111111111111", "ap-east-1")
		waitFor(t, func() bool { return h.attempts.Load() >= before+2 })
		if age := e.bus.Metrics()["accountplane_event_delivery_oldest_age_seconds"]; age <= 0 {
			t.Errorf("oldest pending age %v, want > 0", age)
		}
		h.down.Store(false)
		waitFor(t, func() bool { return len(h.received()) == 3 })
		wantLog(t, h.received()[2:], "111111111111/ap-east-1/DISABLING")
	})
}

// The log is bounded: Trim deletes the events older than the newest
// MaxEvents, and a subscription from an event still kept goes on from it.
func TestTrimBoundsTheLog(t *testing.T) {
	clk := newClock()
	e := newEnv(t, "", clk, time.Hour, events.Options{MaxEvents: 2})
	ctx := context.Background()
	e.signUp("111111111111")
	for _, region := range []string{"ap-east-1", "me-south-1", "af-south-1", "eu-south-1"} {
		e.enable("111111111111", "111111111111", region)
	}
	log := func() []string {
		t.Helper()
		var recs []kernel.BusRecord
		err := e.db.Events().View(ctx, func(tx kernel.BusTx) (err error) {
			recs, err = tx.BusEvents(ctx, 0, time.Time{}, 100)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return summarize(t, recs)
	}
	if got := log(); len(got) != 4 {
		t.Fatalf("log before the trim: %v, want 4 events", got)
	}
	n, err := e.bus.Trim(ctx)
	if err != nil || n != 2 {
		t.Fatalf("Trim: %d, %v; want 2 deleted", n, err)
	}
	if got := fmt.Sprint(log()); got != "[111111111111/af-south-1/ENABLING 111111111111/eu-south-1/ENABLING]" {
		t.Errorf("log after the trim: %s, want the newest two", got)
	}
	if n, err := e.bus.Trim(ctx); err != nil || n != 0 {
		t.Errorf("Trim again: %d, %v; want none deleted", n, err)
	}
	// A client resuming after an event the log no longer keeps (its
	// Last-Event-ID) gets what is left, not a refusal; an id that is not
	// an event id is still refused.
	sub, err := e.bus.Subscribe(ctx, "", "00000000-0000-4000-8000-000000000001")
	if err != nil {
		t.Fatalf("Subscribe from a trimmed event: %v", err)
	}
	if got, want := nextEvents(t, sub), log(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("resumed from a trimmed event: %v, want the events kept %v", got, want)
	}
	var bad *events.BadRequestError
	if _, err := e.bus.Subscribe(ctx, "", "not-an-event"); !errors.As(err, &bad) {
		t.Errorf("Subscribe from a malformed id: %v, want a bad request", err)
	}
}

// nextEvents returns the summary of the next events sub gets (waiting at
// most 5 seconds for some).
func nextEvents(t *testing.T, sub *events.Subscription) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	recs, err := sub.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return summarize(t, recs)
}

// summarize returns the summary of the Region events recs.
func summarize(t *testing.T, recs []events.Record) []string {
	t.Helper()
	var out []regionEvent
	for _, r := range recs {
		out = append(out, decode(t, r.Body))
	}
	return summary(out)
}
