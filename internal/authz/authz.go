package authz

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/accountplane/accountplane/internal/arn"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/policy"
)

// Policies are the policies attached to a principal, and its tags.
type Policies struct {
	Identity []*policy.Policy
	Boundary *policy.Policy   // nil: none
	Session  []*policy.Policy // nil: not a session, or a session without policies
	// Tags are the principal's tags, the aws:PrincipalTag/<key> keys: an
	// IAM user's, or a role session's (the role's tags overridden by the
	// session tags).
	Tags map[string]string
}

// OrgFacts are the organization facts of an account: as the caller's
// account, for SCPs and the aws:PrincipalOrg* condition keys; as the
// resource's account, for RCPs and the aws:ResourceOrg* keys.
type OrgFacts struct {
	OrgID      string
	Management bool
	// Paths are the account's organization paths (o-…/r-…/ou-…/).
	Paths []string
	// SCPs lists, per level from the root down to the account, the SCPs
	// attached; nil when SCPs are not enabled.
	SCPs [][]*policy.Policy
	// RCPs lists, per level from the root down to the account, the RCPs
	// attached; nil when RCPs are not enabled.
	RCPs [][]*policy.Policy
}

// PolicySource loads what a decision needs.
type PolicySource interface {
	// PrincipalPolicies returns the policies of an IAM user or assumed role
	// (a root user has none).
	PrincipalPolicies(ctx context.Context, p identity.Principal) (Policies, error)
	// OrgFacts returns the organization facts of an account; ok is false if
	// it is in no organization.
	OrgFacts(ctx context.Context, acct identity.AccountID) (f OrgFacts, ok bool, err error)
	// ResourceTags returns the tags of the stored resource that action
	// acts on (an IAM user or role named by the resource ARN), the
	// aws:ResourceTag/<key> keys; nil for resources of other kinds, for
	// ones that do not exist, and for the resource an action creates.
	ResourceTags(ctx context.Context, action, resource string) (map[string]string, error)
}

// Authorizer decides requests.
type Authorizer struct {
	Source PolicySource
	// Now is the clock of aws:CurrentTime (default time.Now).
	Now func() time.Time
}

// Request is one authorization question.
type Request struct {
	Principal identity.Principal
	Action    string // e.g. "account:PutAlternateContact"
	Resource  string // the resource ARN, or "*"
	// Context holds the request's condition keys (service keys and the
	// request-level global keys such as aws:SourceIp, aws:RequestTag/*,
	// aws:TagKeys); Check adds the principal's keys, and the resource's
	// tags from the PolicySource unless Context already has them.
	Context map[string][]string
	// AddGlobals, if not nil, adds the keys made on demand (a service's
	// costlier keys and the request-level global keys) to the context
	// when a policy first needs it (after Context's keys, before the
	// principal's): most requests are decided with no condition read. It
	// must not add aws:PrincipalTag/* keys (a principal's tags are its own;
	// those in Context are dropped).
	AddGlobals func(context map[string][]string)
	// ResourceTagsGiven says AddGlobals adds the resource's tags
	// (aws:ResourceTag/*): they are not looked up.
	ResourceTagsGiven bool
	// ResourcePolicy is the resource-based policy of Resource, or nil: for
	// sts:AssumeRole, the role's trust policy (iam.Service.TrustPolicyOf).
	// When Resource is in the principal's own account, Check evaluates it
	// together with the principal's policies as AWS does within one
	// account: an Allow whose Principal names the caller (an IAM user's
	// ARN, a role's ARN for its sessions, a session's ARN, "*") grants the
	// request without an identity-based policy; an Allow naming only the
	// account (arn:aws:iam::ID:root or the bare ID) grants nothing by
	// itself; SCPs, the permissions boundary and session policies still
	// have to allow, and a Deny in it denies. For a resource in another
	// account (or Resource "*") it is not evaluated here: the resource side
	// of a cross-account request is the domain's (STS checks the trust
	// policy itself).
	ResourcePolicy *policy.Policy
}

// Decision is the answer to one Request, with its reasons.
type Decision struct {
	Allowed bool
	// Denial is the AccessDenied error to answer a denied request with
	// (AWS's message naming the kind of policy that denied it); nil when
	// allowed.
	Denial *apierr.Error
	// DeniedBy is the kind of policy that decided a denial: the one that
	// holds the explicit Deny, or the first that did not allow ("" when
	// allowed).
	DeniedBy string
	// Explicit is true when a Deny statement decided.
	Explicit bool
	// Reasons lists every statement that matched, allowing or denying.
	Reasons []Reason
}

