package bench_test

import (
	"context"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/bench"
)

// TestRunSmoke runs the whole benchmark briefly against a freshly built
// binary and checks that the report is sane. It asserts nothing about
// performance: the goals live in the benchmark's report, not in tests.
func TestRunSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs servers")
	}
	bin := filepath.Join(t.TempDir(), "accountplane")
	build := exec.Command("go", "build", "-o", bin, "github.com/accountplane/accountplane/cmd/accountplane")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ops := []string{bench.OpMix, bench.OpListAccounts}
	rep, err := bench.Run(ctx, bench.Config{
		Binary: bin, Duration: 400 * time.Millisecond, Clients: 4, Rounds: 1, // long enough for requests in every phase on a loaded machine
		Accounts: 25, SmallAccounts: 3, Targets: 5, Ops: ops, Sweep: []int{1, 2},
		StartupRuns: 1, WorkDir: t.TempDir(), ServeFlags: []string{"--trail-reads=off"},
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	// The extra flags reach every server: one it does not know stops the run.
	if _, err := bench.Run(ctx, bench.Config{Binary: bin, Duration: 50 * time.Millisecond, Clients: 1, Rounds: 1, Accounts: 2,
		SmallAccounts: -1, Targets: 1, Ops: ops[:1], StartupRuns: 1, WorkDir: t.TempDir(), ServeFlags: []string{"--no-such-flag"}}); err == nil {
		t.Error("Run with a flag serve does not know: no error")
	}

	if len(rep.Stores) != 2 || rep.Stores[0].Store != bench.StoreSQLite || rep.Stores[1].NotRun == "" {
		t.Fatalf("stores: got %+v, want sqlite run and postgres not run", rep.Stores)
	}
	st := rep.Stores[0]
	if st.StartupEmptyMS <= 0 || st.IdleRSSEmpty <= 0 {
		t.Errorf("empty store: start-up %v ms, idle RSS %v; want both > 0", st.StartupEmptyMS, st.IdleRSSEmpty)
	}
	if len(st.Runs) != 2 || st.Runs[0].Accounts != 3 || st.Runs[1].Accounts != 25 {
		t.Fatalf("runs: got %d, want 3 and 25 accounts", len(st.Runs))
	}
	for _, run := range st.Runs {
		if run.StartupMS <= 0 || run.IdleRSS <= 0 || run.PeakRSS < run.IdleRSS {
			t.Errorf("%d accounts: start-up %v ms, idle RSS %d, peak RSS %d", run.Accounts, run.StartupMS, run.IdleRSS, run.PeakRSS)
		}
		if want := (run.Accounts + 1 + 19) / 20; run.ListAccountsPages != want {
			t.Errorf("%d accounts: %d ListAccounts pages, want %d", run.Accounts, run.ListAccountsPages, want)
		}
		if len(run.Ops) != len(ops) {
			t.Fatalf("%d accounts: %d operations measured, want %d", run.Accounts, len(run.Ops), len(ops))
		}
		for _, op := range run.Ops {
			for side, s := range map[string]bench.Stats{"server": op.Target, "floor": op.Floor} {
				checkStats(t, run.Accounts, op.Op+" "+side, s)
			}
			if op.RPSRatio <= 0 || op.P99Ratio <= 0 {
				t.Errorf("%d accounts %s: ratios %v %v, want > 0", run.Accounts, op.Op, op.RPSRatio, op.P99Ratio)
			}
		}
	}
	if len(st.Sweep) != 2 || st.Sweep[0].Clients != 1 || st.Sweep[1].Clients != 2 {
		t.Errorf("sweep: got %+v, want 1 and 2 clients", st.Sweep)
	}
	if len(rep.Goals) == 0 {
		t.Error("no goals evaluated")
	}

	dir := t.TempDir()
	if err := rep.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "results.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Goals", "## sqlite, 25 accounts", "| Mix |", "## Flat scaling", "chart.svg", "server flags `--trail-reads=off`"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("results.md lacks %q", want)
		}
	}
	svg, err := os.ReadFile(filepath.Join(dir, "chart.svg"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName   xml.Name
		Polylines []struct{} `xml:"polyline"`
	}
	if err := xml.Unmarshal(svg, &doc); err != nil {
		t.Fatalf("chart.svg is not XML: %v", err)
	}
	if doc.XMLName.Local != "svg" || len(doc.Polylines) != 4 {
		t.Errorf("chart.svg: root %q with %d lines, want svg with 4 (floor and sqlite, two panels)", doc.XMLName.Local, len(doc.Polylines))
	}
}

func checkStats(t *testing.T, accounts int, what string, s bench.Stats) {
	t.Helper()
	if s.Requests <= 0 || s.RPS <= 0 {
		t.Errorf("%d accounts %s: %d requests, %v req/s; want some", accounts, what, s.Requests, s.RPS)
	}
	if s.Errors != 0 {
		t.Errorf("%d accounts %s: %d errors, first: %s", accounts, what, s.Errors, s.FirstError)
	}
	if !(0 < s.P50 && s.P50 <= s.P90 && s.P90 <= s.P99 && s.P99 <= s.Max) {
		t.Errorf("%d accounts %s: percentiles not ordered: p50 %v p90 %v p99 %v max %v", accounts, what, s.P50, s.P90, s.P99, s.Max)
	}
	if s.CPUPerRequest < 0 {
		t.Errorf("%d accounts %s: no CPU measured", accounts, what)
	}
}
