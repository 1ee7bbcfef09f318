package orgsapi

import (
	"context"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
)

// The delegation policy: Put/Describe/DeleteResourcePolicy.

// shapeResourcePolicyContent is the model's ResourcePolicyContent.
var shapeResourcePolicyContent = shape(1, 40000, patAny)

type putResourcePolicyInput struct {
	Content *string
	Tags    []tagInput
}

func (in *putResourcePolicyInput) validate(c *check) {
	c.str(in.Content, required, shapeResourcePolicyContent)
	c.tags(in.Tags, optional)
}

// putResourcePolicyAccess: no resource type; the request's tags.
func putResourcePolicyAccess(in *putResourcePolicyInput) access { return on().withRequestTags(in.Tags) }

type resourcePolicySummaryWire struct {
	Id  string `json:"Id"`
	Arn string `json:"Arn"`
}

type resourcePolicyWire struct {
	ResourcePolicySummary resourcePolicySummaryWire `json:"ResourcePolicySummary"`
	Content               string                    `json:"Content"`
}

type resourcePolicyOutput struct {
	ResourcePolicy resourcePolicyWire `json:"ResourcePolicy"`
}

// resourcePolicyARN is arn:aws:organizations::MGMT:resourcepolicy/o-ORG/rp-ID.
func resourcePolicyARN(mgmt identity.AccountID, org organizations.OrgID, id organizations.ResourcePolicyID) string {
	return arnOf(mgmt, "resourcepolicy/"+string(org)+"/"+string(id))
}

func resourcePolicyOut(v *organizations.ResourcePolicyView) *resourcePolicyOutput {
	return &resourcePolicyOutput{ResourcePolicy: resourcePolicyWire{
		ResourcePolicySummary: resourcePolicySummaryWire{Id: string(v.ID), Arn: resourcePolicyARN(v.Management, v.Org, v.ID)},
		Content:               v.Content,
	}}
}

func (a *api) putResourcePolicy(ctx context.Context, p identity.Principal, in *putResourcePolicyInput) (*resourcePolicyOutput, error) {
	v, err := a.svc.PutResourcePolicy(ctx, p, *in.Content, domainTags(in.Tags))
	if err != nil {
		return nil, err
	}
	return resourcePolicyOut(v), nil
}

func (a *api) describeResourcePolicy(ctx context.Context, p identity.Principal, _ *noInput) (*resourcePolicyOutput, error) {
	v, err := a.svc.DescribeResourcePolicy(ctx, p)
	if err != nil {
		return nil, err
	}
	return resourcePolicyOut(v), nil
}

func (a *api) deleteResourcePolicy(ctx context.Context, p identity.Principal, _ *noInput) (*empty, error) {
	return nil, a.svc.DeleteResourcePolicy(ctx, p)
}
