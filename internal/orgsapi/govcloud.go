package orgsapi

import (
	"context"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/organizations"
)

// CreateGovCloudAccount has CreateAccount's input shape and answers the
// same CreateAccountStatus, with GovCloudAccountId once it succeeded.
//
// TODO(fidelity): IamUserAccessToBilling is validated and dropped, as for
// CreateAccount.
func (a *api) createGovCloudAccount(ctx context.Context, p identity.Principal, in *createAccountInput) (*createAccountStatusOutput, error) {
	st, err := a.svc.CreateGovCloudAccount(ctx, p, organizations.NewAccount{
		Name: *in.AccountName, Email: *in.Email, RoleName: str(in.RoleName), Tags: domainTags(in.Tags),
	})
	if err != nil {
		return nil, err
	}
	return &createAccountStatusOutput{CreateAccountStatus: a.createAccountStatusOut(st)}, nil
}
