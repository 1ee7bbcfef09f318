package accountapi

import (
	"context"

	"github.com/accountplane/accountplane/internal/identity"
)

// Check authorizes one call after its input is validated: the operation's
// IAM action on the target account (zero: the caller's own) with the
// operation's service condition keys (account:TargetRegion,
// account:AlternateContactTypes).
type Check func(ctx context.Context, action string, target identity.AccountID, conditions map[string][]string) error

type checkKey struct{}

// WithCheck returns ctx carrying the check every operation invoked with it
// runs. Without one, operations run unchecked (unit tests).
func WithCheck(ctx context.Context, c Check) context.Context {
	return context.WithValue(ctx, checkKey{}, c)
}

func checkFrom(ctx context.Context) Check {
	c, _ := ctx.Value(checkKey{}).(Check)
	return c
}

// targeted is implemented by inputs with an AccountId member.
type targeted interface{ accountID() *string }

// conditioned is implemented by inputs that carry service condition keys.
type conditioned interface{ conditions() map[string][]string }

func authorize(ctx context.Context, action string, in any) error {
	c := checkFrom(ctx)
	if c == nil {
		return nil
	}
	var target identity.AccountID
	if t, ok := in.(targeted); ok {
		if id := t.accountID(); id != nil && *id != "" {
			target = identity.AccountID(*id)
		}
	}
	var conds map[string][]string
	if cd, ok := in.(conditioned); ok {
		conds = cd.conditions()
	}
	return c(ctx, action, target, conds)
}

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
func (in *getAlternateContactInput) conditions() map[string][]string {
	return map[string][]string{"account:AlternateContactTypes": {*in.AlternateContactType}}
}
func (in *putAlternateContactInput) conditions() map[string][]string {
	return map[string][]string{"account:AlternateContactTypes": {*in.AlternateContactType}}
}
func (in *deleteAlternateContactInput) conditions() map[string][]string {
	return map[string][]string{"account:AlternateContactTypes": {*in.AlternateContactType}}
}
func (in *regionInput) conditions() map[string][]string {
	return map[string][]string{"account:TargetRegion": {*in.RegionName}}
}
