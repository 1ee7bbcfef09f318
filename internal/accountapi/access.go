package accountapi

import (
	"context"
	"slices"

	"github.com/accountplane/accountplane/internal/arn"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/operation"
)

// OrgFacts are what a resource ARN and its condition keys need to know of
// an account's place in its organization.
type OrgFacts struct {
	Org        string
	Management identity.AccountID
	// Path is o-…/r-…/ou-…/ of the account's parent chain.
	Path string
	Tags map[string]string
}

// Directory gives the organization facts of accounts.
type Directory interface {
	// OrgFactsOf returns the facts of account id; ok is false if it is in
	// no organization.
	OrgFactsOf(ctx context.Context, id identity.AccountID) (f OrgFacts, ok bool, err error)
}

type standalone struct{}

func (standalone) OrgFactsOf(context.Context, identity.AccountID) (OrgFacts, bool, error) {
	return OrgFacts{}, false, nil
}

// Condition keys of the Account API (Service Authorization Reference,
// "Condition keys for AWS Account Management").
const (
	keyAlternateContactTypes = "account:AlternateContactTypes"
	keyTargetRegion          = "account:TargetRegion"
	keyAccountOrgPaths       = "account:AccountResourceOrgPaths"
	keyAccountOrgTags        = "account:AccountResourceOrgTags/"
)

// access decides which account the call acts on (the AccountId decision
// table of the domain: a caller that may not use AccountId is answered
// AccessDenied here) and names it: arn:aws:account::ID:account for the
// caller's own account, arn:aws:account::MGMT:account/o-ORG/ID in
// organization mode, with the account:AccountResource* and aws:Resource*
// keys and the operation's own keys (account:AlternateContactTypes,
// account:TargetRegion).
func (a *api) access(ctx context.Context, t account.Target, action string, in any) (account.Target, operation.Access, error) {
	t, err := a.svc.Resolve(ctx, t, action)
	if err != nil {
		return t, operation.Access{}, err
	}
	id := t.Account()
	var acc operation.Access
	orgMode := !t.AccountID.IsZero()
	if orgMode {
		acc.Target = id
	}
	if ct, ok := in.(contactTyped); ok {
		if typ := ct.contactType(); typ != nil && !slices.Contains(shapeAlternateContactType.enum, *typ) {
			acc.Refused = "You specified an invalid Alternate Contact type."
		}
	}
	facts, inOrg, err := a.dir.OrgFactsOf(ctx, id)
	if err != nil {
		return t, operation.Access{}, err
	}
	// The condition keys are made when a policy first reads them.
	acc.AddConditions = func(c map[string][]string) { addConditions(c, id, in, facts, inOrg) }
	acc.ResourceTagsGiven = inOrg && len(facts.Tags) > 0
	// ARNs are in the caller's partition (the target's: organizations
	// never span partitions).
	b := arn.In(t.Caller.Partition())
	switch {
	case !inOrg, !orgMode:
		acc.Resources = []string{b.Account(string(id))}
	default:
		acc.Resources = []string{b.MemberAccount(string(facts.Management), facts.Org, string(id))}
	}
	return t, acc, nil
}

// addConditions adds the keys of a call on account id to c: the
// account's, the input's own (account:AlternateContactTypes,
// account:TargetRegion) and, for an account in an organization, its
// organization's and tags.
func addConditions(c map[string][]string, id identity.AccountID, in any, facts OrgFacts, inOrg bool) {
	c["aws:ResourceAccount"] = []string{string(id)}
	if cd, ok := in.(conditioned); ok {
		for k, v := range cd.conditions() {
			c[k] = v
		}
	}
	if !inOrg {
		return
	}
	c["aws:ResourceOrgID"] = []string{facts.Org}
	c["aws:ResourceOrgPaths"] = []string{facts.Path}
	c[keyAccountOrgPaths] = []string{facts.Path + string(id) + "/"}
	for k, v := range facts.Tags {
		c[keyAccountOrgTags+k] = []string{v}
		c["aws:ResourceTag/"+k] = []string{v}
	}
}

// conditioned is implemented by inputs that carry service condition keys.
type conditioned interface{ conditions() map[string][]string }

// contactTyped is implemented by the alternate-contact inputs, whose type
// AWS's authorizer checks against the enum.
type contactTyped interface{ contactType() *string }

func (in *getAlternateContactInput) accountID() *string      { return in.AccountId }
func (in *putAlternateContactInput) accountID() *string      { return in.AccountId }
func (in *deleteAlternateContactInput) accountID() *string   { return in.AccountId }
func (in *getContactInformationInput) accountID() *string    { return in.AccountId }
func (in *putContactInformationInput) accountID() *string    { return in.AccountId }
func (in *phoneInput) accountID() *string                    { return in.AccountId }
func (in *verifyPhoneInput) accountID() *string              { return in.AccountId }
func (in *regionInput) accountID() *string                   { return in.AccountId }
func (in *listRegionsInput) accountID() *string              { return in.AccountId }
func (in *accountIDInput) accountID() *string                { return in.AccountId }
func (in *putAccountNameInput) accountID() *string           { return in.AccountId }
func (in *getGovCloudInput) accountID() *string              { return in.StandardAccountId }
func (in *getPrimaryEmailInput) accountID() *string          { return in.AccountId }
func (in *startPrimaryEmailUpdateInput) accountID() *string  { return in.AccountId }
func (in *acceptPrimaryEmailUpdateInput) accountID() *string { return in.AccountId }

func (in *getAlternateContactInput) contactType() *string    { return in.AlternateContactType }
func (in *putAlternateContactInput) contactType() *string    { return in.AlternateContactType }
func (in *deleteAlternateContactInput) contactType() *string { return in.AlternateContactType }

func (in *getAlternateContactInput) conditions() map[string][]string {
	return map[string][]string{keyAlternateContactTypes: {*in.AlternateContactType}}
}
func (in *putAlternateContactInput) conditions() map[string][]string {
	return map[string][]string{keyAlternateContactTypes: {*in.AlternateContactType}}
}
func (in *deleteAlternateContactInput) conditions() map[string][]string {
	return map[string][]string{keyAlternateContactTypes: {*in.AlternateContactType}}
}
func (in *regionInput) conditions() map[string][]string {
	return map[string][]string{keyTargetRegion: {*in.RegionName}}
}
