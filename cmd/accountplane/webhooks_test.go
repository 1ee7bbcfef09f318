package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/app"
	"github.com/accountplane/accountplane/internal/identity"
)

type deadList struct {
	Deliveries []struct {
		ID, TargetURL, EventID, DetailType, LastError string
		FirstAttempt, DeadAt                          time.Time
		Attempts                                      int
	}
}

// TestWebhooksDeadAndRetry runs the server with two webhooks, one that
// redirects and one that is down, lets their first event fail for a day of
// domain time, lists the dead deliveries and retries one once its target
// is back.
func TestWebhooksDeadAndRetry(t *testing.T) {
	var followed atomic.Int64
	elsewhere := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { followed.Add(1) }))
	defer elsewhere.Close()
	var redirects atomic.Int64
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		redirects.Add(1)
		http.Redirect(w, r, elsewhere.URL, http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()

	var down atomic.Bool
	down.Store(true)
	var attempts atomic.Int64
	took := make(chan string, 10)
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		if down.Load() {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		var ev struct{ ID string }
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Errorf("event %s: %v", b, err)
		}
		took <- ev.ID
	}))
	defer flaky.Close()

	ctx := context.Background()
	a, err := app.Start(ctx, app.Config{
		Addr: "127.0.0.1:0", DataDir: app.MemoryData, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		EventWebhooks: []string{redirector.URL, flaky.URL},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Shutdown(context.Background()) })
	// cli runs "accountplane COMMAND SUBCOMMAND --endpoint URL ARGS...".
	cli := func(args ...string) (int, string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		full := append([]string{args[0], args[1], "--endpoint", a.URL()}, args[2:]...)
		code := run(ctx, full, &out, &errb)
		return code, out.String(), errb.String()
	}
	dead := func() deadList {
		t.Helper()
		code, out, errs := cli("webhooks", "dead")
		var l deadList
		if err := json.Unmarshal([]byte(out), &l); code != 0 || err != nil {
			t.Fatalf("webhooks dead: code %d, out %q, err %q", code, out, errs)
		}
		return l
	}

	// No transition delay: ENABLING and ENABLED are queued at once.
	if err := a.Accounts.EnableRegion(ctx, account.Target{Caller: identity.RootPrincipal("000000000000", "")}, "ap-east-1"); err != nil {
		t.Fatal(err)
	}
	// A target's second attempt is its first event's retry, made after the
	// first failure was saved: once both targets have had one, no attempt
	// from before the advance below can still be in flight.
	waitUntil(t, func() bool { return attempts.Load() >= 2 && redirects.Load() >= 2 })
	if l := dead(); len(l.Deliveries) != 0 {
		t.Fatalf("dead deliveries before a day has passed: %+v", l)
	}
	if code, out, errs := cli("clock", "advance", "24h"); code != 0 {
		t.Fatalf("clock advance: %d %s %s", code, out, errs)
	}
	// The next failure of each target's first event makes it dead; their
	// second events, first tried after the advance, keep being retried.
	var l deadList
	waitUntil(t, func() bool { l = dead(); return len(l.Deliveries) >= 2 })
	if len(l.Deliveries) != 2 {
		t.Fatalf("dead deliveries: %+v, want 2", l)
	}
	byURL := map[string]int{}
	for i, d := range l.Deliveries {
		byURL[d.TargetURL] = i
		if d.EventID != l.Deliveries[0].EventID || d.DetailType != "Region Opt-In Status Change" || d.Attempts < 2 ||
			d.FirstAttempt.IsZero() || d.DeadAt.Sub(d.FirstAttempt) < 24*time.Hour {
			t.Errorf("dead delivery %+v", d)
		}
	}
	redirected, failed := l.Deliveries[byURL[redirector.URL]], l.Deliveries[byURL[flaky.URL]]
	if !strings.Contains(redirected.LastError, "307") || !strings.Contains(failed.LastError, "502") {
		t.Errorf("last errors %q and %q, want the 307 and the 502", redirected.LastError, failed.LastError)
	}
	if n := followed.Load(); n != 0 {
		t.Errorf("a redirect was followed %d times", n)
	}

	// The flaky target recovers: it takes the second event, then, retried,
	// the dead first one.
	down.Store(false)
	select {
	case id := <-took:
		if id == failed.EventID {
			t.Fatalf("the dead event %s was delivered before its retry", id)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the second event was not delivered in 10s")
	}
	code, out, errs := cli("webhooks", "retry", failed.ID)
	if code != 0 || !strings.Contains(out, `"queued"`) {
		t.Fatalf("webhooks retry: code %d, out %q, err %q", code, out, errs)
	}
	select {
	case id := <-took:
		if id != failed.EventID {
			t.Errorf("after the retry the target got %s, want %s", id, failed.EventID)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the retried delivery was not sent in 10s")
	}
	if l := dead(); len(l.Deliveries) != 1 || l.Deliveries[0].ID != redirected.ID {
		t.Errorf("dead after the retry: %+v, want only %s", l, redirected.ID)
	}

	for _, id := range []string{failed.ID, "bogus", "0123456789abcdef-99"} {
		if code, _, errs := cli("webhooks", "retry", id); code != 1 || !strings.Contains(errs, "404") {
			t.Errorf("retry %s: code %d, err %q; want 1 and a 404", id, code, errs)
		}
	}
	if code, _, _ := cli("webhooks", "retry"); code != 2 {
		t.Errorf("retry without an id: code %d, want 2", code)
	}
	if code, _, _ := cli("webhooks", "bogus"); code != 2 {
		t.Errorf("unknown subcommand: code %d, want 2", code)
	}
}

// waitUntil polls cond until it holds, for up to 20s.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 20s")
		}
		sleep()
	}
}
