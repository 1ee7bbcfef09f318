package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/accountplane/accountplane/internal/arn"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/accountapi"
	"github.com/accountplane/accountplane/internal/authz"
	"github.com/accountplane/accountplane/internal/clock"
	"github.com/accountplane/accountplane/internal/cloudtrailapi"
	"github.com/accountplane/accountplane/internal/console"
	"github.com/accountplane/accountplane/internal/events"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/iamapi"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/operation"
	"github.com/accountplane/accountplane/internal/organizations"
	"github.com/accountplane/accountplane/internal/orgsapi"
	"github.com/accountplane/accountplane/internal/quota"
	"github.com/accountplane/accountplane/internal/s3api"
	"github.com/accountplane/accountplane/internal/server"
	"github.com/accountplane/accountplane/internal/sqlite"
	"github.com/accountplane/accountplane/internal/stsapi"
	"github.com/accountplane/accountplane/internal/trail"
)

// MemoryData is the --data value for a throwaway in-memory store.
const MemoryData = ":memory:"

// Config is everything `accountplane serve` can be told.
type Config struct {
	Addr    string // default 127.0.0.1:4566
	DataDir string // directory, or MemoryData
	Seed    string // optional seed file
	// InsecureSkipAuth turns signature verification off.
	InsecureSkipAuth      bool
	RegionTransitionDelay time.Duration
	// CreateAccountDelay is how long Organizations CreateAccount stays
	// IN_PROGRESS; CloseDelay how long a closed account stays PENDING_CLOSURE.
	CreateAccountDelay, CloseDelay time.Duration
	// Quotas is the request-rate table (nil: never throttle); see quota.Parse.
	Quotas quota.Table
	// Orgs tunes the Organizations quotas (zero values: AWS's numbers).
	Orgs       organizations.Options
	AdminToken string
	// AllowedHosts are Host names besides loopback ones that the admin API
	// answers without AdminToken (see server.Config.AllowedHosts).
	AllowedHosts    []string
	CORSOrigins     []string
	TLSCert, TLSKey string
	Log             *slog.Logger
	Version         string
	// Now is the domain clock (default time.Now).
	Now func() time.Time
	// EventWebhooks are URLs that receive every event (besides the seed's
	// eventTargets).
	EventWebhooks []string
	// TrailRetention is how long CloudTrail records are kept (default 90
	// days); Trail tunes what they hold.
	TrailRetention time.Duration
	// TrailMaxEvents bounds the history by count (0: DefaultTrailMaxEvents,
	// or DefaultMemoryTrailMaxEvents for a :memory: store; negative: no
	// bound); TrailSkipReads leaves calls that change nothing unrecorded.
	TrailMaxEvents int64
	TrailSkipReads bool
	// EventLogMax bounds the event bus's log by count, but the events a
	// webhook delivery still needs (0: DefaultEventLogMax, or
	// DefaultMemoryEventLogMax for a :memory: store; negative: no bound).
	EventLogMax int64
	Trail       trail.Options
	// ReadTimeout limits the time to read one request, body included
	// (default DefaultReadTimeout); IdleTimeout how long a keep-alive
	// connection waits for its next request (default DefaultIdleTimeout).
	ReadTimeout, IdleTimeout time.Duration
	// Store is a PostgreSQL DSN (postgres://...) for a store replicas
	// share; empty: the embedded SQLite store under DataDir.
	Store string
	// ReplicaID names this replica in health and metrics (default: the
	// host name and process id).
	ReplicaID string
	// DecisionLogSize is how many authorization decisions are kept in
	// memory for `accountplane explain` (default 10,000).
	DecisionLogSize int
}

// Default bounds of the CloudTrail history by count: a :memory: server
// keeps its RSS bounded under any load (about 1 KB per record).
const (
	DefaultTrailMaxEvents       = 10_000_000
	DefaultMemoryTrailMaxEvents = 200_000
)

// Default bounds of the event bus's log: an event keeps its whole JSON
// (1–2 KB), so a :memory: server keeps a shorter log.
const (
	DefaultEventLogMax       = 1_000_000
	DefaultMemoryEventLogMax = 20_000
)

func (a *App) trailMaxEvents() int64 {
	return a.bound(a.cfg.TrailMaxEvents, DefaultTrailMaxEvents, DefaultMemoryTrailMaxEvents)
}

