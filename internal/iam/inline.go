package iam

import (
	"context"

	"github.com/accountplane/accountplane/internal/identity"
)

// inlineQuota is the aggregate size of an entity's inline policies.
func inlineQuota(kind PrincipalKind) int {
	switch kind {
	case KindGroup:
		return QuotaGroupPolicySize
	case KindRole:
		return QuotaRolePolicySize
	}
	return QuotaUserPolicySize
}

// PutInlinePolicy creates or replaces inline policy name of a user, group
// or role. The aggregate size of the entity's inline policies (white space
// not counted) is limited to 2048 (user), 5120 (group) or 10240 (role)
// characters. Returns NoSuchEntity, MalformedPolicyDocument,
// LimitExceeded, UnmodifiableEntity (service-linked role).
func (s *Service) PutInlinePolicy(ctx context.Context, acct identity.AccountID, kind PrincipalKind, ownerName, name, doc string) error {
	if _, err := parseIdentity(doc); err != nil {
		return err
	}
	return s.update(ctx, func(tx Tx) error {
		own, err := owner(ctx, tx, acct, kind, ownerName, true)
		if err != nil {
			return err
		}
		all, err := tx.InlinePolicies(ctx, acct, kind, own)
		if err != nil {
			return err
		}
		size := policySize(doc)
		stored := name
		for _, p := range all {
			if sameName(p.Name, name) {
				stored = p.Name
				continue
			}
			size += policySize(p.Document)
		}
		if q := inlineQuota(kind); size > q {
			return limitExceeded("Maximum policy size of %d bytes exceeded for %s %s", q, kind, own)
		}
		if stored != name {
			// A case-only rename: replace the row under its new spelling.
			if err := tx.DeleteInlinePolicy(ctx, acct, kind, own, stored); err != nil {
				return err
			}
		}
		return tx.PutInlinePolicy(ctx, &InlinePolicy{Account: acct, Kind: kind, Owner: own, Name: name, Document: doc})
	})
}

// InlinePolicy returns inline policy name of a user, group or role.
// Returns NoSuchEntity.
func (s *Service) InlinePolicy(ctx context.Context, acct identity.AccountID, kind PrincipalKind, ownerName, name string) (*InlinePolicy, error) {
	var out *InlinePolicy
	err := s.view(ctx, func(tx Tx) error {
		own, err := owner(ctx, tx, acct, kind, ownerName, false)
		if err != nil {
			return err
		}
		out, err = tx.InlinePolicy(ctx, acct, kind, own, name)
		if notFound(err) {
			return noSuchEntity("The %s policy with name %s cannot be found.", kind, name)
		}
		return err
	})
	return out, err
}

// InlinePolicyNames lists the inline policy names of a user, group or
// role, sorted. Returns NoSuchEntity.
func (s *Service) InlinePolicyNames(ctx context.Context, acct identity.AccountID, kind PrincipalKind, ownerName string) ([]string, error) {
	var out []string
	err := s.view(ctx, func(tx Tx) error {
		own, err := owner(ctx, tx, acct, kind, ownerName, false)
		if err != nil {
			return err
		}
		all, err := tx.InlinePolicies(ctx, acct, kind, own)
		for _, p := range all {
			out = append(out, p.Name)
		}
		return err
	})
	return out, err
}

// DeleteInlinePolicy deletes inline policy name. Returns NoSuchEntity,
// UnmodifiableEntity.
func (s *Service) DeleteInlinePolicy(ctx context.Context, acct identity.AccountID, kind PrincipalKind, ownerName, name string) error {
	return s.update(ctx, func(tx Tx) error {
		own, err := owner(ctx, tx, acct, kind, ownerName, true)
		if err != nil {
			return err
		}
		p, err := tx.InlinePolicy(ctx, acct, kind, own, name)
		if notFound(err) {
			return noSuchEntity("The %s policy with name %s cannot be found.", kind, name)
		} else if err != nil {
			return err
		}
		return tx.DeleteInlinePolicy(ctx, acct, kind, own, p.Name)
	})
}
