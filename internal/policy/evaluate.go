package policy

import (
	"strconv"
	"strings"
	"time"
)

// Request is one authorization question: may PrincipalARN perform Action
// on Resource, given the condition keys in Context?
type Request struct {
	// Action is the IAM action, such as "account:PutAlternateContact".
	// It is matched case-insensitively.
	Action string
	// Resource is the ARN of the resource, or "*" for actions that support
	// no resource-level permissions. It is matched case-sensitively.
	Resource string
	// PrincipalARN is the caller: an IAM user, an assumed-role session, or
	// an account's root user (arn:aws:iam::ID:root).
	PrincipalARN string
	// PrincipalService is the service principal (e.g. "ec2.amazonaws.com")
	// when a service makes the request; it is matched by Service entries
	// of a Principal element.
	PrincipalService string
	// PrincipalFederated is the identity provider (an OIDC provider name
	// such as "cognito-identity.amazonaws.com" or a SAML provider ARN) of a
	// web-identity or SAML caller; it is matched by Federated entries.
	PrincipalFederated string
	// Context holds the request context: condition key → values. Key names
	// are case-insensitive; values are compared as the operator says. A
	// key with no values is treated as missing. Evaluate derives
	// aws:CurrentTime and aws:EpochTime from Now, and aws:PrincipalArn and
	// aws:PrincipalAccount from PrincipalARN, when Context lacks them.
	Context map[string][]string
	// ContextFunc, if Context is nil, makes the context the first time a
	// statement asks for a key (a condition, a policy variable): most
	// requests are decided without one, and building it costs.
	ContextFunc func() map[string][]string
	// Now is the time of the request, for aws:CurrentTime/aws:EpochTime.
	Now time.Time
}

// PolicySet is everything that applies to a request.
type PolicySet struct {
	// Identity holds the principal's identity-based policies: inline and
	// attached, including those of its groups.
	Identity []*Policy
	// Boundary is the principal's permissions boundary, or nil for none.
	Boundary *Policy
	// Session holds the session policies of an assumed-role or federated
	// session. nil means no session policies apply; a non-nil empty slice
	// means a session whose policies allow nothing.
	Session []*Policy
	// SCPs holds the service control policies, one slice per level from
	// the organization root through each OU to the account. Every level
	// must allow the request. nil means no SCPs apply (no organization, SCPs
	// disabled, or the management account).
	SCPs [][]*Policy
	// RCPs holds the resource control policies of the resource's account,
	// one slice per level from the organization root through each OU to
	// that account. Like SCPs, every level must allow and a Deny anywhere
	// denies; their statements name a Principal ("*" in every RCP
	// Organizations accepts). nil means no RCPs apply (the resource is in
	// no organization, RCPs are disabled, the resource is the management
	// account's, or its service is not one RCPs cover).
	RCPs [][]*Policy
	// Resource holds the resource-based policies of a resource in the
	// principal's own account (for sts:AssumeRole, the role's trust
	// policy). As within one account in AWS, an Allow whose Principal
	// names the caller itself (its ARN, its session's role ARN, "*", its
	// service or provider) grants access without an identity-based policy;
	// an Allow that names only the caller's account (an account ID or
	// arn:aws:iam::ID:root) delegates to the identity-based policies and
	// grants nothing by itself. A Deny always counts. For a resource in
	// another account, callers evaluate the resource side with
	// [EvaluateResource] instead.
	Resource []*Policy
	// RootUser says the principal is the account's root user, which needs
	// no identity-based policy. SCPs still bind it.
	RootUser bool
	// SessionDeniesOnly says the session policies only carve access down:
	// their Deny statements deny, but a request none of them allows is
	// not denied for that. It is the task policy of an STS AssumeRoot
	// session, whose Deny statements limit the root user's implicit full
	// access to one privileged task.
	SessionDeniesOnly bool
}