func (a *App) eventLogMax() int64 {
	return a.bound(a.cfg.EventLogMax, DefaultEventLogMax, DefaultMemoryEventLogMax)
}

// bound is a configured bound n: 0 for none if n is negative, n if set,
// else the default of the store (memory for a :memory: store).
func (a *App) bound(n, stored, memory int64) int64 {
	switch {
	case n < 0:
		return 0
	case n > 0:
		return n
	case a.cfg.Store == "" && a.cfg.DataDir == MemoryData:
		return memory
	}
	return stored
}

// Services returns the AWS services the app serves, with their operation
// tables.
func (a *App) Services() []operation.Service { return a.served }

// services are the AWS services served, each an operation table run by
// the server's one pipeline.
func (a *App) services(tokenKey []byte) []operation.Service {
	cfg := a.cfg
	return append([]operation.Service{
		accountapi.Service(a.Accounts, accountapi.Options{TokenKey: tokenKey, Directory: accountDirectory{a.Orgs}}),
		orgsapi.Service(a.Orgs, orgsapi.Options{TokenKey: tokenKey, Now: a.clock.Now}),
		stsapi.Service(a.IAM),
		s3api.Service(),
		accountapi.ConsoleService(a.Accounts, accountapi.Options{Directory: accountDirectory{a.Orgs}}),
		iamapi.Service(a.IAM, iamapi.Options{TokenKey: tokenKey, SCPs: scpSource{a.Orgs}}),
		cloudtrailapi.Service(a.db, cloudtrailapi.Options{
			TokenKey: tokenKey, Now: a.clock.Now, Retention: cfg.TrailRetention,
			Settle: func() {
				if a.srv != nil {
					a.srv.SettleTrail()
				}
			},
		}),
	}, iamapi.ConsoleServices(a.IAM)...)
}

// Limits of the HTTP server. Go's server answers 431 Request Header Fields
// Too Large itself to a request whose header exceeds MaxHeaderBytes (plus
// the 4 KiB of slack net/http grants), and drops a connection that takes
// longer than ReadTimeout to send a request.
const (
	DefaultReadTimeout = 30 * time.Second
	DefaultIdleTimeout = 120 * time.Second
	readHeaderTimeout  = 10 * time.Second
	MaxHeaderBytes     = 64 << 10
)

// App is a running accountplane.
type App struct {
	cfg      Config
	db       *sqlite.DB
	lock     *os.File
	ln       net.Listener
	http     *http.Server
	srv      *server.Server
	served   []operation.Service
	clock    *clock.Clock
	seed     *Seed
	done     chan error
	tls      bool
	Accounts *account.Service
	events   *events.Service
	Orgs     *organizations.Service
	IAM      *iam.Service
	// stopUses ends the access key use flusher, which closes usesDone.
	stopUses, usesDone chan struct{}
	stopUsesOnce       sync.Once
}

