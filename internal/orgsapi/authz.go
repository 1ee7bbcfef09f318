package orgsapi

import (
	"context"
	"errors"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/operation"
	"github.com/accountplane/accountplane/internal/organizations"
)

// The condition keys Organizations requests carry (Service Authorization
// Reference, "Condition keys for AWS Organizations").
const (
	keyPolicyType       = "organizations:PolicyType"
	keyServicePrincipal = "organizations:ServicePrincipal"
	keyRequestTag       = "aws:RequestTag/" // + tag key
	keyResourceTag      = "aws:ResourceTag/"
	keyTagKeys          = "aws:TagKeys"
)

// access is the authorization request an operation declares in the
// operation table: the resources of the Service Authorization Reference's
// "Resource types" column that the input names, and the condition keys of
// its "Condition keys" column that the request carries.
type access struct {
	res   []ref               // none: the action has no resource type ("*")
	conds map[string][]string // static request keys
	// policyTypeOf names a policy whose type is organizations:PolicyType.
	policyTypeOf string
	// resourceTagsOf names the resource whose tags are aws:ResourceTag/*.
	resourceTagsOf string
}

// refKind is a resource type of the reference. Kinds that accept several
// types (a parent is a root or an OU) tell them apart by the id's syntax,
// which validation has checked.
type refKind int

const (
	refAccount   refKind = iota // account
	refOU                       // organizationalunit
	refRoot                     // root
	refNode                     // root, organizationalunit or account, by id
	refHandshake                // handshake
	refPolicy                   // policy or awspolicy
	refTaggable                 // account, organizationalunit, root, policy or resourcepolicy, by id
	refTransfer                 // responsibilitytransfer (transfers.go)
)

// ref is one resource an operation acts on, named by its id in the input.
type ref struct {
	kind refKind
	id   string
}

func account(id *string) ref   { return ref{refAccount, str(id)} }
func ou(id *string) ref        { return ref{refOU, str(id)} }
func root(id *string) ref      { return ref{refRoot, str(id)} }
func handshake(id *string) ref { return ref{refHandshake, str(id)} }
func policy(id *string) ref    { return ref{refPolicy, str(id)} }
func taggable(id *string) ref  { return ref{refTaggable, str(id)} }

// parent is a root or an OU (ParentId); target a root, OU or account
// (TargetId); child an OU or account (ChildId).
func parent(id *string) ref { return ref{refNode, str(id)} }
func target(id *string) ref { return ref{refNode, str(id)} }
func child(id *string) ref  { return ref{refNode, str(id)} }

// on declares the resources an operation acts on.
func on(res ...ref) access { return access{res: res} }

// anyResource declares an operation whose action has no resource type.
func anyResource[In any](*In) access { return access{} }

// with adds a condition key with the request's values.
func (a access) with(key string, values ...string) access {
	c := make(map[string][]string, len(a.conds)+1)
	for k, v := range a.conds {
		c[k] = v
	}
	c[key] = values
	a.conds = c
	return a
}

// withOptional adds key when the optional input member is present.
func (a access) withOptional(key string, v *string) access {
	if v == nil {
		return a
	}
	return a.with(key, *v)
}

// withRequestTags adds aws:RequestTag/<key> for each tag of the request
// and aws:TagKeys, when there are tags.
func (a access) withRequestTags(tags []tagInput) access {
	if len(tags) == 0 {
		return a
	}
	keys := make([]string, len(tags))
	for i, t := range tags {
		keys[i] = str(t.Key)
		a = a.with(keyRequestTag+keys[i], str(t.Value))
	}
	return a.with(keyTagKeys, keys...)
}

// withTagKeys adds aws:TagKeys for the keys the request names.
func (a access) withTagKeys(keys []*string) access {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = str(k)
	}
	return a.with(keyTagKeys, out...)
}

// withPolicyTypeOf adds organizations:PolicyType, the type of policy id.
func (a access) withPolicyTypeOf(id *string) access {
	a.policyTypeOf = str(id)
	return a
}

// withResourceTags adds aws:ResourceTag/<key> for the tags resource id
// carries.
func (a access) withResourceTags(id *string) access {
	a.resourceTagsOf = str(id)
	return a
}

// resolver builds ARNs for one request. It reads the caller's organization
// at most once, and only if a resource needs it. A resource it cannot name
// (the caller is in no organization, the handshake or policy is not the
// caller's to see) is "*": the domain then answers with its own exception.
type resolver struct {
	a      *api
	ctx    context.Context
	caller identity.Principal

	orgRead  bool
	org      *organizations.Organization
	policies map[string]*organizations.Policy
}