// Decision is the outcome of [Evaluate]. The zero value is an implicit
// deny.
type Decision struct {
	// Effect is Allow, ExplicitDeny or ImplicitDeny.
	Effect Effect
	// DeniedBy is the kind of policy responsible for a deny: the kind that
	// holds the explicit Deny, or the first stage that did not allow
	// (SCP, then RCP, then Boundary, then Session, then Identity). It is NoKind when
	// the request is allowed.
	DeniedBy Kind
	// Reasons lists every statement that matched the request, allowing or
	// denying, in evaluation order: SCPs (root first), RCPs (root first),
	// boundary, session, identity, resource.
	Reasons []Reason
}

// Allowed reports whether the decision is Allow.
func (d Decision) Allowed() bool { return d.Effect == Allow }

// Reason identifies one statement that matched a request.
type Reason struct {
	// Kind is the slot of the PolicySet the policy was in.
	Kind Kind
	// Level is the SCP or RCP level (0 = organization root); 0 for other
	// kinds.
	Level int
	// Index is the position of the policy in its slice (or SCP level).
	Index int
	// Policy is the policy's Name.
	Policy string
	// Statement is the position of the statement in the document.
	Statement int
	// Sid is the statement's Sid, if any.
	Sid string
	// Effect is Allow or ExplicitDeny.
	Effect Effect
}

// statement is a compiled policy statement.
type statement struct {
	sid         string
	effect      Effect
	notAction   bool
	actions     []pattern
	hasResource bool // trust policies have no Resource: they apply to the role
	notResource bool
	resources   []pattern
	principal   *principals
	conds       []condition
}

// Evaluate decides req against set with AWS's policy evaluation logic
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
//
//  1. A matching Deny statement in any policy is an explicit deny.
//  2. Otherwise, every SCP level, then every RCP level, must have a
//     matching Allow.
//  3. Otherwise, the permissions boundary (if any) must allow.
//  4. Otherwise, the session policies (if any) must allow (unless they
//     only deny: [PolicySet].SessionDeniesOnly).
//  5. Otherwise, an identity-based policy must allow, or a resource-based
//     policy must allow with a Principal that names the caller itself
//     (see [PolicySet].Resource), or the principal must be the root user.
//  6. Otherwise, the request is implicitly denied.
//
// Every policy is evaluated, so Reasons lists every matching statement even
// when an early stage already decided. A nil policy is skipped.
//
// TODO(fidelity): AWS's evaluation-logic page says that within an account
// a resource-based policy naming an IAM user, or a role session's own
// ARN, grants despite an implicit deny from a permissions boundary or
// session policy; here boundaries and session policies always filter.
// Cross-account requests (which need both an identity-based and a
// resource-based allow) are the caller's to compose, with
// [EvaluateResource] for the resource side.
func Evaluate(req Request, set PolicySet) Decision {
	ec := evalCtx{req: &req}
	var d Decision

	scpDeny, scpMissing := ec.evalLevels(set.SCPs, SCP, &d.Reasons)
	rcpDeny, rcpMissing := ec.evalLevels(set.RCPs, RCP, &d.Reasons)
	boundaryAllow, boundaryDeny, _ := ec.evalPolicy(set.Boundary, Boundary, 0, 0, &d.Reasons)
	sessionAllow, sessionDeny, _ := ec.evalPolicies(set.Session, Session, &d.Reasons)
	identityAllow, identityDeny, _ := ec.evalPolicies(set.Identity, Identity, &d.Reasons)
	_, resourceDeny, resourceGrant := ec.evalPolicies(set.Resource, Resource, &d.Reasons)

	switch {
	case scpDeny:
		d.Effect, d.DeniedBy = ExplicitDeny, SCP
	case rcpDeny:
		d.Effect, d.DeniedBy = ExplicitDeny, RCP
	case boundaryDeny:
		d.Effect, d.DeniedBy = ExplicitDeny, Boundary
	case sessionDeny:
		d.Effect, d.DeniedBy = ExplicitDeny, Session
	case identityDeny:
		d.Effect, d.DeniedBy = ExplicitDeny, Identity
	case resourceDeny:
		d.Effect, d.DeniedBy = ExplicitDeny, Resource
	case scpMissing:
		d.Effect, d.DeniedBy = ImplicitDeny, SCP
	case rcpMissing:
		d.Effect, d.DeniedBy = ImplicitDeny, RCP
	case set.Boundary != nil && !boundaryAllow:
		d.Effect, d.DeniedBy = ImplicitDeny, Boundary
	case set.Session != nil && !sessionAllow && !set.SessionDeniesOnly:
		d.Effect, d.DeniedBy = ImplicitDeny, Session
	case set.RootUser || identityAllow || resourceGrant:
		d.Effect, d.DeniedBy = Allow, NoKind
	default:
		d.Effect, d.DeniedBy = ImplicitDeny, Identity
	}
	return d
}

