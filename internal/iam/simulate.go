package iam

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

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
	// First is the index of the first (action, resource) pair to evaluate;
	// pairs are ordered by action, then resource, as given.
	First int
	// MaxResults caps how many pairs are evaluated (0, or more than
	// MaxSimulationResults: MaxSimulationResults).
	MaxResults int
}

// The bounds of one simulation call. Each call evaluates one page of the
// (action, resource) pairs, so a request holds a core for a bounded time
// however many pairs it names: at most MaxSimulationResults pairs, and
// fewer when the policies are large, so that the page's estimated work
// (policy.Policy.Work, in characters read) stays within SimulationWork.
// A simulation whose single pair would exceed SimulationWork is refused
// with InvalidInput.
//
// SimulationWork is calibrated with BenchmarkSimulateWorstPage: the
// costliest pages it allows take 0.1 to 0.3 s on one core of a shared
// machine.
const (
	MaxSimulationResults = 1000
	SimulationWork       = 50_000_000
)

// SimulateOutput is one page of a simulation.
//
// TODO(fidelity): the current IAM model returns one EvaluationResult per
// action, with ResourceSpecificResults per resource; here every (action,
// resource) pair is one result, as IAM used to answer.
type SimulateOutput struct {
	Results []EvalResult
	// Next is the index of the first pair not evaluated; Pairs is the
	// number of pairs. Next == Pairs once the last page is out.
	Next, Pairs int
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

// Simulate evaluates the page of in's (action, resource) pairs that
// starts at in.First: at most in.MaxResults pairs, fewer if their
// estimated work would exceed SimulationWork (at least one). Returns
// NoSuchEntity for an unknown source, and InvalidInput for bad input
// policies or ARNs, a First beyond the last pair, or a simulation whose
// single pair would exceed SimulationWork.
func (s *Service) Simulate(ctx context.Context, acct identity.AccountID, in SimulateInput) (SimulateOutput, error) {
	var out SimulateOutput
	var l loaded
	if in.SourceARN != "" {
		kind, name, err := sourceEntity(acct, in.SourceARN)
		if err != nil {
			return out, err
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
			return out, err
		}
	}
	for i, doc := range in.Policies {
		id := "PolicyInputList." + strconv.Itoa(i+1)
		p, err := parseSimPolicy(doc, policy.Identity, id)
		if err != nil {
			return out, err
		}
		l.Identity = append(l.Identity, p)
		l.IdentitySources = append(l.IdentitySources, PolicySource{ID: id, Type: SourceNone, Document: doc})
	}
	sim := simulation{in: &in, l: &l}
	if len(in.Boundaries) > 0 {
		for i, doc := range in.Boundaries {
			id := "PermissionsBoundaryPolicyInputList." + strconv.Itoa(i+1)
			p, err := parseSimPolicy(doc, policy.Boundary, id)
			if err != nil {
				return out, err
			}
			sim.boundaries = append(sim.boundaries, p)
			sim.boundarySources = append(sim.boundarySources, PolicySource{ID: id, Type: SourceNone, Document: doc})
		}
	} else if l.Boundary != nil {
		sim.boundaries, sim.boundarySources = []*policy.Policy{l.Boundary}, []PolicySource{l.BoundarySource}
	}
	for lvl, docs := range in.SCPs {
		var level []*policy.Policy
		var srcs []PolicySource
		for i, doc := range docs {
			id := "OrderedOrganizationPolicyInputList." + strconv.Itoa(lvl+1) + ".ServiceControlPolicyInputList." + strconv.Itoa(i+1)
			p, err := parseSimPolicy(doc, policy.SCP, id)
			if err != nil {
				return out, err
			}
			level = append(level, p)
			srcs = append(srcs, PolicySource{ID: id, Type: SourceNone, Document: doc})
		}
		sim.scps = append(sim.scps, level)
		sim.scpSources = append(sim.scpSources, srcs)
	}
	if in.ResourcePolicy != "" {
		p, err := parseSimPolicy(in.ResourcePolicy, policy.Resource, "ResourcePolicy")
		if err != nil {
			return out, err
		}
		sim.resource = []*policy.Policy{p}
	}
	sim.caller = in.CallerARN
	if sim.caller == "" {
		sim.caller = in.SourceARN
	}
	sim.resources = in.Resources
	if len(sim.resources) == 0 {
		sim.resources = []string{"*"}
	}
	sim.now = s.now().UTC()

	out.Pairs = len(in.Actions) * len(sim.resources)
	if in.First < 0 || in.First > out.Pairs {
		return out, simInvalid("Invalid Marker.")
	}
	n := in.MaxResults
	if n <= 0 || n > MaxSimulationResults {
		n = MaxSimulationResults
	}
	work := sim.work()
	if work > SimulationWork {
		return out, simInvalid(fmt.Sprintf("The simulation is too large: evaluating one action on one resource "+
			"would read about %d characters of policies and context values, more than the %d this server allows. "+
			"Simulate fewer or smaller policies, or fewer context values.", work, SimulationWork))
	}
	if fit := SimulationWork / max(1, work); fit < int64(n) {
		n = int(max(1, fit))
	}
	out.Next = min(in.First+n, out.Pairs)
	out.Results = make([]EvalResult, 0, out.Next-in.First)
	for i := in.First; i < out.Next; i++ {
		out.Results = append(out.Results, sim.eval(in.Actions[i/len(sim.resources)], sim.resources[i%len(sim.resources)]))
	}
	return out, nil
}

// simulation is what every pair of a simulation is evaluated against.
type simulation struct {
	in              *SimulateInput
	l               *loaded
	boundaries      []*policy.Policy
	boundarySources []PolicySource
	scps            [][]*policy.Policy
	scpSources      [][]PolicySource
	resource        []*policy.Policy
	caller          string
	resources       []string
	now             time.Time
}

// work estimates the work of evaluating the simulation's most costly pair
// (policy.Policy.Work): the longest action (and the longest that is not
// ASCII, which costs more per character) on the longest resource, against
// every policy eval reads, the SCPs twice.
func (sim *simulation) work() int64 {
	var longest, nonASCII, resource string
	for _, a := range sim.in.Actions {
		if len(a) > len(longest) {
			longest = a
		}
		if len(a) > len(nonASCII) && !isASCII(a) {
			nonASCII = a
		}
	}
	for _, r := range sim.resources {
		if len(r) > len(resource) {
			resource = r
		}
	}
	pairWork := func(action string) int64 {
		req := policy.Request{Action: action, Resource: resource, PrincipalARN: sim.caller, Context: sim.in.Context, Now: sim.now}
		var w int64
		for _, p := range sim.l.Identity {
			w += p.Work(req)
		}
		for _, p := range sim.boundaries {
			w += p.Work(req)
		}
		for _, level := range sim.scps {
			for _, p := range level {
				w += 2 * p.Work(req)
			}
		}
		for _, p := range sim.resource {
			w += p.Work(req)
		}
		return w
	}
	w := pairWork(longest)
	if nonASCII != "" {
		w = max(w, pairWork(nonASCII))
	}
	return w
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// eval simulates action on res.
func (sim *simulation) eval(action, res string) EvalResult {
	l, in := sim.l, sim.in
	req := policy.Request{Action: action, Resource: res, PrincipalARN: sim.caller, Context: in.Context, Now: sim.now}
	set := policy.PolicySet{Identity: l.Identity, SCPs: sim.scps, Resource: sim.resource}
	// Several boundary inputs are alternatives IAM evaluates together:
	// every one must allow.
	r := EvalResult{Action: action, Resource: res}
	boundaryOK := true
	var boundaryReasons []policy.Reason
	for i, b := range sim.boundaries {
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
			src = sim.boundarySources[rs.Index]
		case policy.SCP:
			if r.Decision == DecisionAllowed {
				continue
			}
			src = sim.scpSources[rs.Level][rs.Index]
		case policy.Resource:
			src = PolicySource{ID: "ResourcePolicy", Type: SourceResource, Document: in.ResourcePolicy}
		default:
			continue
		}
		r.Matched = append(r.Matched, MatchedStatement{Source: src, Statement: rs.Statement})
	}
	if in.SCPsApply {
		ok := policy.Evaluate(req, policy.PolicySet{SCPs: sim.scps, RootUser: true}).Allowed()
		r.AllowedByOrganizations = &ok
	}
	if len(sim.boundaries) > 0 {
		ok := boundaryOK
		r.AllowedByBoundary = &ok
	}
	return r
}

func hasDeny(rs []policy.Reason) bool {
	for _, r := range rs {
		if r.Effect == policy.ExplicitDeny {
			return true
		}
	}
	return false
}
