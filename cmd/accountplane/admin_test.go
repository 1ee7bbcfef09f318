package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/accountplane/accountplane/internal/app"
)

// The admin commands' state changes, bodiless ones included, pass the
// server's Content-Type rule.
func TestAdminCommandsChangeState(t *testing.T) {
	ctx := context.Background()
	a, err := app.Start(ctx, app.Config{Addr: "127.0.0.1:0", DataDir: app.MemoryData, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Shutdown(context.Background()) })
	ep := "--endpoint=" + a.URL()
	for _, args := range [][]string{
		{"credentials", "create", ep, "--account", "000000000000"},
		{"accounts", "create", ep, "--name", "sandbox", "--email", "sandbox@example.com"},
		{"accounts", "govcloud", ep, "--account", "000000000000"},
		{"clock", "advance", ep, "1h"},
		{"reset", ep},
	} {
		var out, errb bytes.Buffer
		if code := run(ctx, args, &out, &errb); code != 0 {
			t.Errorf("%s: exit code %d, stderr %q", strings.Join(args, " "), code, errb.String())
		}
	}
}

func TestServeAllowedHosts(t *testing.T) {
	tests := []struct {
		name string
		env  string
		args []string
		want []string
	}{
		{name: "none"},
		{name: "flag", args: []string{"--allowed-hosts", "accountplane, api.internal,"}, want: []string{"accountplane", "api.internal"}},
		{name: "env", env: "accountplane", want: []string{"accountplane"}},
		{name: "flag over env", env: "accountplane", args: []string{"--allowed-hosts", "other"}, want: []string{"other"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("ACCOUNTPLANE_ALLOWED_HOSTS", tt.env)
			var errb bytes.Buffer
			cfg, code, ok := serveConfig(tt.args, &errb)
			if !ok {
				t.Fatalf("serveConfig: code %d, stderr %q", code, errb.String())
			}
			if !slices.Equal(cfg.AllowedHosts, tt.want) {
				t.Errorf("AllowedHosts = %q, want %q", cfg.AllowedHosts, tt.want)
			}
		})
	}
}

// The bounds of the history and of the event log reach the app.
func TestServeBounds(t *testing.T) {
	var errb bytes.Buffer
	cfg, code, ok := serveConfig([]string{"--trail-max-events", "7", "--event-log-max", "-1"}, &errb)
	if !ok {
		t.Fatalf("serveConfig: code %d, stderr %q", code, errb.String())
	}
	if cfg.TrailMaxEvents != 7 || cfg.EventLogMax != -1 {
		t.Errorf("TrailMaxEvents %d, EventLogMax %d; want 7, -1", cfg.TrailMaxEvents, cfg.EventLogMax)
	}
}

// --trail-reads is on or off; off reaches the app.
func TestServeTrailReads(t *testing.T) {
	for _, tt := range []struct {
		args []string
		skip bool
	}{{nil, false}, {[]string{"--trail-reads", "on"}, false}, {[]string{"--trail-reads", "off"}, true}} {
		var errb bytes.Buffer
		cfg, code, ok := serveConfig(tt.args, &errb)
		if !ok {
			t.Fatalf("serveConfig(%v): code %d, stderr %q", tt.args, code, errb.String())
		}
		if cfg.TrailSkipReads != tt.skip {
			t.Errorf("serveConfig(%v): TrailSkipReads %v, want %v", tt.args, cfg.TrailSkipReads, tt.skip)
		}
	}
}
