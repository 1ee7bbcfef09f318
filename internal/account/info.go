package account

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/accountplane/accountplane/internal/identity"
)

// Information returns the target account's record (GetAccountInformation).
// Returns AccessDeniedException if the caller may not reach the account.
func (s *Service) Information(ctx context.Context, t Target) (*Account, error) {
	id, err := s.resolve(ctx, t, "GetAccountInformation")
	if err != nil {
		return nil, err
	}
	a, err := s.cachedAccount(ctx, id)
	if err == nil {
		a.State = s.stateOf(a)
	}
	return a, err
}

// Rename sets the account name (PutAccountName).
// Returns AccessDeniedException if the caller may not reach the account.
func (s *Service) Rename(ctx context.Context, t Target, name string) error {
	id, err := s.resolve(ctx, t, "PutAccountName")
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		a, err := s.loadWritable(ctx, tx, t, id, "PutAccountName")
		if err != nil {
			return err
		}
		a.Name = name
		return tx.PutAccount(ctx, a)
	})
}

// EnsureSignUp creates the account described by u, complete as a real sign-up
// leaves it (contact information, verified phone, payment method), unless an
// account with that id already exists. It never overwrites existing state.
// It reports whether it created the account, and returns an error wrapping
// ErrEmailInUse if another account has u.Email (case-insensitively). The
// email check and the insert are one transaction, so of two concurrent
// sign-ups with one address exactly one succeeds.
func (s *Service) EnsureSignUp(ctx context.Context, u SignUp) (bool, error) {
	created := false
	err := s.store.Update(ctx, func(tx Tx) error {
		_, err := tx.Account(ctx, u.ID)
		if err == nil {
			return nil
		}
		if !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("load account %s: %w", u.ID, err)
		}
		if other, err := tx.AccountByEmail(ctx, u.Email); err == nil {
			return fmt.Errorf("sign up %s: email %s already belongs to account %s: %w", u.ID, u.Email, other.ID, ErrEmailInUse)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		a := &Account{
			ID: u.ID, Name: u.Name, Email: u.Email, State: StateActive, CreatedAt: s.now(),
			PaymentMethod: u.PaymentMethod == nil || *u.PaymentMethod, Seller: u.Seller, Origin: OriginSignUp,
			Partition: u.Partition,
		}
		if err := tx.PutAccount(ctx, a); err != nil {
			return err
		}
		c := u.Contact
		if c == nil {
			c = &ContactInformation{
				FullName: strings.TrimSpace(truncate(u.Name, 50)), AddressLine1: "410 Terry Ave N",
				City: "Seattle", StateOrRegion: "WA", PostalCode: "98109", CountryCode: "US",
				PhoneNumber: "+12065550100",
			}
		}
		if err := tx.PutContactInformation(ctx, u.ID, c); err != nil {
			return err
		}
		if err := tx.PutPhoneVerification(ctx, u.ID, &PhoneVerification{Status: PhoneVerified}); err != nil {
			return err
		}
		created = true
		return nil
	})
	return created, err
}

// SetPaymentMethod records whether account id has a payment method on file
// (the emulator's admin control; AWS has no API for it). It returns an
// error wrapping ErrNotFound if the account does not exist.
func (s *Service) SetPaymentMethod(ctx context.Context, id identity.AccountID, on bool) error {
	return s.store.Update(ctx, func(tx Tx) error {
		a, err := tx.Account(ctx, id)
		if err != nil {
			return fmt.Errorf("load account %s: %w", id, err)
		}
		a.PaymentMethod = on
		return tx.PutAccount(ctx, a)
	})
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
