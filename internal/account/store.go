package account

import (
	"context"
	"errors"

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

	Account(ctx context.Context, id identity.AccountID) (*Account, error)
	// AccountByEmail finds the account whose primary email equals email
	// (case-insensitively).
	AccountByEmail(ctx context.Context, email string) (*Account, error)
	PutAccount(ctx context.Context, a *Account) error

	AlternateContact(ctx context.Context, id identity.AccountID, t AlternateContactType) (*AlternateContact, error)
	PutAlternateContact(ctx context.Context, id identity.AccountID, c *AlternateContact) error
	// DeleteAlternateContact returns ErrNotFound if there was none.
	DeleteAlternateContact(ctx context.Context, id identity.AccountID, t AlternateContactType) error

	ContactInformation(ctx context.Context, id identity.AccountID) (*ContactInformation, error)
	PutContactInformation(ctx context.Context, id identity.AccountID, c *ContactInformation) error

	PhoneVerification(ctx context.Context, id identity.AccountID) (*PhoneVerification, error)
	PutPhoneVerification(ctx context.Context, id identity.AccountID, v *PhoneVerification) error

	// RegionOpts returns every opt record of the account, sorted by Region.
	RegionOpts(ctx context.Context, id identity.AccountID) ([]RegionOpt, error)
	RegionOpt(ctx context.Context, id identity.AccountID, region string) (*RegionOpt, error)
	PutRegionOpt(ctx context.Context, id identity.AccountID, o *RegionOpt) error

	EmailUpdate(ctx context.Context, id identity.AccountID) (*EmailUpdate, error)
	PutEmailUpdate(ctx context.Context, id identity.AccountID, u *EmailUpdate) error

	AddMessage(ctx context.Context, m *Message) error
}

// Outbox is implemented by stores that can list the outbox (admin API).
type Outbox = kernel.Outbox
