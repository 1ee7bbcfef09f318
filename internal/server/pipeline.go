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
	in := operation.Input{Body: body}
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
	ctx := r.Context()
	req := operation.Request{Caller: caller, RequestID: x.id, Region: regionOf(r)}
	c.record = s.startTrail(ctx, r, rt, caller, x.id, in)
	call, err := rt.op.Prepare(req, in)
	if err != nil {
		c.fail(err)
		return
	}
	access, err := call.Access(ctx)
	if err != nil {
		c.fail(err)
		return
	}
	access.Resources = resourcesIn(access.Resources, caller.Partition())
	if err := s.authorize(ctx, r, x.id, rt, caller, access); err != nil {
		c.fail(err)
		return
	}
	if c.record != nil && access.Target != "" {
		c.record.Update(func(call *trail.Call) { call.Target = access.Target })
	}
	if err := s.admit(ctx, x.id, rt.svc, rt.name, caller.Account); err != nil {
		c.fail(err)
		return
	}
	out, err := call.Invoke(trail.WithPending(ctx, c.record))
	if err != nil {
		c.fail(err)
		return
	}
	c.succeed(presentIn(out, caller.Partition()))
}

// exchange is one AWS request being answered: what the last stage needs
// to encode the answer and finish the call's record.
type exchange struct {
	s      *Server
	w      http.ResponseWriter
	r      *http.Request
	x      *requestInfo
	rt     route
	record *trail.Pending // nil: the call is not recorded
}

// succeed encodes out and finishes the record.
func (c *exchange) succeed(out any) {
	c.s.endTrail(c.r.Context(), c.x.id, c.record, nil, responseElements(c.rt, out))
	if err := c.rt.codec().WriteResult(c.w, c.rt.name, out, c.x.id); err != nil {
		c.s.log.ErrorContext(c.r.Context(), "write response", "request_id", c.x.id, "err", err)
	}
}

// fail writes err in the route's protocol: an *apierr.Error as it is,
// anything else as the service's internal failure (logged, never shown).
func (c *exchange) fail(err error) {
	e, ok := apierr.As(err)
	if !ok {
		e = c.storeFailure(err)
	}
	c.s.endTrail(c.r.Context(), c.x.id, c.record, e, nil)
	c.rt.codec().WriteErr(c.w, e, c.x.id)
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

// storeFailure is the client-visible form of an error that is no
// exception: the service's conflict answer when the store's transaction
// kept conflicting, 503 with its internal-failure code when the store is
// unreachable (SDKs retry both), else its internal failure (logged).
func (c *exchange) storeFailure(err error) *apierr.Error {
	internal, conflict := "InternalFailure", "ThrottlingException"
	if svc := c.rt.svc; svc != nil {
		if svc.InternalFailure != "" {
			internal = svc.InternalFailure
		}
		if conflict = svc.Conflict; conflict == "" && svc.Throttled != "" {
			conflict = svc.Throttled
		}
	}
	switch {
	case errors.Is(err, kernel.ErrConflict):
		c.s.log.WarnContext(c.r.Context(), "store conflict", "request_id", c.x.id, "err", err)
		return &apierr.Error{Code: conflict, Message: "The request could not be completed because of concurrent changes; try again.", Fault: apierr.Client, Err: err}
	case errors.Is(err, kernel.ErrUnavailable):
		c.s.log.ErrorContext(c.r.Context(), "store unavailable", "request_id", c.x.id, "err", err)
		return &apierr.Error{Code: internal, Message: "The service is temporarily unavailable.", Fault: apierr.Server, Status: http.StatusServiceUnavailable, Err: err}
	}
	c.s.log.ErrorContext(c.r.Context(), "internal error", "request_id", c.x.id, "err", err)
	return &apierr.Error{Code: internal, Message: "An internal error occurred.", Fault: apierr.Server, Err: err}
}
