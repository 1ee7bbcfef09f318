package events

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/accountplane/accountplane/internal/account"
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

// Record is one event of the log.
type Record struct {
	// Seq orders the log (increasing, never reused).
	Seq int64
	ID  string
	// Time is the event's time on the domain clock (whole seconds).
	Time       time.Time
	Account    string
	Source     string
	DetailType string
	// Body is the event as JSON, exactly as delivered.
	Body []byte
	// Created is when it was written, in real time.
	Created time.Time
}

// Target is a webhook target.
type Target struct {
	// ID is derived from URL and Pattern.
	ID  string
	URL string
	// Pattern is the event pattern's compact JSON ("" matches everything).
	Pattern string
}

// Delivery is a delivery of an event to a target: pending, or dead (given
// up after failing for Options.DeadAfter, kept until retried).
type Delivery struct {
	TargetID string
	// TargetURL is the target's URL (set by BusDeadDeliveries only).
	TargetURL   string
	Seq         int64
	Attempts    int
	NextAttempt time.Time // real time; zero: at once
	Created     time.Time // real time
	// FirstAttempt is when the first failed attempt started, on the domain
	// clock (zero: none failed yet).
	FirstAttempt time.Time
	// Dead is when the delivery was given up, on the domain clock (zero:
	// it is pending).
	Dead      time.Time
	LastError string
	Event     Record
}

// ID returns the delivery's ID.
func (d *Delivery) ID() DeliveryID { return DeliveryID{Target: d.TargetID, Seq: d.Seq} }

// DeliveryID names one delivery: a target and an event of the log. Its
// string form is "<target id>-<seq>".
type DeliveryID struct {
	Target string
	Seq    int64
}

func (id DeliveryID) String() string { return id.Target + "-" + strconv.FormatInt(id.Seq, 10) }

// ParseDeliveryID parses the string form of a DeliveryID.
func ParseDeliveryID(s string) (DeliveryID, error) {
	i := strings.LastIndexByte(s, '-')
	if i <= 0 {
		return DeliveryID{}, fmt.Errorf("events: delivery id %q: want TARGET-SEQ", s)
	}
	seq, err := strconv.ParseInt(s[i+1:], 10, 64)
	if err != nil || seq <= 0 {
		return DeliveryID{}, fmt.Errorf("events: delivery id %q: want TARGET-SEQ", s)
	}
	return DeliveryID{Target: s[:i], Seq: seq}, nil
}

// DeliveryFailure is the outcome of a failed delivery attempt.
type DeliveryFailure struct {
	// At is when the attempt started, on the domain clock; it becomes the
	// delivery's FirstAttempt if it has none.
	At time.Time
	// Next is when to attempt again, in real time (ignored if Dead).
	Next time.Time
	// Dead, if not zero, gives the delivery up at that domain time: it is
	// kept but no longer attempted.
	Dead time.Time
	Err  string
}

// OutboxStats counts the webhook outbox.
type OutboxStats struct {
	// Pending counts the pending deliveries of active targets; Oldest is
	// the creation time of the oldest (zero: none).
	Pending int
	Oldest  time.Time
	// Dead counts the dead deliveries (of every target).
	Dead int
}

// Transition is a Region transition whose completion event is due at DueAt.
type Transition struct {
	ID          int64
	Caller      string // the calling account, which receives the events
	Account     string // the account whose Region changes
	Region      string
	Target      account.RegionStatus // ENABLED or DISABLED
	RequestedAt time.Time
	DueAt       time.Time
}

// Tx is what the bus reads and writes in one store transaction. Getters
// return errors wrapping kernel.ErrNotFound for absent rows.
type Tx interface {
	// BusAppend appends r to the log and sets r.Seq.
	BusAppend(ctx context.Context, r *Record) error
	// BusEvents returns at most limit events with Seq > after and, unless
	// notBefore is zero, Time >= notBefore, by Seq.
	BusEvents(ctx context.Context, after int64, notBefore time.Time, limit int) ([]Record, error)
	// BusLastSeq returns the highest Seq ever given (0: none).
	BusLastSeq(ctx context.Context) (int64, error)
	// BusEventSeq returns the Seq of the event id.
	BusEventSeq(ctx context.Context, id string) (int64, error)

	// BusTargets returns the active targets, by ID.
	BusTargets(ctx context.Context) ([]Target, error)
	// BusSetTargets makes ts the active targets (the others stay, inactive,
	// with their pending deliveries).
	BusSetTargets(ctx context.Context, ts []Target, now time.Time) error
	BusAddDelivery(ctx context.Context, targetID string, seq int64, now time.Time) error
	// BusNextDelivery returns the target's oldest pending (not dead)
	// delivery.
	BusNextDelivery(ctx context.Context, targetID string) (*Delivery, error)
	// BusDelivered removes a delivery.
	BusDelivered(ctx context.Context, targetID string, seq int64) error
	// BusDeliveryFailed counts a failed attempt, records its error and the
	// first attempt's time, and either schedules the next attempt or, if
	// f.Dead is set, gives the delivery up.
	BusDeliveryFailed(ctx context.Context, targetID string, seq int64, f DeliveryFailure) error
	// BusDeadDeliveries returns at most limit dead deliveries, with their
	// events and target URLs, by event Seq then target.
	BusDeadDeliveries(ctx context.Context, limit int) ([]Delivery, error)
	// BusRetryDelivery makes a dead delivery pending again, due at once,
	// with no attempts counted. It returns an error wrapping
	// account.ErrNotFound if there is no such dead delivery.
	BusRetryDelivery(ctx context.Context, targetID string, seq int64) error
	// BusOutboxStats counts the pending and dead deliveries.
	BusOutboxStats(ctx context.Context) (OutboxStats, error)

	// AddRegionTransition records a started transition and sets t.ID.
	AddRegionTransition(ctx context.Context, t *Transition) error
	// DueRegionTransitions returns at most limit transitions not completed
	// whose DueAt <= now, by DueAt then ID.
	DueRegionTransitions(ctx context.Context, now time.Time, limit int) ([]Transition, error)
	// CompleteRegionTransition marks a transition completed; it reports
	// false if it already was.
	CompleteRegionTransition(ctx context.Context, id int64) (bool, error)
	// PendingRegionTransitions counts the transitions not yet completed.
	PendingRegionTransitions(ctx context.Context) (int, error)
}

// Store runs bus transactions: Update atomically and durably, View on a
// read-only snapshot.
type Store interface {
	View(ctx context.Context, fn func(Tx) error) error
	Update(ctx context.Context, fn func(Tx) error) error
}

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
	// Client posts to webhooks (default: a client with a 10s timeout). It
	// is used without following redirects, whatever its CheckRedirect.
	Client *http.Client
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
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{
		store: store, opts: opts, log: opts.Log,
		kick: make(chan struct{}, 1), done: make(chan struct{}),
		ctx: ctx, cancel: cancel,
		targets: map[string]Target{}, dispatchers: map[string]context.CancelFunc{},
	}
	if n, ok := store.(CommitNotifier); ok {
		n.OnBusCommit(s.Committed) // API call events (AppendAPICall)
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
