package account

import (
	"context"
	"errors"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

// ErrNotFound is returned by Tx methods when a row does not exist (the
// kernel's).
var ErrNotFound = kernel.ErrNotFound

// ErrEmailInUse is returned (wrapped) by [Service.EnsureSignUp] when another
// account already has the email address.
var ErrEmailInUse = errors.New("account: email address already in use")

// Store persists the domain. Update runs fn in one atomic, durable
// transaction: when fn returns an error nothing it wrote is kept. View runs
// fn on a consistent read-only snapshot and must not take a global lock.
type Store = kernel.Store[Tx]

// Tx is what the domain reads and writes inside one transaction. Getters
// return ErrNotFound for absent rows. Writers of a View transaction fail.
type Tx interface {
	// The event bus's transaction: Region requests record their
	// transitions and events in the request's transaction (see Events).
	kernel.BusTx
	kernel.AccountsTx
	kernel.ContactFactsTx
	kernel.OutboxTx
	ContactsTx
	RegionsTx
	EmailTx
}

// ContactsTx holds the alternate contacts and the writers of the contact
// information and its phone verification (their readers are the kernel's).
type ContactsTx interface {
	AlternateContact(ctx context.Context, id identity.AccountID, t AlternateContactType) (*AlternateContact, error)
	PutAlternateContact(ctx context.Context, id identity.AccountID, c *AlternateContact) error
	// DeleteAlternateContact returns ErrNotFound if there was none.
	DeleteAlternateContact(ctx context.Context, id identity.AccountID, t AlternateContactType) error

	PutContactInformation(ctx context.Context, id identity.AccountID, c *ContactInformation) error

	PutPhoneVerification(ctx context.Context, id identity.AccountID, v *PhoneVerification) error
}

// RegionsTx holds the accounts' Region opt-in records.
type RegionsTx interface {
	// RegionOpts returns every opt record of the account, sorted by Region.
	RegionOpts(ctx context.Context, id identity.AccountID) ([]RegionOpt, error)
	RegionOpt(ctx context.Context, id identity.AccountID, region string) (*RegionOpt, error)
	PutRegionOpt(ctx context.Context, id identity.AccountID, o *RegionOpt) error
	// RegionOptsDueAfter returns the opt records of every account that
	// complete after t (the transitions in flight at t), in no order.
	RegionOptsDueAfter(ctx context.Context, t time.Time) ([]AccountRegionOpt, error)
}

// AccountRegionOpt is an account's Region opt record.
type AccountRegionOpt struct {
	Account identity.AccountID
	Opt     RegionOpt
}

// EmailTx holds the primary email updates in progress.
type EmailTx interface {
	EmailUpdate(ctx context.Context, id identity.AccountID) (*EmailUpdate, error)
	PutEmailUpdate(ctx context.Context, id identity.AccountID, u *EmailUpdate) error
}

// Outbox is implemented by stores that can list the outbox (admin API).
type Outbox = kernel.Outbox
