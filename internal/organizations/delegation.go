package organizations

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/arn"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/policy"
)

// The delegation policy (Organizations' resource-based policy,
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_delegate_policies.html)
// lets the management account delegate Organizations operations to
// principals of member accounts.
//
// Who may call what:
//   - The management account may call everything.
//   - A delegated administrator registered for any service may call the
//     read-only operations (as before the delegation policy existed).
//   - Otherwise the delegation policy decides, per call: a statement must
//     Allow the caller (its account, arn:aws:iam::ID:root, or its own ARN)
//     the action organizations:<Operation> on every resource the call acts
//     on (the ARNs of the Service Authorization Reference: policy, root,
//     OU, account, resource policy; "*" for calls without one) with the
//     call's condition keys (organizations:PolicyType, aws:RequestTag/…,
//     aws:TagKeys, aws:ResourceTag/…, aws:PrincipalOrgID), and no
//     statement may Deny it. The policy can grant the read-only operations
//     and policy management: Create/Update/DeletePolicy, Attach/
//     DetachPolicy, Enable/DisablePolicyType, Tag/UntagResource; every
//     other operation stays the management account's.
//   - The caller's identity policies (and SCPs) must allow the call too:
//     the authorizer checks them before the domain runs, as for every call.

// ResourcePolicyID is rp-[0-9a-zA-Z_]{4,128}.
type ResourcePolicyID string

var reResourcePolicyID = lazyRegexp(`^rp-[0-9a-zA-Z_]{4,128}$`)

// IsResourcePolicyID reports whether s is a resource policy id.
func IsResourcePolicyID(s string) bool { return reResourcePolicyID().MatchString(s) }

// ResourcePolicy is an organization's delegation policy (one at most).
type ResourcePolicy struct {
	ID        ResourcePolicyID
	Org       OrgID
	Content   string
	UpdatedAt time.Time
}

// ResourcePolicyTx holds the organization's delegation policy.
type ResourcePolicyTx interface {
	// ResourcePolicy returns the organization's delegation policy
	// (ErrNotFound if it has none).
	ResourcePolicy(ctx context.Context, org OrgID) (*ResourcePolicy, error)
	// PutResourcePolicy creates or replaces it.
	PutResourcePolicy(ctx context.Context, p *ResourcePolicy) error
	// DeleteResourcePolicy deletes it (ErrNotFound if there was none).
	DeleteResourcePolicy(ctx context.Context, org OrgID) error
}

// delegable lists the operations a delegation policy may grant.
var delegable = map[string]bool{
	// Policy management.
	"CreatePolicy": true, "UpdatePolicy": true, "DeletePolicy": true, "AttachPolicy": true, "DetachPolicy": true,
	"EnablePolicyType": true, "DisablePolicyType": true, "TagResource": true, "UntagResource": true,
	// Read-only operations.
	"DescribeOrganization": true, "DescribeOrganizationalUnit": true, "DescribeAccount": true, "DescribePolicy": true,
	"DescribeEffectivePolicy": true, "DescribeResourcePolicy": true, "DescribeCreateAccountStatus": true,
	"ListRoots": true, "ListOrganizationalUnitsForParent": true, "ListParents": true, "ListChildren": true,
	"ListAccounts": true, "ListAccountsForParent": true, "ListPolicies": true, "ListPoliciesForTarget": true,
	"ListTargetsForPolicy": true, "ListTagsForResource": true, "ListDelegatedAdministrators": true,
	"ListDelegatedServicesForAccount": true, "ListAWSServiceAccessForOrganization": true, "ListCreateAccountStatus": true,
	"ListAccountsWithInvalidEffectivePolicy": true, "ListEffectivePolicyValidationErrors": true,
}

// Condition keys the domain evaluates the delegation policy with.
const (
	keyPolicyType  = "organizations:PolicyType"
	keyRequestTag  = "aws:RequestTag/"
	keyResourceTag = "aws:ResourceTag/"
	keyTagKeys     = "aws:TagKeys"
)