// EvaluateResource decides the resource side of a request: whether the
// resource-based policies (for sts:AssumeRole, the role's trust policy)
// allow the caller, named by its ARN, its session's role ARN, "*", its
// service or provider, or through its account (an account ID or
// arn:aws:iam::ID:root). A matching Deny is an explicit deny. This is the
// whole check on the resource's side of a cross-account request, and what
// STS asks of a role's trust policy; the caller's own policies are
// decided by [Evaluate]. DeniedBy is Resource when the result is a deny.
func EvaluateResource(req Request, pols []*Policy) Decision {
	ec := evalCtx{req: &req}
	var d Decision
	allow, deny, _ := ec.evalPolicies(pols, Resource, &d.Reasons)
	switch {
	case deny:
		d.Effect, d.DeniedBy = ExplicitDeny, Resource
	case allow:
		d.Effect, d.DeniedBy = Allow, NoKind
	default:
		d.Effect, d.DeniedBy = ImplicitDeny, Resource
	}
	return d
}

// evalCtx carries one request through evaluation.
type evalCtx struct {
	req *Request
	// ctx is the request's context once a statement asked for a key
	// (made by ContextFunc if need be); madeCtx says it was looked up.
	ctx     map[string][]string
	madeCtx bool
	// lowAction is the action in lower case, once an action pattern with
	// wildcards has asked for it (actionState 1), if it is ASCII
	// (actionState 2: it is not).
	lowAction   string
	actionState uint8
}

// lowerAction returns the request's action in lower case, for matching
// action patterns; ok is false if it is not ASCII (where lower-casing is
// not the same as Unicode case folding).
func (ec *evalCtx) lowerAction() (string, bool) {
	if ec.actionState == 0 {
		ec.actionState = 2
		if isASCII(ec.req.Action) {
			ec.lowAction, ec.actionState = strings.ToLower(ec.req.Action), 1
		}
	}
	return ec.lowAction, ec.actionState == 1
}

// evalLevels evaluates organization policies given per level (SCPs or
// RCPs): deny is true if any Deny matched, missing if some level has no
// matching Allow.
func (ec *evalCtx) evalLevels(levels [][]*Policy, kind Kind, reasons *[]Reason) (deny, missing bool) {
	for lvl, level := range levels {
		allowed := false
		for i, p := range level {
			a, dn, _ := ec.evalPolicy(p, kind, lvl, i, reasons)
			allowed = allowed || a
			deny = deny || dn
		}
		if !allowed {
			missing = true
		}
	}
	return deny, missing
}

func (ec *evalCtx) evalPolicies(ps []*Policy, kind Kind, reasons *[]Reason) (allow, deny, named bool) {
	for i, p := range ps {
		a, d, n := ec.evalPolicy(p, kind, 0, i, reasons)
		allow = allow || a
		deny = deny || d
		named = named || n
	}
	return allow, deny, named
}

