package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/operation"
	"github.com/accountplane/accountplane/internal/protocol/restjson"
	"github.com/accountplane/accountplane/internal/quota"
	"github.com/accountplane/accountplane/internal/sigv4"
	"github.com/accountplane/accountplane/internal/uuid"
)

// Credential is what an access key id resolves to.
type Credential struct {
	Secret       string
	SessionToken string // "" for long-term keys
	Principal    identity.Principal
	// Partition is the partition of the key's account ("": the commercial
	// one): the key signs only for its Regions (partition.go).
	Partition string
}

// ErrExpiredToken is returned by Credentials for an expired session.
var ErrExpiredToken = errors.New("server: the session has expired")

// Credentials resolves access key ids (long-term keys and STS sessions).
// It returns an error wrapping kernel.ErrNotFound for unknown or inactive
// keys and ErrExpiredToken for expired sessions.
type Credentials interface {
	Credential(ctx context.Context, accessKeyID string) (Credential, error)
}

// Config configures a Server.
type Config struct {
	Log  *slog.Logger
	Keys Credentials
	// Authorizer decides every call (required: a server without one does
	// not start).
	Authorizer Authorizer
	// DecisionLogSize is how many authorization decisions are kept for
	// GET /_accountplane/requests/{id}/decision (default 10,000).
	DecisionLogSize int
	Outbox          kernel.Outbox
	Admin           Admin
	// FaultStore, if set, keeps the fault rules replicas share (nil: in
	// memory).
	FaultStore FaultStore
	// Limiter throttles callers by the quota table (nil: never).
	Limiter *quota.Limiter
	// Metrics are extra metric sources for /_accountplane/metrics.
	Metrics []MetricSource
	// Clock is the movable domain clock; Resetter restores the default world.
	Clock    Clock
	Resetter Resetter
	State    StateStore
	// Services are the AWS services served, each with its operation
	// table (every operation must declare its resources).
	Services []operation.Service
	// Trail records every AWS call in the CloudTrail event history and
	// serves CloudTrail's LookupEvents.
	Trail TrailConfig
	// SkipAuth disables signature verification (--insecure-skip-auth).
	SkipAuth bool
	// DefaultAccount is the account whose root user an unsigned request acts
	// as when SkipAuth is set.
	DefaultAccount identity.AccountID
	// MaxBodyBytes limits request bodies (default 1 MiB).
	MaxBodyBytes int64
	// MaxStateBytes limits the state document of PUT /_accountplane/state
	// (default DefaultMaxStateBytes); a larger one is answered 413.
	MaxStateBytes int64
	// AdminToken, if set, is required as a bearer token on the admin API,
	// which then answers from anywhere; unset, the admin API answers
	// loopback clients only, for a loopback Host or one of AllowedHosts,
	// same-origin (see Server.admin).
	AdminToken string
	// AllowedHosts are the Host names, besides loopback ones, that the admin
	// API answers without an AdminToken (e.g. a container's name).
	AllowedHosts []string
	// CORSOrigins lists the origins allowed to call the AWS APIs from a
	// browser; "*" allows any.
	CORSOrigins []string
	// Version is reported by the health endpoint, with Store (the kind of
	// store) and ReplicaID.
	Version, Store, ReplicaID string
	// Now is the real clock for signatures (default time.Now).
	Now func() time.Time
	// Events is the event bus of GET /_accountplane/events (nil: none).
	Events EventSource
	// Refresh, if set, is called as each request arrives, before anything
	// reads the store: a store shared by replicas reads there, once, what
	// the request's cached reads are checked against (the one freshness
	// read per request of PostgreSQL, sqlite.DB.Refresh).
	Refresh func()
}

// Server serves the AWS APIs and the admin API.
type Server struct {
	cfg       Config
	log       *slog.Logger
	verifier  *sigv4.Verifier
	routes    *routes
	decisions *decisionLog
	mux       *http.ServeMux
	panics    atomic.Int64
	faults    faults
	metrics   *metrics
	trail     *trailer
}

