package iamapi

import (
	"context"
	"time"

	"github.com/accountplane/accountplane/internal/iam"
)

type roleResult struct {
	Role wRole `xml:"Role"`
}

type listRolesResult struct {
	Roles       members[wRole] `xml:"Roles"`
	IsTruncated bool           `xml:"IsTruncated"`
	Marker      string         `xml:"Marker,omitempty"`
}

func (a *api) createRole(ctx context.Context, c *call) (any, error) {
	in := iam.CreateRoleInput{
		Path:        c.in.str("Path", shPath, false),
		Name:        c.in.str("RoleName", shRoleName, true),
		TrustPolicy: c.in.str("AssumeRolePolicyDocument", shPolicyDocument, true),
		Description: c.in.str("Description", shRoleDescription, false),
	}
	if n, ok := c.in.integer("MaxSessionDuration", 3600, 43200, false); ok {
		in.MaxSessionDuration = time.Duration(n) * time.Second
	}
	in.Boundary = c.in.str("PermissionsBoundary", shARN, false)
	in.Tags = c.in.tags("Tags")
	if err := c.in.err(); err != nil {
		return nil, err
	}
	r, err := a.svc.CreateRole(ctx, c.acct, in)
	if err != nil {
		return nil, err
	}
	w := role(r, true)
	w.RoleLastUsed = nil // CreateRole does not report it
	return roleResult{Role: w}, nil
}

