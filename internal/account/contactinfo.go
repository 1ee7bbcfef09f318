package account

import (
	"context"
	"errors"
	"fmt"
)

func errNoContactInformation() error {
	return notFound("No contact information found for this account.")
}

// ContactInformation returns the primary contact and the verification status
// of its phone number (GetContactInformation). Returns
// ResourceNotFoundException if none is set.
func (s *Service) ContactInformation(ctx context.Context, t Target) (*ContactInformation, PhoneStatus, error) {
	id, err := s.resolve(ctx, t, "GetContactInformation")
	if err != nil {
		return nil, "", err
	}
	type contact struct {
		info   ContactInformation
		status PhoneStatus
	}
	r, err := view(ctx, s, readKey{"contact-information", id, ""}, func(tx Tx) (contact, error) {
		if _, err := loadAccount(ctx, tx, id); err != nil {
			return contact{}, err
		}
		c, err := tx.ContactInformation(ctx, id)
		if errors.Is(err, ErrNotFound) {
			return contact{}, errNoContactInformation()
		} else if err != nil {
			return contact{}, err
		}
		r := contact{info: *c, status: PhoneUnverified}
		v, err := tx.PhoneVerification(ctx, id)
		if err == nil {
			r.status = v.Status
		} else if !errors.Is(err, ErrNotFound) {
			return contact{}, err
		}
		return r, nil
	})
	if err != nil {
		return nil, "", err
	}
	return &r.info, r.status, nil
}

// PutContactInformation replaces the whole primary contact. A changed phone
// number is no longer verified.
func (s *Service) PutContactInformation(ctx context.Context, t Target, c ContactInformation) error {
	id, err := s.resolve(ctx, t, "PutContactInformation")
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		if _, err := s.loadWritable(ctx, tx, t, id, "PutContactInformation"); err != nil {
			return err
		}
		old, err := tx.ContactInformation(ctx, id)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if old == nil || old.PhoneNumber != c.PhoneNumber {
			if err := tx.PutPhoneVerification(ctx, id, &PhoneVerification{Status: PhoneUnverified}); err != nil {
				return err
			}
		}
		return tx.PutContactInformation(ctx, id, &c)
	})
}

// SendPhoneVerification texts a one-time code to the primary contact's phone
// number (into the outbox) and returns PENDING. Returns
// ResourceNotFoundException without contact information and
// ConflictException if the number is already verified.
func (s *Service) SendPhoneVerification(ctx context.Context, t Target) (PhoneStatus, error) {
	id, err := s.resolve(ctx, t, "SendPhoneNumberVerification")
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
		if _, err := s.loadWritable(ctx, tx, t, id, "SendPhoneNumberVerification"); err != nil {
			return err
		}
		c, err := tx.ContactInformation(ctx, id)
		if errors.Is(err, ErrNotFound) {
			return errNoContactInformation()
		} else if err != nil {
			return err
		}
		v, err := tx.PhoneVerification(ctx, id)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if v != nil && v.Status == PhoneVerified {
			return conflict("The phone number is already verified.")
		}
		now := s.now()
		if err := tx.PutPhoneVerification(ctx, id, &PhoneVerification{Status: PhonePending, Code: code, ExpiresAt: now.Add(s.opts.PhoneCodeTTL)}); err != nil {
			return err
		}
		return tx.AddMessage(ctx, &Message{
			ID: msgID, Time: now, Account: string(id), To: c.PhoneNumber,
			Subject: "AWS phone number verification",
			Body:    fmt.Sprintf("Your AWS verification code is %s. It expires in %s.", code, s.opts.PhoneCodeTTL),
			Code:    code,
		})
	})
	if err != nil {
		return "", err
	}
	return PhonePending, nil
}

// VerifyPhone checks code against the outstanding phone verification and
// returns VERIFIED. Returns ResourceNotFoundException without contact
// information or without a code sent, ConflictException if already verified,
// and ValidationException for a wrong or expired code.
func (s *Service) VerifyPhone(ctx context.Context, t Target, code string) (PhoneStatus, error) {
	id, err := s.resolve(ctx, t, "VerifyPhoneNumber")
	if err != nil {
		return "", err
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		if _, err := s.loadWritable(ctx, tx, t, id, "VerifyPhoneNumber"); err != nil {
			return err
		}
		if _, err := tx.ContactInformation(ctx, id); errors.Is(err, ErrNotFound) {
			return errNoContactInformation()
		} else if err != nil {
			return err
		}
		v, err := tx.PhoneVerification(ctx, id)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if v != nil && v.Status == PhoneVerified {
			return conflict("The phone number is already verified.")
		}
		if v == nil || v.Code == "" {
			return notFound("No phone number verification is in progress for this account.")
		}
		if !equalCode(v.Code, code) || !s.now().Before(v.ExpiresAt) {
			return fieldInvalid("Otp", "The one-time passcode is not valid or has expired.")
		}
		return tx.PutPhoneVerification(ctx, id, &PhoneVerification{Status: PhoneVerified})
	})
	if err != nil {
		return "", err
	}
	return PhoneVerified, nil
}
