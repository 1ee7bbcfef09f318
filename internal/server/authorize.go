package server

import (
	"context"
	"log/slog"
	"strings"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/authz"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/operation"
)

// AuthzQuery is one authorization question: may Principal perform Action
// on Resource?
type AuthzQuery struct {
	Principal identity.Principal
	Service   string // signing name: account, organizations, iam, sts, cloudtrail
	Action    string
	// Resource is one ARN the call acts on, or "*".
	Resource string
	// Conditions are the operation's service condition keys;
	// AddConditions adds more when a policy first reads them, and
	// ResourceTagsGiven says they include the resource's tags (see
	// operation.Access).
	Conditions        map[string][]string
	AddConditions     func(context map[string][]string)
	ResourceTagsGiven bool
	// TrustPolicy is the resource-based policy of Resource, if any (a
	// role's trust policy for sts:AssumeRole).
	TrustPolicy string
	// Request-level global condition keys.
	SourceIP        string
	SecureTransport bool
	Region          string
}

// Authorizer decides the server's authorization questions. A server
// without one does not start.
type Authorizer interface {
	Authorize(ctx context.Context, q AuthzQuery) (authz.Decision, error)
}

// authorize is the pipeline's authorization stage: every resource the call
// declares must be allowed. The decision, with its reasons, is kept in the
// decision log under the request id; a denial is logged with them.
func (s *Server) authorize(ctx context.Context, m callMeta, rt route, caller identity.Principal, acc operation.Access) error {
	if err := acc.Resolved(); err != nil {
		return err
	}
	rec := &DecisionRecord{
		RequestID: m.requestID, Time: s.cfg.Now().UTC(), Principal: caller.ARN,
		Service: rt.svc.Name, Operation: rt.op.Name, Action: rt.op.Action, Allowed: true,
	}
	defer s.decisions.put(rec)
	switch {
	case acc.Refused != "":
		e := apierr.New(rt.svc.AccessDenied, "User: "+caller.ARN+" is not authorized to perform: "+rt.op.Action+" ("+acc.Refused+")")
		rec.Allowed, rec.Refused = false, acc.Refused
		s.logDenial(ctx, rec, e)
		return e
	case acc.Public:
		rec.Public = true
		return nil
	}
	q := AuthzQuery{
		Principal: caller, Service: rt.svc.Name, Action: rt.op.Action, Conditions: acc.Conditions,
		AddConditions: acc.AddConditions, ResourceTagsGiven: acc.ResourceTagsGiven, TrustPolicy: acc.TrustPolicy, SourceIP: m.sourceIP, SecureTransport: m.secure, Region: m.region,
	}
	for _, res := range acc.Resources {
		q.Resource = res
		d, err := s.cfg.Authorizer.Authorize(ctx, q)
		if err != nil {
			rec.Allowed, rec.Error = false, "internal failure"
			return err
		}
		rec.Checks = append(rec.Checks, checkOf(res, d))
		if !d.Allowed {
			rec.Allowed = false
			e := d.Denial
			if e == nil {
				e = apierr.New(rt.svc.AccessDenied, "User: "+caller.ARN+" is not authorized to perform: "+rt.op.Action)
			}
			if e.Code != rt.svc.AccessDenied {
				e = apierr.New(rt.svc.AccessDenied, e.Message)
			}
			rec.Message = e.Message
			s.logDenial(ctx, rec, e)
			return e
		}
	}
	return nil
}

// logDenial logs a denied call with the reasons of its decision.
func (s *Server) logDenial(ctx context.Context, rec *DecisionRecord, e *apierr.Error) {
	attrs := []slog.Attr{
		slog.String("request_id", rec.RequestID), slog.String("principal", rec.Principal),
		slog.String("action", rec.Action), slog.String("message", e.Message),
	}
	if rec.Refused != "" {
		attrs = append(attrs, slog.String("refused", rec.Refused))
	}
	if n := len(rec.Checks); n > 0 {
		c := rec.Checks[n-1]
		attrs = append(attrs, slog.String("resource", c.Resource), slog.String("denied_by", c.DeniedBy),
			slog.Bool("explicit", c.Explicit), slog.String("reasons", reasonsText(c.Reasons)))
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "access denied", attrs...)
}

// reasonsText is a decision's reasons in one line for the log.
func reasonsText(rs []authz.Reason) string {
	if len(rs) == 0 {
		return "no statement matched"
	}
	parts := make([]string, len(rs))
	for i, r := range rs {
		sid := r.Sid
		if sid == "" {
			sid = "#" + itoa(r.Statement)
		}
		parts[i] = r.Effect + " by " + r.Kind + " " + r.Policy + " statement " + sid
	}
	return strings.Join(parts, "; ")
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