// request is an Organizations call as the delegation policy sees it: the
// operation, the ids of the resources it acts on and its condition keys.
type request struct {
	op    string
	ids   []string
	conds map[string][]string
}

// ask describes a call of operation op on the resources ids ("" ignored).
func ask(op string, ids ...string) request {
	return request{op: op, ids: ids, conds: map[string][]string{}}
}

func (r request) with(key string, values ...string) request {
	r.conds[key] = values
	return r
}

// withTags adds aws:RequestTag/<key> and aws:TagKeys for tags.
func (r request) withTags(tags []Tag) request {
	if len(tags) == 0 {
		return r
	}
	keys := make([]string, len(tags))
	for i, t := range tags {
		keys[i] = t.Key
		r.conds[keyRequestTag+t.Key] = []string{t.Value}
	}
	r.conds[keyTagKeys] = keys
	return r
}

// readScope admits the management account, registered delegated
// administrators and the principals the delegation policy grants r.
func (s *Service) readScope(ctx context.Context, tx Tx, caller identity.Principal, r request) (scope, error) {
	sc, err := s.orgOf(ctx, tx, caller.Account)
	if err != nil || sc.isManagement(caller.Account) {
		return sc, err
	}
	admins, err := tx.DelegatedAdmins(ctx, sc.org.ID)
	if err != nil {
		return sc, err
	}
	for _, d := range admins {
		if d.Account == caller.Account {
			return sc, nil
		}
	}
	return s.grantedScope(ctx, tx, sc, caller, r)
}

// delegableScope admits the management account and the principals the
// delegation policy grants r.
func (s *Service) delegableScope(ctx context.Context, tx Tx, caller identity.Principal, r request) (scope, error) {
	sc, err := s.orgOf(ctx, tx, caller.Account)
	if err != nil || sc.isManagement(caller.Account) {
		return sc, err
	}
	return s.grantedScope(ctx, tx, sc, caller, r)
}

func (s *Service) grantedScope(ctx context.Context, tx Tx, sc scope, caller identity.Principal, r request) (scope, error) {
	ok, err := s.delegated(ctx, tx, sc, caller, r)
	if err != nil {
		return sc, err
	}
	if !ok {
		return sc, errNotManagement()
	}
	return sc, nil
}

// delegated reports whether the organization's delegation policy grants
// caller the call r.
func (s *Service) delegated(ctx context.Context, tx Tx, sc scope, caller identity.Principal, r request) (bool, error) {
	if !delegable[r.op] || caller.IsZero() {
		return false, nil
	}
	rp, err := tx.ResourcePolicy(ctx, sc.org.ID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("load the delegation policy: %w", err)
	}
	doc, err := policy.Parse([]byte(rp.Content), policy.Resource)
	if err != nil {
		return false, fmt.Errorf("the stored delegation policy does not parse: %w", err)
	}
	conds := make(map[string][]string, len(r.conds)+1)
	for k, v := range r.conds {
		conds[k] = v
	}
	conds["aws:PrincipalOrgID"] = []string{string(sc.org.ID)}
	var resources []string
	for _, id := range r.ids {
		if id == "" {
			continue
		}
		a, p, err := s.resourceARN(ctx, tx, sc.org, id)
		if err != nil {
			return false, err
		}
		if p != nil {
			if _, ok := conds[keyPolicyType]; !ok {
				conds[keyPolicyType] = []string{string(p.Type)}
			}
		}
		resources = append(resources, a)
		tags, err := tx.Tags(ctx, sc.org.ID, id)
		if err != nil {
			return false, err
		}
		for _, t := range tags {
			if _, ok := conds[keyResourceTag+t.Key]; !ok {
				conds[keyResourceTag+t.Key] = []string{t.Value}
			}
		}
	}
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	for _, res := range resources {
		d := policy.EvaluateResource(policy.Request{
			Action: "organizations:" + r.op, Resource: res, PrincipalARN: caller.ARN,
			Context: conds, Now: s.now(),
		}, []*policy.Policy{doc})
		if !d.Allowed() {
			return false, nil
		}
	}
	return true, nil
}

