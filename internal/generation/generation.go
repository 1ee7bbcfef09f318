// Package generation counts the writes made through a domain's store, so
// that readers can cache facts derived from it: a fact read at one
// generation holds until the generation changes.
//
// It imports only the standard library.
package generation

import (
	"context"
	"sync/atomic"
)

// Counter is a write generation. Its zero value is ready to use.
type Counter struct{ n atomic.Uint64 }

// Load returns the current generation.
func (c *Counter) Load() uint64 { return c.n.Load() }

// Bump starts a new generation (for writes that bypass the counted store).
func (c *Counter) Bump() { c.n.Add(1) }

// store is the View/Update contract every domain store has.
type store[Tx any] interface {
	View(ctx context.Context, fn func(Tx) error) error
	Update(ctx context.Context, fn func(Tx) error) error
}

// Counted is a store whose every Update bumps a Counter.
type Counted[Tx any] struct {
	inner store[Tx]
	c     *Counter
}

// Wrap returns s with its Updates counted by c.
func Wrap[Tx any](s store[Tx], c *Counter) Counted[Tx] { return Counted[Tx]{inner: s, c: c} }

// View runs fn on the wrapped store.
func (s Counted[Tx]) View(ctx context.Context, fn func(Tx) error) error { return s.inner.View(ctx, fn) }

// Update runs fn on the wrapped store and then bumps the generation
// (whether or not it committed: a spurious bump only costs a cache miss).
func (s Counted[Tx]) Update(ctx context.Context, fn func(Tx) error) error {
	defer s.c.Bump()
	return s.inner.Update(ctx, fn)
}

// ViewRepeatable is the inner store's, or its View (see
// kernel.RepeatableViewer; this package imports only the standard library,
// so it does not call kernel.ViewRepeatable, which does the same).
func (s Counted[Tx]) ViewRepeatable(ctx context.Context, fn func(Tx) error) error {
	if rv, ok := s.inner.(interface {
		ViewRepeatable(ctx context.Context, fn func(Tx) error) error
	}); ok {
		return rv.ViewRepeatable(ctx, fn)
	}
	return s.inner.View(ctx, fn)
}

// ViewStamped implements StampedViewer when the wrapped store does.
func (s Counted[Tx]) ViewStamped(ctx context.Context, fn func(Tx) error) (Stamp, error) {
	if sv, ok := s.inner.(StampedViewer[Tx]); ok {
		return sv.ViewStamped(ctx, fn)
	}
	return nil, s.inner.View(ctx, fn)
}
