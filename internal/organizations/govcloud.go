package organizations

import (
	"context"
	"errors"
	"fmt"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

// CreateGovCloudAccount starts creating a member account of the caller's
// organization paired with a new standalone AWS GovCloud (US) account (in
// the aws-us-gov partition). Like [Service.CreateAccount] the request is
// IN_PROGRESS for CreateAccountDelay, then SUCCEEDED with both account ids
// (DescribeCreateAccountStatus reports GovCloudAccountId) or FAILED. The
// tags go to the commercial account; RoleName is created in both, the
// GovCloud one trusting the management account's own GovCloud account.
//
// The management account must be paired with a GovCloud account itself
// (seed field govCloudAccount, or the admin API's
// /_accountplane/accounts/{id}/govcloud): otherwise
// ConstraintViolationException MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED. A
// management account outside the commercial partition gets
// UnsupportedAPIEndpointException.
//
// TODO(fidelity): the exceptions and reasons are the model's; which one AWS
// gives an unpaired management account, and a caller outside the
// commercial partition, is not checked against AWS.
func (s *Service) CreateGovCloudAccount(ctx context.Context, caller identity.Principal, in NewAccount) (*CreateAccountStatus, error) {
	return s.createAccount(ctx, caller, in, true)
}

// ReasonMasterAccountNotGovCloudEnabled is ConstraintViolationException's
// reason for CreateGovCloudAccount by an unpaired management account.
const ReasonMasterAccountNotGovCloudEnabled = "MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED"

// checkGovCloudEnabled refuses CreateGovCloudAccount unless the management
// account is a commercial account paired with a GovCloud account.
func (s *Service) checkGovCloudEnabled(ctx context.Context, tx Tx, sc scope) error {
	mgmt, err := tx.Account(ctx, sc.org.ManagementAccount)
	if err != nil {
		return fmt.Errorf("load management account: %w", err)
	}
	if !mgmt.InPartition("") {
		return e(CodeUnsupportedAPIEndpoint, "This operation is available only in the commercial AWS partition.")
	}
	if mgmt.GovCloudAccount == "" {
		return constraint(ReasonMasterAccountNotGovCloudEnabled,
			"To complete this operation, the management account must have an associated account in the AWS GovCloud (US-West) Region.")
	}
	return nil
}

// govCloudFailure decides whether the GovCloud half of a request fails:
// GOVCLOUD_ACCOUNT_ALREADY_EXISTS when the GovCloud account's email
// (kernel.GovCloudEmail of the request's) is taken.
func (s *Service) govCloudFailure(ctx context.Context, tx Tx, email string) (string, error) {
	if _, err := tx.AccountByEmail(ctx, kernel.GovCloudEmail(email)); err == nil {
		return "GOVCLOUD_ACCOUNT_ALREADY_EXISTS", nil
	} else if !errors.Is(err, ErrNotFound) {
		return "", err
	}
	return "", nil
}

// pairGovCloud creates the GovCloud account paired with a, the new
// (already stored) commercial account of st, and links them.
func (s *Service) pairGovCloud(ctx context.Context, tx Tx, a *kernel.Account, st *CreateAccountStatus) error {
	id, err := s.newAccountID(ctx, tx)
	if err != nil {
		return err
	}
	if err := tx.PutAccount(ctx, a.GovCloudPair(id, a.CreatedAt)); err != nil {
		return err
	}
	a.GovCloudAccount, st.GovCloudAccount = id, id
	return tx.PutAccount(ctx, a)
}

// samePartition returns HandshakeNotFoundException unless accounts a and b
// are in the same partition: an invitation by email from another
// partition is not there for a to see.
func samePartition(ctx context.Context, tx Tx, a, b identity.AccountID) error {
	x, err := tx.Account(ctx, a)
	if err != nil {
		return err
	}
	y, err := tx.Account(ctx, b)
	if err != nil {
		return err
	}
	if !x.InPartition(y.Partition) {
		return errHandshakeNotFound()
	}
	return nil
}
