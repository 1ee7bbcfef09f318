package iam

import (
	"context"
	"strconv"
	"strings"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/policy"
)

// SimulateInput is what SimulatePrincipalPolicy and SimulateCustomPolicy
// evaluate.
type SimulateInput struct {
	// SourceARN is the user, group or role whose policies are simulated
	// (SimulatePrincipalPolicy); "" for SimulateCustomPolicy.
	SourceARN string
	// Policies are extra identity policies (PolicyInputList).
	Policies []string
	// Boundaries replace the source's permissions boundary
	// (PermissionsBoundaryPolicyInputList).
	Boundaries []string
	// SCPs are the service control policies per level from the
	// organization root down to the account; nil when none apply.
	SCPs [][]string
	// SCPsApply reports OrganizationsDecisionDetail in the results (the
	// account is in an organization, or SCPs were given).
	SCPsApply bool
	Actions   []string
	// Resources default to "*".
	Resources      []string
	ResourcePolicy string
	// CallerARN is the principal of the simulated request; it defaults to
	// SourceARN.
	CallerARN string
	Context   map[string][]string
}

// Decisions of a simulation (PolicyEvaluationDecisionType).
const (
	DecisionAllowed      = "allowed"
	DecisionExplicitDeny = "explicitDeny"
	DecisionImplicitDeny = "implicitDeny"
)

// EvalResult is the simulated decision of one action on one resource.
type EvalResult struct {
	Action, Resource string
	Decision         string
	Matched          []MatchedStatement
	// AllowedByOrganizations is set when SCPs apply.
	AllowedByOrganizations *bool
	// AllowedByBoundary is set when a permissions boundary applies.
	AllowedByBoundary *bool
}

// MatchedStatement is a statement that decided a result.
type MatchedStatement struct {
	Source PolicySource
	// Statement is the index of the statement in Source.Document.
	Statement int
}

func simInvalid(msg string) error { return apierr.New(CodeInvalidInput, msg) }

// parseSimPolicy parses a simulation input policy, reporting a bad one as
// InvalidInput (the simulation operations have no MalformedPolicyDocument).
func parseSimPolicy(doc string, kind policy.Kind, name string) (*policy.Policy, error) {
	p, err := parseDoc(doc, kind)
	if err != nil {
		if e, ok := apierr.As(err); ok {
			return nil, simInvalid(e.Message)
		}
		return nil, err
	}
	p.Name = name
	return p, nil
}

// sourceEntity splits the ARN of a user, group or role of acct into kind
// and name.
func sourceEntity(acct identity.AccountID, arn string) (PrincipalKind, string, error) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::"+string(acct)+":")
	if !ok {
		if strings.HasPrefix(arn, "arn:aws:iam::") {
			return "", "", noSuchEntity("The entity %s cannot be found.", arn)
		}
		return "", "", simInvalid("Invalid ARN: " + arn)
	}
	typ, path, _ := strings.Cut(rest, "/")
	name := path[strings.LastIndex(path, "/")+1:]
	if name == "" {
		return "", "", simInvalid("Invalid ARN: " + arn)
	}
	switch typ {
	case "user":
		return KindUser, name, nil
	case "group":
		return KindGroup, name, nil
	case "role":
		return KindRole, name, nil
	}
	return "", "", simInvalid("Invalid ARN: " + arn)
}

