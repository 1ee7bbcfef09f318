package account

import (
	"context"
	"errors"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
)

// ManagementDirectory is an optional capability of a [Directory], found by
// type assertion: whether an account is the management account of its
// organization. Without it every account closes as a standalone one.
type ManagementDirectory interface {
	IsManagementAccount(ctx context.Context, id identity.AccountID) (bool, error)
}

// Close closes the caller's own account, as the root user does from the
// console's Account page (spec/behaviour.md §13.2; there is no API for
// it): the account becomes PENDING_CLOSURE, then SUSPENDED for the
// post-closure period, and a confirmation goes to the root email address
// only.
//
// Returns AccessDeniedException if the caller is not the account's root
// user, ConflictException if the account is already closed or being
// closed, and ValidationException if it is the
// management account of an organization that still has members not
// SUSPENDED (close them first).
func (s *Service) Close(ctx context.Context, caller identity.Principal) error {
	const action = "CloseAccount"
	if !caller.IsRoot() {
		return accessDenied(caller.ARN, action)
	}
	id := caller.Account
	// Only a management account's close reads its organization's members
	// (each must be SUSPENDED or gone): a member's close reads none.
	management := false
	var peers []identity.AccountID
	if md, ok := s.opts.Directory.(ManagementDirectory); ok {
		var err error
		if management, err = md.IsManagementAccount(ctx, id); err != nil {
			return err
		}
	}
	if management {
		var err error
		if peers, err = s.opts.Directory.Peers(ctx, id); err != nil {
			return err
		}
	}
	msgID, err := s.newID()
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		a, err := loadAccount(ctx, tx, id)
		if err != nil {
			return err
		}
		if !a.ClosedAt.IsZero() {
			return conflict("The account " + string(id) + " is already closed.")
		}
		if management {
			for _, p := range peers {
				if p == id {
					continue
				}
				m, err := tx.Account(ctx, p)
				if errors.Is(err, ErrNotFound) {
					continue
				} else if err != nil {
					return err
				}
				if st := s.stateOf(m); st != StateSuspended && st != StateClosed {
					return apierr.New(CodeValidation, "The management account can be closed only when every member account of its organization is SUSPENDED or removed. Account "+string(p)+" is "+string(st)+".")
				}
			}
		}
		now := s.now()
		a.ClosedAt = now
		if err := tx.PutAccount(ctx, a); err != nil {
			return err
		}
		return tx.AddMessage(ctx, &Message{
			ID: msgID, Time: now, Account: string(id), To: a.Email,
			Subject: "Your AWS account " + string(id) + " has been closed",
			Body: "The root user closed AWS account " + string(id) + ". During the 90-day post-closure period you can still sign in " +
				"to view past bills and account settings, and contact AWS Support to reopen the account.",
		})
	})
}
