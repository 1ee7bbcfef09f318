package kernel

import (
	"context"
	"errors"

	"github.com/accountplane/accountplane/internal/identity"
)

// Store is the one store contract every domain asks for, with the
// transaction type the domain declares (its own small interfaces, grouped
// by aggregate):
//
//   - View runs fn in a read-only transaction on a consistent snapshot;
//     the writers of the Tx fail.
//   - Update runs fn in a write transaction: atomic, durable and
//     serializable. It commits if fn returns nil; if fn returns an error or
//     panics, nothing of it is kept and fn's error is returned as is. The
//     unit of work's BeforeCommit (if the store has one) runs in the same
//     transaction, after fn, so that the change's CloudTrail record and
//     events commit with it or not at all.
//
// fn must not call View or Update of the same store.
type Store[Tx any] interface {
	View(ctx context.Context, fn func(Tx) error) error
	Update(ctx context.Context, fn func(Tx) error) error
}

// RepeatableViewer is a store with a View whose fn may run more than once:
// a store that answers reads from memory may then start fn over when a
// commit overtook what it took from memory, instead of opening a
// transaction for every View. fn must set its results afresh on every
// run (assign, never accumulate) and have no other effect.
type RepeatableViewer[Tx any] interface {
	ViewRepeatable(ctx context.Context, fn func(Tx) error) error
}

// ViewRepeatable runs fn in s's repeatable View if s has one (see
// RepeatableViewer), in its View otherwise: the one place wrappers of a
// store and its callers choose.
func ViewRepeatable[Tx any](ctx context.Context, s interface {
	View(ctx context.Context, fn func(Tx) error) error
}, fn func(Tx) error) error {
	if rv, ok := s.(RepeatableViewer[Tx]); ok {
		return rv.ViewRepeatable(ctx, fn)
	}
	return s.View(ctx, fn)
}

// The transaction pieces every domain shares, grouped by aggregate. A
// store implements each piece once; a domain's Tx embeds the pieces it
// uses. Getters return errors wrapping ErrNotFound for absent rows.

// AccountsTx reads and writes the account records.
type AccountsTx interface {
	Account(ctx context.Context, id identity.AccountID) (*Account, error)
	// AccountByEmail finds the account whose primary email equals email
	// (case-insensitively).
	AccountByEmail(ctx context.Context, email string) (*Account, error)
	PutAccount(ctx context.Context, a *Account) error
}

// ContactFactsTx reads the contact facts other domains decide on (whether
// an account may leave its organization).
type ContactFactsTx interface {
	ContactInformation(ctx context.Context, id identity.AccountID) (*ContactInformation, error)
	PhoneVerification(ctx context.Context, id identity.AccountID) (*PhoneVerification, error)
}

// OutboxTx appends to the outbox.
type OutboxTx interface {
	AddMessage(ctx context.Context, m *Message) error
}

// ErrConflict is returned by a store's Update when concurrent transactions
// kept conflicting (serialization failures, deadlocks) after its retries.
// The edge answers it with the service's conflict or throttling exception.
var ErrConflict = errors.New("the store's transaction kept conflicting with concurrent ones")

// ErrUnavailable is returned by a store that cannot reach its database.
// The edge answers it with 503 and the service's unavailable code, which
// the SDKs retry.
var ErrUnavailable = errors.New("the store's database is unavailable")
