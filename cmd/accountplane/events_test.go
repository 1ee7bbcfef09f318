package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/app"
	"github.com/accountplane/accountplane/internal/identity"
)

func TestEventsTail(t *testing.T) {
	ctx := context.Background()
	a, err := app.Start(ctx, app.Config{Addr: "127.0.0.1:0", DataDir: app.MemoryData, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Shutdown(context.Background()) })
	// No delay: ENABLING and ENABLED are both in the log at once.
	if err := a.Accounts.EnableRegion(ctx, account.Target{Caller: identity.RootPrincipal("000000000000", "")}, "ap-east-1"); err != nil {
		t.Fatal(err)
	}
	tail := func(args ...string) (int, string, string) {
		t.Helper()
		tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		var out, errb bytes.Buffer
		code := run(tctx, append([]string{"events", "tail", "--endpoint", a.URL()}, args...), &out, &errb)
		return code, out.String(), errb.String()
	}
	status := func(line string) string {
		var ev struct{ Detail struct{ Status string } }
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		return ev.Detail.Status
	}

	code, out, errs := tail("--since", "2000-01-01T00:00:00Z", "--count", "2")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || status(lines[0]) != "ENABLING" || status(lines[1]) != "ENABLED" {
		t.Errorf("tail: code %d, out %q, err %q", code, out, errs)
	}
	code, out, errs = tail("--since", "2000-01-01T00:00:00Z", "--count", "1", "--pattern", `{"detail":{"status":[{"anything-but":"ENABLING"}]}}`)
	if code != 0 || status(strings.TrimSpace(out)) != "ENABLED" {
		t.Errorf("tail with a pattern: code %d, out %q, err %q", code, out, errs)
	}
	if code, _, errs = tail("--pattern", `{"source":`); code != 2 || !strings.Contains(errs, "not JSON") {
		t.Errorf("tail with broken JSON: code %d, err %q", code, errs)
	}
	if code, _, errs = tail("--pattern", `{"source":"aws.account"}`); code != 1 || !strings.Contains(errs, "400") {
		t.Errorf("tail with a bad pattern: code %d, err %q", code, errs)
	}
	if code, _, _ = tail("bogus"); code != 2 {
		t.Errorf("tail with an argument: code %d, want 2", code)
	}
}