// Panics returns how many panics the server has recovered from. Each one is
// a bug: the test harness fails a test that caused one.
func (s *Server) Panics() int64 { return s.panics.Load() }

// New returns a Server for cfg. It fails closed: without an authorizer,
// or with an operation that declares no resources, there is no server.
func New(cfg Config) (*Server, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Authorizer == nil {
		return nil, errors.New("server: no authorizer: every call must be authorized")
	}
	var errs []error
	for i := range cfg.Services {
		errs = append(errs, cfg.Services[i].Check())
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	rts, err := newRoutes(cfg.Services)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Log, routes: rts, decisions: newDecisionLog(cfg.DecisionLogSize)}
	s.faults.store = cfg.FaultStore
	s.trail = newTrailer(cfg)
	if cfg.Trail.Store != nil {
		go s.writeRecords()
	}
	s.verifier = &sigv4.Verifier{Creds: keyring{keys: cfg.Keys}, Now: cfg.Now}
	s.metrics = newMetrics()
	s.metrics.sources = append(cfg.Metrics, func() map[string]float64 {
		return map[string]float64{"accountplane_throttled_requests_total": float64(cfg.Limiter.Throttled())}
	})
	s.mux = http.NewServeMux()
	s.routeFaults()
	s.mux.HandleFunc("GET /_accountplane/metrics", s.admin(s.serveMetrics))
	s.routeAdmin()
	s.routeAdminOps()
	s.routeClock()
	s.routeState()
	s.routeEvents()
	s.routeDecisions()
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	ctx := r.Context()
	info := &requestInfo{id: newRequestID(), start: time.Now()}
	rec.Header()["x-amzn-RequestId"] = []string{info.id} // AWS's spelling
	defer func() {
		if v := recover(); v != nil {
			s.panics.Add(1)
			s.log.ErrorContext(ctx, "panic serving request", "request_id", info.id, "panic", v)
			if !rec.wrote {
				restjson.WriteError(rec, http.StatusInternalServerError,
					&apierr.Error{Code: "InternalServerException", Message: "An internal error occurred.", Fault: apierr.Server})
			}
			rec.status = http.StatusInternalServerError
		}
		s.logRequest(r, rec, info)
	}()
	if s.cfg.Refresh != nil && r.Method != http.MethodOptions { // a CORS preflight reads nothing
		s.cfg.Refresh()
	}
	s.cors(rec, r)
	if strings.HasPrefix(r.URL.Path, AdminPrefix) {
		s.mux.ServeHTTP(rec, r)
		info.service, info.operation = "admin", r.Pattern // the route the mux chose
		return
	}
	s.serveAWS(rec, r, info)
}

func (s *Server) logRequest(r *http.Request, rec *recorder, info *requestInfo) {
	s.metrics.observe(info.service, info.operation, rec.status, time.Since(info.start))
	lvl := slog.LevelInfo
	if rec.status >= 500 {
		lvl = slog.LevelError
	}
	s.log.LogAttrs(r.Context(), lvl, "request",
		slog.String("request_id", info.id),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("service", info.service),
		slog.String("operation", info.operation),
		slog.String("account", string(info.account)),
		slog.Int("status", rec.status),
		slog.Float64("latency_ms", float64(time.Since(info.start).Microseconds())/1000),
	)
}

// recorder remembers the status for the access log.
type recorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status = code
		r.wrote = true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

// requestInfo is what the access log says of a request. ServeHTTP makes
// it and hands it to the AWS pipeline as an argument; no stage finds it in
// the context.
type requestInfo struct {
	id        string
	start     time.Time
	service   string
	operation string
	account   identity.AccountID
}

// requestID is the id ServeHTTP gave the request being answered on w.
func requestID(w http.ResponseWriter) string {
	if ids := w.Header()["x-amzn-RequestId"]; len(ids) > 0 {
		return ids[0]
	}
	return ""
}

// newRequestID returns a random UUID (version 4) string.
func newRequestID() string { return uuid.New() }
