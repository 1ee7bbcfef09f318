package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/accountapi"
	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/cloudtrailapi"
	"github.com/accountplane/accountplane/internal/iamapi"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/orgsapi"
	"github.com/accountplane/accountplane/internal/protocol/awsjson"
	"github.com/accountplane/accountplane/internal/protocol/query"
	"github.com/accountplane/accountplane/internal/protocol/restjson"
	"github.com/accountplane/accountplane/internal/sigv4"
	"github.com/accountplane/accountplane/internal/stsapi"
	"github.com/accountplane/accountplane/internal/trail"
)

// protocol is the wire protocol a request speaks, which decides how its
// errors are written.
type protocol uint8

const (
	restJSON protocol = iota
	awsJSON
	queryXML
)

// route is where a request goes: its protocol, the signing name of the
// service it addresses and, for the Account API, the operation.
type route struct {
	proto   protocol
	service string
	op      *accountapi.Operation // Account API only
	target  string                // X-Amz-Target operation, for logs
}

// Target prefixes of the awsJson services.
const (
	accountTargetPrefix = "AWSAccountV20210201."
	orgsTargetPrefix    = "AWSOrganizationsV20161128."
)

// classify routes r by its shape: X-Amz-Target, then the query protocol
// (a form body or an Action parameter), then the REST-JSON path.
func (s *Server) classify(r *http.Request) route {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		switch {
		case strings.HasPrefix(t, accountTargetPrefix):
			name := strings.TrimPrefix(t, accountTargetPrefix)
			return route{proto: restJSON, service: "account", op: s.byName[name], target: name}
		case strings.HasPrefix(t, orgsTargetPrefix):
			return route{proto: awsJSON, service: "organizations", target: strings.TrimPrefix(t, orgsTargetPrefix)}
		case strings.HasPrefix(t, cloudtrailapi.TargetPrefix):
			return route{proto: awsJSON, service: "cloudtrail", target: strings.TrimPrefix(t, cloudtrailapi.TargetPrefix)}
		case strings.HasPrefix(t, cloudtrailapi.ServicePrefix):
			return route{proto: awsJSON, service: "cloudtrail", target: strings.TrimPrefix(t, cloudtrailapi.ServicePrefix)}
		}
		return route{proto: awsJSON, target: t}
	}
	ct := r.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "application/x-www-form-urlencoded") || r.URL.Query().Has("Action") {
		// The query services here are STS and IAM; a scope naming anything
		// else is a signature for the wrong service, answered as STS.
		_, _, svc, _ := sigv4.Scope(r)
		if svc != "iam" {
			svc = "sts"
		}
		return route{proto: queryXML, service: svc}
	}
	rt := route{proto: restJSON, service: "account"}
	if r.Method == http.MethodPost {
		rt.op = s.account[r.URL.Path]
	}
	return rt
}

func (s *Server) serveAWS(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	in := info(ctx)
	rt := s.classify(r)
	in.service = rt.service
	if rt.op != nil {
		in.operation = rt.op.Name
	} else {
		in.operation = rt.target
	}
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusOK) // CORS preflight; headers set by cors
		return
	}
	body, err := s.readBody(r)
	if err != nil {
		s.writeErr(w, r, rt, err)
		return
	}
	caller, err := s.authenticate(ctx, r, body, rt)
	if err != nil {
		s.writeErr(w, r, rt, err)
		return
	}
	in.account = caller.Account
	if rt.proto != queryXML { // query calls name their operation in the body
		ctx = s.startTrail(ctx, r, rt, caller, in.operation, trail.JSONParams(body))
		if err := s.admit(ctx, rt.service, in.operation, caller.Account); err != nil {
			s.writeErr(w, r, rt, err)
			return
		}
	}
	ctx = s.withChecks(ctx, r, caller)
	r = r.WithContext(ctx)
	switch rt.proto {
	case queryXML:
		s.serveQuery(w, r, rt, caller, body)
	case awsJSON:
		if rt.service == "cloudtrail" {
			s.serveCloudTrail(w, r, rt, caller, body)
			return
		}
		s.serveAWSJSON(w, r, rt, caller, body)
	default:
		if rt.op == nil {
			s.writeErr(w, r, rt, apierr.New(accountapi.CodeUnknownOperation, "The operation "+r.Method+" "+r.URL.Path+" is not supported."))
			return
		}
		out, err := rt.op.Invoke(ctx, caller, body)
		if err != nil {
			s.writeErr(w, r, rt, err)
			return
		}
		s.endTrail(r, nil, nil)
		accountapi.Codec.WriteOK(w, out)
	}
}

