package server

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/operation"
	"github.com/accountplane/accountplane/internal/trail"
)

// TrailStore keeps the CloudTrail event history. A call's record is
// written by the store's own transactions when the call changes something
// (see [trail.Pending]); the server writes the others with AppendEvent.
type TrailStore interface {
	AppendEvent(ctx context.Context, ev trail.Event) error
	// AppendEvents writes events in order, in one transaction.
	AppendEvents(ctx context.Context, evs []trail.Event) error
	// ReplaceEvent replaces the stored event with ev's id.
	ReplaceEvent(ctx context.Context, ev trail.Event) error
	// PurgeEvents deletes the events older than before.
	PurgeEvents(ctx context.Context, before time.Time) (int64, error)
	// TrimEvents deletes the oldest events beyond the newest max.
	TrimEvents(ctx context.Context, max int64) (int64, error)
}

// TrailConfig configures the CloudTrail event history.
type TrailConfig struct {
	// Store keeps the records (nil: calls are not recorded).
	Store TrailStore
	// Options tune what records hold.
	Options trail.Options
	// Retention is how long records are kept (default 90 days); older ones
	// are purged now and then.
	Retention time.Duration
	// Session describes the session an access key belongs to, for the
	// sessionContext of AssumedRole records and of AssumeRoot sessions'
	// records (nil, or ok false: the creation date is left empty and the
	// role's path taken as /).
	Session func(ctx context.Context, accessKeyID string) (s trail.Session, ok bool)
	// MaxEvents bounds the history: the oldest records beyond it are
	// deleted as new ones arrive (0: no bound but Retention).
	MaxEvents int64
	// SkipReads leaves the calls that change nothing unrecorded
	// (--trail-reads=off; AWS records them).
	SkipReads bool
	// PurgeCheck is how often the background writer looks for records
	// past Retention to purge (0: a minute).
	PurgeCheck time.Duration
}

// trimEvery is how many records (of reads and of writes) pass between two
// trims of the history to MaxEvents: a tenth of the bound, at most 1,000,
// so the history never holds more than a tenth over it for long.
func (t *trailer) trimEvery() int64 { return min(1000, max(1, t.cfg.MaxEvents/10)) }

// The background writer lets records gather before it writes them: a
// batch costs the store about the same whatever its size (one transaction,
// one block, its postings), so under load fewer, larger batches cost far
// less per record. It waits at most writeLinger after the first record of
// a batch arrives, or until writeBatch records are queued, or until
// somebody waits for the records (LookupEvents, shutdown).
const (
	writeLinger = 100 * time.Millisecond
	writeBatch  = 1024
)

// trailer is the server's side of the event history.
type trailer struct {
	cfg       TrailConfig
	lastPurge atomic.Int64 // domain time of the last purge, unix seconds
	// sinceTrim counts the records written since the last trim: those
	// the background writer appends and those written with their change.
	sinceTrim atomic.Int64
	// inflight counts records being appended in the background: a call
	// that changed nothing (a read, a failure) does not make its client
	// wait for its record, but LookupEvents and shutdown wait for them.
	inflight atomic.Int64
	mu       sync.Mutex
	// queue holds the records waiting for the writer, and requestIDs
	// their requests' ids; spare and spareIDs are the writer's previous
	// batch, emptied, for the next queue (a batch is a few hundred
	// kilobytes: not to be allocated again for each).
	queue, spare         []trail.Event
	requestIDs, spareIDs []string
	wake                 chan struct{}
	// hurry tells a lingering writer to write now: somebody waits.
	hurry chan struct{}
	// lingerFor is how long the writer waits for a batch to fill
	// (writeLinger).
	lingerFor time.Duration
	stop      chan struct{}
	stopOnce  sync.Once
	// exited is closed when the background writer has returned.
	exited chan struct{}
}

// enqueue hands a record to the background writer, which keeps the order
// records were made in.
func (s *Server) enqueueRecord(ev trail.Event, requestID string) {
	ev.StoreID = true // nothing has shown its id yet
	t := s.trail
	t.inflight.Add(1)
	t.mu.Lock()
	t.queue = append(t.queue, ev)
	t.requestIDs = append(t.requestIDs, requestID)
	full := len(t.queue) >= writeBatch
	t.mu.Unlock()
	select {
	case t.wake <- struct{}{}:
	default:
	}
	if full {
		t.hurryUp()
	}
}

// hurryUp ends the writer's linger.
func (t *trailer) hurryUp() {
	select {
	case t.hurry <- struct{}{}:
	default:
	}
}

// linger waits until the batch is worth writing: writeLinger has passed,
// writeBatch records are queued, somebody waits for them, or the server
// stops.
func (t *trailer) linger() {
	t.mu.Lock()
	full := len(t.queue) >= writeBatch
	t.mu.Unlock()
	if full {
		return
	}
	timer := time.NewTimer(t.lingerFor)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-t.hurry:
	case <-t.stop:
	}
}

