package server

import (
	"context"
	"net"
	"net/http"

	"github.com/accountplane/accountplane/internal/accountapi"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/orgsapi"
	"github.com/accountplane/accountplane/internal/sigv4"
)

// baseQuery is the part of an authorization question every call shares.
func (s *Server) baseQuery(r *http.Request, caller identity.Principal, service string) AuthzQuery {
	q := AuthzQuery{Principal: caller, Service: service, SecureTransport: r.TLS != nil}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		q.SourceIP = host
	}
	if _, region, _, ok := sigv4.Scope(r); ok {
		q.Region = region
	}
	return q
}

// withChecks returns ctx carrying the operation tables' authorization
// hooks for this request.
func (s *Server) withChecks(ctx context.Context, r *http.Request, caller identity.Principal) context.Context {
	if s.cfg.Authorize == nil {
		return ctx
	}
	ctx = accountapi.WithCheck(ctx, func(ctx context.Context, action string, target identity.AccountID, conds map[string][]string) error {
		q := s.baseQuery(r, caller, "account")
		q.Action, q.Target, q.Conditions = action, target, conds
		return s.cfg.Authorize(ctx, q)
	})
	ctx = orgsapi.WithCheck(ctx, func(ctx context.Context, action string, resources []string, conds map[string][]string) error {
		if len(resources) == 0 {
			resources = []string{"*"}
		}
		q := s.baseQuery(r, caller, "organizations")
		q.Action, q.Conditions = action, conds
		// The action must be allowed on every resource it names.
		for _, res := range resources {
			q.Resource = res
			if err := s.cfg.Authorize(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	return ctx
}
