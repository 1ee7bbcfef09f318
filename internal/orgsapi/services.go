package orgsapi

import (
	"context"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
)

type servicePrincipalInput struct {
	ServicePrincipal *string
}

func (in *servicePrincipalInput) validate(c *check) {
	c.str(in.ServicePrincipal, required, shapeServicePrinc)
}

func (a *api) enableAWSServiceAccess(ctx context.Context, p identity.Principal, in *servicePrincipalInput) (*empty, error) {
	return nil, a.svc.EnableServiceAccess(ctx, p, *in.ServicePrincipal)
}

func (a *api) disableAWSServiceAccess(ctx context.Context, p identity.Principal, in *servicePrincipalInput) (*empty, error) {
	return nil, a.svc.DisableServiceAccess(ctx, p, *in.ServicePrincipal)
}

type listServiceAccessOutput struct {
	EnabledServicePrincipals []enabledServicePrincipalWire `json:"EnabledServicePrincipals"`
	NextToken                *string                       `json:"NextToken,omitempty"`
}

func (a *api) listAWSServiceAccessForOrganization(ctx context.Context, p identity.Principal, in *pageInput) (*listServiceAccessOutput, error) {
	pg, err := a.pager(p, "ListAWSServiceAccessForOrganization", in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	all, err := a.svc.ListServiceAccess(ctx, p)
	if err != nil {
		return nil, err
	}
	out := &listServiceAccessOutput{}
	out.EnabledServicePrincipals, out.NextToken = mapPage(pg, all, func(s *organizations.EnabledService) enabledServicePrincipalWire {
		return enabledServicePrincipalWire{ServicePrincipal: s.Principal, DateEnabled: epochSeconds(s.EnabledAt)}
	})
	return out, nil
}

type delegatedAdminInput struct {
	AccountId        *string
	ServicePrincipal *string
}

func (in *delegatedAdminInput) validate(c *check) {
	c.str(in.AccountId, required, shapeAccountID)
	c.str(in.ServicePrincipal, required, shapeServicePrinc)
}

func (a *api) registerDelegatedAdministrator(ctx context.Context, p identity.Principal, in *delegatedAdminInput) (*empty, error) {
	return nil, a.svc.RegisterDelegatedAdmin(ctx, p, identity.AccountID(*in.AccountId), *in.ServicePrincipal)
}

func (a *api) deregisterDelegatedAdministrator(ctx context.Context, p identity.Principal, in *delegatedAdminInput) (*empty, error) {
	return nil, a.svc.DeregisterDelegatedAdmin(ctx, p, identity.AccountID(*in.AccountId), *in.ServicePrincipal)
}

type listDelegatedAdministratorsInput struct {
	ServicePrincipal *string
	NextToken        *string
	MaxResults       *int32
}

func (in *listDelegatedAdministratorsInput) validate(c *check) {
	c.str(in.ServicePrincipal, optional, shapeServicePrinc)
	c.paging(in.NextToken, in.MaxResults)
}

type listDelegatedAdministratorsOutput struct {
	DelegatedAdministrators []delegatedAdministratorWire `json:"DelegatedAdministrators"`
	NextToken               *string                      `json:"NextToken,omitempty"`
}

func (a *api) listDelegatedAdministrators(ctx context.Context, p identity.Principal, in *listDelegatedAdministratorsInput) (*listDelegatedAdministratorsOutput, error) {
	pg, err := a.pager(p, "ListDelegatedAdministrators", in.NextToken, in.MaxResults, str(in.ServicePrincipal))
	if err != nil {
		return nil, err
	}
	all, err := a.svc.ListDelegatedAdmins(ctx, p, str(in.ServicePrincipal))
	if err != nil {
		return nil, err
	}
	out := &listDelegatedAdministratorsOutput{}
	out.DelegatedAdministrators, out.NextToken = mapPage(pg, all, delegatedAdministratorOut)
	return out, nil
}

type listDelegatedServicesInput struct {
	AccountId  *string
	NextToken  *string
	MaxResults *int32
}

func (in *listDelegatedServicesInput) validate(c *check) {
	c.str(in.AccountId, required, shapeAccountID)
	c.paging(in.NextToken, in.MaxResults)
}

type listDelegatedServicesOutput struct {
	DelegatedServices []delegatedServiceWire `json:"DelegatedServices"`
	NextToken         *string                `json:"NextToken,omitempty"`
}

func (a *api) listDelegatedServicesForAccount(ctx context.Context, p identity.Principal, in *listDelegatedServicesInput) (*listDelegatedServicesOutput, error) {
	pg, err := a.pager(p, "ListDelegatedServicesForAccount", in.NextToken, in.MaxResults, *in.AccountId)
	if err != nil {
		return nil, err
	}
	all, err := a.svc.ListDelegatedServices(ctx, p, identity.AccountID(*in.AccountId))
	if err != nil {
		return nil, err
	}
	out := &listDelegatedServicesOutput{}
	out.DelegatedServices, out.NextToken = mapPage(pg, all, func(d *organizations.DelegatedAdmin) delegatedServiceWire {
		return delegatedServiceWire{ServicePrincipal: d.Principal, DelegationEnabledDate: epochSeconds(d.EnabledAt)}
	})
	return out, nil
}
