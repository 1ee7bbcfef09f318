package generation_test

import (
	"context"
	"errors"
	"testing"

	"github.com/accountplane/accountplane/internal/generation"
)

type fakeStore struct{ views, updates int }

func (f *fakeStore) View(_ context.Context, fn func(int) error) error {
	f.views++
	return fn(0)
}

func (f *fakeStore) Update(_ context.Context, fn func(int) error) error {
	f.updates++
	return fn(0)
}

func TestCountedBumpsOnUpdateOnly(t *testing.T) {
	var c generation.Counter
	inner := &fakeStore{}
	s := generation.Wrap[int](inner, &c)
	ctx := context.Background()
	_ = s.View(ctx, func(int) error { return nil })
	if c.Load() != 0 {
		t.Errorf("after a View: generation %d, want 0", c.Load())
	}
	_ = s.Update(ctx, func(int) error { return nil })
	if err := s.Update(ctx, func(int) error { return errors.New("boom") }); err == nil {
		t.Error("Update lost the error of fn")
	}
	if c.Load() != 2 || inner.updates != 2 || inner.views != 1 {
		t.Errorf("generation %d, updates %d, views %d; want 2, 2, 1", c.Load(), inner.updates, inner.views)
	}
	c.Bump()
	if c.Load() != 3 {
		t.Errorf("after Bump: %d, want 3", c.Load())
	}
}

type repeatable struct {
	fakeStore
	repeated int
}

func (r *repeatable) ViewRepeatable(ctx context.Context, fn func(int) error) error {
	r.repeated++
	return fn(0)
}

// Counted passes ViewRepeatable to a store that has it, and runs a View
// on one that has not.
func TestCountedViewRepeatable(t *testing.T) {
	var c generation.Counter
	ctx := context.Background()
	inner := &repeatable{}
	if err := generation.Wrap[int](inner, &c).ViewRepeatable(ctx, func(int) error { return nil }); err != nil {
		t.Fatal(err)
	}
	plain := &fakeStore{}
	if err := generation.Wrap[int](plain, &c).ViewRepeatable(ctx, func(int) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if inner.repeated != 1 || inner.views != 0 || plain.views != 1 || c.Load() != 0 {
		t.Errorf("repeatable store: %d repeatable, %d views; plain store: %d views; generation %d; want 1, 0, 1, 0",
			inner.repeated, inner.views, plain.views, c.Load())
	}
}
