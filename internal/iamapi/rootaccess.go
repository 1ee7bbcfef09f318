package iamapi

import (
	"context"

	"github.com/accountplane/accountplane/internal/iam"
)

// Centralized root access: the five operations on an organization's
// features. None takes an input member; each answers the organization and
// its enabled features.

type organizationFeaturesResult struct {
	OrganizationID  string          `xml:"OrganizationId,omitempty"`
	EnabledFeatures members[string] `xml:"EnabledFeatures"`
}

func featuresResult(f *iam.OrganizationFeatures) organizationFeaturesResult {
	out := make([]string, len(f.Enabled))
	for i, e := range f.Enabled {
		out[i] = string(e)
	}
	return organizationFeaturesResult{OrganizationID: f.Org, EnabledFeatures: list(out)}
}

// rootAccessOps are the five operations, authorized on "*" (IAM declares
// no resource type for them).
func rootAccessOps(a *api) []op {
	set := func(feat iam.Feature, on bool) handler {
		return func(ctx context.Context, c *call) (any, error) {
			if err := c.in.err(); err != nil {
				return nil, err
			}
			f, err := a.svc.SetOrganizationFeature(ctx, c.caller, feat, on)
			if err != nil {
				return nil, err
			}
			return featuresResult(f), nil
		}
	}
	return []op{
		bind("EnableOrganizationsRootCredentialsManagement", false, star, set(iam.RootCredentialsManagement, true)),
		bind("DisableOrganizationsRootCredentialsManagement", false, star, set(iam.RootCredentialsManagement, false)),
		bind("EnableOrganizationsRootSessions", false, star, set(iam.RootSessions, true)),
		bind("DisableOrganizationsRootSessions", false, star, set(iam.RootSessions, false)),
		bind("ListOrganizationsFeatures", true, star, func(ctx context.Context, c *call) (any, error) {
			if err := c.in.err(); err != nil {
				return nil, err
			}
			f, err := a.svc.OrganizationFeaturesOf(ctx, c.caller)
			if err != nil {
				return nil, err
			}
			return featuresResult(f), nil
		}),
	}
}
