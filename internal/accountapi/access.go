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
	// Sized for an account in an organization: a map that grows rehashes.
	conds := make(map[string][]string, 6)
	conds["aws:ResourceAccount"] = []string{string(id)}
	acc := operation.Access{Conditions: conds}
	orgMode := !t.AccountID.IsZero()
	if orgMode {
		acc.Target = id
	}
	if cd, ok := in.(conditioned); ok {
		for k, v := range cd.conditions() {
			acc.Conditions[k] = v
		}
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
	// ARNs are in the caller's partition (the target's: organizations
	// never span partitions).
	b := arn.In(t.Caller.Partition())
	if !inOrg {
		acc.Resources = []string{b.Account(string(id))}
		return t, acc, nil
	}
	acc.Conditions["aws:ResourceOrgID"] = []string{facts.Org}
	acc.Conditions["aws:ResourceOrgPaths"] = []string{facts.Path}
	acc.Conditions[keyAccountOrgPaths] = []string{facts.Path + string(id) + "/"}
	for k, v := range facts.Tags {
		acc.Conditions[keyAccountOrgTags+k] = []string{v}
		acc.Conditions["aws:ResourceTag/"+k] = []string{v}
	}
	if !orgMode {
		acc.Resources = []string{b.Account(string(id))}
	} else {
		acc.Resources = []string{b.MemberAccount(string(facts.Management), facts.Org, string(id))}
	}
	return t, acc, nil
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
