package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/accountplane/accountplane/internal/app"
	"github.com/accountplane/accountplane/internal/clock"
	"github.com/accountplane/accountplane/internal/quota"
)

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, code, ok := serveConfig(args, stderr)
	if !ok {
		return code
	}
	tuneGC(os.Getenv)
	if path := os.Getenv("ACCOUNTPLANE_CPUPROFILE"); path != "" {
		stopProfile, err := startCPUProfile(path)
		if err != nil {
			fmt.Fprintf(stderr, "accountplane serve: %v\n", err)
			return 1
		}
		defer stopProfile()
	}
	if path := os.Getenv("ACCOUNTPLANE_MEMPROFILE"); path != "" {
		runtime.MemProfileRate = 64 << 10 // finer than the default, for allocation work
		defer writeHeapProfile(path, stderr)
	}
	a, err := app.Start(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "accountplane serve: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "accountplane listening on %s\nconsole: %s\n", a.URL(), a.ConsoleURL())
	select {
	case <-ctx.Done():
		cfg.Log.Info("shutting down")
	case err := <-a.Done():
		cfg.Log.Error("server stopped", "err", err)
	}
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := a.Shutdown(sctx); err != nil {
		fmt.Fprintf(stderr, "accountplane serve: shutdown: %v\n", err)
		return 1
	}
	return 0
}

// The server trades memory for CPU: the garbage collector lets the heap
// grow to five times what is live before it runs (GOGC=400; Go's default,
// 100, cost a tenth of the server's CPU under load), within a soft limit
// of 1 GiB (GOMEMLIMIT), near which it runs as often as it must. GOGC or
// GOMEMLIMIT in the environment override each. Idle memory is unchanged:
// a heap that is small stays small.
const (
	serveGCPercent   = 400
	serveMemoryLimit = 1 << 30
)

// tuneGC sets the collector's settings of serve that getenv leaves unset.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serveMemoryLimit)
	}
}

// startCPUProfile writes a CPU profile of the server to path until the
// returned function is called (ACCOUNTPLANE_CPUPROFILE, for performance
// work: see BENCHMARKS.md).
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// writeHeapProfile writes the allocations made since start-up to path
// (ACCOUNTPLANE_MEMPROFILE, for performance work: see BENCHMARKS.md).
func writeHeapProfile(path string, stderr io.Writer) {
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("allocs").WriteTo(f, 0)
		f.Close()
	}
	if err != nil {
		fmt.Fprintf(stderr, "accountplane serve: heap profile: %v\n", err)
	}
}