// Reason is one statement that matched a request.
type Reason struct {
	// Kind is the kind of policy: "identity-based policy", "permissions
	// boundary", "session policy", "service control policy", "resource
	// control policy", "resource-based policy".
	Kind string `json:"kind"`
	// Level is the SCP or RCP level from the organization root (0); 0 for
	// others.
	Level int `json:"level,omitempty"`
	// Policy names the policy (its ARN, name or id).
	Policy string `json:"policy"`
	// Statement is the statement's position in the policy (from 0) and
	// Sid its Sid, if any.
	Statement int    `json:"statement"`
	Sid       string `json:"sid,omitempty"`
	// Effect is Allow or Deny.
	Effect string `json:"effect"`
}

// Check returns nil if the request is allowed, else AccessDeniedException
// with AWS's message naming the kind of policy that denied it.
func (a *Authorizer) Check(ctx context.Context, r Request) error {
	d, err := a.Decide(ctx, r)
	if err != nil {
		return err
	}
	if !d.Allowed {
		return d.Denial
	}
	return nil
}

// Decide decides r and says why. Errors are internal failures (a policy
// that could not be loaded).
func (a *Authorizer) Decide(ctx context.Context, r Request) (Decision, error) {
	p := r.Principal
	if p.IsZero() {
		return Decision{DeniedBy: policy.Identity.String(), Denial: deny(r, "because no identity-based policy allows the "+r.Action+" action")}, nil
	}
	if why := sessionTokenLimit(p, r.Action); why != "" {
		return Decision{DeniedBy: "temporary credentials", Denial: deny(r, why)}, nil
	}
	var set policy.PolicySet
	var tags tagFacts
	set.RootUser = p.IsRoot()
	// A root user has no policies of its own; an AssumeRoot session has
	// its task policy, a session policy that only denies.
	if !p.IsRoot() || p.AssumedRoot {
		pols, err := a.Source.PrincipalPolicies(ctx, p)
		if err != nil {
			return Decision{}, fmt.Errorf("load policies of %s: %w", p.ARN, err)
		}
		set.Identity, set.Boundary, set.Session = pols.Identity, pols.Boundary, pols.Session
		tags.principal = pols.Tags
		if p.AssumedRoot {
			set.Identity, set.Boundary, set.SessionDeniesOnly = nil, nil, true
			if set.Session == nil {
				// A session whose task policy is gone allows nothing.
				return Decision{DeniedBy: policy.Session.String(), Denial: deny(r, "because no session policy allows the "+r.Action+" action")}, nil
			}
		}
	}
	if r.Resource != "" && r.Resource != "*" && !r.ResourceTagsGiven && !hasKeyPrefix(r.Context, resourceTagPrefix) {
		rt, err := a.Source.ResourceTags(ctx, r.Action, r.Resource)
		if err != nil {
			return Decision{}, fmt.Errorf("load tags of %s: %w", r.Resource, err)
		}
		tags.resource = rt
	}
	facts, inOrg, err := a.Source.OrgFacts(ctx, p.Account)
	if err != nil {
		return Decision{}, fmt.Errorf("load organization of %s: %w", p.Account, err)
	}
	if inOrg && !facts.Management && facts.SCPs != nil {
		set.SCPs = facts.SCPs
	}
	res, err := a.resourceFacts(ctx, r, facts, inOrg)
	if err != nil {
		return Decision{}, err
	}
	if res.inOrg && !res.facts.Management && res.facts.RCPs != nil {
		set.RCPs = res.facts.RCPs
	}
	if r.ResourcePolicy != nil && resourceAccount(r.Resource) == string(p.Account) {
		set.Resource = []*policy.Policy{r.ResourcePolicy}
	}
	d := policy.Evaluate(policy.Request{
		Action: r.Action, Resource: r.Resource, PrincipalARN: p.ARN,
		ContextFunc: func() map[string][]string { return a.context(r, tags, facts, inOrg, res) }, Now: a.now(),
	}, set)
	out := Decision{Allowed: d.Effect == policy.Allow, Reasons: reasons(d)}
	if !out.Allowed {
		out.DeniedBy, out.Explicit = d.DeniedBy.String(), d.Effect == policy.ExplicitDeny
		out.Denial = deny(r, reason(d, r.Action))
	}
	return out, nil
}

// resourceFacts are the organization facts of the account that owns the
// resource, loaded for the requests RCPs can cover.
type resourceFacts struct {
	account string
	facts   OrgFacts
	inOrg   bool
}

