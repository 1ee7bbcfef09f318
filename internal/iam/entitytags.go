package iam

import (
	"context"
	"strings"

	"github.com/accountplane/accountplane/internal/identity"
)

// QuotaTagsPerEntity is how many tags a user, role or MFA device may have.
const QuotaTagsPerEntity = 50

// applyTags adds tags to have: a tag whose key equals an existing key
// (case-insensitively, as IAM compares tag keys) replaces it. Returns
// InvalidInput for duplicate or reserved keys in tags and LimitExceeded
// past 50 tags.
func applyTags(have, tags []Tag) ([]Tag, error) {
	if err := checkTags(tags); err != nil {
		return nil, err
	}
	out := append([]Tag(nil), have...)
	for _, t := range tags {
		replaced := false
		for i := range out {
			if strings.EqualFold(out[i].Key, t.Key) {
				out[i], replaced = t, true
				break
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	if len(out) > QuotaTagsPerEntity {
		return nil, limitExceeded("The number of tags has reached the maximum limit.")
	}
	return out, nil
}

// removeTags drops the tags whose keys are in keys (case-insensitively);
// keys not present are ignored, as IAM does.
func removeTags(have []Tag, keys []string) []Tag {
	var out []Tag
	for _, t := range have {
		drop := false
		for _, k := range keys {
			if strings.EqualFold(t.Key, k) {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, t)
		}
	}
	return out
}

// TagUser adds or replaces tags of an IAM user. Returns NoSuchEntity,
// InvalidInput and LimitExceeded.
func (s *Service) TagUser(ctx context.Context, acct identity.AccountID, name string, tags []Tag) error {
	return s.update(ctx, func(tx Tx) error {
		u, err := getUser(ctx, tx, acct, name)
		if err != nil {
			return err
		}
		if u.Tags, err = applyTags(u.Tags, tags); err != nil {
			return err
		}
		return tx.PutUser(ctx, u)
	})
}

// UntagUser removes tags of an IAM user by key. Returns NoSuchEntity.
func (s *Service) UntagUser(ctx context.Context, acct identity.AccountID, name string, keys []string) error {
	return s.update(ctx, func(tx Tx) error {
		u, err := getUser(ctx, tx, acct, name)
		if err != nil {
			return err
		}
		u.Tags = removeTags(u.Tags, keys)
		return tx.PutUser(ctx, u)
	})
}

// TagRole adds or replaces tags of a role. Returns NoSuchEntity,
// InvalidInput and LimitExceeded.
func (s *Service) TagRole(ctx context.Context, acct identity.AccountID, name string, tags []Tag) error {
	return s.update(ctx, func(tx Tx) error {
		r, err := getRole(ctx, tx, acct, name)
		if err != nil {
			return err
		}
		if r.Tags, err = applyTags(r.Tags, tags); err != nil {
			return err
		}
		return tx.PutRole(ctx, r)
	})
}

// UntagRole removes tags of a role by key. Returns NoSuchEntity.
func (s *Service) UntagRole(ctx context.Context, acct identity.AccountID, name string, keys []string) error {
	return s.update(ctx, func(tx Tx) error {
		r, err := getRole(ctx, tx, acct, name)
		if err != nil {
			return err
		}
		r.Tags = removeTags(r.Tags, keys)
		return tx.PutRole(ctx, r)
	})
}

// TagMFADevice adds or replaces tags of a virtual MFA device. Returns
// NoSuchEntity, InvalidInput and LimitExceeded.
func (s *Service) TagMFADevice(ctx context.Context, acct identity.AccountID, serial string, tags []Tag) error {
	return s.update(ctx, func(tx Tx) error {
		d, err := findDevice(ctx, tx, acct, serial)
		if err != nil {
			return err
		}
		if d.Tags, err = applyTags(d.Tags, tags); err != nil {
			return err
		}
		return tx.PutMFADevice(ctx, d)
	})
}

// UntagMFADevice removes tags of a virtual MFA device by key. Returns
// NoSuchEntity.
func (s *Service) UntagMFADevice(ctx context.Context, acct identity.AccountID, serial string, keys []string) error {
	return s.update(ctx, func(tx Tx) error {
		d, err := findDevice(ctx, tx, acct, serial)
		if err != nil {
			return err
		}
		d.Tags = removeTags(d.Tags, keys)
		return tx.PutMFADevice(ctx, d)
	})
}
