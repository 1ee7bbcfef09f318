package account

import (
	"context"
	"errors"
)

func errNoAlternateContact() error {
	// Verified against AWS: the message real accounts return for a type that is not set.
	return notFound("No contact of the inputted alternate contact type found.")
}

// AlternateContact returns the contact of type typ (GetAlternateContact).
// Returns ResourceNotFoundException if none is set.
func (s *Service) AlternateContact(ctx context.Context, t Target, typ AlternateContactType) (*AlternateContact, error) {
	if !typ.Valid() {
		return nil, errContactType()
	}
	id, err := s.resolve(ctx, t, "GetAlternateContact")
	if err != nil {
		return nil, err
	}
	c, err := view(ctx, s, readKey{"alternate-contact", id, string(typ)}, func(tx Tx) (AlternateContact, error) {
		if _, err := loadAccount(ctx, tx, id); err != nil {
			return AlternateContact{}, err
		}
		c, err := tx.AlternateContact(ctx, id, typ)
		if errors.Is(err, ErrNotFound) {
			return AlternateContact{}, errNoAlternateContact()
		} else if err != nil {
			return AlternateContact{}, err
		}
		return *c, nil
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// PutAlternateContact adds or replaces the contact of c.Type.
func (s *Service) PutAlternateContact(ctx context.Context, t Target, c AlternateContact) error {
	if !c.Type.Valid() {
		return errContactType()
	}
	id, err := s.resolve(ctx, t, "PutAlternateContact")
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		if _, err := s.loadWritable(ctx, tx, t, id, "PutAlternateContact"); err != nil {
			return err
		}
		return tx.PutAlternateContact(ctx, id, &c)
	})
}

// DeleteAlternateContact removes the contact of type typ. Returns
// ResourceNotFoundException if none is set (so a second delete fails).
func (s *Service) DeleteAlternateContact(ctx context.Context, t Target, typ AlternateContactType) error {
	if !typ.Valid() {
		return errContactType()
	}
	id, err := s.resolve(ctx, t, "DeleteAlternateContact")
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		if _, err := s.loadWritable(ctx, tx, t, id, "DeleteAlternateContact"); err != nil {
			return err
		}
		err := tx.DeleteAlternateContact(ctx, id, typ)
		if errors.Is(err, ErrNotFound) {
			return errNoAlternateContact()
		}
		return err
	})
}
