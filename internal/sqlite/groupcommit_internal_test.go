package sqlite

import (
	"context"
	"testing"
	"time"
)

// The caller that commits a group returns once its group is committed,
// even while further writes are queued: the next group is committed by its
// own first write. (A leader that committed every queued group kept its
// caller waiting for as long as writes kept coming.)
func TestGroupLeaderReturnsAfterItsOwnGroup(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	holdFirst, holdSecond := make(chan struct{}), make(chan struct{})
	firstRunning, secondRunning := make(chan struct{}), make(chan struct{})
	write := func(running, hold chan struct{}) chan error {
		done := make(chan error, 1)
		go func() {
			done <- db.update(ctx, func(t *tx) error {
				if running != nil {
					close(running)
					<-hold
				}
				return nil
			})
		}()
		return done
	}
	first := write(firstRunning, holdFirst)
	<-firstRunning // the first group, the first write alone, is under way
	second := write(secondRunning, holdSecond)
	var rest []chan error
	for range 3 {
		rest = append(rest, write(nil, nil))
	}
	waitFor(t, "the four writes to queue", func() bool {
		db.group.mu.Lock()
		defer db.group.mu.Unlock()
		return len(db.group.queue) == 4
	})
	close(holdFirst)
	<-secondRunning // the second group, led by the second write, is under way
	select {
	case err := <-first:
		if err != nil {
			t.Fatalf("first write: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the first write's caller still waits while the next group commits")
	}
	close(holdSecond)
	for i, done := range append([]chan error{second}, rest...) {
		if err := <-done; err != nil {
			t.Errorf("write %d: %v", i+2, err)
		}
	}
}

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
