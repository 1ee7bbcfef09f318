package main

import (
	"bytes"
	"context"
	"math"
	"runtime/debug"
	"strings"
	"testing"
)

func TestCLI(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{"no args", nil, 2, "", "Usage:"},
		{"help", []string{"--help"}, 0, "Commands:", ""},
		{"version", []string{"version"}, 0, "accountplane dev", ""},
		{"unknown", []string{"bogus"}, 2, "", `unknown command "bogus"`},
		{"serve -h", []string{"serve", "-h"}, 0, "", "-region-transition-delay"},
		{"outbox -h", []string{"outbox", "-h"}, 0, "", "-endpoint"},
		{"serve bad log level", []string{"serve", "--log-level", "loud"}, 2, "", "bad --log-level"},
		{"serve bad delay", []string{"serve", "--region-transition-delay", "soon"}, 2, "", "bad --region-transition-delay"},
		{"serve bad trail-reads", []string{"serve", "--trail-reads", "false"}, 2, "", "bad --trail-reads \"false\" (on or off)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errb)
			if code != tt.wantCode {
				t.Errorf("exit code: got %d, want %d (stderr %q)", code, tt.wantCode, errb.String())
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("stdout: got %q, want it to contain %q", out.String(), tt.wantOut)
			}
			if !strings.Contains(errb.String(), tt.wantErr) {
				t.Errorf("stderr: got %q, want it to contain %q", errb.String(), tt.wantErr)
			}
		})
	}
}

func TestServeAndOutbox(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var serr bytes.Buffer
	done := make(chan int, 1)
	addr := freeAddr(t)
	go func() {
		done <- serve(ctx, []string{"--addr", addr, "--data", ":memory:"}, &bytes.Buffer{}, &serr)
	}()
	var out, errb bytes.Buffer
	var code int
	for i := 0; i < startupTries; i++ { // wait for the listener
		out.Reset()
		errb.Reset()
		if code = outbox(context.Background(), []string{"--endpoint", "http://" + addr}, &out, &errb); code == 0 {
			break
		}
		sleep()
	}
	if code != 0 || !strings.Contains(out.String(), "outbox is empty") {
		t.Errorf("outbox: code %d, out %q, err %q", code, out.String(), errb.String())
	}
	cancel()
	if c := <-done; c != 0 {
		t.Errorf("serve exit code after SIGINT-equivalent: got %d, want 0; log %s", c, serr.String())
	}
	if !strings.Contains(serr.String(), "shutting down") {
		t.Errorf("serve log lacks the shutdown line: %s", serr.String())
	}
}

// serve lets the heap grow further between collections, unless GOGC or
// GOMEMLIMIT say otherwise.
func TestTuneGC(t *testing.T) {
	prevPercent, prevLimit := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetGCPercent(prevPercent); debug.SetMemoryLimit(prevLimit) })
	tuneGC(func(string) string { return "" })
	if got := debug.SetGCPercent(100); got != serveGCPercent {
		t.Errorf("GC percent with no GOGC: %d, want %d", got, serveGCPercent)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != serveMemoryLimit {
		t.Errorf("memory limit with no GOMEMLIMIT: %d, want %d", got, serveMemoryLimit)
	}
	tuneGC(func(name string) string { return map[string]string{"GOGC": "50", "GOMEMLIMIT": "2GiB"}[name] })
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC percent with GOGC set: %d, want it left at 100", got)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("memory limit with GOMEMLIMIT set: %d, want it left alone", got)
	}
}
