package app

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/accountplane/accountplane/internal/arn"

	"github.com/accountplane/accountplane/internal/accountapi"
	"github.com/accountplane/accountplane/internal/authz"
	"github.com/accountplane/accountplane/internal/generation"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
	"github.com/accountplane/accountplane/internal/organizations"
	"github.com/accountplane/accountplane/internal/policy"
	"github.com/accountplane/accountplane/internal/server"
	"github.com/accountplane/accountplane/internal/sqlite"
)

// credentials adapts iam.Service to server.Credentials, caching what an
// access key resolves to until IAM changes (or a second of domain time
// passes, for session expiry). A key's principal is named in its
// account's partition, where alone the key signs.
type credentials struct {
	iam       *iam.Service
	partition func(ctx context.Context, id identity.AccountID) (string, error)
	cache     *factCache[keyFacts]
}

// keyFacts is what an access key resolves to.
type keyFacts struct {
	cred      *iam.Credential
	partition string
}

func newCredentials(s *iam.Service, partition func(context.Context, identity.AccountID) (string, error), gen func() uint64, now func() time.Time) credentials {
	return credentials{iam: s, partition: partition, cache: &factCache[keyFacts]{gen: gen, now: now, maxAge: time.Second}}
}

func (c credentials) Credential(ctx context.Context, id string) (server.Credential, error) {
	k, err := c.cache.get(id, func() (keyFacts, error) {
		cred, err := c.iam.Credential(ctx, id)
		if err != nil {
			return keyFacts{}, err
		}
		p, err := c.partition(ctx, cred.Principal.Account)
		return keyFacts{cred, p}, err
	})
	if err == nil && !k.cred.Expiration.IsZero() && !c.cache.now().Before(k.cred.Expiration) {
		err = iam.ErrSessionExpired
	}
	if errors.Is(err, iam.ErrSessionExpired) {
		return server.Credential{}, server.ErrExpiredToken
	}
	if err != nil {
		return server.Credential{}, err
	}
	return server.Credential{Secret: k.cred.Secret, SessionToken: k.cred.SessionToken,
		Principal: k.cred.Principal.InPartition(k.partition), Partition: k.partition}, nil
}

// policySource implements authz.PolicySource over IAM and Organizations.
// A principal's policies (parsed) and an IAM entity's tags are kept while
// IAM's generation holds, the organization facts while Organizations'
// does (see factCache).
type policySource struct {
	iam        *iam.Service
	orgs       *organizations.Service
	scps       sync.Map // policyKey of an SCP or RCP document -> *policy.Policy
	facts      *factCache[orgFacts]
	principals *factCache[authz.Policies]
	tags       *factCache[map[string]string]
}

type orgFacts struct {
	f  authz.OrgFacts
	ok bool
}

func newPolicySource(i *iam.Service, o *organizations.Service, orgsGen, iamGen func() uint64) *policySource {
	return &policySource{iam: i, orgs: o, facts: &factCache[orgFacts]{gen: orgsGen, now: o.Now, maxAge: time.Second},
		principals: &factCache[authz.Policies]{gen: iamGen, now: o.Now, maxAge: time.Second},
		tags:       &factCache[map[string]string]{gen: iamGen, now: o.Now, maxAge: time.Second}}
}

// PrincipalPolicies returns p's policies, shared by the calls that ask
// while IAM is unchanged (callers read them, never change them). What
// IAM's loadPrincipal reads of p: its type, account, name, the key that
// signed (a session's) and whether it is an AssumeRoot session.
func (ps *policySource) PrincipalPolicies(ctx context.Context, p identity.Principal) (authz.Policies, error) {
	key := strings.Join([]string{string(p.Type), string(p.Account), p.Name, p.AccessKeyID, strconv.FormatBool(p.AssumedRoot)}, "\x00")
	return ps.principals.get(key, func() (authz.Policies, error) {
		pols, err := ps.iam.PrincipalPolicies(ctx, p)
		return authz.Policies(pols), err
	})
}

// ResourceTags returns the tags of the IAM user or role an action's
// resource ARN names (IAM operations on a user or role, sts:AssumeRole on
// a role): one store read for such ARNs, none for others. CreateUser and
// CreateRole name the entity they create, which has no tags yet (AWS
// offers aws:RequestTag/* there instead).
func (ps *policySource) ResourceTags(ctx context.Context, action, resource string) (map[string]string, error) {
	resource = arn.InPartition(resource, "") // IAM keeps commercial ARNs
	if !strings.HasPrefix(resource, "arn:aws:iam::") || strings.EqualFold(action, "iam:CreateUser") || strings.EqualFold(action, "iam:CreateRole") {
		return nil, nil
	}
	return ps.tags.get(resource, func() (map[string]string, error) { // shared: callers only read it
		tags, err := ps.iam.ResourceTags(ctx, resource)
		if err != nil || len(tags) == 0 {
			return nil, err
		}
		out := make(map[string]string, len(tags))
		for _, t := range tags {
			out[t.Key] = t.Value
		}
		return out, nil
	})
}