// rcpServices are the services whose resources RCPs cover, as AWS
// launched them (Amazon S3, AWS STS, AWS KMS, Amazon SQS, AWS Secrets
// Manager). Of these accountplane serves STS: sts:AssumeRole on a role is
// a request against the role, in the role's account.
var rcpServices = []string{"s3", "sts", "kms", "sqs", "secretsmanager"}

// resourceFacts loads the organization facts of r's resource account when
// RCPs may apply to r: an action of a service RCPs cover, on a resource
// ARN with an account, that is not a service-linked role (RCPs do not
// restrict those).
func (a *Authorizer) resourceFacts(ctx context.Context, r Request, callerFacts OrgFacts, callerInOrg bool) (resourceFacts, error) {
	acct := resourceAccount(r.Resource)
	svc, _, _ := strings.Cut(r.Action, ":")
	covered := false
	for _, s := range rcpServices {
		covered = covered || strings.EqualFold(svc, s)
	}
	if acct == "" || !covered || strings.Contains(r.Resource, ":role/aws-service-role/") {
		return resourceFacts{}, nil
	}
	if acct == string(r.Principal.Account) {
		return resourceFacts{account: acct, facts: callerFacts, inOrg: callerInOrg}, nil
	}
	f, ok, err := a.Source.OrgFacts(ctx, identity.AccountID(acct))
	if err != nil {
		return resourceFacts{}, fmt.Errorf("load organization of %s: %w", acct, err)
	}
	return resourceFacts{account: acct, facts: f, inOrg: ok}, nil
}

// reasons converts the evaluator's matched statements.
func reasons(d policy.Decision) []Reason {
	out := make([]Reason, len(d.Reasons))
	for i, m := range d.Reasons {
		effect := "Allow"
		if m.Effect == policy.ExplicitDeny {
			effect = "Deny"
		}
		name := m.Policy
		if name == "" {
			name = fmt.Sprintf("%s #%d", m.Kind, m.Index+1)
		}
		out[i] = Reason{Kind: m.Kind.String(), Level: m.Level, Policy: name, Statement: m.Statement, Sid: m.Sid, Effect: effect}
	}
	return out
}

func (a *Authorizer) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// Prefixes of the tag condition keys.
const (
	principalTagPrefix = "aws:PrincipalTag/"
	resourceTagPrefix  = "aws:ResourceTag/"
)

// tagFacts are the tags Check loads besides the policies.
type tagFacts struct {
	principal map[string]string // aws:PrincipalTag/*
	resource  map[string]string // aws:ResourceTag/*
}

// hasPrefixFold reports whether the condition key k starts with prefix,
// case-insensitively as condition key names are matched.
func hasPrefixFold(k, prefix string) bool {
	return len(k) >= len(prefix) && strings.EqualFold(k[:len(prefix)], prefix)
}

// hasKeyPrefix reports whether c has a key starting with prefix.
func hasKeyPrefix(c map[string][]string, prefix string) bool {
	for k := range c {
		if hasPrefixFold(k, prefix) {
			return true
		}
	}
	return false
}

