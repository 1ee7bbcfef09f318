package orgsapi

import (
	"context"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
)

type createOrganizationalUnitInput struct {
	ParentId *string
	Name     *string
	Tags     []tagInput
}

func (in *createOrganizationalUnitInput) validate(c *check) {
	c.str(in.ParentId, required, shapeParentID)
	c.str(in.Name, required, shapeOUName)
	c.tags(in.Tags, optional)
}

type ouOutput struct {
	OrganizationalUnit ouWire `json:"OrganizationalUnit"`
}

func (a *api) createOrganizationalUnit(ctx context.Context, p identity.Principal, in *createOrganizationalUnitInput) (*ouOutput, error) {
	ou, err := a.svc.CreateOU(ctx, p, *in.ParentId, *in.Name, domainTags(in.Tags))
	if err != nil {
		return nil, err
	}
	// The domain returns the bare OU; read it back for its ARN and path.
	v, err := a.svc.DescribeOU(ctx, p, ou.ID)
	if err != nil {
		return nil, err
	}
	return &ouOutput{OrganizationalUnit: ouOut(v)}, nil
}

type ouIDInput struct {
	OrganizationalUnitId *string
}

func (in *ouIDInput) validate(c *check) {
	c.str(in.OrganizationalUnitId, required, shapeOUID)
}

func (a *api) describeOrganizationalUnit(ctx context.Context, p identity.Principal, in *ouIDInput) (*ouOutput, error) {
	v, err := a.svc.DescribeOU(ctx, p, organizations.OUID(*in.OrganizationalUnitId))
	if err != nil {
		return nil, err
	}
	return &ouOutput{OrganizationalUnit: ouOut(v)}, nil
}

type updateOrganizationalUnitInput struct {
	OrganizationalUnitId *string
	Name                 *string
}

func (in *updateOrganizationalUnitInput) validate(c *check) {
	c.str(in.OrganizationalUnitId, required, shapeOUID)
	c.str(in.Name, optional, shapeOUName)
}

func (a *api) updateOrganizationalUnit(ctx context.Context, p identity.Principal, in *updateOrganizationalUnitInput) (*ouOutput, error) {
	v, err := a.svc.RenameOU(ctx, p, organizations.OUID(*in.OrganizationalUnitId), in.Name)
	if err != nil {
		return nil, err
	}
	return &ouOutput{OrganizationalUnit: ouOut(v)}, nil
}

func (a *api) deleteOrganizationalUnit(ctx context.Context, p identity.Principal, in *ouIDInput) (*empty, error) {
	return nil, a.svc.DeleteOU(ctx, p, organizations.OUID(*in.OrganizationalUnitId))
}

type listForParentInput struct {
	ParentId   *string
	NextToken  *string
	MaxResults *int32
}

func (in *listForParentInput) validate(c *check) {
	c.str(in.ParentId, required, shapeParentID)
	c.paging(in.NextToken, in.MaxResults)
}

type listOUsOutput struct {
	OrganizationalUnits []ouWire `json:"OrganizationalUnits"`
	NextToken           *string  `json:"NextToken,omitempty"`
}

func (a *api) listOrganizationalUnitsForParent(ctx context.Context, p identity.Principal, in *listForParentInput) (*listOUsOutput, error) {
	pg, err := a.pager(p, "ListOrganizationalUnitsForParent", in.NextToken, in.MaxResults, *in.ParentId)
	if err != nil {
		return nil, err
	}
	all, err := a.svc.ListOUs(ctx, p, *in.ParentId)
	if err != nil {
		return nil, err
	}
	out := &listOUsOutput{}
	out.OrganizationalUnits, out.NextToken = mapPage(pg, all, ouOut)
	return out, nil
}

type listChildrenInput struct {
	ParentId   *string
	ChildType  *string
	NextToken  *string
	MaxResults *int32
}

func (in *listChildrenInput) validate(c *check) {
	c.str(in.ParentId, required, shapeParentID)
	c.str(in.ChildType, required, shapeChildType)
	c.paging(in.NextToken, in.MaxResults)
}

type listChildrenOutput struct {
	Children  []idTypeWire `json:"Children"`
	NextToken *string      `json:"NextToken,omitempty"`
}

func (a *api) listChildren(ctx context.Context, p identity.Principal, in *listChildrenInput) (*listChildrenOutput, error) {
	// A page of accounts is a keyset page: its token names the next account
	// id, not an offset, so it has a scope of its own (a token of the
	// offset pages is refused, not misread).
	scope := "ListChildren"
	if *in.ChildType == "ACCOUNT" {
		scope = "ListChildren/keyset"
	}
	pg, err := a.pager(p, scope, in.NextToken, in.MaxResults, *in.ParentId, *in.ChildType)
	if err != nil {
		return nil, err
	}
	out := &listChildrenOutput{}
	if *in.ChildType == "ACCOUNT" { // any number: keyset pages, as ListAccounts
		kids, more, err := a.svc.ListChildAccountsPage(ctx, p, *in.ParentId, keysetAfter(pg), pg.limit)
		if err != nil {
			return nil, err
		}
		out.Children = make([]idTypeWire, len(kids))
		for i, c := range kids {
			out.Children[i] = idTypeWire{Id: c.ID, Type: c.Type}
		}
		if more {
			if out.NextToken, err = a.keysetToken(pg, identity.AccountID(kids[len(kids)-1].ID)); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	all, err := a.svc.ListChildren(ctx, p, *in.ParentId, *in.ChildType)
	if err != nil {
		return nil, err
	}
	out.Children, out.NextToken = mapPage(pg, all, func(c *organizations.Child) idTypeWire {
		return idTypeWire{Id: c.ID, Type: c.Type}
	})
	return out, nil
}

type listParentsInput struct {
	ChildId    *string
	NextToken  *string
	MaxResults *int32
}

func (in *listParentsInput) validate(c *check) {
	c.str(in.ChildId, required, shapeChildID)
	c.paging(in.NextToken, in.MaxResults)
}

type listParentsOutput struct {
	Parents   []idTypeWire `json:"Parents"`
	NextToken *string      `json:"NextToken,omitempty"`
}

func (a *api) listParents(ctx context.Context, p identity.Principal, in *listParentsInput) (*listParentsOutput, error) {
	pg, err := a.pager(p, "ListParents", in.NextToken, in.MaxResults, *in.ChildId)
	if err != nil {
		return nil, err
	}
	parent, err := a.svc.ListParents(ctx, p, *in.ChildId)
	if err != nil {
		return nil, err
	}
	out := &listParentsOutput{}
	out.Parents, out.NextToken = mapPage(pg, []organizations.Parent{*parent}, func(x *organizations.Parent) idTypeWire {
		return idTypeWire{Id: x.ID, Type: x.Type}
	})
	return out, nil
}
