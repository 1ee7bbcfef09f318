package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// Config is one benchmark run. The zero value of each field but Binary
// means its default.
type Config struct {
	// Binary is the accountplane executable to start as server and floor.
	Binary string
	// Duration is how long each measured phase lasts (default 3s), after a
	// warm-up of a fifth of it (50 ms to 500 ms) that is not recorded.
	Duration time.Duration
	// Clients is the number of closed-loop clients (default 64).
	Clients int
	// Rounds is how many (floor, server) pairs of phases each operation
	// gets (default 2); ratios are the median over rounds.
	Rounds int
	// Accounts is the number of organization members seeded (default 10000).
	Accounts int
	// SmallAccounts is the size of the second, small organization whose p99
	// the flat-scaling check compares with (default 10; negative: none).
	SmallAccounts int
	// Targets is how many members (spread over the ids) the per-account
	// operations act on (default 1000).
	Targets int
	// Ops are the operations to measure (default Ops).
	Ops []string
	// Sweep lists the client counts of the concurrency sweep for the chart
	// (nil: none); SweepOp is the operation swept (default
	// GetAlternateContact).
	Sweep   []int
	SweepOp string
	// Postgres is a PostgreSQL DSN passed to `serve --store`; "" runs
	// SQLite only. The server's own writes are measured, not PostgreSQL's.
	Postgres string
	// ServeFlags are extra flags for every `serve` the benchmark starts
	// (e.g. --trail-reads=off), after its own.
	ServeFlags []string
	// StartupRuns is how many times the empty-store start-up is measured
	// (default 3; the median is reported).
	StartupRuns int
	// WorkDir holds the data directories and seed files (default a new
	// temporary directory, removed at the end).
	WorkDir string
	// Progress receives a line per step (default discarded).
	Progress io.Writer
}

func (c *Config) defaults() error {
	if c.Binary == "" {
		return errors.New("bench: no binary to run")
	}
	if c.Duration <= 0 {
		c.Duration = 3 * time.Second
	}
	if c.Clients <= 0 {
		c.Clients = 64
	}
	if c.Rounds <= 0 {
		c.Rounds = 2
	}
	if c.Accounts <= 0 {
		c.Accounts = 10000
	}
	if c.SmallAccounts == 0 {
		c.SmallAccounts = 10
	}
	if c.Targets <= 0 {
		c.Targets = 1000
	}
	if len(c.Ops) == 0 {
		c.Ops = Ops
	}
	for _, o := range c.Ops {
		if !knownOp(o) {
			return fmt.Errorf("bench: unknown operation %q (known: %v)", o, Ops)
		}
	}
	if c.SweepOp == "" {
		c.SweepOp = OpGetAlternateContact
	}
	if !knownOp(c.SweepOp) {
		return fmt.Errorf("bench: unknown sweep operation %q", c.SweepOp)
	}
	for _, n := range c.Sweep {
		if n <= 0 {
			return fmt.Errorf("bench: concurrency %d in the sweep", n)
		}
	}
	if c.StartupRuns <= 0 {
		c.StartupRuns = 3
	}
	if c.Progress == nil {
		c.Progress = io.Discard
	}
	return nil
}

// warmup is the unrecorded start of each phase.
func (c *Config) warmup() time.Duration {
	return min(max(c.Duration/5, 50*time.Millisecond), 500*time.Millisecond)
}

// Run runs the benchmark of cfg and returns its report. Every process it
// starts is stopped before it returns.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	if cfg.WorkDir == "" {
		dir, err := os.MkdirTemp("", "accountplane-bench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		cfg.WorkDir = dir
	}
	r := &Report{Started: time.Now().UTC(), Machine: readMachine(), Settings: settingsOf(cfg)}
	b := &runner{cfg: cfg}

	floorAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	floor, err := startChild(cfg.Binary, []string{"bench", "floor", "--addr", floorAddr}, "")
	if err != nil {
		return nil, err
	}
	defer floor.stop(10 * time.Second)
	b.floor = &server{child: floor, addr: floorAddr, ep: newEndpoint(floorAddr, cfg.Clients)}
	if _, err := b.floor.awaitReady(ctx, 30*time.Second); err != nil {
		return nil, fmt.Errorf("floor: %w", err)
	}
	defer b.floor.ep.close()

	stores := []string{StoreSQLite, StorePostgres}
	for _, store := range stores {
		sr := StoreReport{Store: store}
		if store == StorePostgres {
			if cfg.Postgres == "" {
				sr.NotRun = "not run: no --store DSN given"
				r.Stores = append(r.Stores, sr)
				continue
			}
			if ok, err := serveHasFlag(cfg.Binary, "store"); err != nil || !ok {
				sr.NotRun = "not run: this build's `serve` has no --store flag"
				r.Stores = append(r.Stores, sr)
				continue
			}
		}
		if err := b.runStore(ctx, &sr); err != nil {
			return r, fmt.Errorf("%s: %w", store, err)
		}
		r.Stores = append(r.Stores, sr)
	}
	r.Finished = time.Now().UTC()
	r.Goals = evaluateGoals(r)
	return r, nil
}

