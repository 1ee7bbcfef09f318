package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Report is the outcome of Run; it is written as results.json, and rendered
// as results.md and chart.svg.
type Report struct {
	Started  time.Time     `json:"started"`
	Finished time.Time     `json:"finished"`
	Machine  Machine       `json:"machine"`
	Settings Settings      `json:"settings"`
	Goals    []GoalResult  `json:"goals"`
	Stores   []StoreReport `json:"stores"`
}

// Machine describes where the benchmark ran.
type Machine struct {
	CPU      string `json:"cpu"`
	CPUs     int    `json:"cpus"`
	MemBytes int64  `json:"mem_bytes"`
	Kernel   string `json:"kernel"`
	Go       string `json:"go"`
	// LoadAverage is /proc/loadavg's 1, 5 and 15 minute load when the run
	// started: the machine may be shared.
	LoadAverage string `json:"load_average"`
}

// Settings are the Config a report was made with (the DSN left out).
type Settings struct {
	DurationSeconds float64  `json:"duration_seconds"`
	WarmupSeconds   float64  `json:"warmup_seconds"`
	Clients         int      `json:"clients"`
	Rounds          int      `json:"rounds"`
	Accounts        int      `json:"accounts"`
	SmallAccounts   int      `json:"small_accounts"`
	Targets         int      `json:"targets"`
	Ops             []string `json:"ops"`
	Sweep           []int    `json:"sweep,omitempty"`
	SweepOp         string   `json:"sweep_op,omitempty"`
	StartupRuns     int      `json:"startup_runs"`
	Postgres        bool     `json:"postgres"`
	ServeFlags      []string `json:"serve_flags,omitempty"`
}

func settingsOf(c Config) Settings {
	return Settings{DurationSeconds: c.Duration.Seconds(), WarmupSeconds: c.warmup().Seconds(), Clients: c.Clients,
		Rounds: c.Rounds, Accounts: c.Accounts, SmallAccounts: max(c.SmallAccounts, 0), Targets: c.Targets, Ops: c.Ops,
		Sweep: c.Sweep, SweepOp: c.SweepOp, StartupRuns: c.StartupRuns, Postgres: c.Postgres != "", ServeFlags: c.ServeFlags}
}

// StoreReport is what was measured of one store.
type StoreReport struct {
	Store string `json:"store"`
	// NotRun says why the store was not measured; "" if it was.
	NotRun string `json:"not_run,omitempty"`
	// StartupEmptyMS is the median time from starting the process to its
	// first 200 answer to a signed GetCallerIdentity, on an empty store.
	StartupEmptyMS float64 `json:"startup_empty_ms"`
	// IdleRSSEmpty is the resident memory then, before any load.
	IdleRSSEmpty int64        `json:"idle_rss_empty_bytes"`
	Runs         []RunReport  `json:"runs"`
	Sweep        []SweepPoint `json:"sweep,omitempty"`
}

// run returns the run with n accounts, or nil.
func (s *StoreReport) run(n int) *RunReport {
	for i := range s.Runs {
		if s.Runs[i].Accounts == n {
			return &s.Runs[i]
		}
	}
	return nil
}

// RunReport is a store measured with one organization size.
type RunReport struct {
	Accounts int `json:"accounts"`
	// SeedSeconds is how long the first start took, seeding included.
	SeedSeconds float64 `json:"seed_seconds"`
	// StartupMS is the start-up on the seeded store, restarted without
	// --seed (the median of Settings.StartupRuns restarts); IdleRSS the
	// resident memory after the last, before any load;
	// PeakRSS the peak (VmHWM) at the end of the run.
	StartupMS         float64 `json:"startup_ms"`
	IdleRSS           int64   `json:"idle_rss_bytes"`
	PeakRSS           int64   `json:"peak_rss_bytes"`
	Targets           int     `json:"targets"`
	ListAccountsPages int     `json:"list_accounts_pages"`
	// ListAccountsPartial is set when collecting the pages' NextTokens
	// stopped (after 15 s) before the last page.
	ListAccountsPartial bool `json:"list_accounts_partial,omitempty"`
	// ListAccountsPageMS is the mean time of a page during that walk, one
	// request at a time, as the only client.
	ListAccountsPageMS float64    `json:"list_accounts_page_ms"`
	Ops                []OpReport `json:"ops"`
}

