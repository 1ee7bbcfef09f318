package orgsapi

import (
	"context"
	"encoding/json"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
)

// shapeEffectivePolicyType is the model's EffectivePolicyType: the
// management policy types (no SCP, no RCP).
var shapeEffectivePolicyType = enumShape(organizations.InputReasonInvalidEnumPolicyType, effectivePolicyTypeNames()...)

func effectivePolicyTypeNames() []string {
	var out []string
	for _, t := range organizations.PolicyTypes {
		if t.Management() {
			out = append(out, string(t))
		}
	}
	return out
}

type describeEffectivePolicyInput struct {
	PolicyType *string
	TargetId   *string
}

func (in *describeEffectivePolicyInput) validate(c *check) {
	c.str(in.PolicyType, required, shapeEffectivePolicyType)
	c.str(in.TargetId, optional, shapePolicyTargetID)
}

// describeEffectivePolicyAccess: the target account when named (the
// caller's own otherwise, "*"), with organizations:PolicyType.
func describeEffectivePolicyAccess(in *describeEffectivePolicyInput) access {
	if in.TargetId == nil || *in.TargetId == "" {
		return on().with(keyPolicyType, *in.PolicyType)
	}
	return on(target(in.TargetId)).with(keyPolicyType, *in.PolicyType)
}

type effectivePolicyWire struct {
	PolicyContent        string      `json:"PolicyContent"`
	LastUpdatedTimestamp json.Number `json:"LastUpdatedTimestamp,omitempty"`
	TargetId             string      `json:"TargetId"`
	PolicyType           string      `json:"PolicyType"`
}

type describeEffectivePolicyOutput struct {
	EffectivePolicy effectivePolicyWire `json:"EffectivePolicy"`
}

func (a *api) describeEffectivePolicy(ctx context.Context, p identity.Principal, in *describeEffectivePolicyInput) (*describeEffectivePolicyOutput, error) {
	eff, err := a.svc.DescribeEffectivePolicy(ctx, p, organizations.PolicyType(*in.PolicyType), str(in.TargetId))
	if err != nil {
		return nil, err
	}
	return &describeEffectivePolicyOutput{EffectivePolicy: effectivePolicyWire{
		PolicyContent: eff.Content, LastUpdatedTimestamp: epochSeconds(eff.LastUpdated),
		TargetId: string(eff.Target), PolicyType: string(eff.Type),
	}}, nil
}

type listAccountsWithInvalidEffectivePolicyInput struct {
	PolicyType *string
	NextToken  *string
	MaxResults *int32
}

func (in *listAccountsWithInvalidEffectivePolicyInput) validate(c *check) {
	c.str(in.PolicyType, required, shapeEffectivePolicyType)
	c.paging(in.NextToken, in.MaxResults)
}

// listAccountsWithInvalidEffectivePolicyAccess: no resource type, with
// organizations:PolicyType.
func listAccountsWithInvalidEffectivePolicyAccess(in *listAccountsWithInvalidEffectivePolicyInput) access {
	return on().with(keyPolicyType, *in.PolicyType)
}

type listAccountsWithInvalidEffectivePolicyOutput struct {
	Accounts   []accountWire `json:"Accounts"`
	PolicyType string        `json:"PolicyType"`
	NextToken  *string       `json:"NextToken,omitempty"`
}

func (a *api) listAccountsWithInvalidEffectivePolicy(ctx context.Context, p identity.Principal, in *listAccountsWithInvalidEffectivePolicyInput) (*listAccountsWithInvalidEffectivePolicyOutput, error) {
	pg, err := a.pager(p, "ListAccountsWithInvalidEffectivePolicy", in.NextToken, in.MaxResults, *in.PolicyType)
	if err != nil {
		return nil, err
	}
	all, err := a.svc.ListAccountsWithInvalidEffectivePolicy(ctx, p, organizations.PolicyType(*in.PolicyType))
	if err != nil {
		return nil, err
	}
	out := &listAccountsWithInvalidEffectivePolicyOutput{PolicyType: *in.PolicyType}
	out.Accounts, out.NextToken = mapPage(pg, all, accountOut)
	return out, nil
}

// listEffectivePolicyValidationErrorsAccess: the account, with
// organizations:PolicyType.
func listEffectivePolicyValidationErrorsAccess(in *listEffectivePolicyValidationErrorsInput) access {
	return on(account(in.AccountId)).with(keyPolicyType, *in.PolicyType)
}

type listEffectivePolicyValidationErrorsInput struct {
	AccountId  *string
	PolicyType *string
	NextToken  *string
	MaxResults *int32
}

func (in *listEffectivePolicyValidationErrorsInput) validate(c *check) {
	c.str(in.AccountId, required, shapeAccountID)
	c.str(in.PolicyType, required, shapeEffectivePolicyType)
	c.paging(in.NextToken, in.MaxResults)
}

type effectivePolicyValidationErrorWire struct {
	ErrorCode            string   `json:"ErrorCode"`
	ErrorMessage         string   `json:"ErrorMessage"`
	PathToError          string   `json:"PathToError"`
	ContributingPolicies []string `json:"ContributingPolicies"`
}

type listEffectivePolicyValidationErrorsOutput struct {
	AccountId                       string                               `json:"AccountId"`
	PolicyType                      string                               `json:"PolicyType"`
	Path                            string                               `json:"Path"`
	EvaluationTimestamp             json.Number                          `json:"EvaluationTimestamp,omitempty"`
	NextToken                       *string                              `json:"NextToken,omitempty"`
	EffectivePolicyValidationErrors []effectivePolicyValidationErrorWire `json:"EffectivePolicyValidationErrors"`
}

func (a *api) listEffectivePolicyValidationErrors(ctx context.Context, p identity.Principal, in *listEffectivePolicyValidationErrorsInput) (*listEffectivePolicyValidationErrorsOutput, error) {
	pg, err := a.pager(p, "ListEffectivePolicyValidationErrors", in.NextToken, in.MaxResults, *in.AccountId, *in.PolicyType)
	if err != nil {
		return nil, err
	}
	r, err := a.svc.ListEffectivePolicyValidationErrors(ctx, p, identity.AccountID(*in.AccountId), organizations.PolicyType(*in.PolicyType))
	if err != nil {
		return nil, err
	}
	out := &listEffectivePolicyValidationErrorsOutput{
		AccountId: string(r.Account), PolicyType: string(r.Type), Path: r.Path, EvaluationTimestamp: epochSeconds(r.EvaluatedAt),
	}
	out.EffectivePolicyValidationErrors, out.NextToken = mapPage(pg, r.Errors, func(e *organizations.PolicyValidationError) effectivePolicyValidationErrorWire {
		ids := make([]string, len(e.Policies))
		for i, id := range e.Policies {
			ids[i] = string(id)
		}
		return effectivePolicyValidationErrorWire{ErrorCode: e.Code, ErrorMessage: e.Message, PathToError: e.Path, ContributingPolicies: ids}
	})
	return out, nil
}