// Start opens the store, prepares the world and starts serving on
// cfg.Addr. The caller must Shutdown the App.
func Start(ctx context.Context, cfg Config) (a *App, err error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:4566"
	}
	if cfg.DataDir == "" {
		cfg.DataDir = ".accountplane"
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = DefaultReadTimeout
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	var seed *Seed
	if cfg.Seed != "" {
		if seed, err = LoadSeed(cfg.Seed); err != nil {
			return nil, err
		}
	}
	a = &App{cfg: cfg, done: make(chan error, 1)}
	started := a
	defer func() {
		if err != nil {
			if started.srv != nil {
				started.srv.FlushTrail() // its writer must not outlive the store
			}
			started.closeStore()
		}
	}()
	dbPath, tokenKey, err := a.prepareData()
	if err != nil {
		return nil, err
	}
	a.db, err = sqlite.Open(ctx, dbPath, sqlite.Options{Now: time.Now})
	if err != nil {
		return nil, err
	}
	if a.db.Shared() {
		// Replicas share the store: the token key and the clock live there.
		if tokenKey, err = a.sharedTokenKey(ctx); err != nil {
			return nil, err
		}
		a.clock, err = clock.NewShared(cfg.Now, storeClock{a.db}, time.Second)
	} else {
		clockPath := ""
		if cfg.DataDir != MemoryData {
			clockPath = clock.Path(cfg.DataDir)
		}
		a.clock, err = clock.New(cfg.Now, clockPath)
	}
	if err != nil {
		return nil, err
	}
	// Every domain delay runs on the movable clock; signatures keep the
	// real time (the server's own clock).
	cfg.Now = a.clock.Now
	a.seed = seed
	orgOpts := cfg.Orgs
	orgOpts.Now, orgOpts.CreateAccountDelay, orgOpts.CloseDelay = cfg.Now, cfg.CreateAccountDelay, cfg.CloseDelay
	a.IAM = iam.NewService(a.db.IAM(), iam.Options{Now: cfg.Now, Orgs: rootOrgs{a}, KeyUses: a.db.IAMKeyUses(),
		KnownPasswordHashes: map[string]string{DefaultRootPassword: defaultRootPasswordHash}})
	orgOpts.Roles = orgRoles{a.IAM}
	orgOpts.Created = rootAccessOnCreate{a.IAM}.created
	a.Orgs = organizations.NewService(orgsStore{a.db.Organizations(), a.IAM.Invalidate}, orgOpts)
	a.events = newEvents(a, cfg)
	a.db.SetBeforeCommit(unitOfWork{committed: a.events.Committed, recorded: a.recordWritten, realNow: time.Now}.beforeCommit)
	a.Accounts = account.NewService(a.db, account.Options{Events: a.events,
		Now: cfg.Now, RegionTransitionDelay: cfg.RegionTransitionDelay, Directory: a.Orgs,
		CloseDelay: cfg.CloseDelay, PostClosure: orgOpts.PostClosure,
	})
	if err := a.prepareWorld(ctx, seed); err != nil {
		return nil, err
	}
	if err := a.syncEventTargets(ctx); err != nil {
		return nil, err
	}
	if cfg.InsecureSkipAuth {
		cfg.Log.Warn("signature verification is OFF (--insecure-skip-auth): any request is accepted, unsigned ones as the root user of " + DefaultAccount.ID)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	a.ln = ln
	cors := cfg.CORSOrigins
	if len(cors) == 0 && isLoopbackAddr(ln.Addr()) {
		cors = []string{"*"}
	}
	a.served = a.services(tokenKey)
	srv, err := server.New(server.Config{
		Log: cfg.Log, Keys: newCredentials(a.IAM, a.partitionOf, a.generation(a.IAM.Generation), cfg.Now), Outbox: a.db,
		Authorizer:      &authorizer{z: &authz.Authorizer{Source: newPolicySource(a.IAM, a.Orgs, a.generation(a.Orgs.Generation), a.generation(a.IAM.Generation)), Now: cfg.Now}, iam: a.IAM},
		Admin:           &admin{db: a.db, accounts: a.Accounts, orgs: a.Orgs, iam: a.IAM, settle: a.settleTrail},
		Clock:           eventClock{a.clock, a.events},
		Events:          eventSource{a.events},
		Metrics:         []server.MetricSource{a.events.Metrics, a.db.PoolMetrics},
		Limiter:         a.limiter(cfg.Quotas),
		FaultStore:      a.faultStore(),
		Resetter:        a,
		State:           a,
		Services:        a.served,
		SkipAuth:        cfg.InsecureSkipAuth,
		DefaultAccount:  identity.AccountID(DefaultAccount.ID),
		AdminToken:      cfg.AdminToken,
		AllowedHosts:    cfg.AllowedHosts,
		CORSOrigins:     cors,
		Version:         cfg.Version,
		Store:           a.db.Kind(),
		ReplicaID:       a.replicaID(),
		DecisionLogSize: cfg.DecisionLogSize,
		Refresh:         a.db.Refresh,
		Trail: server.TrailConfig{
			Store: a.db, Options: cfg.Trail, Retention: cfg.TrailRetention,
			MaxEvents: a.trailMaxEvents(), SkipReads: cfg.TrailSkipReads,
			Session: (&sessionInfo{store: a.db.IAM()}).lookup,
		},
	})
	if err != nil {
		ln.Close()
		return nil, err
	}
	a.srv = srv
	con, err := console.New(console.Config{
		Invoker: srv, Keys: srv, Admin: srv, AdminToken: cfg.AdminToken != "",
		CanonicalUserID: s3api.CanonicalUserID, Log: cfg.Log,
		Password: &passwordSignIn{iam: a.IAM, opts: cfg.Trail, now: cfg.Now},
		Posture:  &admin{db: a.db, accounts: a.Accounts, orgs: a.Orgs, iam: a.IAM, settle: a.settleTrail},
	})
	if err != nil {
		ln.Close()
		return nil, err
	}
	srv.HandleConsole(con)
	srv.HandleSignIn(con.SignInAPI())
	a.http = &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: min(readHeaderTimeout, cfg.ReadTimeout),
		ReadTimeout:       cfg.ReadTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(cfg.Log.Handler(), slog.LevelWarn),
	}
	if cfg.TLSCert != "" || cfg.TLSKey != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("load TLS key pair: %w", err)
		}
		a.ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		a.tls = true
	}
	a.http.RegisterOnShutdown(a.events.Close)
	a.events.Start()
	a.stopUses, a.usesDone = make(chan struct{}), make(chan struct{})
	go a.flushKeyUses(a.stopUses, a.usesDone)
	go func() { a.done <- a.http.Serve(a.ln) }()
	cfg.Log.Info("accountplane listening", "addr", a.URL(), "data", cfg.DataDir, "version", cfg.Version)
	return a, nil
}

