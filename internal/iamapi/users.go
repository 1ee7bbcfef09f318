package iamapi

import (
	"context"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
)

// self resolves an optional UserName: the named user, else the caller's
// own IAM user, else (root user) "" for the root user. Role sessions must
// name a user.
func (c *call) self(name string) (string, error) {
	if name != "" {
		return name, nil
	}
	switch c.caller.Type {
	case identity.IAMUser:
		return c.caller.Name, nil
	case identity.Root:
		return "", nil
	}
	return "", apierr.New(iam.CodeValidation, "Must specify userName when calling with non-User credentials")
}

type userResult struct {
	User wUser `xml:"User"`
}

type listUsersResult struct {
	Users       members[wUser] `xml:"Users"`
	IsTruncated bool           `xml:"IsTruncated"`
	Marker      string         `xml:"Marker,omitempty"`
}

func (a *api) createUser(ctx context.Context, c *call) (any, error) {
	in := iam.CreateUserInput{
		Path:     c.in.str("Path", shPath, false),
		Name:     c.in.str("UserName", shUserName, true),
		Boundary: c.in.str("PermissionsBoundary", shARN, false),
		Tags:     c.in.tags("Tags"),
	}
	if err := c.in.err(); err != nil {
		return nil, err
	}
	u, err := a.svc.CreateUser(ctx, c.acct, in)
	if err != nil {
		return nil, err
	}
	return userResult{User: user(u, true)}, nil
}

func (a *api) getUser(ctx context.Context, c *call) (any, error) {
	name := c.in.str("UserName", shExistingUserName, false)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	name, err := c.self(name)
	if err != nil {
		return nil, err
	}
	if name == "" {
		u, err := a.svc.RootUser(ctx, c.acct)
		if err != nil {
			return nil, err
		}
		return userResult{User: rootUser(u)}, nil
	}
	u, err := a.svc.User(ctx, c.acct, name)
	if err != nil {
		return nil, err
	}
	return userResult{User: user(u, true)}, nil
}

func (a *api) listUsers(ctx context.Context, c *call) (any, error) {
	prefix := c.in.str("PathPrefix", shPathPrefix, false)
	marker, maxItems := c.paging()
	if err := c.in.err(); err != nil {
		return nil, err
	}
	all, err := a.svc.Users(ctx, c.acct, prefix)
	if err != nil {
		return nil, err
	}
	pg, more, next, err := page(a, c, "ListUsers", all, marker, maxItems, prefix)
	if err != nil {
		return nil, err
	}
	out := make([]wUser, len(pg))
	for i := range pg {
		out[i] = user(&pg[i], false)
	}
	return listUsersResult{Users: list(out), IsTruncated: more, Marker: next}, nil
}