// serveAWSJSON runs an awsJson 1.1 operation (Organizations).
func (s *Server) serveAWSJSON(w http.ResponseWriter, r *http.Request, rt route, caller identity.Principal, body []byte) {
	op := s.orgs[rt.target]
	if rt.service != "organizations" || op == nil {
		err := apierr.New(accountapi.CodeUnknownOperation, "Operation "+rt.target+" is not supported by this endpoint.")
		if rt.service == "organizations" && slices.Contains(orgsapi.Unsupported, rt.target) {
			err = orgsapi.NotImplemented(rt.target).(*apierr.Error)
		}
		s.writeErr(w, r, rt, err)
		return
	}
	out, err := op.Invoke(r.Context(), caller, body)
	if err != nil {
		s.writeErr(w, r, rt, err)
		return
	}
	s.endTrail(r, nil, nil)
	w.Header().Set("Content-Type", awsjson.ContentType)
	if out == nil {
		out = []byte("{}")
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request, rt route, caller identity.Principal, body []byte) {
	params, err := query.Params(r, body)
	if err != nil {
		s.writeErr(w, r, rt, apierr.New("MalformedQueryString", "The request body is not a valid form."))
		return
	}
	ctx := r.Context()
	in := info(ctx)
	in.operation = params.Get("Action")
	ctx = s.startTrail(ctx, r, rt, caller, in.operation, trail.QueryParams(params))
	r = r.WithContext(ctx)
	if err := s.admit(ctx, rt.service, in.operation, caller.Account); err != nil {
		s.writeErr(w, r, rt, err)
		return
	}
	var doc any
	if rt.service == "iam" {
		op, err := iamapi.Find(s.cfg.IAM, params)
		if err == nil {
			err = s.authorizeQuery(ctx, r, caller, "iam", op.Action, op.Resource(caller, params), op.Context(params))
		}
		if err == nil {
			doc, err = op.Invoke(ctx, caller, params, in.id)
		}
		if err != nil {
			s.writeErr(w, r, rt, err)
			return
		}
	} else {
		op, err := stsapi.Find(s.cfg.STS, params)
		if err == nil && !op.NoAuthz {
			err = s.authorizeQuery(ctx, r, caller, "sts", op.Action, op.Resource(caller, params), op.Context(params))
		}
		if err == nil {
			doc, err = op.Invoke(ctx, caller, params, in.id)
		}
		if err != nil {
			s.writeErr(w, r, rt, err)
			return
		}
	}
	s.endTrail(r, nil, trailQueryResponse(rt.service, in.operation, doc))
	if err := query.WriteOK(w, doc); err != nil {
		s.log.ErrorContext(ctx, "write response", "err", err)
	}
}

// authorizeQuery asks Authorize about a query-protocol call. The query
// services name the denial AccessDenied (not AccessDeniedException).
func (s *Server) authorizeQuery(ctx context.Context, r *http.Request, caller identity.Principal, service, action, resource string, conds map[string][]string) error {
	if s.cfg.Authorize == nil {
		return nil
	}
	q := s.baseQuery(r, caller, service)
	q.Action, q.Resource, q.Conditions = action, resource, conds
	err := s.cfg.Authorize(ctx, q)
	if e, ok := apierr.As(err); ok && e.Code == "AccessDeniedException" {
		return apierr.New("AccessDenied", e.Message)
	}
	return err
}

var errTooLarge = apierr.New(accountapi.CodeRequestEntityTooLarge, "Request body is too large.")

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

// authenticate verifies the signature and returns the caller. With
// SkipAuth, an unverifiable request acts as the key it names, or as the
// default account's root user.
func (s *Server) authenticate(ctx context.Context, r *http.Request, body []byte, rt route) (identity.Principal, error) {
	if s.cfg.SkipAuth {
		if akid, _, _, ok := sigv4.Scope(r); ok {
			if c, err := s.cfg.Keys.Credential(ctx, akid); err == nil {
				return c.Principal, nil
			}
		}
		return identity.RootPrincipal(s.cfg.DefaultAccount, ""), nil
	}
	slot := &keySlot{}
	res, err := s.verifier.Verify(withKeySlot(ctx, slot), r, body)
	if err != nil {
		var se *sigv4.Error
		if slot.expired {
			return identity.Principal{}, expiredToken(rt.proto)
		}
		if errors.As(err, &se) {
			return identity.Principal{}, authError(rt.proto, se.Kind, se.Message)
		}
		return identity.Principal{}, err
	}
	if rt.service != "" && res.Service != rt.service {
		return identity.Principal{}, authError(rt.proto, sigv4.Mismatch,
			"Credential should be scoped to correct service: '"+rt.service+"'. ")
	}
	if !slot.set {
		return identity.Principal{}, errors.New("verified signature without a key")
	}
	return slot.cred.Principal, nil
}

// expiredToken is the answer to a request signed with an expired session.
func expiredToken(p protocol) *apierr.Error {
	if p == queryXML {
		return apierr.New("ExpiredToken", "The security token included in the request is expired")
	}
	return apierr.New("ExpiredTokenException", "The security token included in the request is expired")
}

// writeErr writes err in the protocol of rt.
func (s *Server) writeErr(w http.ResponseWriter, r *http.Request, rt route, err error) {
	e, ok := apierr.As(err)
	if !ok {
		s.log.ErrorContext(r.Context(), "internal error", "request_id", info(r.Context()).id, "err", err)
	}
	switch rt.proto {
	case queryXML:
		xmlns, status := stsapi.Xmlns, queryStatus
		if rt.service == "iam" {
			xmlns, status = iamapi.Xmlns, iamQueryStatus
		}
		if !ok {
			code := "InternalFailure"
			if rt.service == "iam" {
				code = "ServiceFailure"
			}
			e = &apierr.Error{Code: code, Message: "An internal error occurred.", Fault: apierr.Server}
		}
		s.endTrail(r, e, nil)
		query.WriteError(w, status(e), xmlns, info(r.Context()).id, e)
	case awsJSON:
		if !ok {
			e = &apierr.Error{Code: "ServiceException", Message: "An internal error occurred.", Fault: apierr.Server}
		}
		status := awsJSONStatus(e)
		if rt.service == "organizations" && e.Code != accountapi.CodeRequestEntityTooLarge {
			status = orgsapi.StatusOf(e.Code)
		}
		s.endTrail(r, e, nil)
		awsjson.WriteError(w, status, e)
	default:
		e, _ = accountapi.Codec.ErrorFor(err)
		status := restAuthStatusOf(e.Code)
		if status == 0 {
			status = accountapi.Codec.StatusOf(e)
		}
		s.endTrail(r, e, nil)
		restjson.WriteError(w, status, e)
	}
}

func (s *Server) writeInternal(w http.ResponseWriter, r *http.Request) {
	e := &apierr.Error{Code: account.CodeInternalServer, Message: "An internal error occurred.", Fault: apierr.Server}
	restjson.WriteError(w, http.StatusInternalServerError, e)
}

// admit applies the quotas and the fault rules to a call about to run.
func (s *Server) admit(ctx context.Context, service, operation string, acct identity.AccountID) error {
	if !s.cfg.Limiter.Allow(string(acct), service, operation) {
		return throttled(service)
	}
	return s.injectFault(ctx, service, operation, acct)
}

// throttled is each service's answer to a caller over its request rate.
func throttled(service string) *apierr.Error {
	switch service {
	case "iam", "sts":
		return apierr.New("Throttling", "Rate exceeded")
	}
	return apierr.New("TooManyRequestsException", "Rate exceeded")
}
