package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/app"
	"github.com/accountplane/accountplane/internal/identity"
)

func TestSeedEventTargetsAreChecked(t *testing.T) {
	for _, c := range []struct{ name, target, want string }{
		{"bad pattern", "  - url: http://127.0.0.1:1/\n    pattern: {source: aws.account}\n", "must be a list"},
		{"bad url", "  - url: ftp://example.com/\n", "http or https"},
	} {
		t.Run(c.name, func(t *testing.T) {
			seed := filepath.Join(t.TempDir(), "seed.yaml")
			if err := os.WriteFile(seed, []byte("eventTargets:\n"+c.target), 0o600); err != nil {
				t.Fatal(err)
			}
			a, err := app.Start(context.Background(), app.Config{Addr: "127.0.0.1:0", DataDir: app.MemoryData, Seed: seed, Log: quietLog()})
			if err == nil {
				_ = a.Shutdown(context.Background())
				t.Fatal("Start with a bad event target succeeded")
			}
			if !strings.Contains(err.Error(), "eventTargets 1") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Start: %v, want it to name eventTargets 1 and say %q", err, c.want)
			}
		})
	}
}

// TestRacingAdvancesEmitOnce: two clock advances racing complete a
// transition once; the --event-webhook target outlives a reset.
func TestRacingAdvancesEmitOnce(t *testing.T) {
	received := make(chan string, 16)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var ev struct {
			Detail struct{ RegionName, Status string }
		}
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Errorf("webhook body %s: %v", b, err)
		}
		received <- ev.Detail.RegionName + "/" + ev.Detail.Status
	}))
	defer hook.Close()
	// next waits for the next event the webhook receives.
	next := func() string {
		t.Helper()
		select {
		case ev := <-received:
			return ev
		case <-time.After(10 * time.Second):
			t.Fatal("the webhook received nothing in 10s")
			return ""
		}
	}

	a := start(t, app.Config{DataDir: app.MemoryData, RegionTransitionDelay: time.Hour, EventWebhooks: []string{hook.URL}})
	ctx := context.Background()
	root := account.Target{Caller: identity.RootPrincipal("000000000000", "")}
	if err := a.Accounts.EnableRegion(ctx, root, "ap-east-1"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			resp, err := http.Post(a.URL()+"/_accountplane/clock", "application/json", strings.NewReader(`{"advance":"1h"}`))
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("advance: %s", resp.Status)
			}
		})
	}
	wg.Wait()
	// An advance emits the events it makes due before it answers, so both
	// advances' events are in the log by now. A target receives the log in
	// order: had they emitted more than the completion, the webhook would
	// receive it before the next request's event.
	if err := a.Accounts.EnableRegion(ctx, root, "af-south-1"); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"ap-east-1/ENABLING", "ap-east-1/ENABLED", "af-south-1/ENABLING"} {
		if got := next(); got != want {
			t.Errorf("webhook event %d: got %s, want %s", i+1, got, want)
		}
	}

	if code := adminCall(t, http.MethodPost, a.URL()+"/_accountplane/reset", nil, nil); code != http.StatusOK {
		t.Fatalf("reset: %d", code)
	}
	if err := a.Accounts.EnableRegion(ctx, root, "me-south-1"); err != nil {
		t.Fatal(err)
	}
	if got := next(); got != "me-south-1/ENABLING" {
		t.Errorf("after a reset the webhook received %s, want me-south-1/ENABLING", got)
	}
}

func TestPendingTransitionsMetric(t *testing.T) {
	a := start(t, app.Config{DataDir: app.MemoryData, RegionTransitionDelay: time.Hour})
	ctx := context.Background()
	root := identity.RootPrincipal("000000000000", "")
	if err := a.Accounts.EnableRegion(ctx, account.Target{Caller: root}, "af-south-1"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(a.URL() + "/_accountplane/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "accountplane_region_transitions_pending 1\n") {
		t.Errorf("metrics lack one pending transition:\n%s", b)
	}
}

// TestDeadWebhooksAdminGuard: the dead-delivery endpoints are admin
// endpoints, behind the admin token when one is set.
func TestDeadWebhooksAdminGuard(t *testing.T) {
	a := start(t, app.Config{DataDir: app.MemoryData, AdminToken: "s3cret"})
	call := func(method, path, token string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, a.URL()+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, strings.TrimSpace(string(b))
	}
	for _, c := range []struct {
		method, path, token string
		status              int
		body                string
	}{
		{http.MethodGet, "/_accountplane/webhooks/dead", "", http.StatusUnauthorized, ""},
		{http.MethodPost, "/_accountplane/webhooks/dead/0123456789abcdef-1/retry", "", http.StatusUnauthorized, ""},
		{http.MethodGet, "/_accountplane/webhooks/dead", "s3cret", http.StatusOK, `{"deliveries":[]}`},
		{http.MethodGet, "/_accountplane/webhooks/dead?limit=0", "s3cret", http.StatusBadRequest, ""},
		{http.MethodPost, "/_accountplane/webhooks/dead/0123456789abcdef-1/retry", "s3cret", http.StatusNotFound, ""},
	} {
		status, body := call(c.method, c.path, c.token)
		if status != c.status || (c.body != "" && body != c.body) {
			t.Errorf("%s %s (token %q): %d %s; want %d %s", c.method, c.path, c.token, status, body, c.status, c.body)
		}
	}
}
