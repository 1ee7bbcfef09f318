package kernel

import "context"

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
