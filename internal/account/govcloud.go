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

// Errors of PairGovCloud (the admin API answers them; they are no AWS
// exceptions).
var (
	ErrNotCommercial = errors.New("account: only an account of the commercial partition has a GovCloud pair")
	ErrNotGovCloud   = errors.New("account: the account to pair is not a GovCloud (US) account")
)

// PairGovCloud pairs the commercial account id with the GovCloud (US)
// account gov, which it creates (as kernel.Account.GovCloudPair describes)
// when no account has that id; it makes id "GovCloud-enabled", a
// management account that may call CreateGovCloudAccount. An account
// already paired keeps its pair. It returns the paired account and whether
// it created it.
//
// It returns an error wrapping ErrNotFound for an unknown id,
// ErrNotCommercial for an account outside the commercial partition,
// ErrNotGovCloud when gov exists outside aws-us-gov, and ErrEmailInUse
// when the GovCloud account's address is taken. (Two accounts may name
// one GovCloud account in a seed; AWS pairs one to one.)
func (s *Service) PairGovCloud(ctx context.Context, id, gov identity.AccountID) (identity.AccountID, bool, error) {
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
		case errors.Is(err, ErrNotFound):
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
			return err
		case g.Partition != kernel.PartitionGovCloud:
			return ErrNotGovCloud
		}
		a.GovCloudAccount = gov
		return tx.PutAccount(ctx, a)
	})
	return gov, created, err
}