func (ps *policySource) OrgFacts(ctx context.Context, acct identity.AccountID) (authz.OrgFacts, bool, error) {
	v, err := ps.facts.get(string(acct), func() (orgFacts, error) {
		f, ok, err := ps.loadOrgFacts(ctx, acct)
		return orgFacts{f, ok}, err
	})
	return v.f, v.ok, err
}

func (ps *policySource) loadOrgFacts(ctx context.Context, acct identity.AccountID) (authz.OrgFacts, bool, error) {
	facts, ok, err := ps.orgs.FactsOf(ctx, acct)
	if err != nil || !ok {
		return authz.OrgFacts{}, false, err
	}
	out := authz.OrgFacts{OrgID: string(facts.Org), Management: facts.Management == acct, Paths: []string{facts.Path}}
	if out.SCPs, err = ps.levels(ctx, acct, ps.orgs.EffectiveSCPs, policy.SCP); err != nil {
		return authz.OrgFacts{}, false, err
	}
	if out.RCPs, err = ps.levels(ctx, acct, ps.orgs.EffectiveRCPs, policy.RCP); err != nil {
		return authz.OrgFacts{}, false, err
	}
	return out, true, nil
}

// levels loads and parses the SCPs or RCPs of acct per level; nil when
// the type is not enabled.
func (ps *policySource) levels(ctx context.Context, acct identity.AccountID,
	load func(context.Context, identity.AccountID) ([][]organizations.Policy, bool, bool, error), kind policy.Kind,
) ([][]*policy.Policy, error) {
	levels, _, enabled, err := load(ctx, acct)
	if err != nil || !enabled {
		return nil, err
	}
	out := make([][]*policy.Policy, len(levels))
	for i, level := range levels {
		out[i] = []*policy.Policy{}
		for _, p := range level {
			parsed, err := ps.parse(p, kind)
			if err != nil {
				return nil, err
			}
			out[i] = append(out[i], parsed)
		}
	}
	return out, nil
}

// policyKey identifies a parsed organization policy: its kind, id and
// content.
type policyKey struct {
	kind policy.Kind
	id   organizations.PolicyID
	sum  [sha256.Size]byte
}

// parse parses an SCP or RCP document once and caches it.
func (ps *policySource) parse(p organizations.Policy, kind policy.Kind) (*policy.Policy, error) {
	key := policyKey{kind, p.ID, sha256.Sum256([]byte(p.Content))}
	if v, ok := ps.scps.Load(key); ok {
		return v.(*policy.Policy), nil
	}
	parsed, err := policy.Parse([]byte(p.Content), kind)
	if err != nil {
		return nil, err
	}
	parsed.Name = string(p.ID)
	ps.scps.Store(key, parsed)
	return parsed, nil
}

// authorizer answers the server's authorization questions: it adds the
// request-level global condition keys and asks authz. Which resources a
// call acts on is each operation's own declaration (operation.Access).
type authorizer struct {
	z   *authz.Authorizer
	iam *iam.Service
}

func (a *authorizer) Authorize(ctx context.Context, q server.AuthzQuery) (authz.Decision, error) {
	globals := func(conds map[string][]string) {
		if q.AddConditions != nil {
			q.AddConditions(conds)
		}
		if q.SourceIP != "" {
			conds["aws:SourceIp"] = []string{q.SourceIP}
		}
		conds["aws:SecureTransport"] = []string{boolString(q.SecureTransport)}
		if q.Region != "" {
			conds["aws:RequestedRegion"] = []string{q.Region}
		}
	}
	resource := q.Resource
	if resource == "" {
		resource = "*"
	}
	rp, err := a.resourcePolicy(ctx, q.Principal, q.Action, resource)
	if err != nil {
		return authz.Decision{}, err
	}
	return a.z.Decide(ctx, authz.Request{Principal: q.Principal, Action: q.Action, Resource: resource, Context: q.Conditions, AddGlobals: globals, ResourceTagsGiven: q.ResourceTagsGiven, ResourcePolicy: rp})
}