// settleTrail waits for the CloudTrail records of the calls answered so
// far (none before the server exists).
func (a *App) settleTrail() {
	if a.srv != nil {
		a.srv.SettleTrail()
	}
}

// recordWritten counts a CloudTrail record a change's commit wrote toward
// the server's next trim (records are written with changes only once the
// server serves, and a.srv is set before).
func (a *App) recordWritten() {
	if a.srv != nil {
		a.srv.NoteWrittenRecord()
	}
}

// URL is the endpoint to give clients (--endpoint-url).
func (a *App) URL() string {
	scheme := "http"
	if a.tls {
		scheme = "https"
	}
	return scheme + "://" + a.ln.Addr().String()
}

// ConsoleURL is the address of the web console.
func (a *App) ConsoleURL() string { return a.URL() + console.Prefix }

// Panics returns how many panics the server recovered from (each is a bug).
func (a *App) Panics() int64 { return a.srv.Panics() }

// Done reports the serve loop's end.
func (a *App) Done() <-chan error { return a.done }

// Shutdown stops accepting requests, lets in-flight ones finish (until ctx
// ends) and closes the store.
func (a *App) Shutdown(ctx context.Context) error {
	err := a.http.Shutdown(ctx)
	a.stopUsesOnce.Do(func() { close(a.stopUses) })
	<-a.usesDone // the last access key uses are written
	a.srv.FlushTrail()
	a.events.Close()
	a.closeStore()
	return err
}

func (a *App) closeStore() {
	if a.db != nil {
		if err := a.db.Close(); err != nil {
			a.cfg.Log.Error("close store", "err", err)
		}
		a.db = nil
	}
	if a.lock != nil {
		_ = syscall.Flock(int(a.lock.Fd()), syscall.LOCK_UN)
		a.lock.Close()
		a.lock = nil
	}
}

// prepareData creates and locks the data directory and returns the database
// path and the key that signs pagination tokens (kept across restarts).
func (a *App) prepareData() (dbPath string, tokenKey []byte, err error) {
	if a.cfg.Store != "" {
		// A shared store: the data directory holds no lock (replicas may
		// share a host) and nothing else yet.
		return a.cfg.Store, nil, nil
	}
	if a.cfg.DataDir == MemoryData {
		return MemoryData, nil, nil
	}
	dir := a.cfg.DataDir
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, fmt.Errorf("create data directory: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return "", nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return "", nil, fmt.Errorf("data directory %s is in use by another accountplane server", dir)
	}
	a.lock = f
	keyPath := filepath.Join(dir, "token.key")
	tokenKey, err = os.ReadFile(keyPath)
	if errors.Is(err, os.ErrNotExist) {
		tokenKey = make([]byte, 32)
		if _, err := io.ReadFull(rand.Reader, tokenKey); err != nil {
			return "", nil, err
		}
		if err := os.WriteFile(keyPath, tokenKey, 0o600); err != nil {
			return "", nil, fmt.Errorf("write token key: %w", err)
		}
	} else if err != nil {
		return "", nil, fmt.Errorf("read token key: %w", err)
	}
	return filepath.Join(dir, "accountplane.db"), tokenKey, nil
}

