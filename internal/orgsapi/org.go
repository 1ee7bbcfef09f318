package orgsapi

import (
	"context"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
)

type createOrganizationInput struct {
	FeatureSet *string
}

func (in *createOrganizationInput) validate(c *check) {
	c.str(in.FeatureSet, optional, shapeFeatureSet)
}

type organizationOutput struct {
	Organization organizationWire `json:"Organization"`
}

func (a *api) createOrganization(ctx context.Context, p identity.Principal, in *createOrganizationInput) (*organizationOutput, error) {
	o, err := a.svc.CreateOrganization(ctx, p, organizations.FeatureSet(str(in.FeatureSet)))
	if err != nil {
		return nil, err
	}
	// The domain returns no management email; read the organization back.
	v, err := a.svc.DescribeOrganization(ctx, p)
	if err != nil {
		v = &organizations.OrganizationView{Organization: *o}
	}
	return &organizationOutput{Organization: organizationOut(v)}, nil
}

func (a *api) describeOrganization(ctx context.Context, p identity.Principal, _ *noInput) (*organizationOutput, error) {
	v, err := a.svc.DescribeOrganization(ctx, p)
	if err != nil {
		return nil, err
	}
	return &organizationOutput{Organization: organizationOut(v)}, nil
}

func (a *api) deleteOrganization(ctx context.Context, p identity.Principal, _ *noInput) (*empty, error) {
	return nil, a.svc.DeleteOrganization(ctx, p)
}

func (a *api) leaveOrganization(ctx context.Context, p identity.Principal, _ *noInput) (*empty, error) {
	return nil, a.svc.LeaveOrganization(ctx, p)
}

type handshakeOutput struct {
	Handshake handshakeWire `json:"Handshake"`
}

func (a *api) enableAllFeatures(ctx context.Context, p identity.Principal, _ *noInput) (*handshakeOutput, error) {
	h, err := a.svc.EnableAllFeatures(ctx, p)
	if err != nil {
		return nil, err
	}
	// Only the management account starts the change.
	return &handshakeOutput{Handshake: a.handshakeOut(h, p.Account)}, nil
}

type pageInput struct {
	NextToken  *string
	MaxResults *int32
}

func (in *pageInput) validate(c *check) { c.paging(in.NextToken, in.MaxResults) }

type listRootsOutput struct {
	Roots     []rootWire `json:"Roots"`
	NextToken *string    `json:"NextToken,omitempty"`
}

func (a *api) listRoots(ctx context.Context, p identity.Principal, in *pageInput) (*listRootsOutput, error) {
	pg, err := a.pager(p, "ListRoots", in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	o, err := a.svc.ListRoots(ctx, p)
	if err != nil {
		return nil, err
	}
	out := &listRootsOutput{}
	out.Roots, out.NextToken = mapPage(pg, []organizations.Organization{*o}, rootOut)
	return out, nil
}

type policyTypeInput struct {
	RootId     *string
	PolicyType *string
}

func (in *policyTypeInput) validate(c *check) {
	c.str(in.RootId, required, shapeRootID)
	c.str(in.PolicyType, required, shapePolicyType)
}

type rootOutput struct {
	Root rootWire `json:"Root"`
}

func (a *api) enablePolicyType(ctx context.Context, p identity.Principal, in *policyTypeInput) (*rootOutput, error) {
	o, err := a.svc.EnablePolicyType(ctx, p, organizations.RootID(*in.RootId), organizations.PolicyType(*in.PolicyType))
	if err != nil {
		return nil, err
	}
	return &rootOutput{Root: rootOut(o)}, nil
}

func (a *api) disablePolicyType(ctx context.Context, p identity.Principal, in *policyTypeInput) (*rootOutput, error) {
	o, err := a.svc.DisablePolicyType(ctx, p, organizations.RootID(*in.RootId), organizations.PolicyType(*in.PolicyType))
	if err != nil {
		return nil, err
	}
	return &rootOutput{Root: rootOut(o)}, nil
}
