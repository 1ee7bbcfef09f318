package account

import (
	"context"
	"errors"
	"fmt"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

// GovCloudInfo is the GovCloud (US) account paired with a commercial
// account (GetGovCloudAccountInformation).
type GovCloudInfo struct {
	Account identity.AccountID
	// State is the GovCloud account's state: PENDING_ACTIVATION until its
	// creation completes (CreateGovCloudAccount's delay), then as any
	// account's.
	State State
}

// GovCloudAccount answers GetGovCloudAccountInformation for the target
// account: the GovCloud account paired with it (by CreateGovCloudAccount,
// the seed's govCloudAccount or the admin API). Returns
// ResourceNotFoundException when it has none, and AccessDeniedException if
// the caller may not reach the account.
func (s *Service) GovCloudAccount(ctx context.Context, t Target) (*GovCloudInfo, error) {
	id, err := s.resolve(ctx, t, "GetGovCloudAccountInformation")
	if err != nil {
		return nil, err
	}
	var out *GovCloudInfo
	err = s.store.View(ctx, func(tx Tx) error {
		a, err := loadAccount(ctx, tx, id)
		if err != nil {
			return err
		}
		if a.GovCloudAccount == "" {
			return notFound("The specified account does not have a linked AWS GovCloud (US) account.")
		}
		g, err := tx.Account(ctx, a.GovCloudAccount)
		if err != nil {
			return fmt.Errorf("load GovCloud account %s of %s: %w", a.GovCloudAccount, id, err)
		}
		st := s.stateOf(g)
		if s.now().Before(g.CreatedAt) {
			st = StatePendingActivation
		}
		out = &GovCloudInfo{Account: g.ID, State: st}
		return nil
	})
	return out, err
}

// Errors of PairGovCloud and PairNewGovCloud (the admin API and the seed
// answer them; they are no AWS exceptions).
var (
	ErrNotCommercial = errors.New("account: only an account of the commercial partition has a GovCloud pair")
	ErrNotGovCloud   = errors.New("account: the account to pair is not a GovCloud (US) account")
	ErrIDTaken       = errors.New("account: an account with the new GovCloud account's id exists")
)

// PairGovCloud pairs the commercial account id with the existing GovCloud
// (US) account gov (the seed's govCloudAccount); it makes id
// "GovCloud-enabled", a management account that may call
// CreateGovCloudAccount. An account already paired keeps its pair, which
// it returns.
//
// It returns an error wrapping ErrNotFound for an unknown id or gov,
// ErrNotCommercial for an id outside the commercial partition and
// ErrNotGovCloud for a gov outside aws-us-gov. (Two accounts may name one
// GovCloud account in a seed; AWS pairs one to one.)
func (s *Service) PairGovCloud(ctx context.Context, id, gov identity.AccountID) (identity.AccountID, error) {
	got, _, err := s.pair(ctx, id, gov, false)
	return got, err
}

// PairNewGovCloud is PairGovCloud with a new GovCloud account, created
// with id gov as kernel.Account.GovCloudPair describes (the admin API's
// /_accountplane/accounts/{id}/govcloud), unless id is paired already. It
// reports whether it created the account; ErrIDTaken if an account has id
// gov, ErrEmailInUse if one has the new account's email.
func (s *Service) PairNewGovCloud(ctx context.Context, id, gov identity.AccountID) (identity.AccountID, bool, error) {
	return s.pair(ctx, id, gov, true)
}

func (s *Service) pair(ctx context.Context, id, gov identity.AccountID, create bool) (identity.AccountID, bool, error) {
	created := false
	err := s.store.Update(ctx, func(tx Tx) error {
		a, err := tx.Account(ctx, id)
		if err != nil {
			return fmt.Errorf("load account %s: %w", id, err)
		}
		if !a.InPartition("") {
			return ErrNotCommercial
		}
		if a.GovCloudAccount != "" {
			gov = a.GovCloudAccount
			return nil
		}
		g, err := tx.Account(ctx, gov)
		switch {
		case create && err == nil:
			return ErrIDTaken
		case create && errors.Is(err, ErrNotFound):
			g = a.GovCloudPair(gov, s.now())
			if other, err := tx.AccountByEmail(ctx, g.Email); err == nil {
				return fmt.Errorf("pair %s: email %s belongs to account %s: %w", id, g.Email, other.ID, ErrEmailInUse)
			} else if !errors.Is(err, ErrNotFound) {
				return err
			}
			if err := tx.PutAccount(ctx, g); err != nil {
				return err
			}
			created = true
		case err != nil:
			return fmt.Errorf("load GovCloud account %s: %w", gov, err)
		case g.Partition != kernel.PartitionGovCloud:
			return ErrNotGovCloud
		}
		a.GovCloudAccount = gov
		return tx.PutAccount(ctx, a)
	})
	return gov, created, err
}
