package orgsapi

import (
	"context"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
)

type tagResourceInput struct {
	ResourceId *string
	Tags       []tagInput
}

func (in *tagResourceInput) validate(c *check) {
	c.str(in.ResourceId, required, shapeTaggableID)
	c.tags(in.Tags, required)
}

func (a *api) tagResource(ctx context.Context, p identity.Principal, in *tagResourceInput) (*empty, error) {
	return nil, a.svc.TagResource(ctx, p, *in.ResourceId, domainTags(in.Tags))
}

type untagResourceInput struct {
	ResourceId *string
	TagKeys    []*string
}

func (in *untagResourceInput) validate(c *check) {
	c.str(in.ResourceId, required, shapeTaggableID)
	c.strList(in.TagKeys, required, shapeTagKey)
}

func (a *api) untagResource(ctx context.Context, p identity.Principal, in *untagResourceInput) (*empty, error) {
	keys := make([]string, len(in.TagKeys))
	for i, k := range in.TagKeys {
		keys[i] = *k
	}
	return nil, a.svc.UntagResource(ctx, p, *in.ResourceId, keys)
}

type listTagsForResourceInput struct {
	ResourceId *string
	NextToken  *string
}

func (in *listTagsForResourceInput) validate(c *check) {
	c.str(in.ResourceId, required, shapeTaggableID)
	c.paging(in.NextToken, nil)
}

type listTagsOutput struct {
	Tags      []tagWire `json:"Tags"`
	NextToken *string   `json:"NextToken,omitempty"`
}

func (a *api) listTagsForResource(ctx context.Context, p identity.Principal, in *listTagsForResourceInput) (*listTagsOutput, error) {
	pg, err := a.pager(p, "ListTagsForResource", in.NextToken, nil, *in.ResourceId)
	if err != nil {
		return nil, err
	}
	all, err := a.svc.ListTags(ctx, p, *in.ResourceId)
	if err != nil {
		return nil, err
	}
	out := &listTagsOutput{}
	out.Tags, out.NextToken = mapPage(pg, all, func(t *organizations.Tag) tagWire {
		return tagWire{Key: t.Key, Value: t.Value}
	})
	return out, nil
}
