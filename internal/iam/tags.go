package iam

import (
	"context"
	"regexp"
	"sync"

	"github.com/accountplane/accountplane/internal/identity"
)

// reEntityARN matches the ARN of an IAM user or role, with or without a
// path: account, type, name.
var reEntityARN = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^arn:aws:iam::(\d{12}):(user|role)/(?:[\x21-\x7e]*/)?([\w+=,.@-]{1,64})$`)
})

// ResourceTags returns the tags of the IAM user or role that arn names
// (for aws:ResourceTag/<key>), looked up by account and name (the path in
// the ARN is not checked) in one read. It returns nil, with no error, when
// arn names no user or role, or one that does not exist.
func (s *Service) ResourceTags(ctx context.Context, arn string) ([]Tag, error) {
	m := reEntityARN().FindStringSubmatch(arn)
	if m == nil {
		return nil, nil
	}
	acct, typ, name := identity.AccountID(m[1]), m[2], m[3]
	var tags []Tag
	err := s.view(ctx, func(tx Tx) error {
		if typ == "user" {
			u, err := tx.User(ctx, acct, name)
			if err == nil {
				tags = u.Tags
			}
			return err
		}
		r, err := tx.Role(ctx, acct, name)
		if err == nil {
			tags = r.Tags
		}
		return err
	})
	if notFound(err) {
		return nil, nil
	}
	return tags, err
}

// RequestTagContext returns the condition keys of the tags a request
// passes: aws:RequestTag/<key> with each tag's value, and aws:TagKeys
// listing the keys in request order; nil when it passes none.
func RequestTagContext(tags []Tag) map[string][]string {
	if len(tags) == 0 {
		return nil
	}
	c := make(map[string][]string, len(tags)+1)
	keys := make([]string, 0, len(tags))
	for _, t := range tags {
		c["aws:RequestTag/"+t.Key] = []string{t.Value}
		keys = append(keys, t.Key)
	}
	c["aws:TagKeys"] = keys
	return c
}