// Reset returns the store to the default world (the seed applied again)
// and the clock to real time.
func (a *App) Reset(ctx context.Context) error {
	a.IAM.DiscardKeyUses()
	if err := a.db.Reset(ctx); err != nil {
		return err
	}
	a.IAM.Invalidate()
	a.Orgs.Invalidate()
	if err := a.clock.Reset(); err != nil {
		return err
	}
	if err := a.prepareWorld(ctx, a.seed); err != nil {
		return err
	}
	return a.syncEventTargets(ctx)
}

// ExportState returns the whole store as one JSON document.
func (a *App) ExportState(ctx context.Context) ([]byte, error) {
	st, err := a.db.Export(ctx)
	if err != nil {
		return nil, err
	}
	return json.Marshal(st)
}

// ImportState replaces the whole store with a document ExportState wrote,
// read from doc as it is decoded (see sqlite.DB.ImportFrom).
func (a *App) ImportState(ctx context.Context, doc io.Reader) error {
	if err := a.db.ImportFrom(ctx, doc); err != nil {
		return &server.AdminError{Status: http.StatusBadRequest, Message: err.Error()}
	}
	if err := a.syncEventTargets(ctx); err != nil {
		return err
	}
	a.IAM.Invalidate()
	a.Orgs.Invalidate()
	return nil
}

// Clock returns the domain clock.
func (a *App) Clock() *clock.Clock { return a.clock }

// prepareWorld creates the default account on an empty store, then what is
// missing of the seed.
func (a *App) prepareWorld(ctx context.Context, seed *Seed) error {
	empty, err := a.db.Empty(ctx)
	if err != nil {
		return err
	}
	if empty {
		def := &Seed{Accounts: []SeedAccount{DefaultAccount}}
		if err := def.apply(ctx, a.Accounts, a.db, a.Orgs); err != nil {
			return fmt.Errorf("create default world: %w", err)
		}
		if err := a.applyRootPasswords(ctx, def); err != nil {
			return fmt.Errorf("create default world: %w", err)
		}
	}
	if seed != nil {
		if err := seed.apply(ctx, a.Accounts, a.db, a.Orgs); err != nil {
			return fmt.Errorf("apply seed: %w", err)
		}
		if err := a.applyRootPasswords(ctx, seed); err != nil {
			return fmt.Errorf("apply seed: %w", err)
		}
	}
	return nil
}

func isLoopbackAddr(addr net.Addr) bool {
	if t, ok := addr.(*net.TCPAddr); ok {
		return t.IP.IsLoopback()
	}
	return false
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// sessionInfo describes role sessions for the sessionContext of CloudTrail
// records. A session never changes, so each is read once (the cache is
// dropped when it grows past sessionCacheSize).
type sessionInfo struct {
	store iam.Store
	cache sync.Map // access key id -> trail.Session
	n     atomic.Int64
}

const sessionCacheSize = 10000

func (s *sessionInfo) lookup(ctx context.Context, accessKeyID string) (trail.Session, bool) {
	if v, ok := s.cache.Load(accessKeyID); ok {
		return v.(trail.Session), true
	}
	var out trail.Session
	err := s.store.View(ctx, func(tx iam.Tx) error {
		sess, err := tx.Session(ctx, accessKeyID)
		if err != nil {
			return err
		}
		out.Created = sess.IssuedAt
		out.MFA = !sess.MFAAt.IsZero()
		if sess.Kind == iam.RootSession {
			return nil
		}
		path := "/"
		if r, err := tx.Role(ctx, sess.Account, sess.RoleName); err == nil && r != nil && r.Path != "" {
			path = r.Path
		}
		out.RoleARN = arn.IAM(string(sess.Account), "role", path, sess.RoleName)
		out.MFA = !sess.MFAAt.IsZero()
		return nil
	})
	if err != nil {
		return trail.Session{}, false
	}
	if s.n.Add(1) > sessionCacheSize {
		s.cache.Clear()
		s.n.Store(0)
	}
	s.cache.Store(accessKeyID, out)
	return out, true
}
