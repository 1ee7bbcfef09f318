package server

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/operation"
	"github.com/accountplane/accountplane/internal/protocol/query"
	"github.com/accountplane/accountplane/internal/protocol/restjson"
	"github.com/accountplane/accountplane/internal/sigv4"
	"github.com/accountplane/accountplane/internal/trail"
)

// serveAWS is the one request pipeline every operation of every service
// runs through. The order of its checks is AWS's, and the same for all:
//
//  1. route: X-Amz-Target, the query Action, or the REST path (route.go);
//  2. authenticate: SigV4, and the credential scope's service (auth.go);
//  3. decode and validate the input against the model
//     (operation.Operation.Prepare, in each service's *api package);
//  4. resolve the resources and condition keys the call acts on
//     (operation.Call.Access);
//  5. authorize them, keeping the decision and its reasons (authorize.go);
//  6. quotas, then injected faults (admit);
//  7. invoke the handler: a write changes the store and appends its
//     CloudTrail record and events in one transaction;
//  8. encode the result or the error with the service's codec, and record
//     the call in CloudTrail if no transaction did (trail.go).
//
// Stages 3 to 7 and the record are execute's, which in-process callers
// (the console, through Invoke in invoke.go) share.
//
// One exception to 3-before-5, as AWS answers it: an AlternateContactType
// outside the enum is refused by the authorizer (step 5), not by
// validation, because it is the account:AlternateContactTypes condition
// key.
func (s *Server) serveAWS(w http.ResponseWriter, r *http.Request, x *requestInfo) {
	rt, rerr := s.routes.classify(r)
	x.service, x.operation = serviceName(rt), rt.name
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusOK) // CORS preflight; headers set by cors
		return
	}
	c := &exchange{s: s, w: w, r: r, x: x, rt: rt}
	if rerr != nil {
		c.fail(rerr)
		return
	}
	body, err := s.readBody(r)
	if err != nil {
		c.fail(err)
		return
	}
	caller, err := s.authenticate(r.Context(), r, body, rt)
	if err != nil {
		c.fail(err)
		return
	}
	x.account = caller.Account
	s.noteKeyUse(r, rt, caller)
	in := operation.Input{Body: body}
	if rt.proto == operation.RESTXML {
		in.Params = r.URL.Query()
	}
	if rt.proto == operation.Query {
		params, err := query.Params(r, body)
		if err != nil {
			c.fail(apierr.New("MalformedQueryString", "The request body is not a valid form."))
			return
		}
		rt, rerr = rt.named(params, r.URL.Query())
		c.rt, x.operation, in.Params = rt, rt.name, params
		if rerr != nil {
			c.fail(rerr)
			return
		}
	}
	if rt.op == nil {
		c.fail(rt.unknown(r))
		return
	}
	out, e := s.execute(r.Context(), rt, caller, in, metaOf(r, x.id))
	if e != nil {
		c.rt.codec().WriteErr(w, e, x.id)
		return
	}
	if err := rt.codec().WriteResult(w, rt.name, out, x.id); err != nil {
		s.log.ErrorContext(r.Context(), "write response", "request_id", x.id, "err", err)
	}
}

// execute runs stages 3 to 7 of the pipeline for an authenticated caller
// of a routed operation (rt.op is set): decode and validate, resolve,
// authorize, quotas and faults, invoke. It records the call in CloudTrail
// and returns the output, or the error to answer with (anything not an
// *apierr.Error becomes the service's internal failure, logged). HTTP
// requests (serveAWS) and in-process callers (Invoke) share it.
func (s *Server) execute(ctx context.Context, rt route, caller identity.Principal, in operation.Input, m callMeta) (any, *apierr.Error) {
	req := operation.Request{Caller: caller, RequestID: m.requestID, Region: m.region}
	record := s.startTrail(ctx, rt, caller, m, in)
	fail := func(err error) (any, *apierr.Error) {
		e := s.clientError(ctx, rt, m.requestID, err)
		s.endTrail(ctx, m.requestID, record, e, nil)
		return nil, e
	}
	call, err := rt.op.Prepare(req, in)
	if err != nil {
		return fail(err)
	}
	access, err := call.Access(ctx)
	if err != nil {
		return fail(err)
	}
	access.Resources = resourcesIn(access.Resources, caller.Partition())
	if err := s.authorize(ctx, m, rt, caller, access); err != nil {
		return fail(err)
	}
	if record != nil && access.Target != "" {
		record.Update(func(call *trail.Call) { call.Target = access.Target })
	}
	if err := s.admit(ctx, m.requestID, rt.svc, rt.name, caller.Account); err != nil {
		return fail(err)
	}
	if record != nil {
		if err := record.Prepare(); err != nil {
			return fail(err)
		}
	}
	out, err := call.Invoke(trail.WithPending(ctx, record))
	if err != nil {
		return fail(err)
	}
	s.endTrail(ctx, m.requestID, record, nil, responseElements(rt, out))
	return presentIn(out, caller.Partition()), nil
}