// resourcePolicy returns the resource-based policy authz evaluates with
// the caller's own: for sts:AssumeRole on a role of the caller's account,
// the role's trust policy (a trust policy naming the caller grants the
// call without an identity-based policy, as in AWS). Other actions, and
// roles of other accounts (whose trust policy STS checks itself), have
// none.
func (a *authorizer) resourcePolicy(ctx context.Context, p identity.Principal, action, resource string) (*policy.Policy, error) {
	resource = arn.InPartition(resource, "") // IAM keeps commercial ARNs
	if a.iam == nil || !strings.EqualFold(action, "sts:AssumeRole") || p.IsZero() ||
		!strings.HasPrefix(resource, arn.IAM(string(p.Account), "role", "/", "")) {
		return nil, nil
	}
	return a.iam.TrustPolicyOf(ctx, resource)
}

// accountDirectory gives the Account API the organization facts of
// accounts (which Organizations keeps in memory until its store changes).
type accountDirectory struct{ orgs *organizations.Service }

func (d accountDirectory) OrgFactsOf(ctx context.Context, id identity.AccountID) (accountapi.OrgFacts, bool, error) {
	f, ok, err := d.orgs.FactsOf(ctx, id)
	if err != nil || !ok {
		return accountapi.OrgFacts{}, false, err
	}
	out := accountapi.OrgFacts{Org: string(f.Org), Management: f.Management, Path: f.Path}
	if len(f.Tags) > 0 {
		out.Tags = make(map[string]string, len(f.Tags))
	}
	for _, t := range f.Tags {
		out.Tags[t.Key] = t.Value
	}
	return out, true, nil
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// orgRoles creates the roles Organizations makes in member accounts, in
// the transaction of the change that makes the member (the store wrapped
// by orgsStore starts a new IAM generation after it).
type orgRoles struct{ iam *iam.Service }

func (r orgRoles) AccessRole(ctx context.Context, tx organizations.Tx, acct, management identity.AccountID, name string) error {
	itx, err := iamTx(tx)
	if err != nil {
		return err
	}
	trust := iam.OrganizationAccessTrustPolicy(management)
	_, err = r.iam.EnsureRoleIn(ctx, itx, acct, name, trust, iam.AdministratorAccessARN)
	return err
}

func (r orgRoles) ServiceLinkedRole(ctx context.Context, tx organizations.Tx, acct identity.AccountID) error {
	itx, err := iamTx(tx)
	if err != nil {
		return err
	}
	_, err = r.iam.ServiceLinkedRoleIn(ctx, itx, acct, "AWSServiceRoleForOrganizations", iam.OrganizationsService)
	return err
}

func iamTx(tx organizations.Tx) (iam.Tx, error) {
	itx, ok := sqlite.IAMTx(tx)
	if !ok {
		return nil, fmt.Errorf("the Organizations transaction %T is no IAM transaction", tx)
	}
	return itx, nil
}

// orgsStore is the Organizations store, whose writes may make IAM roles
// (orgRoles): after each, invalidate starts a new IAM generation.
type orgsStore struct {
	organizations.Store
	invalidate func()
}

// ViewStamped is the store's (see generation.StampedViewer).
func (s orgsStore) ViewStamped(ctx context.Context, fn func(organizations.Tx) error) (generation.Stamp, error) {
	if sv, ok := s.Store.(generation.StampedViewer[organizations.Tx]); ok {
		return sv.ViewStamped(ctx, fn)
	}
	return nil, s.Store.View(ctx, fn)
}

// ViewRepeatable is the store's (see kernel.RepeatableViewer).
func (s orgsStore) ViewRepeatable(ctx context.Context, fn func(organizations.Tx) error) error {
	return kernel.ViewRepeatable[organizations.Tx](ctx, s.Store, fn)
}

func (s orgsStore) Update(ctx context.Context, fn func(organizations.Tx) error) error {
	defer s.invalidate()
	return s.Store.Update(ctx, fn)
}

// scpSource gives IAM's policy simulator the SCPs that apply to an account.
type scpSource struct{ orgs *organizations.Service }

func (s scpSource) SCPs(ctx context.Context, acct identity.AccountID) ([][]string, bool, bool, error) {
	levels, management, ok, err := s.orgs.EffectiveSCPs(ctx, acct)
	if err != nil || !ok {
		return nil, false, false, err
	}
	out := make([][]string, len(levels))
	for i, level := range levels {
		for _, p := range level {
			out[i] = append(out[i], p.Content)
		}
	}
	return out, management, true, nil
}