// The stores a report covers.
const (
	StoreSQLite   = "sqlite"
	StorePostgres = "postgres"
)

// runner carries one Run's settings and floor.
type runner struct {
	cfg   Config
	floor *server
}

func (b *runner) logf(format string, args ...any) {
	fmt.Fprintf(b.cfg.Progress, "bench: "+format+"\n", args...)
}

func (b *runner) options(store, dataDir string, accounts int) serverOptions {
	o := serverOptions{dataDir: dataDir, maxAccounts: accounts + 10, clients: b.cfg.Clients, flags: b.cfg.ServeFlags}
	if store == StorePostgres {
		o.postgres = b.cfg.Postgres
	}
	return o
}

// fresh prepares an empty store of kind store in a new directory.
func (b *runner) fresh(ctx context.Context, store, name string, accounts int) (serverOptions, error) {
	dir, err := tempDir(b.cfg.WorkDir, store+"-"+name)
	if err != nil {
		return serverOptions{}, err
	}
	o := b.options(store, dir, accounts)
	if store == StorePostgres {
		if err := resetStore(ctx, b.cfg.Binary, o); err != nil {
			return o, fmt.Errorf("empty the PostgreSQL store: %w", err)
		}
	}
	return o, nil
}

// runStore measures one store: start-up on an empty store, then the runs
// with the small and the large organization.
func (b *runner) runStore(ctx context.Context, sr *StoreReport) error {
	var ups []time.Duration
	var idle []int64
	for i := range b.cfg.StartupRuns {
		o, err := b.fresh(ctx, sr.Store, "empty-"+strconv.Itoa(i), 0)
		if err != nil {
			return err
		}
		s, up, err := startServer(ctx, b.cfg.Binary, o, 2*time.Minute)
		if err != nil {
			return fmt.Errorf("start on an empty store: %w", err)
		}
		ups = append(ups, up)
		idle = append(idle, s.usage().RSS)
		if err := s.shutdown(); err != nil {
			return err
		}
	}
	sr.StartupEmptyMS = ms(median(ups))
	sr.IdleRSSEmpty = median(idle)
	b.logf("%s: start-up on an empty store %.1f ms (median of %d), idle RSS %s", sr.Store, sr.StartupEmptyMS, len(ups), mib(sr.IdleRSSEmpty))

	sizes := []int{b.cfg.Accounts}
	if b.cfg.SmallAccounts > 0 && b.cfg.SmallAccounts < b.cfg.Accounts {
		sizes = []int{b.cfg.SmallAccounts, b.cfg.Accounts}
	}
	for _, n := range sizes {
		run, sweep, err := b.runAccounts(ctx, sr.Store, n, n == b.cfg.Accounts)
		if err != nil {
			return fmt.Errorf("%d accounts: %w", n, err)
		}
		sr.Runs = append(sr.Runs, run)
		if sweep != nil {
			sr.Sweep = sweep
		}
	}
	return nil
}