// resourceARN names a root, OU, account, policy or resource policy of org
// by its id, and returns the policy when id names one. An id that names
// nothing is "*".
func (s *Service) resourceARN(ctx context.Context, tx Tx, org *Organization, id string) (string, *Policy, error) {
	mgmt := string(org.ManagementAccount)
	switch {
	case identity.IsAccountID(id):
		return arn.MemberAccount(mgmt, string(org.ID), id), nil, nil
	case IsRootID(id):
		return arn.Organizations(mgmt, "root/"+string(org.ID)+"/"+id), nil, nil
	case IsOUID(id):
		return arn.Organizations(mgmt, "ou/"+string(org.ID)+"/"+id), nil, nil
	case IsResourcePolicyID(id):
		return arn.Organizations(mgmt, "resourcepolicy/"+string(org.ID)+"/"+id), nil, nil
	case IsPolicyID(id):
		p, err := loadPolicy(ctx, tx, org.ID, PolicyID(id))
		if err != nil {
			if isAPIError(err) {
				return "*", nil, nil
			}
			return "", nil, err
		}
		return policyARN(org, p), p, nil
	}
	return "*", nil, nil
}

// policyARN is the ARN of p, a policy of org or an AWS-managed one.
func policyARN(org *Organization, p *Policy) string {
	typ := strings.ToLower(string(p.Type))
	if p.AWSManaged {
		return arn.AWSOrganizationsPolicy(typ, string(p.ID))
	}
	return arn.Organizations(string(org.ManagementAccount), "policy/"+string(org.ID)+"/"+typ+"/"+string(p.ID))
}

// ResourcePolicyView is a delegation policy with its organization's
// management account (which its ARN names).
type ResourcePolicyView struct {
	ResourcePolicy
	Management identity.AccountID
}

// PutResourcePolicy creates or replaces the organization's delegation
// policy, and adds tags to it. Only the management account may. Returns
// InvalidInputException (INVALID_RESOURCE_POLICY_JSON, INVALID_PRINCIPAL,
// UNSUPPORTED_ACTION_IN_RESOURCE_POLICY,
// UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY,
// UNSUPPORTED_POLICY_TYPE_IN_RESOURCE_POLICY, DUPLICATE_TAG_KEY) and
// ConstraintViolationException MAX_TAG_LIMIT_EXCEEDED.
func (s *Service) PutResourcePolicy(ctx context.Context, caller identity.Principal, content string, tags []Tag) (*ResourcePolicyView, error) {
	if err := checkDelegationPolicy(content); err != nil {
		return nil, err
	}
	suffix, err := randomString(s.opts.Rand, 10)
	if err != nil {
		return nil, err
	}
	var out *ResourcePolicyView
	err = s.store.Update(ctx, func(tx Tx) error {
		sc, err := s.managementScope(ctx, tx, caller)
		if err != nil {
			return err
		}
		if err := s.checkTags(tags); err != nil {
			return err
		}
		rp, err := tx.ResourcePolicy(ctx, sc.org.ID)
		if errors.Is(err, ErrNotFound) {
			rp = &ResourcePolicy{ID: ResourcePolicyID("rp-" + suffix), Org: sc.org.ID}
		} else if err != nil {
			return err
		}
		rp.Content, rp.UpdatedAt = content, s.now()
		if err := tx.PutResourcePolicy(ctx, rp); err != nil {
			return err
		}
		if len(tags) > 0 {
			if err := s.addTags(ctx, tx, sc.org.ID, string(rp.ID), tags); err != nil {
				return err
			}
		}
		out = &ResourcePolicyView{ResourcePolicy: *rp, Management: sc.org.ManagementAccount}
		return nil
	})
	return out, err
}