// Simulate evaluates every action on every resource of in. Returns
// NoSuchEntity for an unknown source and InvalidInput for bad input
// policies or ARNs.
func (s *Service) Simulate(ctx context.Context, acct identity.AccountID, in SimulateInput) ([]EvalResult, error) {
	var l loaded
	if in.SourceARN != "" {
		kind, name, err := sourceEntity(acct, in.SourceARN)
		if err != nil {
			return nil, err
		}
		err = s.view(ctx, func(tx Tx) error {
			switch kind {
			case KindUser:
				u, err := getUser(ctx, tx, acct, name)
				if err != nil {
					return err
				}
				return loadEntity(ctx, tx, &l, acct, KindUser, u.Name, u.Boundary)
			case KindGroup:
				g, err := getGroup(ctx, tx, acct, name)
				if err != nil {
					return err
				}
				return loadOwn(ctx, tx, &l, acct, KindGroup, g.Name)
			}
			r, err := getRole(ctx, tx, acct, name)
			if err != nil {
				return err
			}
			return loadEntity(ctx, tx, &l, acct, KindRole, r.Name, r.Boundary)
		})
		if err != nil {
			return nil, err
		}
	}
	for i, doc := range in.Policies {
		id := "PolicyInputList." + strconv.Itoa(i+1)
		p, err := parseSimPolicy(doc, policy.Identity, id)
		if err != nil {
			return nil, err
		}
		l.Identity = append(l.Identity, p)
		l.IdentitySources = append(l.IdentitySources, PolicySource{ID: id, Type: SourceNone, Document: doc})
	}
	var boundaries []*policy.Policy
	var boundarySources []PolicySource
	if len(in.Boundaries) > 0 {
		for i, doc := range in.Boundaries {
			id := "PermissionsBoundaryPolicyInputList." + strconv.Itoa(i+1)
			p, err := parseSimPolicy(doc, policy.Boundary, id)
			if err != nil {
				return nil, err
			}
			boundaries = append(boundaries, p)
			boundarySources = append(boundarySources, PolicySource{ID: id, Type: SourceNone, Document: doc})
		}
	} else if l.Boundary != nil {
		boundaries, boundarySources = []*policy.Policy{l.Boundary}, []PolicySource{l.BoundarySource}
	}
	var scps [][]*policy.Policy
	var scpSources [][]PolicySource
	for lvl, docs := range in.SCPs {
		var level []*policy.Policy
		var srcs []PolicySource
		for i, doc := range docs {
			id := "OrderedOrganizationPolicyInputList." + strconv.Itoa(lvl+1) + ".ServiceControlPolicyInputList." + strconv.Itoa(i+1)
			p, err := parseSimPolicy(doc, policy.SCP, id)
			if err != nil {
				return nil, err
			}
			level = append(level, p)
			srcs = append(srcs, PolicySource{ID: id, Type: SourceNone, Document: doc})
		}
		scps = append(scps, level)
		scpSources = append(scpSources, srcs)
	}
	var resource []*policy.Policy
	if in.ResourcePolicy != "" {
		p, err := parseSimPolicy(in.ResourcePolicy, policy.Resource, "ResourcePolicy")
		if err != nil {
			return nil, err
		}
		resource = []*policy.Policy{p}
	}
	caller := in.CallerARN
	if caller == "" {
		caller = in.SourceARN
	}
	resources := in.Resources
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	now := s.now().UTC()
	var out []EvalResult
	for _, action := range in.Actions {
		for _, res := range resources {
			req := policy.Request{Action: action, Resource: res, PrincipalARN: caller, Context: in.Context, Now: now}
			set := policy.PolicySet{Identity: l.Identity, SCPs: scps, Resource: resource}
			// Several boundary inputs are alternatives IAM evaluates
			// together: every one must allow.
			r := EvalResult{Action: action, Resource: res}
			boundaryOK := true
			var boundaryReasons []policy.Reason
			for i, b := range boundaries {
				d := policy.Evaluate(req, policy.PolicySet{Identity: []*policy.Policy{b}})
				if !d.Allowed() {
					boundaryOK = false
				}
				for _, rs := range d.Reasons {
					rs.Kind, rs.Index = policy.Boundary, i
					boundaryReasons = append(boundaryReasons, rs)
				}
			}
			d := policy.Evaluate(req, set)
			reasons := append(d.Reasons, boundaryReasons...)
			switch {
			case d.Effect == policy.ExplicitDeny || hasDeny(boundaryReasons):
				r.Decision = DecisionExplicitDeny
			case d.Effect == policy.Allow && boundaryOK:
				r.Decision = DecisionAllowed
			default:
				r.Decision = DecisionImplicitDeny
			}
			for _, rs := range reasons {
				if (r.Decision == DecisionExplicitDeny) != (rs.Effect == policy.ExplicitDeny) || r.Decision == DecisionImplicitDeny {
					continue
				}
				var src PolicySource
				switch rs.Kind {
				case policy.Identity:
					src = l.IdentitySources[rs.Index]
				case policy.Boundary:
					if r.Decision == DecisionAllowed {
						continue
					}
					src = boundarySources[rs.Index]
				case policy.SCP:
					if r.Decision == DecisionAllowed {
						continue
					}
					src = scpSources[rs.Level][rs.Index]
				case policy.Resource:
					src = PolicySource{ID: "ResourcePolicy", Type: SourceResource, Document: in.ResourcePolicy}
				default:
					continue
				}
				r.Matched = append(r.Matched, MatchedStatement{Source: src, Statement: rs.Statement})
			}
			if in.SCPsApply {
				ok := policy.Evaluate(req, policy.PolicySet{SCPs: scps, RootUser: true}).Allowed()
				r.AllowedByOrganizations = &ok
			}
			if len(boundaries) > 0 {
				ok := boundaryOK
				r.AllowedByBoundary = &ok
			}
			out = append(out, r)
		}
	}
	return out, nil
}

func hasDeny(rs []policy.Reason) bool {
	for _, r := range rs {
		if r.Effect == policy.ExplicitDeny {
			return true
		}
	}
	return false
}
