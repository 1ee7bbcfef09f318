package iam

import (
	"context"
	"strings"

	"github.com/accountplane/accountplane/internal/identity"
)

// CreateUserInput is what CreateUser takes. Names and paths are already
// validated against the model's patterns by the wire binding.
type CreateUserInput struct {
	Name     string
	Path     string // "" means "/"
	Boundary string // permissions boundary policy ARN, or ""
	Tags     []Tag
}

// CreateUser creates an IAM user. Returns EntityAlreadyExists if the name
// is taken (case-insensitively), NoSuchEntity if the boundary policy does
// not exist, InvalidInput for duplicate tag keys and LimitExceeded past the
// user quota.
func (s *Service) CreateUser(ctx context.Context, acct identity.AccountID, in CreateUserInput) (*User, error) {
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	id, err := s.newID("AIDA")
	if err != nil {
		return nil, err
	}
	u := &User{Account: acct, Name: in.Name, Path: orRoot(in.Path), ID: id, CreatedAt: s.Now(), Boundary: in.Boundary, Tags: in.Tags}
	err = s.update(ctx, func(tx Tx) error {
		if _, err := tx.User(ctx, acct, in.Name); err == nil {
			return alreadyExists("User with name %s already exists.", in.Name)
		} else if !notFound(err) {
			return err
		}
		users, err := tx.Users(ctx, acct)
		if err != nil {
			return err
		}
		if len(users) >= QuotaUsers {
			return limitExceeded("Cannot exceed quota for UsersPerAccount: %d", QuotaUsers)
		}
		if in.Boundary != "" {
			if _, err := s.boundaryPolicy(ctx, tx, acct, in.Boundary); err != nil {
				return err
			}
		}
		return tx.PutUser(ctx, u)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// User returns the named user, or NoSuchEntity.
func (s *Service) User(ctx context.Context, acct identity.AccountID, name string) (*User, error) {
	var u *User
	err := s.view(ctx, func(tx Tx) (err error) {
		u, err = getUser(ctx, tx, acct, name)
		return err
	})
	return u, err
}

func getUser(ctx context.Context, tx Tx, acct identity.AccountID, name string) (*User, error) {
	u, err := tx.User(ctx, acct, name)
	if notFound(err) {
		return nil, noSuchEntity("The user with name %s cannot be found.", name)
	}
	return u, err
}

// Users lists the account's users whose path starts with pathPrefix
// ("" for all), sorted by name.
func (s *Service) Users(ctx context.Context, acct identity.AccountID, pathPrefix string) ([]User, error) {
	var out []User
	err := s.view(ctx, func(tx Tx) error {
		all, err := tx.Users(ctx, acct)
		for _, u := range all {
			if strings.HasPrefix(u.Path, pathPrefix) {
				out = append(out, u)
			}
		}
		return err
	})
	return out, err
}

// UpdateUser renames a user and/or changes its path (newName, newPath ""
// leave them). Access keys, group memberships, inline policies and
// attachments follow the new name. Returns NoSuchEntity or
// EntityAlreadyExists.
func (s *Service) UpdateUser(ctx context.Context, acct identity.AccountID, name, newName, newPath string) error {
	return s.update(ctx, func(tx Tx) error {
		u, err := getUser(ctx, tx, acct, name)
		if err != nil {
			return err
		}
		old := u.Name
		if newPath != "" {
			u.Path = newPath
		}
		if newName == "" || newName == old {
			return tx.PutUser(ctx, u)
		}
		if !sameName(newName, old) {
			if _, err := tx.User(ctx, acct, newName); err == nil {
				return alreadyExists("User with name %s already exists.", newName)
			} else if !notFound(err) {
				return err
			}
		}
		keys, err := tx.AccessKeys(ctx, acct, old)
		if err != nil {
			return err
		}
		groups, err := tx.GroupsOf(ctx, acct, old)
		if err != nil {
			return err
		}
		if err := tx.DeleteUser(ctx, acct, old); err != nil {
			return err
		}
		u.Name = newName
		if err := tx.PutUser(ctx, u); err != nil {
			return err
		}
		for i := range keys {
			keys[i].User = newName
			if err := tx.PutAccessKey(ctx, &keys[i]); err != nil {
				return err
			}
		}
		for _, g := range groups {
			if err := tx.RemoveGroupMember(ctx, acct, g, old); err != nil {
				return err
			}
			if err := tx.AddGroupMember(ctx, acct, g, newName); err != nil {
				return err
			}
		}
		if err := renameUserCredentials(ctx, tx, acct, old, newName); err != nil {
			return err
		}
		return renameOwner(ctx, tx, acct, KindUser, old, newName)
	})
}

// renameOwner moves the inline policies and attachments of an entity to
// its new name.
func renameOwner(ctx context.Context, tx Tx, acct identity.AccountID, kind PrincipalKind, old, name string) error {
	inline, err := tx.InlinePolicies(ctx, acct, kind, old)
	if err != nil {
		return err
	}
	for i := range inline {
		p := inline[i]
		if err := tx.DeleteInlinePolicy(ctx, acct, kind, old, p.Name); err != nil {
			return err
		}
		p.Owner = name
		if err := tx.PutInlinePolicy(ctx, &p); err != nil {
			return err
		}
	}
	atts, err := tx.Attachments(ctx, acct, kind, old)
	if err != nil {
		return err
	}
	for i := range atts {
		a := atts[i]
		if err := tx.DeleteAttachment(ctx, &a); err != nil {
			return err
		}
		a.Owner = name
		if err := tx.PutAttachment(ctx, &a); err != nil {
			return err
		}
	}
	return nil
}

// DeleteUser deletes a user that has no access keys, password, MFA
// devices, signing certificates, group memberships, inline policies or
// attached policies (DeleteConflict otherwise), as IAM requires. Returns NoSuchEntity.
func (s *Service) DeleteUser(ctx context.Context, acct identity.AccountID, name string) error {
	return s.update(ctx, func(tx Tx) error {
		u, err := getUser(ctx, tx, acct, name)
		if err != nil {
			return err
		}
		keys, err := tx.AccessKeys(ctx, acct, u.Name)
		if err != nil {
			return err
		}
		if len(keys) > 0 {
			return deleteConflict("Cannot delete entity, must delete access keys first.")
		}
		if err := checkUserCredentials(ctx, tx, acct, u.Name); err != nil {
			return err
		}
		if err := checkOwnerEmpty(ctx, tx, acct, KindUser, u.Name); err != nil {
			return err
		}
		groups, err := tx.GroupsOf(ctx, acct, u.Name)
		if err != nil {
			return err
		}
		if len(groups) > 0 {
			return deleteConflict("Cannot delete entity, must remove user from all groups first.")
		}
		return tx.DeleteUser(ctx, acct, u.Name)
	})
}

// checkOwnerEmpty returns DeleteConflict if the entity has inline or
// attached policies.
func checkOwnerEmpty(ctx context.Context, tx Tx, acct identity.AccountID, kind PrincipalKind, owner string) error {
	inline, err := tx.InlinePolicies(ctx, acct, kind, owner)
	if err != nil {
		return err
	}
	if len(inline) > 0 {
		return deleteConflict("Cannot delete entity, must delete policies first.")
	}
	atts, err := tx.Attachments(ctx, acct, kind, owner)
	if err != nil {
		return err
	}
	if len(atts) > 0 {
		return deleteConflict("Cannot delete entity, must detach all policies first.")
	}
	return nil
}

// checkTags rejects duplicate keys (case-insensitively, as IAM does) and
// keys in the reserved aws: namespace.
func checkTags(tags []Tag) error {
	if len(tags) > 50 {
		return limitExceeded("The number of tags has reached the maximum limit.")
	}
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		k := strings.ToLower(t.Key)
		if seen[k] {
			return invalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[k] = true
		if strings.HasPrefix(k, "aws:") {
			return invalidInput("User-defined tag keys can't start with \"aws:\". This prefix is reserved for AWS tags.")
		}
	}
	return nil
}

// attachQuota is the number of managed policies an entity may have.
func attachQuota(kind PrincipalKind) (int, string) {
	switch kind {
	case KindGroup:
		return QuotaAttachedPoliciesPerGroup, "PoliciesPerGroup"
	case KindRole:
		return QuotaAttachedPoliciesPerRole, "PoliciesPerRole"
	}
	return QuotaAttachedPoliciesPerUser, "PoliciesPerUser"
}