func (a *api) getRole(ctx context.Context, c *call) (any, error) {
	name := c.in.str("RoleName", shRoleName, true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	r, err := a.svc.Role(ctx, c.acct, name)
	if err != nil {
		return nil, err
	}
	return roleResult{Role: role(r, true)}, nil
}

func (a *api) listRoles(ctx context.Context, c *call) (any, error) {
	prefix := c.in.str("PathPrefix", shPathPrefix, false)
	marker, maxItems := c.paging()
	if err := c.in.err(); err != nil {
		return nil, err
	}
	all, err := a.svc.Roles(ctx, c.acct, prefix)
	if err != nil {
		return nil, err
	}
	pg, more, next, err := page(a, c, "ListRoles", all, marker, maxItems, prefix)
	if err != nil {
		return nil, err
	}
	out := make([]wRole, len(pg))
	for i := range pg {
		out[i] = role(&pg[i], false)
	}
	return listRolesResult{Roles: list(out), IsTruncated: more, Marker: next}, nil
}

func (a *api) deleteRole(ctx context.Context, c *call) (any, error) {
	name := c.in.str("RoleName", shRoleName, true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	return nil, a.svc.DeleteRole(ctx, c.acct, name)
}

func (a *api) updateAssumeRolePolicy(ctx context.Context, c *call) (any, error) {
	name := c.in.str("RoleName", shRoleName, true)
	doc := c.in.str("PolicyDocument", shPolicyDocument, true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	return nil, a.svc.UpdateAssumeRolePolicy(ctx, c.acct, name, doc)
}

// Inline policies of users, groups and roles.

// entityParam is the request parameter and shape naming the owner of an
// inline policy or attachment.
type entityParam struct {
	kind  iam.PrincipalKind
	param string
	shape shape
}

var (
	userEntity    = entityParam{iam.KindUser, "UserName", shExistingUserName}
	userEntityNew = entityParam{iam.KindUser, "UserName", shUserName} // Attach*/boundary ops use userNameType
	groupEntity   = entityParam{iam.KindGroup, "GroupName", shGroupName}
	roleEntity    = entityParam{iam.KindRole, "RoleName", shRoleName}
)

// inlinePolicyResult is Get{User,Group,Role}PolicyResult; its first element
// is the owner's name element.
type inlinePolicyResult struct {
	UserName       string `xml:"UserName,omitempty"`
	GroupName      string `xml:"GroupName,omitempty"`
	RoleName       string `xml:"RoleName,omitempty"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

type policyNamesResult struct {
	PolicyNames members[string] `xml:"PolicyNames"`
	IsTruncated bool            `xml:"IsTruncated"`
	Marker      string          `xml:"Marker,omitempty"`
}

func (a *api) putInline(e entityParam) handler {
	return func(ctx context.Context, c *call) (any, error) {
		owner := c.in.str(e.param, e.shape, true)
		name := c.in.str("PolicyName", shPolicyName, true)
		doc := c.in.str("PolicyDocument", shPolicyDocument, true)
		if err := c.in.err(); err != nil {
			return nil, err
		}
		return nil, a.svc.PutInlinePolicy(ctx, c.acct, e.kind, owner, name, doc)
	}
}

func (a *api) getInline(e entityParam) handler {
	return func(ctx context.Context, c *call) (any, error) {
		owner := c.in.str(e.param, e.shape, true)
		name := c.in.str("PolicyName", shPolicyName, true)
		if err := c.in.err(); err != nil {
			return nil, err
		}
		p, err := a.svc.InlinePolicy(ctx, c.acct, e.kind, owner, name)
		if err != nil {
			return nil, err
		}
		r := inlinePolicyResult{PolicyName: p.Name, PolicyDocument: encodeDocument(p.Document)}
		switch e.kind {
		case iam.KindUser:
			r.UserName = p.Owner
		case iam.KindGroup:
			r.GroupName = p.Owner
		default:
			r.RoleName = p.Owner
		}
		return r, nil
	}
}

func (a *api) listInline(e entityParam, op string) handler {
	return func(ctx context.Context, c *call) (any, error) {
		owner := c.in.str(e.param, e.shape, true)
		marker, maxItems := c.paging()
		if err := c.in.err(); err != nil {
			return nil, err
		}
		names, err := a.svc.InlinePolicyNames(ctx, c.acct, e.kind, owner)
		if err != nil {
			return nil, err
		}
		pg, more, next, err := page(a, c, op, names, marker, maxItems, owner)
		if err != nil {
			return nil, err
		}
		return policyNamesResult{PolicyNames: list(pg), IsTruncated: more, Marker: next}, nil
	}
}

func (a *api) deleteInline(e entityParam) handler {
	return func(ctx context.Context, c *call) (any, error) {
		owner := c.in.str(e.param, e.shape, true)
		name := c.in.str("PolicyName", shPolicyName, true)
		if err := c.in.err(); err != nil {
			return nil, err
		}
		return nil, a.svc.DeleteInlinePolicy(ctx, c.acct, e.kind, owner, name)
	}
}

// Attachments and boundaries.

type attachedPoliciesResult struct {
	AttachedPolicies members[wAttachedPolicy] `xml:"AttachedPolicies"`
	IsTruncated      bool                     `xml:"IsTruncated"`
	Marker           string                   `xml:"Marker,omitempty"`
}

func (a *api) attach(e entityParam) handler {
	return func(ctx context.Context, c *call) (any, error) {
		owner := c.in.str(e.param, e.shape, true)
		arn := c.in.str("PolicyArn", shARN, true)
		if err := c.in.err(); err != nil {
			return nil, err
		}
		return nil, a.svc.AttachPolicy(ctx, c.acct, e.kind, owner, arn)
	}
}

func (a *api) detach(e entityParam) handler {
	return func(ctx context.Context, c *call) (any, error) {
		owner := c.in.str(e.param, e.shape, true)
		arn := c.in.str("PolicyArn", shARN, true)
		if err := c.in.err(); err != nil {
			return nil, err
		}
		return nil, a.svc.DetachPolicy(ctx, c.acct, e.kind, owner, arn)
	}
}

func (a *api) listAttached(e entityParam, op string) handler {
	return func(ctx context.Context, c *call) (any, error) {
		owner := c.in.str(e.param, e.shape, true)
		prefix := c.in.str("PathPrefix", shPolicyPath, false)
		marker, maxItems := c.paging()
		if err := c.in.err(); err != nil {
			return nil, err
		}
		all, err := a.svc.AttachedPolicies(ctx, c.acct, e.kind, owner, prefix)
		if err != nil {
			return nil, err
		}
		pg, more, next, err := page(a, c, op, all, marker, maxItems, owner, prefix)
		if err != nil {
			return nil, err
		}
		out := make([]wAttachedPolicy, len(pg))
		for i, p := range pg {
			out[i] = wAttachedPolicy{PolicyName: p.Name, PolicyArn: p.ARN}
		}
		return attachedPoliciesResult{AttachedPolicies: list(out), IsTruncated: more, Marker: next}, nil
	}
}

func (a *api) putBoundary(e entityParam) handler {
	return func(ctx context.Context, c *call) (any, error) {
		owner := c.in.str(e.param, e.shape, true)
		arn := c.in.str("PermissionsBoundary", shARN, true)
		if err := c.in.err(); err != nil {
			return nil, err
		}
		return nil, a.svc.PutPermissionsBoundary(ctx, c.acct, e.kind, owner, arn)
	}
}

func (a *api) deleteBoundary(e entityParam) handler {
	return func(ctx context.Context, c *call) (any, error) {
		owner := c.in.str(e.param, e.shape, true)
		if err := c.in.err(); err != nil {
			return nil, err
		}
		return nil, a.svc.DeletePermissionsBoundary(ctx, c.acct, e.kind, owner)
	}
}
