package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/accountplane/accountplane/internal/bench"
)

const benchUsage = `Usage: accountplane bench [flags]

Starts this binary's server on loopback with a fresh store (SQLite; also
PostgreSQL with --store), seeds an organization of --accounts members, and
drives SigV4-signed requests from --clients closed-loop clients, alternating
with a floor (a bare net/http handler in its own process, same clients and
signing). Reports requests/s and p50/p90/p99/max per operation as ratios to
the floor, the server's CPU and disk writes per request, start-up times and
memory, and the goals of issue 14. Linux only for the /proc measurements.

Writes results.json, results.md and chart.svg into --out and prints the
Markdown report. The machine should be otherwise idle; on a shared one the
numbers are indicative only.

Flags:
`

// benchCmd runs `accountplane bench`, and the floor it starts as a child
// (`accountplane bench floor --addr ADDR`, not listed in the usage).
func benchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "floor" {
		return benchFloor(ctx, args[1:], stderr)
	}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg bench.Config
	var ops, sweep, out string
	fs.DurationVar(&cfg.Duration, "duration", 3*time.Second, "length of each measured phase (after an unrecorded warm-up of a fifth of it)")
	fs.IntVar(&cfg.Clients, "clients", 64, "closed-loop clients")
	fs.IntVar(&cfg.Rounds, "rounds", 2, "rounds of (floor, server) phases per operation; ratios are their median")
	fs.IntVar(&cfg.Accounts, "accounts", 10000, "organization members to seed (--max-accounts is raised to match)")
	fs.IntVar(&cfg.SmallAccounts, "small-accounts", 10, "members of the small organization the flat-scaling check compares p99 with; 0 skips it")
	fs.IntVar(&cfg.Targets, "targets", 1000, "members the per-account operations are spread over")
	fs.StringVar(&ops, "ops", "", "comma-separated operations to measure (default all: "+strings.Join(bench.Ops, ",")+")")
	fs.StringVar(&sweep, "concurrency-sweep", "1,4,16,64", "comma-separated client counts for the chart; empty skips the sweep")
	fs.StringVar(&cfg.SweepOp, "sweep-op", bench.OpGetAlternateContact, "operation of the concurrency sweep")
	fs.StringVar(&cfg.Postgres, "store", "", "PostgreSQL DSN (an empty database) to measure too, passed to serve --store")
	fs.IntVar(&cfg.StartupRuns, "startup-runs", 3, "start-ups on an empty store to take the median of")
	fs.StringVar(&out, "out", "bench-results", "directory for results.json, results.md and chart.svg; empty writes nothing")
	fs.StringVar(&cfg.Binary, "bin", "", "accountplane binary to benchmark (default this one)")
	serveFlags := fs.String("serve-flags", "", "extra flags for every serve it starts, space-separated (e.g. --trail-reads=off)")
	quiet := fs.Bool("quiet", false, "no progress lines on stderr")
	fs.Usage = func() {
		fmt.Fprint(stderr, benchUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "accountplane bench: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	cfg.ServeFlags = strings.Fields(*serveFlags)
	if cfg.SmallAccounts == 0 {
		cfg.SmallAccounts = -1 // bench.Config's zero value means the default
	}
	for _, o := range strings.Split(ops, ",") {
		if o = strings.TrimSpace(o); o != "" {
			cfg.Ops = append(cfg.Ops, o)
		}
	}
	for _, s := range strings.Split(sweep, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			fmt.Fprintf(stderr, "accountplane bench: bad --concurrency-sweep entry %q\n", s)
			return 2
		}
		cfg.Sweep = append(cfg.Sweep, n)
	}
	if cfg.Binary == "" {
		exe, err := os.Executable()
		if err != nil {
			fmt.Fprintf(stderr, "accountplane bench: %v\n", err)
			return 1
		}
		cfg.Binary = exe
	}
	if !*quiet {
		cfg.Progress = stderr
	}
	rep, err := bench.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "accountplane bench: %v\n", err)
		return 1
	}
	if out != "" {
		if err := rep.WriteFiles(out); err != nil {
			fmt.Fprintf(stderr, "accountplane bench: %v\n", err)
			return 1
		}
		fmt.Fprintf(stderr, "accountplane bench: wrote %s/results.json, results.md, chart.svg\n", out)
	}
	fmt.Fprint(stdout, rep.Markdown(""))
	return 0
}

// benchFloor serves the benchmark's floor until interrupted.
func benchFloor(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench floor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := bench.ServeFloor(ctx, *addr); err != nil {
		fmt.Fprintf(stderr, "accountplane bench floor: %v\n", err)
		return 1
	}
	return 0
}
