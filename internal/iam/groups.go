package iam

import (
	"context"
	"strings"

	"github.com/accountplane/accountplane/internal/identity"
)

// CreateGroup creates a group. Returns EntityAlreadyExists or
// LimitExceeded.
func (s *Service) CreateGroup(ctx context.Context, acct identity.AccountID, name, path string) (*Group, error) {
	id, err := s.newID("AGPA")
	if err != nil {
		return nil, err
	}
	g := &Group{Account: acct, Name: name, Path: orRoot(path), ID: id, CreatedAt: s.Now()}
	err = s.update(ctx, func(tx Tx) error {
		if _, err := tx.Group(ctx, acct, name); err == nil {
			return alreadyExists("Group with name %s already exists.", name)
		} else if !notFound(err) {
			return err
		}
		all, err := tx.Groups(ctx, acct)
		if err != nil {
			return err
		}
		if len(all) >= QuotaGroups {
			return limitExceeded("Cannot exceed quota for GroupsPerAccount: %d", QuotaGroups)
		}
		return tx.PutGroup(ctx, g)
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

func getGroup(ctx context.Context, tx Tx, acct identity.AccountID, name string) (*Group, error) {
	g, err := tx.Group(ctx, acct, name)
	if notFound(err) {
		return nil, noSuchEntity("The group with name %s cannot be found.", name)
	}
	return g, err
}

// Group returns the named group and its members (sorted by name). Returns
// NoSuchEntity.
func (s *Service) Group(ctx context.Context, acct identity.AccountID, name string) (*Group, []User, error) {
	var g *Group
	var members []User
	err := s.view(ctx, func(tx Tx) (err error) {
		if g, err = getGroup(ctx, tx, acct, name); err != nil {
			return err
		}
		names, err := tx.GroupMembers(ctx, acct, g.Name)
		if err != nil {
			return err
		}
		for _, n := range names {
			u, err := tx.User(ctx, acct, n)
			if notFound(err) {
				continue
			} else if err != nil {
				return err
			}
			members = append(members, *u)
		}
		return nil
	})
	return g, members, err
}

// Groups lists the account's groups whose path starts with pathPrefix.
func (s *Service) Groups(ctx context.Context, acct identity.AccountID, pathPrefix string) ([]Group, error) {
	var out []Group
	err := s.view(ctx, func(tx Tx) error {
		all, err := tx.Groups(ctx, acct)
		for _, g := range all {
			if strings.HasPrefix(g.Path, pathPrefix) {
				out = append(out, g)
			}
		}
		return err
	})
	return out, err
}

// GroupsForUser lists the groups user belongs to. Returns NoSuchEntity.
func (s *Service) GroupsForUser(ctx context.Context, acct identity.AccountID, user string) ([]Group, error) {
	var out []Group
	err := s.view(ctx, func(tx Tx) error {
		u, err := getUser(ctx, tx, acct, user)
		if err != nil {
			return err
		}
		names, err := tx.GroupsOf(ctx, acct, u.Name)
		if err != nil {
			return err
		}
		for _, n := range names {
			g, err := tx.Group(ctx, acct, n)
			if notFound(err) {
				continue
			} else if err != nil {
				return err
			}
			out = append(out, *g)
		}
		return nil
	})
	return out, err
}

// DeleteGroup deletes a group without members, inline or attached
// policies (DeleteConflict otherwise). Returns NoSuchEntity.
func (s *Service) DeleteGroup(ctx context.Context, acct identity.AccountID, name string) error {
	return s.update(ctx, func(tx Tx) error {
		g, err := getGroup(ctx, tx, acct, name)
		if err != nil {
			return err
		}
		members, err := tx.GroupMembers(ctx, acct, g.Name)
		if err != nil {
			return err
		}
		if len(members) > 0 {
			return deleteConflict("Cannot delete entity, must remove users from group first.")
		}
		if err := checkOwnerEmpty(ctx, tx, acct, KindGroup, g.Name); err != nil {
			return err
		}
		return tx.DeleteGroup(ctx, acct, g.Name)
	})
}

// AddUserToGroup adds user to group (idempotent). Returns NoSuchEntity or
// LimitExceeded past the groups-per-user quota.
func (s *Service) AddUserToGroup(ctx context.Context, acct identity.AccountID, group, user string) error {
	return s.update(ctx, func(tx Tx) error {
		g, err := getGroup(ctx, tx, acct, group)
		if err != nil {
			return err
		}
		u, err := getUser(ctx, tx, acct, user)
		if err != nil {
			return err
		}
		groups, err := tx.GroupsOf(ctx, acct, u.Name)
		if err != nil {
			return err
		}
		for _, n := range groups {
			if sameName(n, g.Name) {
				return nil
			}
		}
		if len(groups) >= QuotaGroupsPerUser {
			return limitExceeded("Cannot exceed quota for GroupsPerUser: %d", QuotaGroupsPerUser)
		}
		return tx.AddGroupMember(ctx, acct, g.Name, u.Name)
	})
}

// RemoveUserFromGroup removes user from group. Returns NoSuchEntity if
// either does not exist or the user is not a member.
func (s *Service) RemoveUserFromGroup(ctx context.Context, acct identity.AccountID, group, user string) error {
	return s.update(ctx, func(tx Tx) error {
		g, err := getGroup(ctx, tx, acct, group)
		if err != nil {
			return err
		}
		u, err := getUser(ctx, tx, acct, user)
		if err != nil {
			return err
		}
		groups, err := tx.GroupsOf(ctx, acct, u.Name)
		if err != nil {
			return err
		}
		for _, n := range groups {
			if sameName(n, g.Name) {
				return tx.RemoveGroupMember(ctx, acct, g.Name, u.Name)
			}
		}
		return noSuchEntity("User %s is not in group %s.", u.Name, g.Name)
	})
}
