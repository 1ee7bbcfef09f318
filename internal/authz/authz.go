package authz

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

// Policies are the policies attached to a principal.
type Policies struct {
	Identity []*policy.Policy
	Boundary *policy.Policy   // nil: none
	Session  []*policy.Policy // nil: not a session, or a session without policies
}

// OrgFacts are the organization facts of an account (for SCPs and the
// aws:PrincipalOrg* condition keys).
type OrgFacts struct {
	OrgID      string
	Management bool
	// Paths are the account's organization paths (o-…/r-…/ou-…/).
	Paths []string
	// SCPs lists, per level from the root down to the account, the SCPs
	// attached; nil when SCPs are not enabled.
	SCPs [][]*policy.Policy
}

// PolicySource loads what a decision needs.
type PolicySource interface {
	// PrincipalPolicies returns the policies of an IAM user or assumed role
	// (a root user has none).
	PrincipalPolicies(ctx context.Context, p identity.Principal) (Policies, error)
	// OrgFacts returns the organization facts of an account; ok is false if
	// it is in no organization.
	OrgFacts(ctx context.Context, acct identity.AccountID) (f OrgFacts, ok bool, err error)
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
	// request-level global keys such as aws:SourceIp); Check adds the
	// principal's keys.
	Context map[string][]string
}

// Check returns nil if the request is allowed, else AccessDeniedException
// with AWS's message naming the kind of policy that denied it.
func (a *Authorizer) Check(ctx context.Context, r Request) error {
	p := r.Principal
	if p.IsZero() {
		return deny(r, "because no identity-based policy allows the "+r.Action+" action")
	}
	var set policy.PolicySet
	set.RootUser = p.IsRoot()
	if !p.IsRoot() {
		pols, err := a.Source.PrincipalPolicies(ctx, p)
		if err != nil {
			return fmt.Errorf("load policies of %s: %w", p.ARN, err)
		}
		set.Identity, set.Boundary, set.Session = pols.Identity, pols.Boundary, pols.Session
	}
	facts, inOrg, err := a.Source.OrgFacts(ctx, p.Account)
	if err != nil {
		return fmt.Errorf("load organization of %s: %w", p.Account, err)
	}
	if inOrg && !facts.Management && facts.SCPs != nil {
		set.SCPs = facts.SCPs
	}
	d := policy.Evaluate(policy.Request{
		Action: r.Action, Resource: r.Resource, PrincipalARN: p.ARN,
		Context: a.context(r, facts, inOrg), Now: a.now(),
	}, set)
	if d.Effect == policy.Allow {
		return nil
	}
	return deny(r, reason(d, r.Action))
}

func (a *Authorizer) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// context merges the request's keys with the principal's global keys.
func (a *Authorizer) context(r Request, facts OrgFacts, inOrg bool) map[string][]string {
	p := r.Principal
	now := a.now().UTC()
	c := make(map[string][]string, len(r.Context)+12)
	for k, v := range r.Context {
		c[k] = v
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
	c["aws:MultiFactorAuthPresent"] = []string{"false"}
	c["aws:ViaAWSService"] = []string{"false"}
	if inOrg {
		c["aws:PrincipalOrgID"] = []string{facts.OrgID}
		c["aws:PrincipalOrgPaths"] = facts.Paths
	}
	return c
}

// principalARN is aws:PrincipalArn: for an assumed role, the role's ARN.
func principalARN(p identity.Principal) string {
	if p.Type == identity.AssumedRole {
		return "arn:aws:iam::" + string(p.Account) + ":role/" + p.Name
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
