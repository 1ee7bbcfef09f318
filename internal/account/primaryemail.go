package account

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
)

func errNoEmailUpdate() error {
	return notFound("No primary email update was started for this account.")
}

// PrimaryEmail returns the target account's primary email (GetPrimaryEmail).
func (s *Service) PrimaryEmail(ctx context.Context, t Target) (string, error) {
	a, err := s.loadTarget(ctx, t, "GetPrimaryEmail")
	if err != nil {
		return "", err
	}
	return a.Email, nil
}

func (s *Service) loadTarget(ctx context.Context, t Target, action string) (*Account, error) {
	id, err := s.resolve(ctx, t, action)
	if err != nil {
		return nil, err
	}
	return s.cachedAccount(ctx, id)
}

// cachedAccount returns a copy of the account record id, from memory if
// nothing was committed since it was last read.
func (s *Service) cachedAccount(ctx context.Context, id identity.AccountID) (*Account, error) {
	a, err := view(ctx, s, readKey{"account", id, ""}, func(tx Tx) (Account, error) {
		a, err := loadAccount(ctx, tx, id)
		if err != nil {
			return Account{}, err
		}
		return *a, nil
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// emailInUse reports ConflictException if email belongs to another account.
func emailInUse(ctx context.Context, tx Tx, self *Account, email string) error {
	other, err := tx.AccountByEmail(ctx, email)
	if errors.Is(err, ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if other.ID == self.ID {
		return conflict("The new primary email address is the same as the current one.")
	}
	return conflict("The email address is already in use by another AWS account.")
}

// StartEmailUpdate starts changing the primary email to email: a one-time
// code is "emailed" to the new address (the outbox) and PENDING returned.
// A new start replaces the previous code. Returns ConflictException if the
// address is already used by an account.
func (s *Service) StartEmailUpdate(ctx context.Context, t Target, email string) (EmailUpdateStatus, error) {
	id, err := s.resolve(ctx, t, "StartPrimaryEmailUpdate")
	if err != nil {
		return "", err
	}
	code, err := s.newCode()
	if err != nil {
		return "", err
	}
	msgID, err := s.newID()
	if err != nil {
		return "", err
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		a, err := s.loadWritable(ctx, tx, t, id, "StartPrimaryEmailUpdate")
		if err != nil {
			return err
		}
		if err := emailInUse(ctx, tx, a, email); err != nil {
			return err
		}
		now := s.now()
		u := &EmailUpdate{NewEmail: email, Code: code, ExpiresAt: now.Add(s.opts.CodeTTL), Status: EmailUpdatePending, UpdatedAt: now}
		if err := tx.PutEmailUpdate(ctx, id, u); err != nil {
			return err
		}
		return tx.AddMessage(ctx, &Message{
			ID: msgID, Time: now, Account: string(id), To: email,
			Subject: "Verify your new AWS account email address",
			Body: fmt.Sprintf("To confirm the new primary email address of AWS account %s, enter this code: %s. It expires in %s.",
				id, code, s.opts.CodeTTL),
			Code: code,
		})
	})
	if err != nil {
		return "", err
	}
	return EmailUpdatePending, nil
}

// AcceptEmailUpdate completes the update started by StartEmailUpdate and
// returns ACCEPTED. Returns ResourceNotFoundException if nothing is pending,
// ValidationException for a wrong or expired code or an address that differs
// from the started one, and ConflictException if the address was taken since.
func (s *Service) AcceptEmailUpdate(ctx context.Context, t Target, email, code string) (EmailUpdateStatus, error) {
	id, err := s.resolve(ctx, t, "AcceptPrimaryEmailUpdate")
	if err != nil {
		return "", err
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		a, err := s.loadWritable(ctx, tx, t, id, "AcceptPrimaryEmailUpdate")
		if err != nil {
			return err
		}
		u, err := tx.EmailUpdate(ctx, id)
		if errors.Is(err, ErrNotFound) || (err == nil && u.Status != EmailUpdatePending) {
			return errNoEmailUpdate()
		} else if err != nil {
			return err
		}
		now := s.now()
		if !strings.EqualFold(u.NewEmail, email) {
			return fieldInvalid("PrimaryEmail", "The primary email address does not match the one the update was started with.")
		}
		if !equalCode(u.Code, code) || !now.Before(u.ExpiresAt) {
			return fieldInvalid("Otp", "The one-time passcode is not valid or has expired.")
		}
		if err := emailInUse(ctx, tx, a, u.NewEmail); err != nil {
			return err
		}
		a.Email = u.NewEmail
		if err := tx.PutAccount(ctx, a); err != nil {
			return err
		}
		return tx.PutEmailUpdate(ctx, id, &EmailUpdate{NewEmail: u.NewEmail, Status: EmailUpdateAccepted, UpdatedAt: now})
	})
	if err != nil {
		return "", err
	}
	return EmailUpdateAccepted, nil
}

// EmailUpdateStatus returns the status of the latest primary-email update
// and when it last changed. Returns ResourceNotFoundException if none was
// ever started.
func (s *Service) EmailUpdateStatus(ctx context.Context, t Target) (EmailUpdateStatus, time.Time, error) {
	id, err := s.resolve(ctx, t, "GetPrimaryEmailUpdateStatus")
	if err != nil {
		return "", time.Time{}, err
	}
	var u *EmailUpdate
	err = s.store.View(ctx, func(tx Tx) error {
		if _, err := loadAccount(ctx, tx, id); err != nil {
			return err
		}
		u, err = tx.EmailUpdate(ctx, id)
		if errors.Is(err, ErrNotFound) {
			return errNoEmailUpdate()
		}
		return err
	})
	if err != nil {
		return "", time.Time{}, err
	}
	return u.Status, u.UpdatedAt, nil
}

// equalCode compares one-time codes in constant time.
func equalCode(want, got string) bool {
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}
