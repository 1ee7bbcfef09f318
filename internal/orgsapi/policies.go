package orgsapi

import (
	"context"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
)

// A customer policy's ARN names its organization's management account,
// also when a delegated administrator calls.

// managementOf returns the management account of the caller's
// organization (the caller's own account if it is in none: the domain
// then answers with its own exception).
func (a *api) managementOf(ctx context.Context, p identity.Principal) (identity.AccountID, error) {
	v, err := a.callerOrg(ctx, p)
	if err != nil || v == nil {
		return p.Account, err
	}
	return v.Organization.ManagementAccount, nil
}

type createPolicyInput struct {
	Content     *string
	Description *string
	Name        *string
	Type        *string
	Tags        []tagInput
}

func (in *createPolicyInput) validate(c *check) {
	c.str(in.Content, required, shapePolicyContent)
	c.str(in.Description, required, shapePolicyDesc)
	c.str(in.Name, required, shapePolicyName)
	c.str(in.Type, required, shapePolicyType)
	c.tags(in.Tags, optional)
}

type policyOutput struct {
	Policy policyWire `json:"Policy"`
}

func (a *api) createPolicy(ctx context.Context, p identity.Principal, in *createPolicyInput) (*policyOutput, error) {
	pol, err := a.svc.CreatePolicy(ctx, p, organizations.NewPolicy{
		Name: *in.Name, Description: *in.Description, Content: *in.Content,
		Type: organizations.PolicyType(*in.Type), Tags: domainTags(in.Tags),
	})
	if err != nil {
		return nil, err
	}
	mgmt, err := a.managementOf(ctx, p)
	if err != nil {
		return nil, err
	}
	return &policyOutput{Policy: policyOut(mgmt, pol)}, nil
}

type policyIDInput struct {
	PolicyId *string
}

func (in *policyIDInput) validate(c *check) {
	c.str(in.PolicyId, required, shapePolicyID)
}

func (a *api) describePolicy(ctx context.Context, p identity.Principal, in *policyIDInput) (*policyOutput, error) {
	pol, err := a.svc.DescribePolicy(ctx, p, organizations.PolicyID(*in.PolicyId))
	if err != nil {
		return nil, err
	}
	mgmt, err := a.managementOf(ctx, p)
	if err != nil {
		return nil, err
	}
	return &policyOutput{Policy: policyOut(mgmt, pol)}, nil
}

type updatePolicyInput struct {
	PolicyId    *string
	Name        *string
	Description *string
	Content     *string
}

func (in *updatePolicyInput) validate(c *check) {
	c.str(in.PolicyId, required, shapePolicyID)
	c.str(in.Name, optional, shapePolicyName)
	c.str(in.Description, optional, shapePolicyDesc)
	c.str(in.Content, optional, shapePolicyContent)
}

func (a *api) updatePolicy(ctx context.Context, p identity.Principal, in *updatePolicyInput) (*policyOutput, error) {
	pol, err := a.svc.UpdatePolicy(ctx, p, organizations.PolicyID(*in.PolicyId), organizations.PolicyUpdate{
		Name: in.Name, Description: in.Description, Content: in.Content,
	})
	if err != nil {
		return nil, err
	}
	mgmt, err := a.managementOf(ctx, p)
	if err != nil {
		return nil, err
	}
	return &policyOutput{Policy: policyOut(mgmt, pol)}, nil
}

func (a *api) deletePolicy(ctx context.Context, p identity.Principal, in *policyIDInput) (*empty, error) {
	return nil, a.svc.DeletePolicy(ctx, p, organizations.PolicyID(*in.PolicyId))
}

type listPoliciesInput struct {
	Filter     *string
	NextToken  *string
	MaxResults *int32
}

func (in *listPoliciesInput) validate(c *check) {
	c.str(in.Filter, required, shapePolicyType)
	c.paging(in.NextToken, in.MaxResults)
}

type listPoliciesOutput struct {
	Policies  []policySummaryWire `json:"Policies"`
	NextToken *string             `json:"NextToken,omitempty"`
}