// writeRecords is the background writer: it appends whatever is queued,
// in order, one transaction per batch.
func (s *Server) writeRecords() {
	t := s.trail
	defer close(t.exited)
	// The records past the retention are purged here, off the requests'
	// path (LookupEvents hides them meanwhile): the writer looks every
	// purgeCheck.
	every := t.cfg.PurgeCheck
	if every <= 0 {
		every = purgeCheck
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	s.trimTrail(true) // a store opened with a lower bound, or filled by an import
	for {
		select {
		case <-t.stop:
			return
		case <-tick.C:
			s.purgeTrail(context.Background())
			continue
		case <-t.wake:
		}
		for {
			t.linger()
			t.mu.Lock()
			batch, ids := t.queue, t.requestIDs
			t.queue, t.requestIDs = t.spare, t.spareIDs
			t.spare, t.spareIDs = nil, nil
			t.mu.Unlock()
			if len(batch) == 0 {
				s.trimTrail(false) // woken by the records of writes
				break
			}
			if err := t.cfg.Store.AppendEvents(context.Background(), batch); err != nil {
				s.log.Error("write CloudTrail records", "first_request_id", ids[0], "records", len(batch), "err", err)
			}
			t.sinceTrim.Add(int64(len(batch)))
			s.trimTrail(false)
			t.inflight.Add(-int64(len(batch)))
			clear(batch) // let the records go
			t.mu.Lock()
			t.spare, t.spareIDs = batch[:0], ids[:0]
			t.mu.Unlock()
		}
	}
}

// trimTrail deletes the oldest records beyond MaxEvents once trimEvery
// records were written since the last trim, or now if forced (on the
// background writer). A trim that fails is tried again at the next record.
func (s *Server) trimTrail(force bool) {
	t := s.trail
	n := t.sinceTrim.Load()
	if t.cfg.MaxEvents <= 0 || (n < t.trimEvery() && !force) {
		return
	}
	t.sinceTrim.Add(-n) // what is counted meanwhile counts toward the next
	if _, err := t.cfg.Store.TrimEvents(context.Background(), t.cfg.MaxEvents); err != nil {
		t.sinceTrim.Add(n)
		s.log.Error("trim CloudTrail records", "err", err)
	}
}

// NoteWrittenRecord counts a CloudTrail record a change's commit wrote
// (the unit of work's, for calls and sign-ins alike), and wakes the
// background writer to trim when enough have been.
func (s *Server) NoteWrittenRecord() {
	t := s.trail
	if t.cfg.MaxEvents > 0 && t.sinceTrim.Add(1) >= t.trimEvery() {
		select {
		case t.wake <- struct{}{}:
		default:
		}
	}
}

// drain waits (at most timeout) until no record is being appended.
func (t *trailer) drain(timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for t.inflight.Load() > 0 && time.Now().Before(deadline) {
		t.hurryUp()
		time.Sleep(time.Millisecond)
	}
}

// DrainTrail waits (at most 10s) until the background writer has written
// every record of the calls answered so far.
func (s *Server) DrainTrail() {
	if s.trail != nil {
		s.trail.drain(10 * time.Second)
	}
}

// FlushTrail waits for the records still being written and stops the
// writer (shutdown calls it before closing the store).
func (s *Server) FlushTrail() {
	if s.trail != nil {
		s.trail.drain(10 * time.Second)
		s.trail.stopOnce.Do(func() { close(s.trail.stop) })
		// A trim or a purge under way ends before the store closes (at
		// most flushWait: a store that hangs does not hold shutdown).
		select {
		case <-s.trail.exited:
		case <-time.After(flushWait):
			s.log.Error("CloudTrail writer still busy at shutdown", "waited", flushWait)
		}
	}
}

// responseOps are the operations whose records keep response elements (as
// AWS's do), minus secrets and tokens.
var responseOps = map[string]bool{"sts/AssumeRole": true, "sts/AssumeRoot": true, "sts/GetSessionToken": true, "iam/CreateAccessKey": true}

// flushWait bounds how long shutdown waits for the background writer's
// last store call.
const flushWait = 10 * time.Second

// purgeEvery is how often (in domain time) records past the retention
// are purged; purgeCheck how often the background writer looks
// (TrailConfig.PurgeCheck).
const (
	purgeEvery = time.Hour
	purgeCheck = time.Minute
)

func newTrailer(cfg Config) *trailer {
	t := &trailer{cfg: cfg.Trail, wake: make(chan struct{}, 1), hurry: make(chan struct{}, 1), stop: make(chan struct{}), exited: make(chan struct{}), lingerFor: writeLinger}
	if t.cfg.Store == nil {
		close(t.exited) // no writer runs
	}
	if t.cfg.Retention <= 0 {
		t.cfg.Retention = trail.DefaultRetention
	}
	return t
}

// domainNow is the domain time records carry.
func (s *Server) domainNow() time.Time {
	if s.cfg.Clock != nil {
		return s.cfg.Clock.Now()
	}
	return s.cfg.Now()
}

// startTrail returns the pending record of an authenticated call of a
// known operation (nil when calls are not recorded). The invoke stage
// hands it to the store, which writes it in the transaction of the call's
// change; endTrail writes it otherwise.
func (s *Server) startTrail(ctx context.Context, rt route, caller identity.Principal, m callMeta, in operation.Input) *trail.Pending {
	if s.trail.cfg.Store == nil || (s.trail.cfg.SkipReads && rt.op.ReadOnly) {
		return nil
	}
	params := trail.JSONParams(in.Body)
	if rt.proto == operation.Query || rt.proto == operation.RESTXML {
		params = trail.QueryParams(in.Params)
	}
	name := rt.op.Name
	if rt.op.EventName != "" {
		name = rt.op.EventName
	}
	c := trail.Call{
		Principal: caller, Service: rt.svc.Name, Operation: name, ReadOnly: trail.IsReadOnly(name),
		Params: params, UserAgent: m.userAgent, RequestID: m.requestID, Time: s.domainNow(),
		TLS: m.tls, SourceIP: m.sourceIP, Console: m.console,
		Region: trail.RegionOf(rt.svc.Name, m.region),
	}
	if (caller.Type == identity.AssumedRole || caller.AssumedRoot) && s.trail.cfg.Session != nil {
		if sess, ok := s.trail.cfg.Session(ctx, caller.AccessKeyID); ok {
			c.Session = &sess
		}
	}
	return trail.NewPending(c, s.trail.cfg.Options)
}

// endTrail records the answer of a call: e is the error sent (nil for a
// success), response the call's response elements (nil: none). It runs
// once the answer is decided and before it is written, so that a client
// that got its answer finds the record.
func (s *Server) endTrail(ctx context.Context, requestID string, p *trail.Pending, e *apierr.Error, response map[string]any) {
	if p == nil {
		return
	}
	if e != nil || response != nil {
		p.Update(func(c *trail.Call) {
			if e != nil {
				c.ErrorCode, c.ErrorMessage = e.Code, e.Message
				if strings.HasPrefix(e.Code, "AccessDenied") {
					c.Target = "" // a denied call reached no other account
				}
			}
			c.Response = response
		})
	}
	ev, what, err := p.Finish()
	ctx = context.WithoutCancel(ctx)
	switch {
	case err != nil:
	case what == trail.Insert:
		// No change was made, so no transaction waits for this record:
		// the background writer appends it (in order, batched).
		s.enqueueRecord(ev, requestID)
	case what == trail.Replace:
		err = s.trail.cfg.Store.ReplaceEvent(ctx, ev)
	}
	if err != nil {
		s.log.ErrorContext(ctx, "write CloudTrail record", "request_id", requestID, "err", err)
	}
}

// purgeTrail deletes the records past the retention window, at most once
// per hour of domain time.
func (s *Server) purgeTrail(ctx context.Context) {
	now := s.domainNow()
	last := s.trail.lastPurge.Load()
	if now.Unix()-last < int64(purgeEvery/time.Second) || !s.trail.lastPurge.CompareAndSwap(last, now.Unix()) {
		return
	}
	if _, err := s.trail.cfg.Store.PurgeEvents(ctx, now.Add(-s.trail.cfg.Retention)); err != nil {
		s.log.ErrorContext(ctx, "purge CloudTrail records", "err", err)
	}
}

// responseElements returns the response elements of a call's output for
// the operations whose records keep them (query protocol), else nil.
func responseElements(rt route, out any) map[string]any {
	if rt.svc == nil || !responseOps[rt.svc.Name+"/"+rt.name] {
		return nil
	}
	m, _ := xmlTree(reflect.ValueOf(out)).(map[string]any)
	return m
}

// xmlTree converts an XML document value to maps, slices and scalars,
// keyed by the XML element names.
func xmlTree(v reflect.Value) any {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		out := map[string]any{}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() || f.Name == "XMLName" {
				continue
			}
			tag := f.Tag.Get("xml")
			name, opts, _ := strings.Cut(tag, ",")
			if name == "-" || strings.Contains(opts, "attr") {
				continue
			}
			if name == "" {
				name = f.Name
			}
			fv := v.Field(i)
			if fv.IsZero() {
				continue
			}
			if c := xmlTree(fv); c != nil {
				out[name] = c
			}
		}
		return out
	case reflect.Slice:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = xmlTree(v.Index(i))
		}
		return out
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	}
	return nil
}

// SettleTrail waits (at most 5s) until the records of the calls answered
// so far are written: LookupEvents calls it before reading, so that a
// client finds the records of its earlier calls.
func (s *Server) SettleTrail() {
	if s.trail != nil {
		s.trail.drain(5 * time.Second)
	}
}