// callMeta is what the stages after authentication know of where a call
// comes from: the authorizer's request-level condition keys and the
// CloudTrail record's fields.
type callMeta struct {
	requestID string
	region    string // the credential scope's Region ("" if none)
	sourceIP  string
	userAgent string
	secure    bool              // aws:SecureTransport
	tls       *trail.TLSDetails // nil: not over TLS
	console   bool              // made by the console for a signed-in user
}

// metaOf describes an HTTP request.
func metaOf(r *http.Request, requestID string) callMeta {
	return callMeta{
		requestID: requestID, region: regionOf(r), sourceIP: sourceIP(r), userAgent: r.UserAgent(),
		secure: r.TLS != nil, tls: trail.TLSDetailsOf(r.TLS, r.Host),
	}
}

// clientError returns err as the error a client is told: an
// *apierr.Error as it is, anything else as the service's internal failure
// (logged with the request id, never shown).
func (s *Server) clientError(ctx context.Context, rt route, requestID string, err error) *apierr.Error {
	e, ok := apierr.As(err)
	if ok {
		return e
	}
	internal, conflict := "InternalFailure", "ThrottlingException"
	if svc := rt.svc; svc != nil {
		if svc.InternalFailure != "" {
			internal = svc.InternalFailure
		}
		if conflict = svc.Conflict; conflict == "" && svc.Throttled != "" {
			conflict = svc.Throttled
		}
	}
	// A store's transaction that kept conflicting is the service's conflict
	// answer; a store that is unreachable is 503 with its internal-failure
	// code (SDKs retry both).
	switch {
	case errors.Is(err, kernel.ErrConflict):
		s.log.WarnContext(ctx, "store conflict", "request_id", requestID, "err", err)
		return &apierr.Error{Code: conflict, Message: "The request could not be completed because of concurrent changes; try again.", Fault: apierr.Client, Err: err}
	case errors.Is(err, kernel.ErrUnavailable):
		s.log.ErrorContext(ctx, "store unavailable", "request_id", requestID, "err", err)
		return &apierr.Error{Code: internal, Message: "The service is temporarily unavailable.", Fault: apierr.Server, Status: http.StatusServiceUnavailable, Err: err}
	}
	s.log.ErrorContext(ctx, "internal error", "request_id", requestID, "err", err)
	return &apierr.Error{Code: internal, Message: "An internal error occurred.", Fault: apierr.Server, Err: err}
}

// exchange is one AWS request being answered before it reaches the
// stages execute runs: what a failure needs to be encoded.
type exchange struct {
	s  *Server
	w  http.ResponseWriter
	r  *http.Request
	x  *requestInfo
	rt route
}

// fail writes err in the route's protocol: an *apierr.Error as it is,
// anything else as the service's internal failure (logged, never shown).
func (c *exchange) fail(err error) {
	c.rt.codec().WriteErr(c.w, c.s.clientError(c.r.Context(), c.rt, c.x.id, err), c.x.id)
}

func serviceName(rt route) string {
	if rt.svc != nil {
		return rt.svc.Name
	}
	return ""
}

// regionOf is the Region of the request's credential scope ("" if none).
func regionOf(r *http.Request) string {
	_, region, _, _ := sigv4.Scope(r)
	return region
}

// sourceIP is the client's address.
func sourceIP(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return ""
}

// CodeRequestEntityTooLarge is every protocol's answer to a body over the
// limit.
const CodeRequestEntityTooLarge = "RequestEntityTooLargeException"

var errTooLarge = apierr.New(CodeRequestEntityTooLarge, "Request body is too large.")

// readBody reads the whole body, refusing more than MaxBodyBytes without
// reading it all into memory.
func (s *Server) readBody(r *http.Request) ([]byte, error) {
	if r.ContentLength > s.cfg.MaxBodyBytes {
		return nil, errTooLarge
	}
	if r.ContentLength >= 0 { // net/http holds the body to its length
		b := make([]byte, r.ContentLength)
		if _, err := io.ReadFull(r.Body, b); err != nil {
			return nil, apierr.New(restjson.CodeSerialization, "The request body could not be read.")
		}
		return b, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.MaxBodyBytes+1))
	if err != nil {
		return nil, apierr.New(restjson.CodeSerialization, "The request body could not be read.")
	}
	if int64(len(b)) > s.cfg.MaxBodyBytes {
		return nil, errTooLarge
	}
	return b, nil
}

// admit applies the quotas and the fault rules to a call about to run.
func (s *Server) admit(ctx context.Context, requestID string, svc *service, name string, acct identity.AccountID) error {
	if !s.cfg.Limiter.Allow(string(acct), svc.Name, name) {
		code := svc.Throttled
		if code == "" {
			code = "ThrottlingException"
		}
		return apierr.New(code, "Rate exceeded")
	}
	return s.injectFault(ctx, requestID, svc.Name, name, acct)
}