func (a *api) listPolicies(ctx context.Context, p identity.Principal, in *listPoliciesInput) (*listPoliciesOutput, error) {
	pg, err := a.pager(p, "ListPolicies", in.NextToken, in.MaxResults, *in.Filter)
	if err != nil {
		return nil, err
	}
	all, err := a.svc.ListPolicies(ctx, p, organizations.PolicyType(*in.Filter))
	if err != nil {
		return nil, err
	}
	mgmt, err := a.managementOf(ctx, p)
	if err != nil {
		return nil, err
	}
	out := &listPoliciesOutput{}
	out.Policies, out.NextToken = mapPage(pg, all, func(pol *organizations.Policy) policySummaryWire {
		return policySummaryOut(mgmt, pol)
	})
	return out, nil
}

type policyTargetInput struct {
	PolicyId *string
	TargetId *string
}

func (in *policyTargetInput) validate(c *check) {
	c.str(in.PolicyId, required, shapePolicyID)
	c.str(in.TargetId, required, shapePolicyTargetID)
}

func (a *api) attachPolicy(ctx context.Context, p identity.Principal, in *policyTargetInput) (*empty, error) {
	return nil, a.svc.AttachPolicy(ctx, p, organizations.PolicyID(*in.PolicyId), *in.TargetId)
}

func (a *api) detachPolicy(ctx context.Context, p identity.Principal, in *policyTargetInput) (*empty, error) {
	return nil, a.svc.DetachPolicy(ctx, p, organizations.PolicyID(*in.PolicyId), *in.TargetId)
}

type listPoliciesForTargetInput struct {
	TargetId   *string
	Filter     *string
	NextToken  *string
	MaxResults *int32
}

func (in *listPoliciesForTargetInput) validate(c *check) {
	c.str(in.TargetId, required, shapePolicyTargetID)
	c.str(in.Filter, required, shapePolicyType)
	c.paging(in.NextToken, in.MaxResults)
}

func (a *api) listPoliciesForTarget(ctx context.Context, p identity.Principal, in *listPoliciesForTargetInput) (*listPoliciesOutput, error) {
	pg, err := a.pager(p, "ListPoliciesForTarget", in.NextToken, in.MaxResults, *in.TargetId, *in.Filter)
	if err != nil {
		return nil, err
	}
	all, err := a.svc.ListPoliciesForTarget(ctx, p, *in.TargetId, organizations.PolicyType(*in.Filter))
	if err != nil {
		return nil, err
	}
	mgmt, err := a.managementOf(ctx, p)
	if err != nil {
		return nil, err
	}
	out := &listPoliciesOutput{}
	out.Policies, out.NextToken = mapPage(pg, all, func(pol *organizations.Policy) policySummaryWire {
		return policySummaryOut(mgmt, pol)
	})
	return out, nil
}

type listTargetsForPolicyInput struct {
	PolicyId   *string
	NextToken  *string
	MaxResults *int32
}

func (in *listTargetsForPolicyInput) validate(c *check) {
	c.str(in.PolicyId, required, shapePolicyID)
	c.paging(in.NextToken, in.MaxResults)
}

type listTargetsForPolicyOutput struct {
	Targets   []policyTargetWire `json:"Targets"`
	NextToken *string            `json:"NextToken,omitempty"`
}

func (a *api) listTargetsForPolicy(ctx context.Context, p identity.Principal, in *listTargetsForPolicyInput) (*listTargetsForPolicyOutput, error) {
	pg, err := a.pager(p, "ListTargetsForPolicy", in.NextToken, in.MaxResults, *in.PolicyId)
	if err != nil {
		return nil, err
	}
	all, err := a.svc.ListTargetsForPolicy(ctx, p, organizations.PolicyID(*in.PolicyId))
	if err != nil {
		return nil, err
	}
	// Targets carry no organization; the caller's (the management
	// account's) is theirs.
	v, err := a.svc.DescribeOrganization(ctx, p)
	if err != nil {
		return nil, err
	}
	out := &listTargetsForPolicyOutput{}
	out.Targets, out.NextToken = mapPage(pg, all, func(t *organizations.Target) policyTargetWire {
		return policyTargetWire{TargetId: t.ID, Arn: targetARN(&v.Organization, t), Name: t.Name, Type: string(t.Type)}
	})
	return out, nil
}