// evalPolicy evaluates every statement of p and appends a Reason for each
// one that matches. named reports whether a matching Allow names the
// caller itself in its Principal (see principals.namesCaller); a
// statement without a Principal (identity-based and the like) applies to
// its holder, so it names the caller too.
func (ec *evalCtx) evalPolicy(p *Policy, kind Kind, level, index int, reasons *[]Reason) (allow, deny, named bool) {
	if p == nil {
		return false, false, false
	}
	for i := range p.statements {
		st := &p.statements[i]
		if !st.matches(ec) {
			continue
		}
		*reasons = append(*reasons, Reason{
			Kind: kind, Level: level, Index: index, Policy: p.Name,
			Statement: i, Sid: st.sid, Effect: st.effect,
		})
		if st.effect == Allow {
			allow = true
			named = named || st.principal == nil || st.principal.namesCaller(ec)
		} else {
			deny = true
		}
	}
	return allow, deny, named
}

// matches reports whether the statement applies to the request: action,
// resource, principal and every condition match.
func (st *statement) matches(ec *evalCtx) bool {
	matched := false
	for i := range st.actions {
		if st.actions[i].matchAction(ec) {
			matched = true
			break
		}
	}
	if matched == st.notAction {
		return false
	}
	if st.hasResource {
		matched = false
		for i := range st.resources {
			if st.resources[i].match(ec.req.Resource, ec.single, false) {
				matched = true
				break
			}
		}
		if matched == st.notResource {
			return false
		}
	}
	if st.principal != nil && !st.principal.match(ec) {
		return false
	}
	for i := range st.conds {
		if !st.conds[i].eval(ec) {
			return false
		}
	}
	return true
}

// values returns the values of a condition key, matching its name
// case-insensitively, including the keys Evaluate derives.
func (ec *evalCtx) values(key string) []string {
	if !ec.madeCtx {
		ec.ctx, ec.madeCtx = ec.req.Context, true
		if ec.ctx == nil && ec.req.ContextFunc != nil {
			ec.ctx = ec.req.ContextFunc()
		}
	}
	ctx := ec.ctx
	if v, ok := ctx[key]; ok && len(v) > 0 {
		return v
	}
	for k, v := range ctx {
		if len(v) > 0 && strings.EqualFold(k, key) {
			return v
		}
	}
	return ec.derived(key)
}

// single returns the value of a single-valued key, for policy variables.
func (ec *evalCtx) single(key string) (string, bool) {
	v := ec.values(key)
	if len(v) != 1 {
		return "", false
	}
	return v[0], true
}

// derived computes the global keys that follow from the request's own
// fields, when the caller did not supply them.
func (ec *evalCtx) derived(key string) []string {
	r := ec.req
	switch {
	case strings.EqualFold(key, "aws:CurrentTime"):
		if !r.Now.IsZero() {
			return []string{r.Now.UTC().Format(time.RFC3339)}
		}
	case strings.EqualFold(key, "aws:EpochTime"):
		if !r.Now.IsZero() {
			return []string{strconv.FormatInt(r.Now.Unix(), 10)}
		}
	case strings.EqualFold(key, "aws:PrincipalArn"):
		if a := principalARNKey(r.PrincipalARN); a != "" {
			return []string{a}
		}
	case strings.EqualFold(key, "aws:PrincipalAccount"):
		if a := arnAccount(r.PrincipalARN); a != "" {
			return []string{a}
		}
	}
	return nil
}

// principalARNKey is the aws:PrincipalArn of a caller: its ARN, except
// that an assumed-role session (arn:aws:sts::ID:assumed-role/R/S) has the
// role's ARN. The role's path is not in the session ARN; callers that know
// it should set aws:PrincipalArn themselves.
func principalARNKey(a string) string {
	if a == "" {
		return ""
	}
	parts := strings.SplitN(a, ":", 6)
	if len(parts) == 6 && parts[2] == "sts" && strings.HasPrefix(parts[5], "assumed-role/") {
		role, _, _ := strings.Cut(strings.TrimPrefix(parts[5], "assumed-role/"), "/")
		return "arn:" + parts[1] + ":iam::" + parts[4] + ":role/" + role
	}
	return a
}

// arnAccount returns the account field of an ARN, or "".
func arnAccount(a string) string {
	parts := strings.SplitN(a, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}