// context merges the request's keys with the principal's global keys:
// aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:userid,
// aws:username (IAM users), aws:PrincipalTag/<key> (users and role
// sessions; root users have none), aws:PrincipalOrgID and
// aws:PrincipalOrgPaths (accounts in an organization), the clock's
// aws:CurrentTime and aws:EpochTime, aws:ResourceTag/<key> of a stored
// resource, and, for the requests RCPs cover, aws:ResourceAccount,
// aws:ResourceOrgID and aws:ResourceOrgPaths. No request here is made by
// an AWS service, on its own or on a principal's behalf, so
// aws:PrincipalIsAWSService and aws:ViaAWSService are always "false" and
// aws:CalledVia an empty list (which conditions treat as absent:
// ForAnyValue fails, ForAllValues and ...IfExists pass, Null is true). The
// MFA keys are AWS's: absent for long-term access keys,
// aws:MultiFactorAuthPresent "false" for temporary credentials without
// MFA, "true" with aws:MultiFactorAuthAge for those with MFA (see
// identity.Principal.MFAConditions). aws:AssumedRoot is "true" in the
// requests of an STS AssumeRoot session and absent otherwise.
func (a *Authorizer) context(r Request, tags tagFacts, facts OrgFacts, inOrg bool, res resourceFacts) map[string][]string {
	p := r.Principal
	now := a.now().UTC()
	c := make(map[string][]string, len(r.Context)+len(tags.principal)+len(tags.resource)+13)
	for k, v := range r.Context {
		// The principal's tags come from the principal alone.
		if !hasPrefixFold(k, principalTagPrefix) {
			c[k] = v
		}
	}
	if r.AddGlobals != nil {
		r.AddGlobals(c)
	}
	for k, v := range tags.resource {
		c[resourceTagPrefix+k] = []string{v}
	}
	for k, v := range tags.principal {
		c[principalTagPrefix+k] = []string{v}
	}
	c["aws:PrincipalArn"] = []string{principalARN(p)}
	c["aws:PrincipalAccount"] = []string{string(p.Account)}
	c["aws:PrincipalType"] = []string{principalType(p)}
	c["aws:userid"] = []string{p.UserID}
	if p.Type == identity.IAMUser {
		c["aws:username"] = []string{p.Name}
	}
	c["aws:CurrentTime"] = []string{now.Format(time.RFC3339)}
	c["aws:EpochTime"] = []string{strconv.FormatInt(now.Unix(), 10)}
	for k, v := range p.MFAConditions(now) {
		c[k] = v
	}
	if p.AssumedRoot {
		c["aws:AssumedRoot"] = []string{"true"}
	}
	c["aws:ViaAWSService"] = []string{"false"}
	c["aws:PrincipalIsAWSService"] = []string{"false"}
	if res.account != "" {
		c["aws:ResourceAccount"] = []string{res.account}
		if res.inOrg {
			c["aws:ResourceOrgID"] = []string{res.facts.OrgID}
			c["aws:ResourceOrgPaths"] = res.facts.Paths
		}
	}
	c["aws:CalledVia"] = []string{}
	if inOrg {
		c["aws:PrincipalOrgID"] = []string{facts.OrgID}
		c["aws:PrincipalOrgPaths"] = facts.Paths
	}
	return c
}

// resourceAccount returns the account field of a resource ARN
// (arn:partition:service:region:account:resource), or "".
func resourceAccount(resource string) string {
	rest, ok := strings.CutPrefix(resource, "arn:")
	if !ok {
		return ""
	}
	for range 3 { // partition, service, region
		if _, rest, ok = strings.Cut(rest, ":"); !ok {
			return ""
		}
	}
	account, _, ok := strings.Cut(rest, ":")
	if !ok {
		return ""
	}
	return account
}

// principalARN is aws:PrincipalArn: for an assumed role, the role's ARN.
func principalARN(p identity.Principal) string {
	if p.Type == identity.AssumedRole {
		return arn.IAM(string(p.Account), "role", "/", p.Name)
	}
	return p.ARN
}

func principalType(p identity.Principal) string {
	switch p.Type {
	case identity.Root:
		return "Account"
	case identity.IAMUser:
		return "User"
	case identity.AssumedRole:
		return "AssumedRole"
	}
	return "Anonymous"
}

// reason is the tail of AWS's AccessDenied message for decision d.
func reason(d policy.Decision, action string) string {
	kind := d.DeniedBy.String()
	if d.Effect == policy.ExplicitDeny {
		return "with an explicit deny in " + article(kind) + " " + kind
	}
	return "because no " + kind + " allows the " + action + " action"
}

func article(s string) string {
	if s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "an"
	}
	return "a"
}

// CodeAccessDenied is the exception every JSON service here uses.
const CodeAccessDenied = "AccessDeniedException"

func deny(r Request, why string) *apierr.Error {
	msg := "User: " + r.Principal.ARN + " is not authorized to perform: " + r.Action
	if r.Resource != "" && r.Resource != "*" {
		msg += " on resource: " + r.Resource
	}
	return apierr.New(CodeAccessDenied, msg+" "+why)
}

// sessionTokenLimit says why the credentials of a GetSessionToken session
// may not call action ("" if they may): without MFA they call no IAM
// operation, and with or without MFA no STS operation but AssumeRole
// (GetCallerIdentity needs no permission and never gets here), as the IAM
// User Guide's comparison of STS credentials says.
// TODO(fidelity): the message AWS answers with is not pinned.
func sessionTokenLimit(p identity.Principal, action string) string {
	if !p.Temporary || p.Type == identity.AssumedRole || p.AssumedRoot {
		return ""
	}
	svc, _, _ := strings.Cut(action, ":")
	switch {
	case strings.EqualFold(svc, "iam") && p.MFAAt.IsZero():
		return "because temporary credentials of GetSessionToken without MFA cannot call IAM"
	case strings.EqualFold(svc, "sts") && !strings.EqualFold(action, "sts:AssumeRole") && !strings.EqualFold(action, "sts:GetCallerIdentity"):
		return "because temporary credentials of GetSessionToken can call no STS operation but AssumeRole"
	}
	return ""
}