// runAccounts seeds n members into a fresh store, restarts the server on it
// to time the start-up, and measures every operation (and, if sweep, the
// concurrency sweep).
func (b *runner) runAccounts(ctx context.Context, store string, n int, sweep bool) (RunReport, []SweepPoint, error) {
	run := RunReport{Accounts: n}
	o, err := b.fresh(ctx, store, "accounts-"+strconv.Itoa(n), n)
	if err != nil {
		return run, nil, err
	}
	seed := filepath.Join(b.cfg.WorkDir, "seed-"+strconv.Itoa(n)+".json")
	if err := writeSeed(seed, n); err != nil {
		return run, nil, err
	}
	o.seed = seed
	b.logf("%s: seeding %d accounts", store, n)
	s, up, err := startServer(ctx, b.cfg.Binary, o, 30*time.Minute)
	if err != nil {
		return run, nil, fmt.Errorf("seed: %w", err)
	}
	run.SeedSeconds = up.Seconds()
	if err := s.shutdown(); err != nil {
		return run, nil, err
	}
	// The start-up measured is that of a server on the seeded store without
	// --seed, which would check every seeded account again: the median of
	// StartupRuns restarts; the last server stays up for the load.
	o.seed = ""
	var ups []time.Duration
	for i := range b.cfg.StartupRuns {
		s, up, err = startServer(ctx, b.cfg.Binary, o, 5*time.Minute)
		if err != nil {
			return run, nil, fmt.Errorf("restart: %w", err)
		}
		ups = append(ups, up)
		if i < b.cfg.StartupRuns-1 {
			if err := s.shutdown(); err != nil {
				return run, nil, err
			}
		}
	}
	defer s.shutdown()
	run.StartupMS = ms(median(ups))
	run.IdleRSS = s.usage().RSS
	b.logf("%s: %d accounts seeded in %.1f s; start-up %.1f ms (median of %d), idle RSS %s", store, n, run.SeedSeconds, run.StartupMS, len(ups), mib(run.IdleRSS))

	w, err := setUp(ctx, s, targets(n, b.cfg.Targets), min(b.cfg.Clients, 16))
	if err != nil {
		return run, nil, fmt.Errorf("set up: %w", err)
	}
	run.Targets, run.ListAccountsPages, run.ListAccountsPartial = len(w.targets), len(w.pages), w.pagesPartial
	run.ListAccountsPageMS = ms(w.walkTime) / float64(len(w.pages))
	if w.pagesPartial {
		b.logf("%s: walked %d ListAccounts pages in %s, not all of them", store, len(w.pages), walkBudget)
	}

	for _, name := range b.cfg.Ops {
		wl, err := workloadFor(name, w)
		if err != nil {
			return run, nil, err
		}
		op, err := b.measure(ctx, s, wl, b.cfg.Clients, b.cfg.Rounds)
		if err != nil {
			return run, nil, err
		}
		b.logf("%s %d accounts %-19s %7.0f req/s (floor %6.0f, %.2f), p99 %s (floor %s), server CPU %.0f µs/req, disk %.0f B/req, growth %.0f B/req, %d errors",
			store, n, name, op.Target.RPS, op.Floor.RPS, op.RPSRatio, fmtUS(op.Target.P99), fmtUS(op.Floor.P99),
			op.Target.CPUPerRequest, op.Target.DiskPerRequest, op.Target.GrowthPerRequest, op.Target.Errors)
		run.Ops = append(run.Ops, op)
	}

	var points []SweepPoint
	if sweep && len(b.cfg.Sweep) > 0 {
		wl, err := workloadFor(b.cfg.SweepOp, w)
		if err != nil {
			return run, nil, err
		}
		for _, c := range b.cfg.Sweep {
			op, err := b.measure(ctx, s, wl, c, 1)
			if err != nil {
				return run, nil, err
			}
			points = append(points, SweepPoint{Clients: c, Floor: op.Floor, Target: op.Target})
			b.logf("%s sweep %s %3d clients: %8.0f req/s p99 %s (floor %8.0f req/s p99 %s)",
				store, b.cfg.SweepOp, c, op.Target.RPS, fmtUS(op.Target.P99), op.Floor.RPS, fmtUS(op.Floor.P99))
		}
	}
	run.PeakRSS = s.usage().HWM
	return run, points, nil
}

// measure runs rounds of (floor, server) phases of wl with clients clients.
func (b *runner) measure(ctx context.Context, s *server, wl workload, clients, rounds int) (OpReport, error) {
	op := OpReport{Op: wl.name}
	var floors, targets []phase
	var rpsRatios, p99Ratios []float64
	for range rounds {
		f := drive(ctx, b.floor.ep, b.floor.child, wl, clients, b.cfg.warmup(), b.cfg.Duration)
		t := drive(ctx, s.ep, s.child, wl, clients, b.cfg.warmup(), b.cfg.Duration)
		settle(s.child, 30*time.Second)
		if err := ctx.Err(); err != nil {
			return op, err
		}
		if err := s.exited(); err != nil {
			return op, err
		}
		if err := b.floor.exited(); err != nil {
			return op, fmt.Errorf("floor: %w", err)
		}
		floors, targets = append(floors, f), append(targets, t)
		fs, ts := f.stats(), t.stats()
		rr := Round{RPSRatio: ratio(ts.RPS, fs.RPS), P99Ratio: ratio(ts.P99, fs.P99)}
		op.Rounds = append(op.Rounds, rr)
		rpsRatios, p99Ratios = append(rpsRatios, rr.RPSRatio), append(p99Ratios, rr.P99Ratio)
	}
	op.Floor, op.Target = merge(floors).stats(), merge(targets).stats()
	op.RPSRatio, op.P99Ratio = median(rpsRatios), median(p99Ratios)
	return op, nil
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// median of xs (the mean of the two middle values of an even count; zero
// when empty).
func median[T int64 | float64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return (s[(len(s)-1)/2] + s[len(s)/2]) / 2
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }
