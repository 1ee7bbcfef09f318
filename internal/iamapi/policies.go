package iamapi

import (
	"context"
	"strconv"

	"github.com/accountplane/accountplane/internal/iam"
)

type policyResult struct {
	Policy wPolicy `xml:"Policy"`
}

type listPoliciesResult struct {
	Policies    members[wPolicy] `xml:"Policies"`
	IsTruncated bool             `xml:"IsTruncated"`
	Marker      string           `xml:"Marker,omitempty"`
}

type policyVersionResult struct {
	PolicyVersion wPolicyVersion `xml:"PolicyVersion"`
}

type listPolicyVersionsResult struct {
	Versions    members[wPolicyVersion] `xml:"Versions"`
	IsTruncated bool                    `xml:"IsTruncated"`
	Marker      string                  `xml:"Marker,omitempty"`
}

func (a *api) createPolicy(ctx context.Context, c *call) (any, error) {
	in := iam.CreatePolicyInput{
		Name:        c.in.str("PolicyName", shPolicyName, true),
		Path:        c.in.str("Path", shPolicyPath, false),
		Document:    c.in.str("PolicyDocument", shPolicyDocument, true),
		Description: c.in.str("Description", shPolicyDesc, false),
		Tags:        c.in.tags("Tags"),
	}
	if err := c.in.err(); err != nil {
		return nil, err
	}
	p, err := a.svc.CreatePolicy(ctx, c.acct, in)
	if err != nil {
		return nil, err
	}
	w := managedPolicy(p, true)
	w.Description = "" // CreatePolicy does not echo it
	return policyResult{Policy: w}, nil
}

func (a *api) getPolicy(ctx context.Context, c *call) (any, error) {
	arn := c.in.str("PolicyArn", shARN, true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	p, err := a.svc.Policy(ctx, c.acct, arn)
	if err != nil {
		return nil, err
	}
	return policyResult{Policy: managedPolicy(p, true)}, nil
}

func (a *api) listPolicies(ctx context.Context, c *call) (any, error) {
	in := iam.ListPoliciesInput{
		Scope:        c.in.str("Scope", shScope, false),
		OnlyAttached: c.in.boolean("OnlyAttached"),
		PathPrefix:   c.in.str("PathPrefix", shPolicyPath, false),
		UsageFilter:  c.in.str("PolicyUsageFilter", shUsage, false),
	}
	marker, maxItems := c.paging()
	if err := c.in.err(); err != nil {
		return nil, err
	}
	all, err := a.svc.Policies(ctx, c.acct, in)
	if err != nil {
		return nil, err
	}
	pg, more, next, err := page(a, c, "ListPolicies", all, marker, maxItems, in.Scope, strconv.FormatBool(in.OnlyAttached), in.PathPrefix, in.UsageFilter)
	if err != nil {
		return nil, err
	}
	out := make([]wPolicy, len(pg))
	for i := range pg {
		out[i] = managedPolicy(&pg[i], false)
	}
	return listPoliciesResult{Policies: list(out), IsTruncated: more, Marker: next}, nil
}

func (a *api) deletePolicy(ctx context.Context, c *call) (any, error) {
	arn := c.in.str("PolicyArn", shARN, true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	return nil, a.svc.DeletePolicy(ctx, c.acct, arn)
}

func (a *api) createPolicyVersion(ctx context.Context, c *call) (any, error) {
	arn := c.in.str("PolicyArn", shARN, true)
	doc := c.in.str("PolicyDocument", shPolicyDocument, true)
	setDefault := c.in.boolean("SetAsDefault")
	if err := c.in.err(); err != nil {
		return nil, err
	}
	v, err := a.svc.CreatePolicyVersion(ctx, c.acct, arn, doc, setDefault)
	if err != nil {
		return nil, err
	}
	return policyVersionResult{PolicyVersion: wPolicyVersion{VersionID: v.ID, IsDefaultVersion: setDefault, CreateDate: ts(v.CreatedAt)}}, nil
}

func (a *api) getPolicyVersion(ctx context.Context, c *call) (any, error) {
	arn := c.in.str("PolicyArn", shARN, true)
	id := c.in.str("VersionId", shVersionID, true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	v, isDefault, err := a.svc.PolicyVersion(ctx, c.acct, arn, id)
	if err != nil {
		return nil, err
	}
	return policyVersionResult{PolicyVersion: wPolicyVersion{
		Document: encodeDocument(v.Document), VersionID: v.ID, IsDefaultVersion: isDefault, CreateDate: ts(v.CreatedAt),
	}}, nil
}

func (a *api) listPolicyVersions(ctx context.Context, c *call) (any, error) {
	arn := c.in.str("PolicyArn", shARN, true)
	marker, maxItems := c.paging()
	if err := c.in.err(); err != nil {
		return nil, err
	}
	vs, def, err := a.svc.PolicyVersions(ctx, c.acct, arn)
	if err != nil {
		return nil, err
	}
	pg, more, next, err := page(a, c, "ListPolicyVersions", vs, marker, maxItems, arn)
	if err != nil {
		return nil, err
	}
	out := make([]wPolicyVersion, len(pg))
	for i, v := range pg {
		out[i] = wPolicyVersion{VersionID: v.ID, IsDefaultVersion: v.ID == def, CreateDate: ts(v.CreatedAt)}
	}
	return listPolicyVersionsResult{Versions: list(out), IsTruncated: more, Marker: next}, nil
}

func (a *api) deletePolicyVersion(ctx context.Context, c *call) (any, error) {
	arn := c.in.str("PolicyArn", shARN, true)
	id := c.in.str("VersionId", shVersionID, true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	return nil, a.svc.DeletePolicyVersion(ctx, c.acct, arn, id)
}

func (a *api) setDefaultPolicyVersion(ctx context.Context, c *call) (any, error) {
	arn := c.in.str("PolicyArn", shARN, true)
	id := c.in.str("VersionId", shVersionID, true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	return nil, a.svc.SetDefaultPolicyVersion(ctx, c.acct, arn, id)
}

// Account: aliases and summary.

type listAccountAliasesResult struct {
	AccountAliases members[string] `xml:"AccountAliases"`
	IsTruncated    bool            `xml:"IsTruncated"`
	Marker         string          `xml:"Marker,omitempty"`
}

type accountSummaryResult struct {
	SummaryMap wSummaryMap `xml:"SummaryMap"`
}

func (a *api) createAccountAlias(ctx context.Context, c *call) (any, error) {
	alias := c.in.str("AccountAlias", shAccountAlias, true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	return nil, a.svc.CreateAccountAlias(ctx, c.acct, alias)
}

func (a *api) deleteAccountAlias(ctx context.Context, c *call) (any, error) {
	alias := c.in.str("AccountAlias", shAccountAlias, true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	return nil, a.svc.DeleteAccountAlias(ctx, c.acct, alias)
}

func (a *api) listAccountAliases(ctx context.Context, c *call) (any, error) {
	marker, maxItems := c.paging()
	if err := c.in.err(); err != nil {
		return nil, err
	}
	all, err := a.svc.AccountAliases(ctx, c.acct)
	if err != nil {
		return nil, err
	}
	pg, more, next, err := page(a, c, "ListAccountAliases", all, marker, maxItems)
	if err != nil {
		return nil, err
	}
	return listAccountAliasesResult{AccountAliases: list(pg), IsTruncated: more, Marker: next}, nil
}

func (a *api) getAccountSummary(ctx context.Context, c *call) (any, error) {
	if err := c.in.err(); err != nil {
		return nil, err
	}
	m, err := a.svc.AccountSummary(ctx, c.acct)
	if err != nil {
		return nil, err
	}
	return accountSummaryResult{SummaryMap: summaryMap(m)}, nil
}
