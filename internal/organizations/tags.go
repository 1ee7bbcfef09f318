package organizations

import (
	"context"
	"errors"
	"sort"

	"github.com/accountplane/accountplane/internal/identity"
)

// maxTags is how many tags a resource may carry.
const maxTags = 50

// checkTags rejects duplicate keys and too many tags.
func (s *Service) checkTags(tags []Tag) error {
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		if seen[t.Key] {
			return InvalidInput(InputReasonDuplicateTagKey, "Duplicate tag key: "+t.Key)
		}
		seen[t.Key] = true
	}
	if len(tags) > maxTags {
		return constraint(ReasonMaxTagLimitExceeded, "You have exceeded the number of tags allowed on this resource.")
	}
	return nil
}

// resolveTaggable checks that resource is a root, OU, account, policy or
// the delegation policy of org.
func (s *Service) resolveTaggable(ctx context.Context, tx Tx, org *Organization, resource string) error {
	if IsResourcePolicyID(resource) {
		rp, err := tx.ResourcePolicy(ctx, org.ID)
		if errors.Is(err, ErrNotFound) || (err == nil && string(rp.ID) != resource) {
			return errTargetNotFound()
		}
		return err
	}
	if IsPolicyID(resource) {
		p, err := loadPolicy(ctx, tx, org.ID, PolicyID(resource))
		if err != nil {
			return errTargetNotFound()
		}
		if p.AWSManaged {
			return InvalidInput(InputReasonTargetNotSupported, "You can't tag an AWS managed policy.")
		}
		return nil
	}
	_, err := s.resolveTarget(ctx, tx, org, resource)
	return err
}

// TagResource adds or replaces tags on a resource.
func (s *Service) TagResource(ctx context.Context, caller identity.Principal, resource string, tags []Tag) error {
	return s.store.Update(ctx, func(tx Tx) error {
		sc, err := s.delegableScope(ctx, tx, caller, ask("TagResource", resource).withTags(tags))
		if err != nil {
			return err
		}
		if err := s.resolveTaggable(ctx, tx, sc.org, resource); err != nil {
			return err
		}
		if err := s.checkTags(tags); err != nil {
			return err
		}
		cur, err := tx.Tags(ctx, sc.org.ID, resource)
		if err != nil {
			return err
		}
		m := make(map[string]string, len(cur)+len(tags))
		for _, t := range cur {
			m[t.Key] = t.Value
		}
		for _, t := range tags {
			m[t.Key] = t.Value
		}
		if len(m) > maxTags {
			return constraint(ReasonMaxTagLimitExceeded, "You have exceeded the number of tags allowed on this resource.")
		}
		return tx.PutTags(ctx, sc.org.ID, resource, sortedTags(m))
	})
}

// UntagResource removes tag keys from a resource.
func (s *Service) UntagResource(ctx context.Context, caller identity.Principal, resource string, keys []string) error {
	return s.store.Update(ctx, func(tx Tx) error {
		sc, err := s.delegableScope(ctx, tx, caller, ask("UntagResource", resource).with(keyTagKeys, keys...))
		if err != nil {
			return err
		}
		if err := s.resolveTaggable(ctx, tx, sc.org, resource); err != nil {
			return err
		}
		cur, err := tx.Tags(ctx, sc.org.ID, resource)
		if err != nil {
			return err
		}
		m := make(map[string]string, len(cur))
		for _, t := range cur {
			m[t.Key] = t.Value
		}
		for _, k := range keys {
			delete(m, k)
		}
		return tx.PutTags(ctx, sc.org.ID, resource, sortedTags(m))
	})
}

// ListTags returns a resource's tags sorted by key.
func (s *Service) ListTags(ctx context.Context, caller identity.Principal, resource string) ([]Tag, error) {
	var out []Tag
	err := s.store.View(ctx, func(tx Tx) error {
		sc, err := s.readScope(ctx, tx, caller, ask("ListTagsForResource", resource))
		if err != nil {
			return err
		}
		if err := s.resolveTaggable(ctx, tx, sc.org, resource); err != nil {
			return err
		}
		out, err = tx.Tags(ctx, sc.org.ID, resource)
		return err
	})
	return out, err
}

func sortedTags(m map[string]string) []Tag {
	out := make([]Tag, 0, len(m))
	for k, v := range m {
		out = append(out, Tag{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
