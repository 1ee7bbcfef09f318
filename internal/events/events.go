package events

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/accountplane/accountplane/internal/uuid"

	"github.com/accountplane/accountplane/internal/kernel"
)

// Event is an EventBridge event as AWS delivers it.
type Event struct {
	Version    string   `json:"version"`
	ID         string   `json:"id"`
	DetailType string   `json:"detail-type"`
	Source     string   `json:"source"`
	Account    string   `json:"account"`
	Time       string   `json:"time"`
	Region     string   `json:"region"`
	Resources  []string `json:"resources"`
	Detail     any      `json:"detail"`
}

// RegionDetail is the detail of a Region Opt-In Status Change event.
type RegionDetail struct {
	AccountID  string `json:"accountId"`
	RegionName string `json:"regionName"`
	Status     string `json:"status"`
}

// The Region event's constants (spec/monitoring.md §2.2).
const (
	SourceAccount    = "aws.account"
	DetailTypeRegion = "Region Opt-In Status Change"
	// BusRegion is the event's region: Account Management is a global
	// service homed in us-east-1.
	BusRegion = "us-east-1"
)

// TimeFormat is the event's time: ISO 8601 UTC, whole seconds.
const TimeFormat = "2006-01-02T15:04:05Z"

// The bus's records and its store transaction are the kernel's (the store
// keeps them without knowing the bus); these names keep the bus's code
// short.
type (
	Record          = kernel.BusRecord
	Target          = kernel.BusTarget
	Delivery        = kernel.BusDelivery
	DeliveryID      = kernel.DeliveryID
	DeliveryFailure = kernel.DeliveryFailure
	OutboxStats     = kernel.OutboxStats
	Transition      = kernel.RegionTransition
	Tx              = kernel.BusTx
)

// ParseDeliveryID parses the string form of a DeliveryID.
func ParseDeliveryID(s string) (DeliveryID, error) { return kernel.ParseDeliveryID(s) }

// Store runs bus transactions: Update atomically and durably, View on a
// read-only snapshot.
type Store = kernel.Store[Tx]

// Options are the Service's knobs; the zero value is usable.
type Options struct {
	// Now is the domain clock (default time.Now); RealNow the real one, for
	// delivery retries and ages (default time.Now).
	Now, RealNow func() time.Time
	Log          *slog.Logger
	// ScanInterval is how often due transitions are looked for (default
	// 200ms of real time); PollInterval how often streams and webhook
	// targets look for new events when not told (default 250ms).
	ScanInterval, PollInterval time.Duration
	// MinBackoff and MaxBackoff bound the delay between delivery attempts,
	// which doubles per failure (defaults 250ms and 30s).
	MinBackoff, MaxBackoff time.Duration
	// DeadAfter is how long, on the domain clock, a delivery may keep
	// failing from its first attempt; a failure after that makes it dead
	// (default 24h).
	DeadAfter time.Duration
	// ReplicaID names this replica in its claims on deliveries (replicas
	// sharing a store post each delivery once; default: a random id).
	ReplicaID string
	// Client posts to webhooks (default: a client with a 10s timeout). It
	// is used without following redirects, whatever its CheckRedirect.
	Client *http.Client
	// MaxEvents bounds the log: the scheduler deletes events older than
	// the newest MaxEvents sequence numbers now and then, but those a
	// delivery (pending or dead) still needs (0: no bound). A stream asked
	// for the events after one no longer kept gets those kept.
	MaxEvents int64
}

// Service is the bus. Start starts its scheduler and webhook deliveries;
// Close stops them and ends the streams.
type Service struct {
	store Store
	opts  Options
	log   *slog.Logger

	changed signal        // broadcast: the log or the deliveries changed
	kick    chan struct{} // wakes the scheduler
	done    chan struct{} // closed by Close
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	mu          sync.Mutex
	started     bool
	closed      bool
	targets     map[string]Target
	dispatchers map[string]context.CancelFunc
	patterns    sync.Map // pattern source -> *Pattern

	delivered, failed, dead atomic.Int64
}

// New returns a Service over store.
func New(store Store, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RealNow == nil {
		opts.RealNow = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.ScanInterval <= 0 {
		opts.ScanInterval = 200 * time.Millisecond
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 250 * time.Millisecond
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = 250 * time.Millisecond
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 30 * time.Second
	}
	if opts.DeadAfter <= 0 {
		opts.DeadAfter = 24 * time.Hour
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: 10 * time.Second}
	}
	opts.Client = noRedirects(opts.Client)
	if opts.ReplicaID == "" {
		opts.ReplicaID = uuid.New()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{
		store: store, opts: opts, log: opts.Log,
		kick: make(chan struct{}, 1), done: make(chan struct{}),
		ctx: ctx, cancel: cancel,
		targets: map[string]Target{}, dispatchers: map[string]context.CancelFunc{},
	}
	return s
}

// Start starts the scheduler (which scans at once: transitions that fell
// due while the server was down complete now) and the webhook deliveries.
func (s *Service) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.closed {
		return
	}
	s.started = true
	s.wg.Add(1)
	go s.schedule()
	for _, t := range s.targets {
		s.startDispatcher(t)
	}
}

// Close stops the scheduler and the deliveries, waits for them, and ends
// every stream. It may be called more than once.
func (s *Service) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.done)
		s.cancel()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// Committed tells the bus that a transaction that recorded events
// committed: streams and deliveries look at once.
func (s *Service) Committed() { s.changed.notify() }

// Kick makes the scheduler scan at once.
func (s *Service) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// compile returns the compiled pattern of src, cached.
func (s *Service) compile(src string) (*Pattern, error) {
	if v, ok := s.patterns.Load(src); ok {
		return v.(*Pattern), nil
	}
	p, err := CompilePattern(src)
	if err != nil {
		return nil, err
	}
	s.patterns.Store(src, p)
	return p, nil
}

// signal is a broadcast: wait returns a channel closed by the next notify.
type signal struct {
	mu sync.Mutex
	ch chan struct{}
}

func (s *signal) wait() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	return s.ch
}

func (s *signal) notify() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
}