func (r *resolver) resolve(acc access) (operation.Access, error) {
	conds := make(map[string][]string, len(acc.conds)+2)
	for k, v := range acc.conds {
		conds[k] = v
	}
	resources := make([]string, 0, len(acc.res))
	star := false
	for _, ref := range acc.res {
		arn, err := r.arn(ref)
		if err != nil {
			return operation.Access{}, err
		}
		if arn == "*" {
			if star {
				continue
			}
			star = true
		}
		resources = append(resources, arn)
	}
	if len(resources) == 0 {
		resources = append(resources, "*")
	}
	if acc.policyTypeOf != "" {
		p, err := r.policy(acc.policyTypeOf)
		if err != nil {
			return operation.Access{}, err
		}
		if p != nil {
			conds[keyPolicyType] = []string{string(p.Type)}
		}
	}
	if acc.resourceTagsOf != "" {
		tags, err := r.a.svc.ListTags(r.ctx, r.caller, acc.resourceTagsOf)
		if err != nil && !isAPIError(err) {
			return operation.Access{}, err
		}
		for _, t := range tags {
			conds[keyResourceTag+t.Key] = []string{t.Value}
		}
	}
	return operation.Access{Resources: resources, Conditions: conds}, nil
}

// arn names one resource.
func (r *resolver) arn(ref ref) (string, error) {
	switch ref.kind {
	case refHandshake:
		h, err := r.a.svc.DescribeHandshake(r.ctx, r.caller, organizations.HandshakeID(ref.id))
		if err != nil {
			return "*", ignoreAPIError(err)
		}
		if h.ManagementAccount == "" {
			return "*", nil
		}
		return handshakeARN(h.ManagementAccount, h), nil
	case refPolicy:
		return r.policyARN(ref.id)
	case refTransfer:
		return r.transferARN(ref.id)
	case refTaggable:
		if organizations.IsPolicyID(ref.id) {
			return r.policyARN(ref.id)
		}
		if organizations.IsResourcePolicyID(ref.id) {
			o, err := r.organization()
			if err != nil || o == nil {
				return "*", err
			}
			return resourcePolicyARN(o.ManagementAccount, o.ID, organizations.ResourcePolicyID(ref.id)), nil
		}
	}
	o, err := r.organization()
	if err != nil || o == nil {
		return "*", err
	}
	kind := ref.kind
	if kind == refNode || kind == refTaggable {
		switch {
		case identity.IsAccountID(ref.id):
			kind = refAccount
		case organizations.IsRootID(ref.id):
			kind = refRoot
		default:
			kind = refOU
		}
	}
	switch kind {
	case refAccount:
		return accountARN(o, identity.AccountID(ref.id)), nil
	case refRoot:
		return arnOf(o.ManagementAccount, "root/"+string(o.ID)+"/"+ref.id), nil
	}
	return ouARN(o, organizations.OUID(ref.id)), nil
}

func (r *resolver) policyARN(id string) (string, error) {
	p, err := r.policy(id)
	if err != nil || p == nil {
		return "*", err
	}
	if p.AWSManaged {
		return policyARN("", p), nil
	}
	o, err := r.organization()
	if err != nil || o == nil || o.ID != p.Org {
		return "*", err
	}
	return policyARN(o.ManagementAccount, p), nil
}

// organization returns the caller's organization, nil if it is in none.
func (r *resolver) organization() (*organizations.Organization, error) {
	if !r.orgRead {
		v, err := r.a.callerOrg(r.ctx, r.caller)
		if err != nil {
			return nil, err
		}
		r.orgRead = true
		if v != nil {
			r.org = &v.Organization
		}
	}
	return r.org, nil
}

// policy returns policy id as the caller may see it, nil if it can't.
func (r *resolver) policy(id string) (*organizations.Policy, error) {
	if p, ok := r.policies[id]; ok {
		return p, nil
	}
	var p *organizations.Policy
	if organizations.PolicyID(id) == organizations.FullAWSAccessID {
		fa := organizations.FullAWSAccess
		p = &fa
	} else {
		var err error
		if p, err = r.a.svc.DescribePolicy(r.ctx, r.caller, organizations.PolicyID(id)); err != nil {
			if err = ignoreAPIError(err); err != nil {
				return nil, err
			}
			p = nil
		}
	}
	if r.policies == nil {
		r.policies = map[string]*organizations.Policy{}
	}
	r.policies[id] = p
	return p, nil
}

func isAPIError(err error) bool {
	var e *apierr.Error
	return errors.As(err, &e)
}

// ignoreAPIError drops the domain's exceptions (the call itself will
// answer them) and keeps internal failures.
func ignoreAPIError(err error) error {
	if err == nil || isAPIError(err) {
		return nil
	}
	return err
}
