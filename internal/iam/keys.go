package iam

import (
	"context"
	"sort"

	"github.com/accountplane/accountplane/internal/identity"
)

// CreateAccessKey creates an active access key (AKIA…, 40-character
// secret) for user, or for the account's root user if user is "". Returns
// NoSuchEntity for an unknown user, LimitExceeded past two keys and, for
// the root user, RootCredentialsRemoved when centralized root access
// removed its credentials.
func (s *Service) CreateAccessKey(ctx context.Context, acct identity.AccountID, user string) (*identity.AccessKey, error) {
	id, secret, err := s.newKeyPair("AKIA")
	if err != nil {
		return nil, err
	}
	k := &identity.AccessKey{ID: id, Secret: secret, Account: acct, Active: true, CreatedAt: s.Now()}
	err = s.update(ctx, func(tx Tx) error {
		if user != "" {
			u, err := getUser(ctx, tx, acct, user)
			if err != nil {
				return err
			}
			k.User = u.Name
		} else if err := checkRootCredentialsAllowed(ctx, tx, acct); err != nil {
			return err
		}
		keys, err := tx.AccessKeys(ctx, acct, k.User)
		if err != nil {
			return err
		}
		if len(keys) >= QuotaAccessKeysPerUser {
			return limitExceeded("Cannot exceed quota for AccessKeysPerUser: %d", QuotaAccessKeysPerUser)
		}
		return tx.PutAccessKey(ctx, k)
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// AccessKeys lists the keys of user ("" for the root user), oldest first.
// Returns NoSuchEntity for an unknown user.
func (s *Service) AccessKeys(ctx context.Context, acct identity.AccountID, user string) ([]identity.AccessKey, error) {
	var out []identity.AccessKey
	err := s.view(ctx, func(tx Tx) error {
		if user != "" {
			u, err := getUser(ctx, tx, acct, user)
			if err != nil {
				return err
			}
			user = u.Name
		}
		keys, err := tx.AccessKeys(ctx, acct, user)
		out = keys
		return err
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out, err
}

// ownKey returns the key id of user ("" for root) in acct, or NoSuchEntity.
func ownKey(ctx context.Context, tx Tx, acct identity.AccountID, user, id string) (*identity.AccessKey, error) {
	if user != "" {
		u, err := getUser(ctx, tx, acct, user)
		if err != nil {
			return nil, err
		}
		user = u.Name
	}
	k, err := tx.AccessKey(ctx, id)
	if notFound(err) || (err == nil && (k.Account != acct || !sameName(k.User, user))) {
		return nil, noSuchEntity("The Access Key with id %s cannot be found.", id)
	}
	return k, err
}

// DeleteAccessKey deletes key id of user ("" for root). Returns
// NoSuchEntity.
func (s *Service) DeleteAccessKey(ctx context.Context, acct identity.AccountID, user, id string) error {
	return s.update(ctx, func(tx Tx) error {
		if _, err := ownKey(ctx, tx, acct, user, id); err != nil {
			return err
		}
		return tx.DeleteAccessKey(ctx, id)
	})
}

// UpdateAccessKey sets key id of user ("" for root) Active or Inactive.
// An inactive key signs nothing. Returns NoSuchEntity.
func (s *Service) UpdateAccessKey(ctx context.Context, acct identity.AccountID, user, id string, active bool) error {
	return s.update(ctx, func(tx Tx) error {
		k, err := ownKey(ctx, tx, acct, user, id)
		if err != nil {
			return err
		}
		k.Active = active
		return tx.PutAccessKey(ctx, k)
	})
}