func (a *api) deleteUser(ctx context.Context, c *call) (any, error) {
	name := c.in.str("UserName", shExistingUserName, true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	return nil, a.svc.DeleteUser(ctx, c.acct, name)
}

func (a *api) updateUser(ctx context.Context, c *call) (any, error) {
	name := c.in.str("UserName", shExistingUserName, true)
	newPath := c.in.str("NewPath", shPath, false)
	newName := c.in.str("NewUserName", shUserName, false)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	return nil, a.svc.UpdateUser(ctx, c.acct, name, newName, newPath)
}

// Access keys.

type accessKeyResult struct {
	AccessKey wAccessKey `xml:"AccessKey"`
}

type listAccessKeysResult struct {
	AccessKeyMetadata members[wAccessKey] `xml:"AccessKeyMetadata"`
	IsTruncated       bool                `xml:"IsTruncated"`
	Marker            string              `xml:"Marker,omitempty"`
}

func (a *api) createAccessKey(ctx context.Context, c *call) (any, error) {
	name := c.in.str("UserName", shExistingUserName, false)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	name, err := c.self(name)
	if err != nil {
		return nil, err
	}
	k, err := a.svc.CreateAccessKey(ctx, c.acct, name)
	if err != nil {
		return nil, err
	}
	return accessKeyResult{AccessKey: accessKey(k, true)}, nil
}

func (a *api) listAccessKeys(ctx context.Context, c *call) (any, error) {
	keys, more, next, err := ownList(ctx, a, c, "ListAccessKeys", a.svc.AccessKeys,
		func(k *identity.AccessKey) wAccessKey { return accessKey(k, false) })
	if err != nil {
		return nil, err
	}
	return listAccessKeysResult{AccessKeyMetadata: keys, IsTruncated: more, Marker: next}, nil
}

func (a *api) deleteAccessKey(ctx context.Context, c *call) (any, error) {
	name := c.in.str("UserName", shExistingUserName, false)
	id := c.accessKeyID(true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	name, err := c.self(name)
	if err != nil {
		return nil, err
	}
	return nil, a.svc.DeleteAccessKey(ctx, c.acct, name, id)
}

func (a *api) updateAccessKey(ctx context.Context, c *call) (any, error) {
	name := c.in.str("UserName", shExistingUserName, false)
	id := c.accessKeyID(true)
	status := c.in.str("Status", shStatus, true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	if status == "Expired" {
		return nil, apierr.New(iam.CodeInvalidInput, "Invalid status: Expired. An access key can only be set to Active or Inactive.")
	}
	name, err := c.self(name)
	if err != nil {
		return nil, err
	}
	return nil, a.svc.UpdateAccessKey(ctx, c.acct, name, id, status == "Active")
}

// Groups.

type groupResult struct {
	Group wGroup `xml:"Group"`
}

type getGroupResult struct {
	Group       wGroup         `xml:"Group"`
	Users       members[wUser] `xml:"Users"`
	IsTruncated bool           `xml:"IsTruncated"`
	Marker      string         `xml:"Marker,omitempty"`
}

type listGroupsResult struct {
	Groups      members[wGroup] `xml:"Groups"`
	IsTruncated bool            `xml:"IsTruncated"`
	Marker      string          `xml:"Marker,omitempty"`
}

func (a *api) createGroup(ctx context.Context, c *call) (any, error) {
	path := c.in.str("Path", shPath, false)
	name := c.in.str("GroupName", shGroupName, true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	g, err := a.svc.CreateGroup(ctx, c.acct, name, path)
	if err != nil {
		return nil, err
	}
	return groupResult{Group: group(g)}, nil
}

func (a *api) getGroup(ctx context.Context, c *call) (any, error) {
	name := c.in.str("GroupName", shGroupName, true)
	marker, maxItems := c.paging()
	if err := c.in.err(); err != nil {
		return nil, err
	}
	g, users, err := a.svc.Group(ctx, c.acct, name)
	if err != nil {
		return nil, err
	}
	pg, more, next, err := page(a, c, "GetGroup", users, marker, maxItems, g.Name)
	if err != nil {
		return nil, err
	}
	out := make([]wUser, len(pg))
	for i := range pg {
		out[i] = user(&pg[i], false)
	}
	return getGroupResult{Group: group(g), Users: list(out), IsTruncated: more, Marker: next}, nil
}

func (a *api) groupList(c *call, op string, groups []iam.Group, marker string, maxItems int, scope string) (any, error) {
	pg, more, next, err := page(a, c, op, groups, marker, maxItems, scope)
	if err != nil {
		return nil, err
	}
	out := make([]wGroup, len(pg))
	for i := range pg {
		out[i] = group(&pg[i])
	}
	return listGroupsResult{Groups: list(out), IsTruncated: more, Marker: next}, nil
}

func (a *api) listGroups(ctx context.Context, c *call) (any, error) {
	prefix := c.in.str("PathPrefix", shPathPrefix, false)
	marker, maxItems := c.paging()
	if err := c.in.err(); err != nil {
		return nil, err
	}
	all, err := a.svc.Groups(ctx, c.acct, prefix)
	if err != nil {
		return nil, err
	}
	return a.groupList(c, "ListGroups", all, marker, maxItems, prefix)
}

func (a *api) listGroupsForUser(ctx context.Context, c *call) (any, error) {
	name := c.in.str("UserName", shExistingUserName, true)
	marker, maxItems := c.paging()
	if err := c.in.err(); err != nil {
		return nil, err
	}
	all, err := a.svc.GroupsForUser(ctx, c.acct, name)
	if err != nil {
		return nil, err
	}
	return a.groupList(c, "ListGroupsForUser", all, marker, maxItems, name)
}

func (a *api) deleteGroup(ctx context.Context, c *call) (any, error) {
	name := c.in.str("GroupName", shGroupName, true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	return nil, a.svc.DeleteGroup(ctx, c.acct, name)
}

func (a *api) addUserToGroup(ctx context.Context, c *call) (any, error) {
	g := c.in.str("GroupName", shGroupName, true)
	u := c.in.str("UserName", shExistingUserName, true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	return nil, a.svc.AddUserToGroup(ctx, c.acct, g, u)
}

func (a *api) removeUserFromGroup(ctx context.Context, c *call) (any, error) {
	g := c.in.str("GroupName", shGroupName, true)
	u := c.in.str("UserName", shExistingUserName, true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	return nil, a.svc.RemoveUserFromGroup(ctx, c.acct, g, u)
}