// DescribeResourcePolicy returns the organization's delegation policy.
// Returns ResourcePolicyNotFoundException.
func (s *Service) DescribeResourcePolicy(ctx context.Context, caller identity.Principal) (*ResourcePolicyView, error) {
	var out *ResourcePolicyView
	err := s.store.View(ctx, func(tx Tx) error {
		sc, err := s.readScope(ctx, tx, caller, ask("DescribeResourcePolicy"))
		if err != nil {
			return err
		}
		rp, err := tx.ResourcePolicy(ctx, sc.org.ID)
		if errors.Is(err, ErrNotFound) {
			return errResourcePolicyNotFound()
		} else if err != nil {
			return err
		}
		out = &ResourcePolicyView{ResourcePolicy: *rp, Management: sc.org.ManagementAccount}
		return nil
	})
	return out, err
}

// DeleteResourcePolicy deletes the organization's delegation policy and
// its tags. Only the management account may. Returns
// ResourcePolicyNotFoundException.
func (s *Service) DeleteResourcePolicy(ctx context.Context, caller identity.Principal) error {
	return s.store.Update(ctx, func(tx Tx) error {
		sc, err := s.managementScope(ctx, tx, caller)
		if err != nil {
			return err
		}
		rp, err := tx.ResourcePolicy(ctx, sc.org.ID)
		if errors.Is(err, ErrNotFound) {
			return errResourcePolicyNotFound()
		} else if err != nil {
			return err
		}
		if err := tx.PutTags(ctx, sc.org.ID, string(rp.ID), nil); err != nil {
			return err
		}
		return tx.DeleteResourcePolicy(ctx, sc.org.ID)
	})
}

// checkDelegationPolicy validates a delegation policy: the IAM grammar of
// resource-based policies; principals that are AWS accounts or IAM users
// and roles (not "*", services or federated providers); actions of
// Organizations that match an operation the policy can delegate;
// resources that are "*" or Organizations ARNs; organizations:PolicyType
// values that are policy types.
func checkDelegationPolicy(content string) error {
	bad := func(reason, msg string) error { return InvalidInput(reason, msg) }
	if _, err := policy.Parse([]byte(content), policy.Resource); err != nil {
		msg := "The resource policy is not valid JSON or does not follow the IAM policy grammar."
		if pe, ok := err.(*policy.ParseError); ok {
			msg += " " + pe.Message
		}
		return bad(InputReasonInvalidResourcePolicyJSON, msg)
	}
	var doc struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(content), &doc); err != nil {
		return bad(InputReasonInvalidResourcePolicyJSON, "The resource policy is not valid JSON.")
	}
	var stmts []map[string]json.RawMessage
	if json.Unmarshal(doc.Statement, &stmts) != nil {
		var one map[string]json.RawMessage
		if err := json.Unmarshal(doc.Statement, &one); err != nil {
			return bad(InputReasonInvalidResourcePolicyJSON, "Statement must be an object or a list of objects.")
		}
		stmts = []map[string]json.RawMessage{one}
	}
	for _, st := range stmts {
		if _, ok := st["NotPrincipal"]; ok {
			return bad(InputReasonInvalidPrincipal, "A delegation policy can't use NotPrincipal.")
		}
		var principal struct {
			AWS json.RawMessage
		}
		var star string
		if json.Unmarshal(st["Principal"], &star) == nil || json.Unmarshal(st["Principal"], &principal) != nil || principal.AWS == nil {
			return bad(InputReasonInvalidPrincipal, "The Principal of a delegation policy must name AWS accounts, IAM users or IAM roles.")
		}
		var ps stringList
		if json.Unmarshal(principal.AWS, &ps) != nil {
			return bad(InputReasonInvalidPrincipal, "The Principal of a delegation policy must name AWS accounts, IAM users or IAM roles.")
		}
		for _, p := range ps {
			if !validDelegate(p) {
				return bad(InputReasonInvalidPrincipal, "You specified an invalid principal element in the policy: "+p+".")
			}
		}
		if _, ok := st["NotAction"]; ok {
			return bad(InputReasonUnsupportedActionInResourcePolicy, "A delegation policy can't use NotAction.")
		}
		var actions stringList
		_ = json.Unmarshal(st["Action"], &actions)
		for _, a := range actions {
			if !delegableAction(a) {
				return bad(InputReasonUnsupportedActionInResourcePolicy, "The action "+a+" can't be delegated: a delegation policy can grant read-only Organizations actions and policy management.")
			}
		}
		var resources stringList
		key := "Resource"
		if _, ok := st["NotResource"]; ok {
			key = "NotResource"
		}
		_ = json.Unmarshal(st[key], &resources)
		for _, r := range resources {
			if r != "*" && !strings.HasPrefix(r, "arn:aws:organizations::") {
				return bad(InputReasonUnsupportedResourceInResourcePolicy, "The resource "+r+" isn't an Organizations resource.")
			}
		}
		var conds map[string]map[string]json.RawMessage
		_ = json.Unmarshal(st["Condition"], &conds)
		for _, byKey := range conds {
			for k, raw := range byKey {
				if !strings.EqualFold(k, keyPolicyType) {
					continue
				}
				var vals stringList
				_ = json.Unmarshal(raw, &vals)
				for _, v := range vals {
					if _, ok := rules[PolicyType(v)]; !ok && !strings.ContainsAny(v, "*?") {
						return bad(InputReasonUnsupportedPolicyTypeInResPolicy, "The policy type "+v+" in the condition isn't a policy type.")
					}
				}
			}
		}
	}
	return nil
}

