package server

import (
	"context"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/cloudtrailapi"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/protocol/awsjson"
	"github.com/accountplane/accountplane/internal/sigv4"
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
	// Session describes the role session an access key belongs to, for
	// the sessionContext of AssumedRole records (nil, or ok false: the
	// creation date is left empty and the role's path taken as /).
	Session func(ctx context.Context, accessKeyID string) (s trail.Session, ok bool)
	// Operations is the CloudTrail operation table (LookupEvents).
	Operations []cloudtrailapi.Operation
}

// trailer is the server's side of the event history.
type trailer struct {
	cfg       TrailConfig
	ops       map[string]*cloudtrailapi.Operation
	query     map[string]bool // known query operations, "service/Name"
	lastPurge atomic.Int64    // domain time of the last purge, unix seconds
	// inflight counts records being appended in the background: a call
	// that changed nothing (a read, a failure) does not make its client
	// wait for its record, but LookupEvents and shutdown wait for them.
	inflight atomic.Int64
	mu       sync.Mutex
	queue    []queued
	wake     chan struct{}
	stop     chan struct{}
	stopOnce sync.Once
}

type queued struct {
	ev        trail.Event
	requestID string
}

// enqueue hands a record to the background writer, which keeps the order
// records were made in.
func (s *Server) enqueueRecord(ev trail.Event, requestID string) {
	t := s.trail
	t.inflight.Add(1)
	t.mu.Lock()
	t.queue = append(t.queue, queued{ev, requestID})
	t.mu.Unlock()
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// writeRecords is the background writer: it appends whatever is queued,
// in order, one transaction per batch.
func (s *Server) writeRecords() {
	t := s.trail
	for {
		select {
		case <-t.stop:
			return
		case <-t.wake:
		}
		for {
			t.mu.Lock()
			batch := t.queue
			t.queue = nil
			t.mu.Unlock()
			if len(batch) == 0 {
				break
			}
			evs := make([]trail.Event, len(batch))
			for i, q := range batch {
				evs[i] = q.ev
			}
			if err := t.cfg.Store.AppendEvents(context.Background(), evs); err != nil {
				s.log.Error("write CloudTrail records", "first_request_id", batch[0].requestID, "records", len(batch), "err", err)
			}
			t.inflight.Add(-int64(len(batch)))
		}
	}
}

// drain waits (at most timeout) until no record is being appended.
func (t *trailer) drain(timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for t.inflight.Load() > 0 && time.Now().Before(deadline) {
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
	}
}

// responseOps are the operations whose records keep response elements (as
// AWS's do), minus secrets and tokens.
var responseOps = map[string]bool{"sts/AssumeRole": true, "iam/CreateAccessKey": true}

const purgeEvery = time.Hour

func newTrailer(cfg Config) *trailer {
	t := &trailer{cfg: cfg.Trail, ops: map[string]*cloudtrailapi.Operation{}, query: map[string]bool{}, wake: make(chan struct{}, 1), stop: make(chan struct{})}
	if t.cfg.Retention <= 0 {
		t.cfg.Retention = trail.DefaultRetention
	}
	for i := range cfg.Trail.Operations {
		t.ops[cfg.Trail.Operations[i].Name] = &cfg.Trail.Operations[i]
	}
	for _, op := range cfg.IAM {
		t.query["iam/"+op.Name] = true
	}
	for _, op := range cfg.STS {
		t.query["sts/"+op.Name] = true
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

// knownOperation reports whether a call routed by rt names an operation
// of the service: only calls of existing operations are recorded.
func (s *Server) knownOperation(rt route, operation string) bool {
	switch rt.service {
	case "account":
		return rt.op != nil
	case "organizations":
		return s.orgs[operation] != nil
	case "cloudtrail":
		return s.trail.ops[operation] != nil
	case "iam", "sts":
		return s.trail.query[rt.service+"/"+operation]
	}
	return false
}

// startTrail returns ctx carrying the pending record of an authenticated
// call, and remembers it for the answer. Calls of unknown operations are
// not recorded.
func (s *Server) startTrail(ctx context.Context, r *http.Request, rt route, caller identity.Principal, operation string, params map[string]any) context.Context {
	if s.trail.cfg.Store == nil || !s.knownOperation(rt, operation) {
		return ctx
	}
	c := trail.Call{
		Principal: caller, Service: rt.service, Operation: operation, ReadOnly: trail.IsReadOnly(operation),
		Params: params, UserAgent: r.UserAgent(), RequestID: info(ctx).id, Time: s.domainNow(),
		TLS: trail.TLSDetailsOf(r.TLS, r.Host),
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		c.SourceIP = host
	}
	_, region, _, _ := sigv4.Scope(r)
	c.Region = trail.RegionOf(rt.service, region)
	if caller.Type == identity.AssumedRole && s.trail.cfg.Session != nil {
		if sess, ok := s.trail.cfg.Session(ctx, caller.AccessKeyID); ok {
			c.Session = &sess
		}
	}
	p := trail.NewPending(c, s.trail.cfg.Options)
	info(ctx).trail = p
	return trail.WithPending(ctx, p)
}

// watchTarget wraps an authorizer so that an organizations-mode Account
// API call that passed authorization sends its record to the target
// account.
func watchTarget(authorize func(context.Context, AuthzQuery) error) func(context.Context, AuthzQuery) error {
	return func(ctx context.Context, q AuthzQuery) error {
		err := authorize(ctx, q)
		if err == nil && q.Service == "account" && q.Target != "" {
			if p := trail.PendingFrom(ctx); p != nil {
				p.Update(func(c *trail.Call) { c.Target = q.Target })
			}
		}
		return err
	}
}

// endTrail records the answer of the request's call: e is the error sent
// (nil for a success), response the call's response elements (nil: none).
// It runs once the answer is decided and before it is written, so that a
// client that got its answer finds the record.
func (s *Server) endTrail(r *http.Request, e *apierr.Error, response map[string]any) {
	in := info(r.Context())
	p := in.trail
	if p == nil {
		return
	}
	in.trail = nil
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
	ctx := context.WithoutCancel(r.Context())
	switch {
	case err != nil:
	case what == trail.Insert:
		// No change was made, so no transaction waits for this record:
		// the background writer appends it (in order, batched).
		s.enqueueRecord(ev, in.id)
	case what == trail.Replace:
		err = s.trail.cfg.Store.ReplaceEvent(ctx, ev)
	}
	if err != nil {
		s.log.ErrorContext(ctx, "write CloudTrail record", "request_id", in.id, "err", err)
	}
	s.purgeTrail(ctx)
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

// trailQueryResponse returns the response elements of a query-protocol
// call's document for the operations whose records keep them, else nil.
func trailQueryResponse(service, operation string, doc any) map[string]any {
	if !responseOps[service+"/"+operation] {
		return nil
	}
	v := reflect.ValueOf(doc)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	res := v.FieldByName("Result")
	if !res.IsValid() {
		return nil
	}
	m, _ := xmlTree(res).(map[string]any)
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

// serveCloudTrail runs a CloudTrail operation (awsJson 1.1): LookupEvents,
// authorized as cloudtrail:LookupEvents on "*".
func (s *Server) serveCloudTrail(w http.ResponseWriter, r *http.Request, rt route, caller identity.Principal, body []byte) {
	op := s.trail.ops[rt.target]
	if op == nil {
		s.writeErr(w, r, rt, apierr.New("UnknownOperationException", "Operation "+rt.target+" is not supported by this endpoint."))
		return
	}
	ctx := r.Context()
	if s.cfg.Authorize != nil {
		q := s.baseQuery(r, caller, "cloudtrail")
		q.Action, q.Resource = op.Action, "*"
		if err := s.cfg.Authorize(ctx, q); err != nil {
			s.writeErr(w, r, rt, err)
			return
		}
	}
	s.trail.drain(5 * time.Second) // see the records of calls already answered
	out, err := op.Invoke(ctx, caller, body)
	if err != nil {
		s.writeErr(w, r, rt, err)
		return
	}
	s.endTrail(r, nil, nil)
	w.Header().Set("Content-Type", awsjson.ContentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}