// op returns the report of the operation name, or nil.
func (r *RunReport) op(name string) *OpReport {
	if r == nil {
		return nil
	}
	for i := range r.Ops {
		if r.Ops[i].Op == name {
			return &r.Ops[i]
		}
	}
	return nil
}

// OpReport is one operation against the server and the floor. Target and
// Floor pool every round; the ratios are the median of the rounds'.
type OpReport struct {
	Op       string  `json:"op"`
	Target   Stats   `json:"target"`
	Floor    Stats   `json:"floor"`
	RPSRatio float64 `json:"rps_ratio"`
	P99Ratio float64 `json:"p99_ratio"`
	Rounds   []Round `json:"rounds"`
}

// Round is the ratio of the server to the floor in one round.
type Round struct {
	RPSRatio float64 `json:"rps_ratio"`
	P99Ratio float64 `json:"p99_ratio"`
}

// SweepPoint is the swept operation at one concurrency.
type SweepPoint struct {
	Clients int   `json:"clients"`
	Floor   Stats `json:"floor"`
	Target  Stats `json:"target"`
}

// WriteFiles writes results.json, results.md and chart.svg into dir.
func (r *Report) WriteFiles(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	files := []struct {
		name string
		b    []byte
	}{
		{"results.json", append(js, '\n')},
		{"results.md", []byte(r.Markdown("chart.svg"))},
		{"chart.svg", r.Chart()},
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Markdown renders the report; chart, if not "", is the path of the chart
// to link.
func (r *Report) Markdown(chart string) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	m, s := r.Machine, r.Settings
	p("# accountplane bench\n\n")
	p("- Machine: %s, %d CPUs, %s memory; Linux %s; %s; load average at start %s.\n", m.CPU, m.CPUs, gib(m.MemBytes), m.Kernel, m.Go, m.LoadAverage)
	p("- Run: %s, %s.\n", r.Started.Format(time.RFC3339), r.Finished.Sub(r.Started).Round(time.Second))
	small := ""
	if s.SmallAccounts > 0 && s.SmallAccounts < s.Accounts {
		small = fmt.Sprintf(" (and %d for the flat-scaling check)", s.SmallAccounts)
	}
	p("- Settings: %d closed-loop clients, %gs per phase after %gs of warm-up, %d round(s) of (floor, server) per operation, %d accounts%s, per-account operations spread over up to %d members; quotas off%s.\n\n",
		s.Clients, s.DurationSeconds, s.WarmupSeconds, s.Rounds, s.Accounts, small, s.Targets, serveFlagsNote(s.ServeFlags))

	p("## Goals\n\n")
	p("Each goal as the issue states it, at %d clients with quotas off, on %d accounts. Ratios are to the floor (a bare net/http handler in its own process, same clients and signing), measured in the same invocation.\n\n", s.Clients, s.Accounts)
	p("| Measure | Goal | Before (issue) |")
	for _, st := range r.Stores {
		p(" %s |", st.Store)
	}
	p("\n|---|---|---|")
	for range r.Stores {
		p("---|")
	}
	p("\n")
	for _, g := range r.Goals {
		p("| %s | %s | %s |", g.Measure, g.Goal, g.Before)
		for _, st := range r.Stores {
			v, ok := g.value(st.Store)
			switch {
			case st.NotRun != "":
				p(" not run |")
			case !ok || v.Value == "":
				p(" — |")
			case v.Met == nil:
				p(" %s |", v.Value)
			case *v.Met:
				p(" %s ✓ |", v.Value)
			default:
				p(" %s ✗ |", v.Value)
			}
		}
		p("\n")
	}
	p("\n")

	for _, st := range r.Stores {
		if st.NotRun != "" {
			p("## %s\n\n%s.\n\n", st.Store, upper(st.NotRun))
			continue
		}
		for _, run := range st.Runs {
			p("## %s, %d accounts\n\n", st.Store, run.Accounts)
			pages := fmt.Sprintf("every one of its %d pages", run.ListAccountsPages)
			if run.ListAccountsPages == 1 {
				pages = "its only page"
			}
			if run.ListAccountsPartial {
				pages = fmt.Sprintf("the first %d pages only (walking them for their NextTokens stopped after %s)", run.ListAccountsPages, walkBudget)
			}
			pages += fmt.Sprintf(", which took %.1f ms a page when walked by a single client", run.ListAccountsPageMS)
			p("Start-up to the first signed GetCallerIdentity: %.1f ms on an empty store (idle RSS %s), %.1f ms on this one (restarted without `--seed` after seeding it in %.1f s; medians of %d). Idle RSS %s, peak RSS %s. Per-account operations act on %d members; ListAccounts reads %s.\n\n",
				st.StartupEmptyMS, mib(st.IdleRSSEmpty), run.StartupMS, run.SeedSeconds, s.StartupRuns, mib(run.IdleRSS), mib(run.PeakRSS), run.Targets, pages)
			p("| Operation | req/s | floor req/s | ratio | p50 | p90 | p99 | max | floor p99 | p99 ratio | server CPU µs/req | disk written B/req | store growth B/req | errors |\n")
			p("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
			for _, op := range run.Ops {
				t, f := op.Target, op.Floor
				errs := fmt.Sprint(t.Errors)
				if t.Errors > 0 || f.Errors > 0 {
					errs = fmt.Sprintf("**%d** (floor %d) ⚠", t.Errors, f.Errors)
				}
				p("| %s | %.0f | %.0f | %.2f | %s | %s | %s | %s | %s | %.1f | %s | %s | %s | %s |\n",
					op.Op, t.RPS, f.RPS, op.RPSRatio, latency(t, t.P50), latency(t, t.P90), latency(t, t.P99), latency(t, t.Max), latency(f, f.P99), op.P99Ratio,
					cost(t.CPUPerRequest, "%.0f"), cost(t.DiskPerRequest, "%.0f"), cost(t.GrowthPerRequest, "%.0f"), errs)
			}
			p("\n")
			listed := false
			for _, op := range run.Ops {
				if op.Target.FirstError != "" {
					p("- %s, first error: `%s`\n", op.Op, oneLine(op.Target.FirstError))
					listed = true
				}
				if op.Floor.FirstError != "" {
					p("- %s (floor), first error: `%s`\n", op.Op, oneLine(op.Floor.FirstError))
					listed = true
				}
			}
			if listed {
				p("\n")
			}
			if len(run.Ops) > 0 {
				f := run.Ops[0].Floor
				disk := "Disk written is /proc/PID/io write_bytes (WAL frames and checkpoints, counted in pages as they are dirtied); store growth is the growth of the SQLite store's pages in use (page_count − freelist_count, WAL included), or of the data directory where that cannot be read."
				if st.Store == StorePostgres {
					disk = "Server CPU is accountplane's alone: PostgreSQL's own processes share the machine's cores and are not counted. Disk written is the WAL PostgreSQL wrote (the advance of pg_current_wal_lsn, the cluster's; data pages written at checkpoints are not counted); store growth is the growth of pg_database_size (the pages of the database's tables and indexes)."
				}
				p("The floor's own CPU: %s µs/req (%s). Server CPU is utime+stime of /proc/PID/stat (10 ms resolution over each phase). %s\n\n", cost(f.CPUPerRequest, "%.0f"), run.Ops[0].Op, disk)
			}
		}
	}

	if flat := r.flatScaling(); len(flat) > 0 {
		p("## Flat scaling\n\n")
		p("p99 with %d accounts against p99 with %d (goal: within 1.5x).\n\n", s.Accounts, s.SmallAccounts)
		p("The last column divides each p99 by the p99 of the floor phase run just before it, then compares: the machine's own swings between the two worlds' phases drop out (no goal is set on it).\n\n")
		p("| Store | Operation | p99 @%d | p99 @%d | ratio | ratio of the p99s ÷ their floors' |\n|---|---|--:|--:|--:|--:|\n", s.SmallAccounts, s.Accounts)
		for _, f := range flat {
			mark := "✓"
			if f.Ratio > flatGoal {
				mark = "✗"
			}
			p("| %s | %s | %s | %s | %.2f %s | %.2f |\n", f.Store, f.Op, latency(f.Small, f.Small.P99), latency(f.Large, f.Large.P99), f.Ratio, mark, f.FloorRatio)
		}
		p("\n")
	}

	if swept := r.sweptStores(); len(swept) > 0 {
		p("## Concurrency sweep (%s, %d accounts)\n\n", s.SweepOp, s.Accounts)
		p("| clients | floor req/s | floor p99 |")
		for _, st := range swept {
			p(" %s req/s | %s p99 |", st.Store, st.Store)
		}
		p("\n|--:|--:|--:|")
		for range swept {
			p("--:|--:|")
		}
		p("\n")
		for i, pt := range swept[0].Sweep {
			p("| %d | %.0f | %s |", pt.Clients, pt.Floor.RPS, fmtUS(pt.Floor.P99))
			for _, st := range swept {
				if i < len(st.Sweep) {
					p(" %.0f | %s |", st.Sweep[i].Target.RPS, fmtUS(st.Sweep[i].Target.P99))
				}
			}
			p("\n")
		}
		p("\n")
		if chart != "" {
			p("![throughput and p99 against clients](%s)\n\n", chart)
		}
	}

	p("## Operations\n\n")
	for _, name := range s.Ops {
		p("- **%s**: %s.\n", name, opDescriptions[name])
	}
	return b.String()
}

// sweptStores are the stores with a concurrency sweep.
func (r *Report) sweptStores() []StoreReport {
	var out []StoreReport
	for _, st := range r.Stores {
		if len(st.Sweep) > 0 {
			out = append(out, st)
		}
	}
	return out
}

// flatRow compares an operation's p99 on the small and the large
// organization.
type flatRow struct {
	Store, Op    string
	Small, Large Stats
	Ratio        float64
	// FloorRatio is the same ratio of each world's p99 ÷ its own phase's
	// floor p99: what is left of the growth once the machine's own swings
	// between the two phases (the floor's p99 moves with them) are taken
	// out. Shown beside the goal's ratio, never instead of it.
	FloorRatio float64
}

// flatGoal is the bound on p99 at 10,000 accounts over p99 at 10.
const flatGoal = 1.5

func (r *Report) flatScaling() []flatRow {
	var out []flatRow
	for _, st := range r.Stores {
		small, large := st.run(r.Settings.SmallAccounts), st.run(r.Settings.Accounts)
		if small == nil || large == nil || small == large {
			continue
		}
		for _, op := range large.Ops {
			if so := small.op(op.Op); so != nil {
				out = append(out, flatRow{Store: st.Store, Op: op.Op, Small: so.Target, Large: op.Target,
					Ratio: ratio(op.Target.P99, so.Target.P99), FloorRatio: ratio(op.P99Ratio, so.P99Ratio)})
			}
		}
	}
	return out
}

// readMachine describes this machine from /proc.
func readMachine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), Go: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if m.CPU == "" {
		m.CPU = runtime.GOARCH
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		m.MemBytes = statusBytes(b, "MemTotal:")
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			m.LoadAverage = strings.Join(f[:3], " ")
		}
	}
	return m
}

// latency formats a percentile of s for a table: "≥" marks a lower bound,
// when requests were cancelled unanswered.
func latency(s Stats, us float64) string {
	if s.Cancelled > 0 {
		return "≥ " + fmtUS(us)
	}
	return fmtUS(us)
}

// fmtUS formats a latency in µs for a table.
func fmtUS(us float64) string {
	switch {
	case us >= 1e6:
		return fmt.Sprintf("%.2f s", us/1e6)
	case us >= 1e3:
		return fmt.Sprintf("%.2f ms", us/1e3)
	}
	return fmt.Sprintf("%.0f µs", us)
}

// cost formats a per-request cost, "—" when unknown.
func cost(v float64, format string) string {
	if v < 0 {
		return "—"
	}
	return fmt.Sprintf(format, v)
}

func mib(b int64) string {
	if b <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}

func gib(b int64) string { return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30)) }

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "`", "'")
}

func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// serveFlagsNote names the extra serve flags of a run, if any.
func serveFlagsNote(flags []string) string {
	if len(flags) == 0 {
		return ""
	}
	return "; server flags `" + strings.Join(flags, " ") + "`"
}