// stringList decodes a JSON string or list of strings.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*l = many
	return nil
}

var reDelegate = lazyRegexp(`^(\d{12}|arn:aws:iam::\d{12}:(root|user/.+|role/.+))$`)

func validDelegate(p string) bool { return reDelegate().MatchString(p) }

// delegableAction reports whether action (which may use * and ?) is an
// Organizations action matching an operation the policy can delegate.
func delegableAction(action string) bool {
	svc, name, ok := strings.Cut(action, ":")
	if !ok || !strings.EqualFold(svc, "organizations") {
		return false
	}
	for op := range delegable {
		if wildcardFold(name, op) {
			return true
		}
	}
	return false
}

// wildcardFold matches s against pattern (with * and ?), ignoring ASCII
// case.
func wildcardFold(pattern, s string) bool {
	pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	px, sx := 0, 0
	star, mark := -1, 0
	for sx < len(s) {
		switch {
		case px < len(pattern) && (pattern[px] == '?' || pattern[px] == s[sx]):
			px++
			sx++
		case px < len(pattern) && pattern[px] == '*':
			star, mark = px, sx
			px++
		case star >= 0:
			px = star + 1
			mark++
			sx = mark
		default:
			return false
		}
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}

// addTags merges tags into a resource's tags (at most 50).
func (s *Service) addTags(ctx context.Context, tx Tx, org OrgID, resource string, tags []Tag) error {
	cur, err := tx.Tags(ctx, org, resource)
	if err != nil {
		return err
	}
	m := make(map[string]string, len(cur)+len(tags))
	for _, t := range cur {
		m[t.Key] = t.Value
	}
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	if len(m) > maxTags {
		return constraint(ReasonMaxTagLimitExceeded, "You have exceeded the number of tags allowed on this resource.")
	}
	return tx.PutTags(ctx, org, resource, sortedTags(m))
}

func isAPIError(err error) bool {
	var ae *apierr.Error
	return errors.As(err, &ae)
}

// listAccountsRequest is ListAccounts (parent "") or ListAccountsForParent.
func listAccountsRequest(parent string) request {
	if parent == "" {
		return ask("ListAccounts")
	}
	return ask("ListAccountsForParent", parent)
}

// listDelegatedAdminsRequest is ListDelegatedAdministrators, with
// organizations:ServicePrincipal when it names one.
func listDelegatedAdminsRequest(principal string) request {
	r := ask("ListDelegatedAdministrators")
	if principal != "" {
		r = r.with("organizations:ServicePrincipal", principal)
	}
	return r
}