// serveConfig parses the flags (and environment) of serve. If ok is false,
// serve must exit with code.
func serveConfig(args []string, stderr io.Writer) (cfg app.Config, code int, ok bool) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var logLevel, cors, allowedHosts, delay, createDelay, closeDelay, policyTypeDelay, quotas, webhooks, retention string
	fs.StringVar(&cfg.Addr, "addr", env("ACCOUNTPLANE_ADDR", "127.0.0.1:4566"), "listen address (env ACCOUNTPLANE_ADDR)")
	fs.StringVar(&cfg.DataDir, "data", env("ACCOUNTPLANE_DATA", ".accountplane"), "data directory, or :memory: for a throwaway store (env ACCOUNTPLANE_DATA)")
	fs.StringVar(&cfg.Store, "store", env("ACCOUNTPLANE_STORE", ""), "PostgreSQL store shared by replicas, postgres://user@host/db (env ACCOUNTPLANE_STORE; default: the SQLite store under --data)")
	fs.StringVar(&cfg.ReplicaID, "replica-id", env("ACCOUNTPLANE_REPLICA_ID", ""), "this replica's name in health and metrics (default: host name and process id)")
	fs.StringVar(&cfg.Seed, "seed", env("ACCOUNTPLANE_SEED", ""), "YAML or JSON file of accounts and credentials to create when missing (env ACCOUNTPLANE_SEED)")
	fs.StringVar(&logLevel, "log-level", env("ACCOUNTPLANE_LOG_LEVEL", "info"), "debug, info, warn or error (env ACCOUNTPLANE_LOG_LEVEL)")
	fs.BoolVar(&cfg.InsecureSkipAuth, "insecure-skip-auth", false, "DANGER: accept requests without verifying their signatures")
	fs.StringVar(&delay, "region-transition-delay", env("ACCOUNTPLANE_REGION_TRANSITION_DELAY", "5s"), "how long ENABLING and DISABLING last; 0s completes at once")
	fs.StringVar(&createDelay, "create-account-delay", env("ACCOUNTPLANE_CREATE_ACCOUNT_DELAY", "2s"), "how long Organizations CreateAccount stays IN_PROGRESS")
	fs.StringVar(&closeDelay, "close-account-delay", env("ACCOUNTPLANE_CLOSE_ACCOUNT_DELAY", "2s"), "how long a closed member account stays PENDING_CLOSURE")
	fs.StringVar(&policyTypeDelay, "policy-type-delay", env("ACCOUNTPLANE_POLICY_TYPE_DELAY", "2s"), "how long an enabled or disabled policy type stays PENDING_ENABLE or PENDING_DISABLE")
	fs.IntVar(&cfg.Orgs.MaxAccounts, "max-accounts", 10, "accounts per organization (AWS's default quota is 10), open invitations included")
	fs.StringVar(&quotas, "quotas", env("ACCOUNTPLANE_QUOTAS", "aws"), "request-rate quotas: aws (AWS's numbers), off, or a YAML/JSON file of overrides")
	fs.StringVar(&webhooks, "event-webhook", env("ACCOUNTPLANE_EVENT_WEBHOOKS", ""), "comma-separated URLs that receive every event (POST, JSON, at least once)")
	fs.StringVar(&retention, "trail-retention", env("ACCOUNTPLANE_TRAIL_RETENTION", "90d"), "how long CloudTrail event history keeps records (e.g. 90d, 720h)")
	fs.Int64Var(&cfg.TrailMaxEvents, "trail-max-events", 0, "most CloudTrail records kept, oldest deleted first (0: 10,000,000, or 200,000 with --data :memory:; -1: no bound)")
	fs.Int64Var(&cfg.EventLogMax, "event-log-max", 0, "most events the event bus's log keeps, oldest deleted first but those a webhook delivery needs (0: 1,000,000, or 20,000 with --data :memory:; -1: no bound)")
	var trailReads string
	fs.StringVar(&trailReads, "trail-reads", env("ACCOUNTPLANE_TRAIL_READS", "on"), "record calls that change nothing in CloudTrail, as AWS does (on) or not (off)")
	fs.StringVar(&cfg.AdminToken, "admin-token", env("ACCOUNTPLANE_ADMIN_TOKEN", ""), "bearer token for the admin API; without it the admin API answers loopback clients only (env ACCOUNTPLANE_ADMIN_TOKEN)")
	fs.StringVar(&allowedHosts, "allowed-hosts", env("ACCOUNTPLANE_ALLOWED_HOSTS", ""), "comma-separated Host names besides loopback ones (e.g. a container's name) the admin API answers without --admin-token; clients must still be on loopback (env ACCOUNTPLANE_ALLOWED_HOSTS)")
	fs.StringVar(&cors, "cors-origins", env("ACCOUNTPLANE_CORS_ORIGINS", ""), "comma-separated origins allowed to call from a browser (default: any, when listening on loopback)")
	fs.IntVar(&cfg.DecisionLogSize, "decision-log", 10000, "how many authorization decisions to keep in memory for `accountplane explain`")
	fs.StringVar(&cfg.TLSCert, "tls-cert", "", "TLS certificate file (serve HTTPS)")
	fs.StringVar(&cfg.TLSKey, "tls-key", "", "TLS key file")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: accountplane serve [flags]\n\nRuns the server until SIGINT or SIGTERM.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return cfg, 0, false
		}
		return cfg, 2, false
	}
	switch trailReads {
	case "on":
	case "off":
		cfg.TrailSkipReads = true
	default:
		fmt.Fprintf(stderr, "accountplane serve: bad --trail-reads %q (on or off)\n", trailReads)
		return cfg, 2, false
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(logLevel)); err != nil {
		fmt.Fprintf(stderr, "accountplane serve: bad --log-level %q\n", logLevel)
		return cfg, 2, false
	}
	d, err := time.ParseDuration(delay)
	if err != nil || d < 0 {
		fmt.Fprintf(stderr, "accountplane serve: bad --region-transition-delay %q\n", delay)
		return cfg, 2, false
	}
	cfg.RegionTransitionDelay = d
	if cfg.TrailRetention, err = clock.ParseDuration(retention); err != nil || cfg.TrailRetention <= 0 {
		fmt.Fprintf(stderr, "accountplane serve: bad --trail-retention %q\n", retention)
		return cfg, 2, false
	}
	if cfg.Quotas, err = quota.Parse(quotas); err != nil {
		fmt.Fprintf(stderr, "accountplane serve: --quotas: %v\n", err)
		return cfg, 2, false
	}
	for _, f := range []struct {
		name, v string
		to      *time.Duration
	}{{"--create-account-delay", createDelay, &cfg.CreateAccountDelay}, {"--close-account-delay", closeDelay, &cfg.CloseDelay},
		{"--policy-type-delay", policyTypeDelay, &cfg.Orgs.PolicyTypeDelay}} {
		d, err := time.ParseDuration(f.v)
		if err != nil || d < 0 {
			fmt.Fprintf(stderr, "accountplane serve: bad %s %q\n", f.name, f.v)
			return cfg, 2, false
		}
		*f.to = d
	}
	for _, u := range strings.Split(webhooks, ",") {
		if u = strings.TrimSpace(u); u != "" {
			cfg.EventWebhooks = append(cfg.EventWebhooks, u)
		}
	}
	for _, h := range strings.Split(allowedHosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			cfg.AllowedHosts = append(cfg.AllowedHosts, h)
		}
	}
	for _, o := range strings.Split(cors, ",") {
		if o = strings.TrimSpace(o); o != "" {
			cfg.CORSOrigins = append(cfg.CORSOrigins, o)
		}
	}
	cfg.Log = slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: lvl}))
	cfg.Version = versionString()
	return cfg, 0, true
}
